"""The Lead screen's look-for trend (PROTOCOL.md extension: docs/lead-screens.md)."""

from __future__ import annotations

from marshmallow import fields

from schemas.base import BaseSchema


class TrendLookforSchema(BaseSchema):
    lookfor_id = fields.String(required=True)
    text = fields.String(required=True)
    active = fields.Boolean(required=True)
    svg = fields.String(
        required=True,
        metadata={"description": "The focus report's chart of this look-for over time (SVG)"},
    )


class TrendSchema(BaseSchema):
    """A school focus's look-for ratings by week or month, drawn by the focus report's code."""

    focus_id = fields.String(required=True)
    title = fields.String(required=True)
    from_ = fields.Date(data_key="from", required=True)
    to = fields.Date(required=True)
    walks = fields.Integer(required=True)
    visits = fields.Integer(required=True)
    lookfors = fields.List(fields.Nested(TrendLookforSchema), required=True)
