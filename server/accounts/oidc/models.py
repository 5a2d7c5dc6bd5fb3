"""The tables of school sign-in (migration 0007): providers, the school's setting, sign-ins
under way (state, nonce, PKCE verifier), one-time codes, and who signed in with which account."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models import UUID, Model, User, UTCDateTime, utcnow


class OidcProvider(Model):
    """One identity provider a school signs in with; the secret is never sent back."""

    __tablename__ = "oidc_provider"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # google, microsoft, oidc
    label: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(500))
    tenant: Mapped[str | None] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(500))
    client_secret: Mapped[str] = mapped_column(Text)
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OidcSchoolSetting(Model):
    """A school's sign-in settings: create accounts on first sign-in (role teacher)."""

    __tablename__ = "oidc_school_setting"

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), primary_key=True)
    create_accounts: Mapped[bool] = mapped_column(Boolean, default=False)


class OidcLogin(Model):
    """A sign-in under way: kept server-side, short-lived, used once (by its state's hash)."""

    __tablename__ = "oidc_login"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oidc_provider.id", ondelete="CASCADE"), index=True
    )
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    device_name: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class OidcCode(Model):
    """The one-time code the PWA exchanges for a device token (stored hashed, used once)."""

    __tablename__ = "oidc_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    device_name: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class OidcIdentity(Model):
    """Who signed in with which provider account (its `sub`), and the refresh token that lets
    the account check ask the provider later whether the account still exists."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oidc_provider.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    last_sign_in_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    gone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
