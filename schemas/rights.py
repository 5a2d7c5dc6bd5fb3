"""The person's rights: the audit trail, erasure, retention (issue 15)."""

from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields, validate

from schemas.base import BaseSchema, CalendarDate, StrictInteger, String, Text

AUDIT_PAGE_MAX = 200


class AuditQuerySchema(BaseSchema):
    """Paging: newest first; `before` is the `next_before` of the previous page."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=AUDIT_PAGE_MAX))
    before = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1))
    record = fields.UUID(metadata={"description": "Events about this record only"})


class AdminAuditQuerySchema(AuditQuerySchema):
    """The school's trail, filtered by person (actor or subject), record and days."""

    person = fields.UUID(metadata={"description": "Events by or about this person"})
    from_ = CalendarDate(data_key="from", metadata={"description": "First day (UTC), YYYY-MM-DD"})
    to = CalendarDate(metadata={"description": "Last day (UTC), YYYY-MM-DD"})


class AuditPersonSchema(BaseSchema):
    id = fields.UUID(allow_none=True)
    display_name = String()


class AuditDeviceSchema(BaseSchema):
    id = fields.UUID(allow_none=True)
    name = String()


class AuditEventSchema(BaseSchema):
    """One audited action: who, what, when, from which device."""

    id = fields.Integer(required=True)
    at = String(required=True, metadata={"description": "ISO 8601, UTC"})
    action = String(required=True)
    record_type = String(required=True)
    record_id = fields.UUID(allow_none=True)
    subject_id = fields.UUID(allow_none=True, metadata={"description": "Whom the record is about"})
    actor = fields.Nested(AuditPersonSchema, required=True)
    device = fields.Nested(AuditDeviceSchema, required=True)
    detail = fields.Dict(required=True)


class AuditPageSchema(BaseSchema):
    events = fields.List(fields.Nested(AuditEventSchema), required=True)
    next_before = fields.Integer(
        allow_none=True, required=True, metadata={"description": "null on the last page"}
    )


class EraseSchema(BaseSchema):
    """The person's display name, typed to confirm."""

    confirm_name = Text(max_length=100, min_length=1, required=True)


class ErasureResultSchema(BaseSchema):
    user_id = fields.UUID(required=True)
    erased = fields.Dict(keys=String(), values=fields.Integer(), required=True)


def _a_day_of_the_year(value: str) -> None:
    """MM-DD that some year has (02-29 included: retention uses 02-28 in other years)."""
    try:
        dt.date(2000, int(value[:2]), int(value[3:]))
    except ValueError:
        raise ValidationError("Not a day of the year: give MM-DD, e.g. 08-31.") from None


class RetentionSchema(BaseSchema):
    """A school's retention setting and what the next run would delete."""

    retention_years = StrictInteger(validate=validate.Range(min=1, max=50))
    year_end = String(
        validate=[
            validate.Regexp(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
            _a_day_of_the_year,
        ],
        metadata={"description": "MM-DD: the last day of the school year"},
    )


class RetentionPreviewSchema(BaseSchema):
    retention_years = fields.Integer(required=True)
    year_end = String(required=True)
    cutoff = String(required=True, metadata={"description": "Records before it go"})
    would_delete = fields.Dict(keys=String(), values=fields.Integer(), required=True)


class ExportJobSchema(BaseSchema):
    """A personal export built off the request path."""

    id = fields.UUID(required=True)
    state = String(required=True, metadata={"description": "queued, running, ready, failed"})
    progress = fields.Integer(required=True, metadata={"description": "0 to 100"})
    download_url = String(allow_none=True, required=True)
    expires_at = String(allow_none=True, required=True)
