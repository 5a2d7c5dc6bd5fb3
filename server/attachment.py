"""Photos of pupils' work (issue 16): the synced `attachment` record.

An attachment is a synced record like a note (`SyncedMixin`: push, pull, tombstones): which
observation (and optionally which note) it belongs to, what its bytes are (`content_type`,
`bytes`, `sha256`, `width`, `height`) and a `caption`. Its bytes arrive apart, through the tus
upload protocol (server.photos), and are kept by the photo store; the `stored_*` columns say
what the store holds (None until the upload completed). A photo that carried metadata is kept
re-encoded without it, so `stored_sha256` may differ from the `sha256` the phone declared.
Import the models from server.models (which imports this module at its end), not from here.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Model, SyncedMixin, UTCDateTime


class Attachment(SyncedMixin, Model):
    """A photo of pupils' work on an observation (and, when `note_id` is set, on a note)."""

    __tablename__ = "attachment"

    observation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("observation.id"), index=True)
    note_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("note.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(Text, default="")
    # What the photo store holds (server.photos.storage): set when the upload completed.
    stored_key: Mapped[str | None] = mapped_column(String(200))
    stored_bytes: Mapped[int | None] = mapped_column(BigInteger)
    stored_sha256: Mapped[str | None] = mapped_column(String(64))
    stored_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
