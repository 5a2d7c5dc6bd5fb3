"""Uploads in progress (server.photos.uploads): their staging files, their share of the quota,
and the cleanup of those abandoned part way.

An upload is alive for `PHOTO_STAGING_MAX_AGE_HOURS` (24 by default) from its creation: a
photo of at most 5 MiB takes minutes even on a poor connection, and a phone that comes back
later starts a new upload (tus-js-client does on the 404). While alive, an upload holds its
full length of the school's quota, so uploads begun together cannot overrun it; after that it
holds nothing, is answered 404, and the worker (every scan, server.reminders.worker) or
`flask photos clean-staging` deletes its row and its bytes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import ColumnElement, func, select

from server.extensions import db
from server.models import Attachment, utcnow
from server.photos.models import PhotoUpload


def path(upload_id: uuid.UUID) -> Path:
    """The upload's bytes so far: `<PHOTO_STAGING_PATH or instance/photo-uploads>/<id>.part`."""
    # (Not `Path(setting or "")`: that is ".", the process's working folder.)
    configured = current_app.config.get("PHOTO_STAGING_PATH")
    root = Path(configured) if configured else Path(current_app.instance_path) / "photo-uploads"
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{upload_id}.part"


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config["PHOTO_STAGING_MAX_AGE_HOURS"]))


def is_alive(upload: PhotoUpload, now: dt.datetime | None = None) -> bool:
    """Finished, or begun less than the maximum age ago."""
    return upload.finished_at is not None or upload.created_at > (now or utcnow()) - max_age()


def _unfinished(now: dt.datetime, alive: bool) -> ColumnElement[bool]:
    since = PhotoUpload.created_at > now - max_age()
    return PhotoUpload.finished_at.is_(None) & (since if alive else ~since)


def reserved(school_id: uuid.UUID, besides: uuid.UUID) -> int:
    """The bytes the school's live unfinished uploads hold, one per photo not yet stored,
    besides the photo (attachment id) now asking."""
    query = (
        select(func.max(PhotoUpload.length))
        .join(Attachment, Attachment.id == PhotoUpload.attachment_id)
        .where(PhotoUpload.school_id == school_id, _unfinished(utcnow(), alive=True))
        .where(Attachment.stored_key.is_(None), PhotoUpload.attachment_id != besides)
        .group_by(PhotoUpload.attachment_id)
    )
    return sum(int(length) for length in db.session.execute(query).scalars())


def remove_abandoned(now: dt.datetime | None = None) -> int:
    """Delete every unfinished upload past its age, row and bytes; how many went."""
    query = select(PhotoUpload).where(_unfinished(now or utcnow(), alive=False))
    gone = list(db.session.execute(query).scalars())
    for upload in gone:
        db.session.delete(upload)
    db.session.commit()
    for upload in gone:  # after the commit: a file is never missing under a live row
        path(upload.id).unlink(missing_ok=True)
    return len(gone)


@click.group("photos")
def photos_cli() -> None:
    """Photos (docs/photos.md)."""


@photos_cli.command("clean-staging")
@with_appcontext
def clean_staging() -> None:
    """Delete uploads abandoned part way (older than PHOTO_STAGING_MAX_AGE_HOURS)."""
    click.echo(f"removed {remove_abandoned()} abandoned upload(s)")
