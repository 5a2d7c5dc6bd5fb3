"""Erasing a person (data rights) takes their photos and sign-in secrets with them: the photos
of their private observations become tombstones and leave the photo store (thumbnails too); their
second factor, recovery codes and identity-provider links are deleted. Retention takes the photos
of the observations it deletes the same way."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from server.accounts.mfa_models import RecoveryCode, SecondFactor
from server.accounts.oidc.models import OidcIdentity, OidcProvider
from server.attachment import Attachment
from server.extensions import db
from server.rights import retention
from tests.accounts.test_mfa import enrol
from tests.photos.support import PhotoBackend, photo, record_fields, token, upload_in_process
from tests.support.factories import Factory
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields


def _private_photo(client: FlaskClient, author: SyncClient) -> str:
    """An observation only the author takes part in, a note and an uploaded photo on it."""
    observation_id, note_id, attachment_id = new_id(), new_id(), new_id()
    author.put("observation", observation_id, observation_fields([(author.user_id, "observer")]))
    author.put("note", note_id, note_fields(observation_id))
    data = photo(seed=11)
    fields = record_fields(observation_id, data, note_id=note_id)
    assert author.put("attachment", attachment_id, fields)["status"] == "applied"
    upload_in_process(client, author, attachment_id, data)
    auth = {"Authorization": f"Bearer {token(author)}"}
    thumbnail = client.get(f"/api/v1/attachments/{attachment_id}/thumbnail", headers=auth)
    assert thumbnail.status_code == 200
    return attachment_id


def _link_provider(app: Flask, school_id: uuid.UUID, user_id: uuid.UUID) -> None:
    with app.app_context():
        provider = OidcProvider(
            school_id=school_id, kind="oidc", label="Test", issuer="https://id.example",
            client_id="lessonloop", client_secret="s", allowed_domains=["example.org"],
        )  # fmt: skip
        db.session.add(provider)
        db.session.flush()
        db.session.add(
            OidcIdentity(
                provider_id=provider.id, subject="ben", user_id=user_id, refresh_token="rt"
            )
        )
        db.session.commit()


def _count(app: Flask, model: type, user_id: uuid.UUID) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).where(model.user_id == user_id)  # type: ignore[attr-defined]
        return int(db.session.execute(query).scalar_one())


def test_erasure_takes_the_photos_and_sign_in_secrets(
    app: Flask, client: FlaskClient, factory: Factory, instance: Path, photo_backend: PhotoBackend
) -> None:
    school = factory.school()
    author = SyncClient(factory.session(school))
    admin = factory.session(school, role="admin")
    attachment_id = _private_photo(client, author)
    assert len(photo_backend.keys()) == 2  # the photo and its thumbnail
    enrol(author.session)
    user_id = uuid.UUID(author.user_id)
    _link_provider(app, school.id, user_id)
    name = author.session.user["display_name"]
    erased = admin.post(f"/api/v1/admin/users/{user_id}/erase", json={"confirm_name": name})
    assert erased.status_code == 200, erased.get_json()
    counts = erased.get_json()["erased"]
    assert (counts["photos"], counts["second_factors"], counts["provider_links"]) == (1, 1, 1)
    assert counts["recovery_codes"] == 10
    for model in (SecondFactor, RecoveryCode, OidcIdentity):
        assert _count(app, model, user_id) == 0
    with app.app_context():
        row = db.session.get(Attachment, uuid.UUID(attachment_id))
        assert row is not None
        assert (row.deleted, row.caption, row.stored_key) == (True, "", None)
    assert photo_backend.keys() == []


def test_retention_takes_the_photos_of_the_observations_it_deletes(
    app: Flask, client: FlaskClient, factory: Factory, instance: Path, photo_backend: PhotoBackend
) -> None:
    school = factory.school()
    author = SyncClient(factory.session(school))
    attachment_id = _private_photo(client, author)
    assert len(photo_backend.keys()) == 2
    with app.app_context():
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=366 * 8)  # past 6 school years
        counts = retention.run(school.id, later)
        row = db.session.get(Attachment, uuid.UUID(attachment_id))
        assert row is not None
        assert (row.deleted, row.caption, row.stored_key) == (True, "", None)
    assert counts["observations"] == 1
    assert photo_backend.keys() == []
