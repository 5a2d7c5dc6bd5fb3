"""Accounts, devices and the admin directory."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate, validates_schema
from marshmallow.exceptions import ValidationError

from schemas.base import BaseSchema, StrictBoolean, String, Text, one_of, scalar_text

ROLES = ("teacher", "lead", "admin")
PASSWORD_MIN = 8
PASSWORD_MAX = 200


class Email(fields.Email):
    """An email address, compared and stored lower-cased (text: scalar values only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=[scalar_text, validate.Length(max=254)], **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str):
            value = value.strip()
        result: str = super()._deserialize(value, attr, data, **kwargs)
        return result.lower()


class LoginSchema(BaseSchema):
    email = String(required=True, validate=validate.Length(min=1, max=254))
    password = String(required=True, validate=validate.Length(min=1, max=PASSWORD_MAX))
    device_name = Text(max_length=100, load_default="This device")
    # The second factor's code: a TOTP code or a recovery code (docs/second-factor-and-roster.md).
    otp = String(validate=validate.Length(min=1, max=64))

    @post_load
    def normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["email"] = data["email"].strip().lower()
        return data


class UserSchema(BaseSchema):
    """The `user` object of PROTOCOL.md (plus `active`, an extension)."""

    id = fields.UUID(dump_only=True)
    email = String(dump_only=True)
    display_name = String(dump_only=True)
    role = String(dump_only=True)
    school_id = fields.UUID(dump_only=True)
    team_ids = fields.List(fields.UUID(), dump_only=True)
    active = fields.Boolean(dump_only=True)


class LoginResultSchema(BaseSchema):
    token = String(required=True)
    client_id = fields.UUID(required=True)
    user = fields.Nested(UserSchema, required=True)
    # Only when true: the school requires a second factor this user has not set up yet.
    mfa_enrolment_required = fields.Boolean()


def _password() -> String:
    return String(
        validate=validate.Length(
            min=PASSWORD_MIN,
            max=PASSWORD_MAX,
            error=f"Use a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
        )
    )


class TeamIdsMixin(BaseSchema):
    team_ids = fields.List(fields.UUID(), validate=validate.Length(max=50))

    @validates_schema
    def unique_teams(self, data: dict[str, Any], **_: Any) -> None:
        ids = data.get("team_ids") or []
        if len(set(ids)) != len(ids):
            raise ValidationError("A team is listed twice.", "team_ids")


class UserCreateSchema(TeamIdsMixin):
    email = Email(required=True)
    display_name = Text(max_length=100, min_length=1, required=True)
    role = String(required=True, validate=one_of(ROLES))
    password = _password()
    team_ids = fields.List(fields.UUID(), validate=validate.Length(max=50), load_default=list)

    @validates_schema
    def password_given(self, data: dict[str, Any], **_: Any) -> None:
        if "password" not in data:
            raise ValidationError("Missing data for required field.", "password")


class UserPatchSchema(TeamIdsMixin):
    role = String(validate=one_of(ROLES))
    display_name = Text(max_length=100, min_length=1)
    active = StrictBoolean()
    password = _password()


class TeamCreateSchema(BaseSchema):
    name = Text(max_length=100, min_length=1, required=True)
    kind = Text(max_length=50, min_length=1, required=True)


class TeamPatchSchema(BaseSchema):
    name = Text(max_length=100, min_length=1)
    kind = Text(max_length=50, min_length=1)


class TeamSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = String(dump_only=True)
    kind = String(dump_only=True)


class DeviceSchema(BaseSchema):
    """A device of the signed-in user (an extension: `GET /api/v1/me/devices`)."""

    client_id = fields.UUID(dump_only=True, attribute="id")
    name = String(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    last_seen_at = fields.AwareDateTime(dump_only=True)
    current = fields.Boolean(dump_only=True)


PHRASES_MAX = 30
PHRASE_MAX = 200


class PhrasesSchema(BaseSchema):
    """A teacher's own quick-note phrases (an extension): in their order, each said once."""

    phrases = fields.List(
        Text(max_length=PHRASE_MAX, min_length=1),
        required=True,
        validate=validate.Length(max=PHRASES_MAX),
    )

    @validates_schema
    def distinct(self, data: dict[str, Any], **_: Any) -> None:
        phrases = [p.strip() for p in data.get("phrases") or []]
        if any(not p for p in phrases):
            raise ValidationError("A phrase may not be only spaces.", "phrases")
        if len(set(phrases)) != len(phrases):
            raise ValidationError("A phrase is listed twice.", "phrases")
