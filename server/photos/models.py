"""The photos feature's own table: one row per tus upload (server.photos.uploads)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Model, UTCDateTime, utcnow


class PhotoUpload(Model):
    """One tus upload: bound to an attachment at creation; its bytes so far in the staging
    folder (their count is the offset)."""

    __tablename__ = "photo_upload"
    __table_args__ = (Index("ix_photo_upload_school", "school_id", "finished_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    attachment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attachment.id"), index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    length: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
