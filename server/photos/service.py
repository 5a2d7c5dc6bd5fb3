"""Serving photos: only to whoever may read the attachment (server.policy), bytes and thumbnails."""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import select

from server import policy
from server.errors import NotFoundError
from server.extensions import db
from server.models import Attachment, User
from server.photos import images, storage


def readable(user: User, attachment_id: str) -> Attachment:
    """The attachment, if this user may read it and its bytes are stored; else not found."""
    try:
        key = uuid.UUID(attachment_id)
    except ValueError:
        raise NotFoundError() from None
    rule = policy.READ_RULES["attachment"]
    query = select(Attachment).where(Attachment.id == key, rule.clause(policy.Reader.of(user)))
    attachment = db.session.execute(query).scalar_one_or_none()
    if attachment is None or attachment.deleted:
        raise NotFoundError()
    if attachment.stored_key is None:
        raise NotFoundError("This photo has not arrived yet: its phone has not sent it.")
    return attachment


def content(attachment: Attachment) -> bytes:
    """The photo's stored bytes."""
    data = storage.store().get(str(attachment.stored_key))
    if data is None:
        raise NotFoundError("This photo's bytes are missing from the store.")
    return data


def thumbnail(attachment: Attachment) -> bytes:
    """The photo's thumbnail, made once and then kept in the store."""
    key = storage.thumbnail_key(str(attachment.stored_key))
    cached = storage.store().get(key)
    if cached is not None:
        return cached
    made = images.thumbnail(content(attachment), int(current_app.config["PHOTO_MAX_PIXELS"]))
    storage.store().put(key, made)
    return made
