"""A school's sign-in settings: its providers (presets for Google and Microsoft Entra) and
"create accounts on first sign-in"."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from server.accounts.oidc.models import OidcProvider, OidcSchoolSetting
from server.errors import ApiError, NotFoundError, ValidationApiError
from server.extensions import db

GOOGLE_ISSUER = "https://accounts.google.com"
MICROSOFT_ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"
LABELS = {"google": "Google", "microsoft": "Microsoft", "oidc": "your school account"}


def preset_issuer(kind: str, tenant: str | None, issuer: str | None) -> str:
    """The issuer of a preset (Google, Microsoft Entra with the tenant), or the one given."""
    if kind == "google":
        return GOOGLE_ISSUER
    if kind == "microsoft":
        return MICROSOFT_ISSUER.format(tenant=tenant)
    return str(issuer)


def _check_issuer(issuer: str) -> None:
    parts = urlsplit(issuer)
    allow_http = current_app.config.get("OIDC_ALLOW_HTTP_ISSUERS", False)
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise ValidationApiError({"issuer": ["The issuer must be an https:// URL."]})
    if parts.query or parts.fragment:
        raise ValidationApiError({"issuer": ["The issuer has no query or fragment."]})


def _check_domains_free(school_id: uuid.UUID, domains: list[str]) -> None:
    """An email domain signs in to one school only (so an email names its school)."""
    others = db.session.execute(
        select(OidcProvider.allowed_domains).where(OidcProvider.school_id != school_id)
    ).scalars()
    taken = sorted(set(domains) & {d for found in others for d in found})
    if taken:
        raise ApiError(
            409,
            "domain_taken",
            f"Another school already signs in with {', '.join(taken)}.",
            {"allowed_domains": taken},
        )


def create_provider(school_id: uuid.UUID, data: dict[str, Any]) -> OidcProvider:
    """A new provider of the school; 409 domain_taken when another school has a domain."""
    kind = data["kind"]
    issuer = preset_issuer(kind, data.get("tenant"), data.get("issuer"))
    _check_issuer(issuer)
    _check_domains_free(school_id, data["allowed_domains"])
    provider = OidcProvider(
        school_id=school_id,
        kind=kind,
        label=data.get("label") or LABELS[kind],
        issuer=issuer,
        tenant=data.get("tenant") if kind == "microsoft" else None,
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        allowed_domains=data["allowed_domains"],
        enabled=data.get("enabled", True),
    )
    db.session.add(provider)
    db.session.commit()
    return provider


def school_provider(school_id: uuid.UUID, provider_id: uuid.UUID) -> OidcProvider:
    """A provider of this school, or 404."""
    provider = db.session.get(OidcProvider, provider_id)
    if provider is None or provider.school_id != school_id:
        raise NotFoundError("There is no such sign-in provider in your school.")
    return provider


def update_provider(
    school_id: uuid.UUID, provider_id: uuid.UUID, data: dict[str, Any]
) -> OidcProvider:
    """Change a provider's settings (a new secret replaces the old one)."""
    provider = school_provider(school_id, provider_id)
    if "issuer" in data and provider.kind != "oidc":
        raise ValidationApiError({"issuer": ["The issuer of a preset is fixed."]})
    if "tenant" in data and provider.kind != "microsoft":
        raise ValidationApiError({"tenant": ["Only Microsoft Entra has a tenant."]})
    if "allowed_domains" in data:
        _check_domains_free(school_id, data["allowed_domains"])
    for key in ("label", "client_id", "client_secret", "allowed_domains", "enabled", "tenant"):
        if key in data:
            setattr(provider, key, data[key])
    new_issuer = preset_issuer(provider.kind, provider.tenant, data.get("issuer", provider.issuer))
    _check_issuer(new_issuer)
    provider.issuer = new_issuer
    db.session.commit()
    return provider


def delete_provider(school_id: uuid.UUID, provider_id: uuid.UUID) -> None:
    """Remove a provider: its sign-ins under way and linked accounts go with it."""
    db.session.delete(school_provider(school_id, provider_id))
    db.session.commit()


def providers(school_id: uuid.UUID) -> list[OidcProvider]:
    """The school's providers, oldest first."""
    return list(
        db.session.execute(
            select(OidcProvider)
            .where(OidcProvider.school_id == school_id)
            .order_by(OidcProvider.created_at)
        ).scalars()
    )


def creates_accounts(school_id: uuid.UUID) -> bool:
    """Whether the school creates an account (role teacher) on a first sign-in (default no)."""
    setting = db.session.get(OidcSchoolSetting, school_id)
    return bool(setting and setting.create_accounts)


def set_creates_accounts(school_id: uuid.UUID, value: bool) -> None:
    setting = db.session.get(OidcSchoolSetting, school_id)
    if setting is None:
        setting = OidcSchoolSetting(school_id=school_id)
        db.session.add(setting)
    setting.create_accounts = value
    db.session.commit()


def providers_for_email(email: str) -> list[OidcProvider]:
    """The enabled providers whose allowed domains hold the email's domain."""
    domain = email.rpartition("@")[2]
    if not domain:
        return []
    found = db.session.execute(select(OidcProvider).where(OidcProvider.enabled.is_(True)))
    return [p for p in found.scalars() if domain in p.allowed_domains]
