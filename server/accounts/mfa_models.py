"""The second factor's tables: a user's TOTP secret, their recovery codes, a school's requirement.

Kept beside the accounts feature rather than in server.models: none of them is synced.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import Base, db
from server.models import UTCDateTime, utcnow

if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


class SecondFactor(Model):
    """A user's TOTP secret (encrypted), live once confirmed; `last_step` stops replays."""

    __tablename__ = "second_factor"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The last RFC 6238 time step accepted: a code of that step or an earlier one is refused.
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(Model):
    """One recovery code, stored as its SHA-256; `used_at` once it has been spent."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SchoolMfaRequirement(Model):
    """Who in a school must have a second factor: nobody (no row), leads (and admins), everyone."""

    __tablename__ = "school_mfa_requirement"

    school_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    required_for: Mapped[str] = mapped_column(String(16), default="nobody")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
