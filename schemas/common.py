"""Schemas shared by every endpoint: the error shape and health."""

from __future__ import annotations

from marshmallow import fields

from schemas.base import BaseSchema, String


class ErrorBodySchema(BaseSchema):
    code = String(required=True, metadata={"description": "snake_case error code"})
    message = String(required=True, metadata={"description": "a sentence a person can act on"})
    details = fields.Dict(metadata={"description": "optional, e.g. per-field messages"})


class ErrorSchema(BaseSchema):
    """Every non-success /api response has this shape."""

    error = fields.Nested(ErrorBodySchema, required=True)


class HealthSchema(BaseSchema):
    status = String(required=True)
    database = String(required=True)
