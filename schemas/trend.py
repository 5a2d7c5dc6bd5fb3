"""The Lead screen's look-for trend (PROTOCOL.md extension: docs/lead-screens.md)."""

from __future__ import annotations

from marshmallow import fields

from schemas.base import BaseSchema, String


class TrendLookforSchema(BaseSchema):
    lookfor_id = String(dump_only=True)
    text = String(dump_only=True)
    active = fields.Boolean(dump_only=True)
    svg = String(
        dump_only=True,
        metadata={"description": "The focus report's chart of this look-for over time (SVG)"},
    )


class TrendSchema(BaseSchema):
    """A school focus's look-for ratings by week or month, drawn by the focus report's code."""

    focus_id = String(dump_only=True)
    title = String(dump_only=True)
    from_ = String(data_key="from", dump_only=True, metadata={"description": "YYYY-MM-DD"})
    to = String(dump_only=True, metadata={"description": "YYYY-MM-DD"})
    walks = fields.Integer(dump_only=True)
    visits = fields.Integer(dump_only=True)
    lookfors = fields.List(fields.Nested(TrendLookforSchema), dump_only=True)
