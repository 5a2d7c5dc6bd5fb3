"""A teacher's data-rights export holds the photos of their observations (issue 16): each
record in data.json and the kept bytes under photos/; nobody else's export holds them. The
school's whole export holds every photo the same way, and a restore puts the bytes back."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

import jsonschema
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from server.extensions import db
from server.models import School
from server.rights import school_export
from server.rights.export import zip_bytes
from tests.photos.support import World, photo, token, upload_in_process
from tests.rights.test_export import SCHEMA
from tests.support.factories import PASSWORD, Factory


def _export(client: FlaskClient, who: object) -> zipfile.ZipFile:
    response = client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token(who)}"})  # type: ignore[arg-type]
    assert response.status_code == 200, response.get_json()
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_export_holds_the_photos_of_ones_observations(
    world: World, client: FlaskClient
) -> None:
    data = photo(seed=7)
    attachment_id = world.add_photo(data, caption="Sorting shapes")
    upload_in_process(client, world.observer, attachment_id, data)
    archive = _export(client, world.observee)
    assert archive.read(f"photos/{attachment_id}.jpg") == data
    photos = json.loads(archive.read("data.json"))["photos"]
    assert [(p["id"], p["caption"]) for p in photos] == [(attachment_id, "Sorting shapes")]
    assert "photos/" in archive.read("README.txt").decode()
    theirs = _export(client, world.colleague)
    assert not [name for name in theirs.namelist() if name.startswith("photos/")]
    assert json.loads(theirs.read("data.json"))["photos"] == []


def test_the_school_export_carries_the_photos_and_a_restore_brings_them_back(
    world: World, client: FlaskClient, factory: Factory, fresh_app: Flask, tmp_path: Path
) -> None:
    data, gone = photo(seed=8), photo(seed=9)
    attachment_id = world.add_photo(data, caption="Number line")
    upload_in_process(client, world.observer, attachment_id, data)
    gone_id = world.add_photo(gone)
    upload_in_process(client, world.observer, gone_id, gone)
    assert world.observer.delete("attachment", gone_id)["status"] == "applied"
    admin = factory.session(_school(factory, world), role="admin")
    response = admin.get("/api/v1/admin/export")
    assert response.status_code == 200, response.get_json()
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert [n for n in archive.namelist() if n.startswith("photos/")] == [
        f"photos/{attachment_id}.jpg"  # a deleted photo's bytes are not exported
    ]
    assert archive.read(f"photos/{attachment_id}.jpg") == data
    document = json.loads(archive.read("data.json"))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    # The same shape as the personal export's photos.
    personal = json.loads(_export(client, world.observee).read("data.json"))["photos"]
    mine = [p for p in document["photos"] if p["id"] == attachment_id]
    assert mine == [p for p in personal if p["id"] == attachment_id]
    assert {p["id"] for p in document["photos"]} == {attachment_id, gone_id}
    assert "photos/" in archive.read("README.txt").decode()
    # Restored into an empty database and another photo store, the photo is served again.
    saved = tmp_path / "school.zip"
    saved.write_bytes(response.data)
    restored = fresh_app.test_cli_runner().invoke(args=["import-school", str(saved)])
    assert restored.exit_code == 0, restored.output
    fresh = fresh_app.test_client()
    email = world.observee.session.user["email"]
    body = fresh.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).get_json()
    served = fresh.get(
        f"/api/v1/attachments/{attachment_id}/content",
        headers={"Authorization": f"Bearer {body['token']}"},
    )
    assert (served.status_code, served.data) == (200, data)


def test_a_restore_refuses_a_damaged_photo_and_changes_nothing(
    world: World, client: FlaskClient, factory: Factory, fresh_app: Flask, tmp_path: Path
) -> None:
    data = photo(seed=10)
    attachment_id = world.add_photo(data)
    upload_in_process(client, world.observer, attachment_id, data)
    with factory.app.app_context():
        files = dict(_files(school_export.school_zip(_school(factory, world))))
    files[f"photos/{attachment_id}.jpg"] = data[:-10] + b"0123456789"
    saved = tmp_path / "damaged.zip"
    saved.write_bytes(zip_bytes(files))
    refused = fresh_app.test_cli_runner().invoke(args=["import-school", str(saved)])
    assert refused.exit_code != 0
    assert "is not the photo its record kept" in refused.output
    with fresh_app.app_context():
        assert db.session.execute(select(func.count()).select_from(School)).scalar_one() == 0
        db.session.remove()
    assert not (tmp_path / "fresh-instance" / "photos").exists()


def _files(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def _school(factory: Factory, world: World) -> School:
    """The world's school, loaded and detached (no transaction left open)."""
    with factory.app.app_context():
        school = db.session.get(School, uuid.UUID(world.observer.session.user["school_id"]))
        assert school is not None
        db.session.expunge(school)
        db.session.remove()
        return school
