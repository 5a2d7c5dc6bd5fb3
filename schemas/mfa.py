"""The second factor: enrolment, confirmation, turning off, and a school's requirement."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import BaseSchema, String, one_of

REQUIREMENTS = ("nobody", "leads", "everyone")


class OtpSchema(BaseSchema):
    """A 6-digit TOTP code, or (to sign in or turn the factor off) a recovery code."""

    otp = String(required=True, validate=validate.Length(min=1, max=64))


class MfaStatusSchema(BaseSchema):
    enabled = fields.Boolean(dump_only=True)
    required = fields.Boolean(dump_only=True)
    recovery_codes_left = fields.Integer(dump_only=True)


class MfaEnrolmentSchema(BaseSchema):
    """`otpauth_uri` and `secret` (the issue's shape), and `qr_svg`: the URI's QR code as an
    SVG data: URI (an extension), so the PWA needs no QR library."""

    secret = String(dump_only=True)
    otpauth_uri = String(dump_only=True)
    qr_svg = String(dump_only=True)


class RecoveryCodesSchema(BaseSchema):
    recovery_codes = fields.List(String(), dump_only=True)


class MfaRequirementPatchSchema(BaseSchema):
    required_for = String(required=True, validate=one_of(REQUIREMENTS))


class MfaRequirementSchema(BaseSchema):
    required_for = String(dump_only=True)
    recommended = String(dump_only=True)
    leads_without_second_factor = fields.Integer(dump_only=True)
    staff_without_second_factor = fields.Integer(dump_only=True)
