"""School sign-in with OpenID Connect: the admin's provider settings, the sign-in options of an
email, and the one-time code exchange (docs/sign-in.md)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from schemas.base import BaseSchema, StrictBoolean, String, Text, one_of

KINDS = ("google", "microsoft", "oidc")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")
SHARED_TENANTS = ("common", "organizations", "consumers")


def _domain(value: str) -> None:
    if not DOMAIN.match(value):
        raise ValidationError("Give an email domain such as school.org.uk (lower case).")


def _tenant(value: str) -> None:
    if not TENANT.match(value) or value.lower() in SHARED_TENANTS:
        raise ValidationError(
            "Give the school's own tenant ID (a GUID from Entra's overview page); "
            "common, organizations and consumers are not one school."
        )


def _domains(**kwargs: Any) -> fields.List[Any]:
    return fields.List(
        String(validate=[validate.Length(max=253), _domain]),
        validate=validate.Length(min=1, max=20),
        **kwargs,
    )


class ProviderFields(BaseSchema):
    label = Text(max_length=100, min_length=1)
    issuer = String(validate=[validate.Length(max=500), validate.URL(require_tld=False)])
    tenant = String(validate=_tenant)
    client_id = Text(max_length=500, min_length=1)
    client_secret = Text(max_length=2000, min_length=1, load_only=True)
    allowed_domains = _domains()
    enabled = StrictBoolean()

    @post_load
    def lower_domains(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "allowed_domains" in data:
            data["allowed_domains"] = sorted(set(data["allowed_domains"]))
        return data


class ProviderCreateSchema(ProviderFields):
    """A new provider; `google` and `microsoft` are presets (their issuer is known)."""

    kind = String(required=True, validate=one_of(KINDS))
    client_id = Text(max_length=500, min_length=1, required=True)
    client_secret = Text(max_length=2000, min_length=1, required=True, load_only=True)
    allowed_domains = _domains(required=True)

    @validates_schema
    def preset_needs(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == "microsoft" and "tenant" not in data:
            raise ValidationError("Microsoft Entra needs the school's tenant ID.", "tenant")
        if data.get("kind") == "oidc" and "issuer" not in data:
            raise ValidationError("Give the provider's issuer URL.", "issuer")
        if data.get("kind") != "oidc" and "issuer" in data:
            raise ValidationError("The issuer of a preset is fixed; use kind oidc.", "issuer")


class ProviderPatchSchema(ProviderFields):
    """Any of a provider's settings; a new secret replaces the old one."""


class ProviderSchema(BaseSchema):
    """A provider as the admin sees it: the client secret is never sent back."""

    id = fields.UUID(dump_only=True)
    kind = String(dump_only=True)
    label = String(dump_only=True)
    issuer = String(dump_only=True)
    tenant = String(dump_only=True, allow_none=True)
    client_id = String(dump_only=True)
    has_secret = fields.Boolean(dump_only=True)
    allowed_domains = fields.List(String(), dump_only=True)
    enabled = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class SignInSettingsSchema(BaseSchema):
    create_accounts_on_first_sign_in = fields.Boolean(dump_only=True)
    redirect_uri = String(dump_only=True, metadata={"description": "register this URI"})
    scopes = String(dump_only=True)
    providers = fields.List(fields.Nested(ProviderSchema), dump_only=True)


class SignInSettingsPatchSchema(BaseSchema):
    create_accounts_on_first_sign_in = StrictBoolean(required=True)


class OptionsRequestSchema(BaseSchema):
    email = String(required=True, validate=validate.Length(min=3, max=254))

    @post_load
    def normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["email"] = data["email"].strip().lower()
        return data


class ProviderOptionSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    kind = String(dump_only=True)
    label = String(dump_only=True)
    start_url = String(dump_only=True)


class OptionsSchema(BaseSchema):
    providers = fields.List(fields.Nested(ProviderOptionSchema), dump_only=True)
    password = fields.Boolean(dump_only=True)


class ExchangeSchema(BaseSchema):
    code = String(required=True, validate=validate.Length(min=1, max=200))
