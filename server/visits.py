"""The `visit` table: one classroom of a learning walk (migration 0006; README: leads).

Kept beside server/models.py (which imports it last) so that the models module stays within
its size; a synced record like the others (`SyncedMixin`), registered in `SYNCED_MODELS`.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models import SYNCED_MODELS, Model, SyncedMixin, UTCDateTime


class Visit(SyncedMixin, Model):
    """A walk's classroom: when, which class, year group, subject and team (all but the walk
    and the time optional); notes written there name it (`note.visit_id`)."""

    __tablename__ = "visit"

    observation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("observation.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    class_label: Mapped[str] = mapped_column(Text, default="")
    year_group: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))


SYNCED_MODELS["visit"] = Visit
