"""School sign-in's API: the options of an email, the code exchange, the admin's settings."""

from __future__ import annotations

import uuid
from typing import Any

from flask import request, url_for

from schemas.accounts import LoginResultSchema
from schemas.oidc import (
    ExchangeSchema,
    OptionsRequestSchema,
    OptionsSchema,
    ProviderCreateSchema,
    ProviderPatchSchema,
    ProviderSchema,
    SignInSettingsPatchSchema,
    SignInSettingsSchema,
)
from server.accounts import service
from server.accounts.auth import admin_required, current_user
from server.accounts.oidc import client, flow, settings
from server.accounts.oidc.models import OidcProvider
from server.blueprint import JSON_BODY, Blueprint
from server.errors import ApiError

blp = Blueprint("oidc", __name__, url_prefix="/api/v1", description="School sign-in (OpenID)")
ADMIN = (401, 403)
DOMAIN_TAKEN = {409: "another school already signs in with a domain (domain_taken)"}


def _address() -> str:
    return request.remote_addr or "unknown"


@blp.route("/auth/oidc/options", methods=["POST"])
@blp.doc(security=[])
@blp.errors(429, *JSON_BODY)
@blp.arguments(OptionsRequestSchema)
@blp.response(200, OptionsSchema)
def sign_in_options(data: dict[str, Any]) -> dict[str, Any]:
    """The sign-in options of an email's school, found by its domain alone: the answer is
    the same whether or not the email has an account."""
    service.check_login_rate(data["email"], _address(), flow.service_limits())
    return {
        "providers": [
            {
                "id": p.id,
                "kind": p.kind,
                "label": p.label,
                "start_url": url_for("oidc_pages.start", provider=str(p.id)),
            }
            for p in settings.providers_for_email(data["email"])
        ],
        "password": True,
    }


@blp.route("/auth/oidc/exchange", methods=["POST"])
@blp.doc(security=[])
@blp.errors(
    401, 429, *JSON_BODY, codes={401: "the code is not valid: used or expired (invalid_code)"}
)
@blp.arguments(ExchangeSchema)
@blp.response(200, LoginResultSchema)
def exchange(data: dict[str, Any]) -> dict[str, Any]:
    """Trade the one-time code of a provider's sign-in for a device: the login answer."""
    try:
        result = flow.exchange(data["code"], _address())
    except client.Refusal as refusal:
        raise ApiError(401, refusal.code, refusal.message) from refusal
    return {"token": result.token, "client_id": result.device.id, "user": result.user}


def _provider(provider: OidcProvider) -> dict[str, Any]:
    fields = ("id", "kind", "label", "issuer", "tenant", "client_id", "allowed_domains")
    return {
        **{name: getattr(provider, name) for name in fields},
        "enabled": provider.enabled,
        "created_at": provider.created_at,
        "has_secret": bool(provider.client_secret),
    }


def _settings(school_id: uuid.UUID) -> dict[str, Any]:
    return {
        "create_accounts_on_first_sign_in": settings.creates_accounts(school_id),
        "redirect_uri": url_for("oidc_pages.callback", _external=True),
        "scopes": client.SCOPES + " (and offline_access where the provider offers it)",
        "providers": [_provider(p) for p in settings.providers(school_id)],
    }


@blp.route("/admin/sign-in", methods=["GET"])
@admin_required
@blp.errors(*ADMIN)
@blp.response(200, SignInSettingsSchema)
def get_sign_in() -> dict[str, Any]:
    """The school's sign-in settings: its providers and the redirect URI to register."""
    return _settings(current_user().school_id)


@blp.route("/admin/sign-in", methods=["PATCH"])
@admin_required
@blp.errors(*ADMIN, *JSON_BODY)
@blp.arguments(SignInSettingsPatchSchema)
@blp.response(200, SignInSettingsSchema)
def patch_sign_in(data: dict[str, Any]) -> dict[str, Any]:
    """Turn "create accounts on first sign-in" (role teacher) on or off."""
    school_id = current_user().school_id
    settings.set_creates_accounts(school_id, data["create_accounts_on_first_sign_in"])
    return _settings(school_id)


@blp.route("/admin/sign-in/providers", methods=["POST"])
@admin_required
@blp.errors(*ADMIN, 409, *JSON_BODY, codes=DOMAIN_TAKEN)
@blp.arguments(ProviderCreateSchema)
@blp.response(201, ProviderSchema)
def create_provider(data: dict[str, Any]) -> dict[str, Any]:
    """Add a provider: kind google or microsoft (presets; microsoft needs the tenant) or oidc
    (any issuer with discovery). The client secret is stored and never sent back."""
    return _provider(settings.create_provider(current_user().school_id, data))


@blp.route("/admin/sign-in/providers/<uuid:provider_id>", methods=["PATCH"])
@admin_required
@blp.errors(*ADMIN, 404, 409, *JSON_BODY, codes=DOMAIN_TAKEN)
@blp.arguments(ProviderPatchSchema)
@blp.response(200, ProviderSchema)
def update_provider(data: dict[str, Any], provider_id: uuid.UUID) -> dict[str, Any]:
    """Change a provider's label, client, secret, domains, tenant or whether it is offered."""
    return _provider(settings.update_provider(current_user().school_id, provider_id, data))


@blp.route("/admin/sign-in/providers/<uuid:provider_id>", methods=["DELETE"])
@admin_required
@blp.errors(*ADMIN, 404)
@blp.response(204)
def delete_provider(provider_id: uuid.UUID) -> None:
    """Remove a provider (devices already signed in through it keep working)."""
    settings.delete_provider(current_user().school_id, provider_id)
