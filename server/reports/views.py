"""PDF reports (PROTOCOL.md, Reports): the same read rules as pull."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from marshmallow import RAISE

from reports.builders import Pdf
from schemas.reports import ReportPeriodSchema
from schemas.trend import TrendSchema
from server import audit
from server.accounts.auth import auth_required, current_device, current_user
from server.blueprint import Blueprint
from server.reports import service, trend
from server.reports.cache import CachedPdf

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="PDF reports")
PDF = {"content_type": "application/pdf", "description": "A PDF to download"}
ERRORS = {
    400: "an id or date range that cannot be (invalid_id, invalid_range, range_too_long, ...)",
    403: "a leads-only report, or another teacher's record (forbidden)",
    404: "nothing with this id that you may see (not_found)",
    413: "the report would be too long to print: narrow it (report_too_large)",
    503: "the layout took longer than 10 s and was stopped: retry later (report_timeout)",
}
# A misspelt `from` must not quietly give another range: unknown parameters are refused.


def audited(pdf: Pdf, report: str, record_type: str, record_id: Any, subject: Any = None) -> Pdf:
    """Every download goes to the audit trail: who, which report, about whom, from which device."""
    row = audit.event(
        current_user(),
        current_device(),
        audit.REPORT,
        record_type,
        record_id,
        subject_id=subject,
        detail={"report": report},  # no file name: it can hold a name
    )
    audit.append_now([row])
    return pdf


def pdf_response(pdf: Pdf) -> Response:
    """The PDF as a download with a dated file name, and its ETag (server.reports.cache): 304
    when the client's If-None-Match names it. Still `no-store` (the API's default): a client
    that keeps a copy itself sends If-None-Match; browsers do not cache personal records."""
    headers: dict[str, str] = {}
    if isinstance(pdf, CachedPdf):
        headers["ETag"] = f'"{pdf.etag}"'
        if pdf.not_modified:
            return Response(status=304, headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{pdf.filename}"'
    return Response(pdf.content, mimetype="application/pdf", headers=headers)


@blp.route("/observations/<string:observation_id>.pdf", methods=["GET"])
@auth_required
@blp.errors(400, 401, 404, 413, 503, codes=ERRORS)
@blp.response(200, **PDF)
def get_observation_report(observation_id: str) -> Response:
    """One observation: context, everyone's notes in time order, reflections, next steps."""
    pdf = service.observation_pdf(current_user(), observation_id)
    record_id = uuid.UUID(observation_id)
    subject = audit.observation_subject(record_id)
    return pdf_response(audited(pdf, "observation", "observation", record_id, subject))


@blp.route("/teachers/<string:user_id>.pdf", methods=["GET"])
@auth_required
@blp.errors(400, 401, 403, 404, 413, 503, codes=ERRORS)
@blp.arguments(ReportPeriodSchema, location="query", unknown=RAISE)
@blp.response(200, **PDF)
def get_teacher_report(query: dict[str, Any], user_id: str) -> Response:
    """A teacher's professional learning record (the teacher, or a lead for what was shared)."""
    pdf = service.teacher_pdf(current_user(), user_id, query.get("from_"), query.get("to"))
    teacher_id = uuid.UUID(user_id)
    return pdf_response(audited(pdf, "teacher_record", "user", teacher_id, teacher_id))


@blp.route("/focuses/<string:focus_id>.pdf", methods=["GET"])
@auth_required
@blp.errors(400, 401, 403, 404, 413, 503, codes=ERRORS)
@blp.arguments(ReportPeriodSchema, location="query", unknown=RAISE)
@blp.response(200, **PDF)
def get_focus_report(query: dict[str, Any], focus_id: str) -> Response:
    """Learning-walk tallies, themes and visits on one focus (leads); no names, no small slices."""
    pdf = service.focus_pdf(current_user(), focus_id, query.get("from_"), query.get("to"))
    return pdf_response(audited(pdf, "focus_report", "focus", uuid.UUID(focus_id)))


@blp.route("/action-plan.pdf", methods=["GET"])
@auth_required
@blp.errors(400, 401, 403, 413, 503, codes=ERRORS)
@blp.arguments(ReportPeriodSchema, location="query", unknown=RAISE)
@blp.response(200, **PDF)
def get_action_plan(query: dict[str, Any]) -> Response:
    """Where are we going, where are we now, next steps: for each school focus (leads)."""
    pdf = service.action_plan_pdf(current_user(), query.get("from_"), query.get("to"))
    return pdf_response(audited(pdf, "action_plan", "school", current_user().school_id))


# The Lead screen's trend (an extension: docs/lead-screens.md), drawn by the focus report's code.
@blp.route("/focuses/<string:focus_id>/trend", methods=["GET"])
@auth_required
@blp.errors(400, 401, 403, 404, 413, codes=ERRORS)
@blp.arguments(ReportPeriodSchema, location="query", unknown=RAISE)
@blp.response(200, TrendSchema)
def get_focus_trend(query: dict[str, Any], focus_id: str) -> dict[str, Any]:
    """A school focus's look-for ratings by week or month as SVG charts (leads); no names."""
    return trend.focus_trend(current_user(), focus_id, query.get("from_"), query.get("to"))
