"""Query parameters of the PDF reports."""

from __future__ import annotations

from marshmallow import fields

from schemas.base import BaseSchema


class ReportPeriodSchema(BaseSchema):
    """`from` and `to` (YYYY-MM-DD, inclusive, in the school's time zone)."""

    from_ = fields.Date(
        data_key="from",
        metadata={"description": "First day (YYYY-MM-DD); default: a year before `to`"},
    )
    to = fields.Date(metadata={"description": "Last day (YYYY-MM-DD); default: today"})
