"""Deleting records for good while every device still learns that they are gone.

A record deleted for good keeps its row as a tombstone: `deleted`, its free text emptied, its
set-aside conflicts dropped, and a new version, so each device that pulled it gets the
tombstone at its next pull. Who may read it (participants, visibility) is kept: that is how
the tombstone reaches exactly the devices that could hold the record.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update

from server.extensions import db
from server.models import Attachment, Focus, Lookfor, NextStep, Note, Observation
from server.photos import storage
from server.sync.versions import VersionAllocator
from server.visits import Visit

# The free-text fields of each record (where a person may have typed anything).
TEXT_FIELDS: dict[Any, tuple[str, ...]] = {
    Observation: (
        "title",
        "class_label",
        "subject",
        "year_group",
        "focus_question",
        "learning_intention",
        "strengths",
        "wonderings",
        "reflection",
    ),
    Note: ("text", "case_pupil"),
    Attachment: ("caption",),
    NextStep: ("text",),
    Focus: ("title", "description"),
    Lookfor: ("text",),
    Visit: ("class_label", "year_group", "subject"),
}


def tombstone(model: Any, ids: list[uuid.UUID], versions: VersionAllocator) -> int:
    """Delete these records for good (see the module docstring); returns how many."""
    blank: dict[str, Any] = {field: "" for field in TEXT_FIELDS.get(model, ())}
    extra: dict[str, Any] = {"case_pupils": []} if model is Observation else {}
    if hasattr(model, "yjs"):
        extra["yjs"] = {}  # the co-written documents go with the text
    for record_id in ids:
        db.session.execute(
            update(model)
            .where(model.id == record_id)
            .values(deleted=True, conflicts=[], version=versions.next(), **blank, **extra)
        )
    return len(ids)


def tombstone_photos(ids: list[uuid.UUID], versions: VersionAllocator) -> int:
    """Photos for good: the records become tombstones, the bytes (and thumbnails) leave the
    photo store (erasure, retention)."""
    keys = db.session.execute(
        select(Attachment.stored_key).where(
            Attachment.id.in_(ids), Attachment.stored_key.is_not(None)
        )
    ).scalars()
    for key in [str(k) for k in keys]:
        storage.store().delete(key)
        storage.store().delete(storage.thumbnail_key(key))
    db.session.execute(update(Attachment).where(Attachment.id.in_(ids)).values(stored_key=None))
    return tombstone(Attachment, ids, versions)
