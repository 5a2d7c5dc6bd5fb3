"""The photos an observation summary prints (issue 16): those its reader may see, as stored."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from reports import model
from server import policy
from server.extensions import db
from server.models import Attachment
from server.photos import storage
from server.policy import Reader
from server.reports.queries import name_of, people

# A summary prints at most this many photos (oldest first); the app shows them all.
MAX_PHOTOS = 24


def observation_photos(reader: Reader, observation_id: uuid.UUID) -> tuple[model.PhotoItem, ...]:
    """The observation's delivered photos the reader may see, oldest first."""
    rows = db.session.execute(
        select(Attachment)
        .where(
            Attachment.observation_id == observation_id,
            ~Attachment.deleted,
            Attachment.stored_key.is_not(None),
            policy.READ_RULES["attachment"].clause(reader),
        )
        .order_by(Attachment.created_at, Attachment.id)
        .limit(MAX_PHOTOS)
    ).scalars()
    names = people(reader)
    found = []
    for row in rows:
        data = storage.store().get(str(row.stored_key))
        if data is not None:
            item = model.PhotoItem(
                row.content_type, data, row.caption, name_of(names, row.created_by),
                row.width, row.height,
            )  # fmt: skip
            found.append(item)
    return tuple(found)
