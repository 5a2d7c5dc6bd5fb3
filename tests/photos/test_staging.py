"""Uploads abandoned part way (server.photos.staging): they hold their length of the school's
quota while alive, are answered 404 once past PHOTO_STAGING_MAX_AGE_HOURS, and the worker's
scan (with its clock moved on) or `flask photos clean-staging` deletes their rows and bytes.
A real partial upload over HTTP; the worker in-process on the same database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from server.extensions import db
from server.photos.models import PhotoUpload
from server.reminders.delivery import Sender
from server.reminders.worker import Worker
from tests.photos.conftest import Start
from tests.photos.support import (
    PhotoBackend,
    TusClient,
    World,
    env_limits,
    photo,
    staged_bytes,
    token,
)


def _housekeeping(app: Flask, hours: float) -> None:
    """One pass of the reminders worker's housekeeping, its clock `hours` from now."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    sender = Sender.from_config(app.config)
    with app.app_context():
        Worker(sender, clock=lambda: later).housekeeping(force_scan=True)
        db.session.remove()
    sender.close()


def _uploads(app: Flask) -> int:
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(PhotoUpload)).scalar_one()
        db.session.remove()
        return int(count)


def test_an_abandoned_upload_holds_the_quota_until_the_worker_removes_it(
    app: Flask, world: World, start_server: Start, instance: Path, photo_backend: PhotoBackend
) -> None:
    first, second, done = photo(seed=31), photo(seed=32), photo(320, 240, seed=33)
    quota = len(done) + len(first) + len(second) - 1  # all three do not fit
    server = start_server(**env_limits(PHOTO_SCHOOL_QUOTA_BYTES=quota))
    tus = TusClient(server.url, token(world.observer))
    done_id = world.add_photo(done)
    assert tus.upload(done_id, done).status == 204  # a finished upload is never removed
    first_id, second_id = world.add_photo(first), world.add_photo(second)
    location = tus.create(first_id, len(first)).headers["Location"]
    half = len(first) // 2
    assert tus.patch(location, 0, first[:half]).status == 204  # then the phone went away
    assert staged_bytes(instance) == half
    refused = tus.create(second_id, len(second))  # the half-sent photo holds its whole length
    assert refused.status == 413, refused
    assert b'"school_quota_reached"' in refused.body
    _housekeeping(app, hours=23)  # not yet abandoned: kept, and it resumes
    assert (staged_bytes(instance), tus.offset(location)) == (half, half)
    _housekeeping(app, hours=25)
    assert (staged_bytes(instance), _uploads(app)) == (0, 1)  # only the finished one is left
    assert tus.request("HEAD", location).status == 404
    assert tus.upload(second_id, second).status == 204  # the space it held is free again
    assert tus.get(f"/api/v1/attachments/{done_id}/content").body == done
    assert len(photo_backend.keys()) == 2


def test_an_upload_past_its_age_is_gone_at_once_and_the_cli_removes_it(
    app: Flask, world: World, start_server: Start, instance: Path, runner: FlaskCliRunner
) -> None:
    data = photo(seed=34)
    server = start_server(**env_limits(PHOTO_STAGING_MAX_AGE_HOURS=0))
    tus = TusClient(server.url, token(world.observer))
    attachment_id = world.add_photo(data)
    location = tus.create(attachment_id, len(data)).headers["Location"]
    assert tus.request("HEAD", location).status == 404  # alive for no time at all
    assert tus.patch(location, 0, data).status == 404
    app.config["PHOTO_STAGING_MAX_AGE_HOURS"] = 0
    result = runner.invoke(args=["photos", "clean-staging"])
    assert result.exit_code == 0, result.output
    assert "removed 1 abandoned upload(s)" in result.output
    assert (_uploads(app), staged_bytes(instance)) == (0, 0)
