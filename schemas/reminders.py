"""Web Push: the public key, subscriptions, and notification settings."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import BaseSchema, StrictBoolean, String

ENDPOINT_MAX = 2048
CLOCK_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
KINDS = ("partner_notes", "review_requested", "next_step_due", "weekly_reflection")


def _b64url(value: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"{what} must be base64url text, as the browser gives it.") from exc


def _p256dh(value: str) -> None:
    raw = _b64url(value, "p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise ValidationError("p256dh must be the subscription's P-256 public key.") from exc
    if len(raw) != 65:
        raise ValidationError("p256dh must be an uncompressed P-256 point (65 bytes).")


def _auth(value: str) -> None:
    if len(_b64url(value, "auth")) != 16:
        raise ValidationError("auth must be the subscription's 16-byte secret.")


class PublicKeySchema(BaseSchema):
    public_key = String(
        required=True,
        metadata={"description": "VAPID application server key (base64url P-256 point)"},
    )


class SubscriptionKeysSchema(BaseSchema):
    p256dh = String(required=True, validate=[validate.Length(max=200), _p256dh])
    auth = String(required=True, validate=[validate.Length(max=100), _auth])


class SubscriptionSchema(BaseSchema):
    """A browser's PushSubscription.toJSON() (expirationTime is accepted and ignored)."""

    endpoint = String(required=True, validate=validate.Length(min=1, max=ENDPOINT_MAX))
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    expirationTime = fields.Raw(allow_none=True, load_only=True)  # the browser's own name


class SubscriptionResultSchema(BaseSchema):
    endpoint = String(required=True)
    created = fields.Boolean(
        required=True, metadata={"description": "false when an existing one was updated"}
    )


class UnsubscribeSchema(BaseSchema):
    endpoint = String(required=True, validate=validate.Length(min=1, max=ENDPOINT_MAX))


class ClockTime(String):
    """A wall-clock time "HH:MM" (24-hour), in the school's time zone."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        match = CLOCK_TIME.fullmatch(text.strip())
        if match is None:
            raise ValidationError("Give a time as HH:MM (24-hour), for example 19:00.")
        return f"{int(match[1]):02d}:{match[2]}"


class QuietHoursSchema(BaseSchema):
    start = ClockTime(required=True)
    end = ClockTime(required=True)

    @validates_schema
    def not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") == data.get("end"):
            raise ValidationError("Quiet hours must start and end at different times.", "end")


class KindsSchema(BaseSchema):
    partner_notes = StrictBoolean(metadata={"description": "a partner's notes arrived"})
    review_requested = StrictBoolean(metadata={"description": "a partner asks for a review"})
    next_step_due = StrictBoolean(metadata={"description": "a next step falls due"})
    weekly_reflection = StrictBoolean(metadata={"description": "Friday's reflection prompt"})


class NotificationSettingsPatchSchema(BaseSchema):
    kinds = fields.Nested(KindsSchema)
    quiet_hours = fields.Nested(
        QuietHoursSchema, allow_none=True, metadata={"description": "null: no quiet hours"}
    )
    quiet_weekends = StrictBoolean()


class NotificationSettingsSchema(BaseSchema):
    kinds = fields.Nested(KindsSchema, required=True)
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True, required=True)
    quiet_weekends = fields.Boolean(required=True)
    timezone = String(
        required=True, metadata={"description": "the school's time zone (quiet hours use it)"}
    )
    device_subscribed = fields.Boolean(
        required=True, metadata={"description": "whether this device has a push subscription"}
    )
