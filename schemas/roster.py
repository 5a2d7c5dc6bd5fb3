"""The staff roster's preview and apply (admin API)."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import BaseSchema, String


class RosterUploadSchema(BaseSchema):
    """The roster file (a OneRoster 1.2 zip or the staff CSV), base64-encoded."""

    content_base64 = String(required=True, validate=validate.Length(min=1, max=5 * 1024 * 1024))


class RosterChangeSchema(BaseSchema):
    kind = String(dump_only=True)  # join, move, return or leave
    email = String(dump_only=True)
    display_name = String(dump_only=True)
    where = String(dump_only=True)  # the roster's file and line, "" for an absent leaver
    details = fields.List(String(), dump_only=True)


class TemporaryPasswordSchema(BaseSchema):
    email = String(dump_only=True)
    password = String(dump_only=True)


class RosterPlanSchema(BaseSchema):
    changes = fields.List(fields.Nested(RosterChangeSchema), dump_only=True)
    kept_admins = fields.List(String(), dump_only=True)
    teams_created = fields.List(String(), dump_only=True)
    # Only in apply's answer: the joiners' first passwords, to hand over (once).
    temporary_passwords = fields.List(fields.Nested(TemporaryPasswordSchema), dump_only=True)
