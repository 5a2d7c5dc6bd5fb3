"""A school's whole export: export, import into a fresh database, export again: the same bytes,
on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import shutil
import uuid
import zipfile

import jsonschema
import pytest

from server import create_app
from server.extensions import db
from tests.conftest import TEST_SECRET
from tests.reports import world as school
from tests.rights.test_export import SCHEMA
from tests.support.factories import PASSWORD
from tests.support.sync import SyncClient


@pytest.fixture
def fresh_app(database_url, tmp_path, request):
    """A second, empty (migrated) database on the same backend, and an app on it."""
    if database_url.startswith("sqlite"):
        path = tmp_path / "fresh.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url, cleanup = f"sqlite:///{path}", None
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = "fresh_" + uuid.uuid4().hex[:12]
        cluster.execute(f"CREATE DATABASE {name} TEMPLATE {request.getfixturevalue('pg_template')}")
        url, cleanup = cluster.url(name), name
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": tmp_path / "fresh-instance",
            "SECRET_KEY": TEST_SECRET,
            "PASSWORD_HASH_PROFILE": "fast",
            "TESTING": True,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if cleanup:
        request.getfixturevalue("pg_cluster").execute(
            f"DROP DATABASE IF EXISTS {cleanup} WITH (FORCE)"
        )


def data_json(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("data.json")


def test_export_import_export_gives_the_same_bytes(world_with_history, runner, fresh_app, tmp_path):
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    done = runner.invoke(args=["export-school", "--school", school.SCHOOL, str(first)])
    assert done.exit_code == 0, done.output
    document = json.loads(data_json(first))
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    assert document["kind"] == "school"
    assert len(document["notes"]) > 20
    assert {e["action"] for e in document["audit_events"]} >= {
        "observation.read_by_lead",
        "report.downloaded",
        "observation.shared",
    }
    restored = fresh_app.test_cli_runner().invoke(args=["import-school", str(first)])
    assert restored.exit_code == 0, restored.output
    again = fresh_app.test_cli_runner().invoke(
        args=["export-school", "--school", school.SCHOOL, str(second)]
    )
    assert again.exit_code == 0, again.output
    assert data_json(second) == data_json(first)
    # The restored school works: a teacher signs in with the same password and pulls it all.
    client = fresh_app.test_client()
    email = document["users"][0]["email"]
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    # A second import into the same database is refused; nothing changes.
    twice = fresh_app.test_cli_runner().invoke(args=["import-school", str(first)])
    assert twice.exit_code != 0
    assert "empty database" in twice.output


@pytest.fixture
def world_with_history(factory):
    world = school.build(factory)
    world.clients["lead"].pull_all()
    shared = world.ids["shared"]
    assert world.get("lead", f"/api/v1/reports/observations/{shared}.pdf").status_code == 200
    return world


def test_restored_pulls_equal_the_original(world_with_history, runner, fresh_app, tmp_path):
    archive = tmp_path / "school.zip"
    runner.invoke(args=["export-school", "--school", school.SCHOOL, str(archive)])
    fresh_app.test_cli_runner().invoke(args=["import-school", str(archive)])
    ana = world_with_history.session("ana")
    original = SyncClient(ana)
    original.pull_all()
    client = fresh_app.test_client()
    body = client.post(
        "/api/v1/auth/login", json={"email": ana.user["email"], "password": PASSWORD}
    ).get_json()
    from tests.support.factories import Session

    restored = SyncClient(Session(client, body["token"], body["client_id"], body["user"]))
    restored.pull_all()
    assert restored.replica == original.replica


def test_admins_download_the_school_export(world_with_history):
    response = world_with_history.get("admin", "/api/v1/admin/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert {"data.json", "README.txt", "export.schema.json"} <= set(archive.namelist())
    assert world_with_history.get("lead", "/api/v1/admin/export").status_code == 403
    events = world_with_history.get("admin", "/api/v1/admin/audit").get_json()["events"]
    assert [e["action"] for e in events].count("export.school") == 1


def test_a_file_that_is_not_an_export_is_refused(runner, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    result = runner.invoke(args=["import-school", str(bad)])
    assert result.exit_code != 0
    assert "not a Lesson Loop export" in result.output
