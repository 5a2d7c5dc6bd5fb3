"""The person's rights over the API: the audit trail, export, erasure, retention."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Response, current_app

from schemas.rights import (
    AdminAuditQuerySchema,
    AuditPageSchema,
    AuditQuerySchema,
    EraseSchema,
    ErasureResultSchema,
    ExportJobSchema,
    RetentionPreviewSchema,
    RetentionSchema,
)
from server.accounts.auth import admin_required, auth_required, current_device, current_user
from server.blueprint import JSON_BODY, Blueprint
from server.extensions import db
from server.models import School
from server.rights import erasure, export, jobs, retention, school_export, trail

blp = Blueprint("rights", __name__, url_prefix="/api/v1", description="Audit trail and rights")
ADMIN = (401, 403)
ZIP = {"content_type": "application/zip", "description": "A ZIP to download"}
EXPORT_ERRORS = {
    404: "no export with this id for you (not_found)",
    409: "the export is not ready yet (export_not_ready)",
    410: "the download link has expired (export_expired)",
    413: "too many observations to build now: POST /api/v1/me/exports (export_too_large)",
}


def zip_response(content: bytes, filename: str) -> Response:
    """A ZIP as a download."""
    return Response(
        content,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/me/audit", methods=["GET"])
@auth_required
@blp.errors(400, 401)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def list_my_audit(query: dict[str, Any]) -> dict[str, Any]:
    """Who read, downloaded, shared or exported my records, newest first (paged)."""
    return trail.my_events(current_user(), query)


@blp.route("/admin/audit", methods=["GET"])
@admin_required
@blp.errors(400, *ADMIN)
@blp.arguments(AdminAuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def list_school_audit(query: dict[str, Any]) -> dict[str, Any]:
    """The school's audit trail (admins), by person, record and days, newest first (paged)."""
    return trail.school_events(current_user(), query)


@blp.route("/me/export", methods=["GET"])
@auth_required
@blp.errors(401, 413, codes=EXPORT_ERRORS)
@blp.response(200, **ZIP)
def get_my_export() -> Response:
    """Everything held about me that I may see: JSON, CSV, my learning record PDF, README."""
    user = current_user()
    export.check_small_enough(user, current_app.config["EXPORT_SYNC_MAX_OBSERVATIONS"])
    content, filename = export.personal_zip(user)
    jobs.record_export(user, current_device())
    return zip_response(content, filename)


@blp.route("/me/exports", methods=["POST"])
@auth_required
@blp.errors(401)
@blp.response(202, ExportJobSchema)
def start_my_export() -> dict[str, Any]:
    """Build my export off the request path; poll it, then download it before it expires."""
    return jobs.start(current_user())


@blp.route("/me/exports/<uuid:export_id>", methods=["GET"])
@auth_required
@blp.errors(401, 404, codes=EXPORT_ERRORS)
@blp.response(200, ExportJobSchema)
def get_my_export_job(export_id: uuid.UUID) -> dict[str, Any]:
    """The state of my export: queued, running, ready (with its link), failed or expired."""
    return jobs.describe(jobs.find(current_user(), export_id))


@blp.route("/me/exports/<uuid:export_id>/download", methods=["GET"])
@auth_required
@blp.errors(401, 404, 409, 410, codes=EXPORT_ERRORS)
@blp.response(200, **ZIP)
def download_my_export(export_id: uuid.UUID) -> Response:
    """The ready export's ZIP (until it expires)."""
    content, filename = jobs.download(current_user(), current_device(), export_id)
    return zip_response(content, filename)


ERASE_ERRORS = {
    400: "the typed name is not the person's display name (confirmation_mismatch), or a bad body",
    403: "not an admin, or erasing yourself (forbidden)",
    404: "no one with this id in your school (not_found)",
    409: "this person has already been erased (already_erased)",
}


@blp.route("/admin/users/<uuid:user_id>/erase", methods=["POST"])
@admin_required
@blp.errors(*ADMIN, 404, 409, *JSON_BODY, codes=ERASE_ERRORS)
@blp.arguments(EraseSchema)
@blp.response(200, ErasureResultSchema)
def erase_user(body: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
    """Erase a person: their account, devices, private records; their words on others'
    observations stay as "A former colleague"'s. The answer lists what was erased."""
    return erasure.erase(current_user(), user_id, body["confirm_name"], current_device())


@blp.route("/admin/retention", methods=["GET"])
@admin_required
@blp.errors(*ADMIN)
@blp.response(200, RetentionPreviewSchema)
def get_retention() -> dict[str, Any]:
    """The school's retention setting and what the next daily run would delete."""
    return retention.preview(_school())


@blp.route("/admin/retention", methods=["PATCH"])
@admin_required
@blp.errors(*ADMIN, *JSON_BODY)
@blp.arguments(RetentionSchema)
@blp.response(200, RetentionPreviewSchema)
def set_retention(body: dict[str, Any]) -> dict[str, Any]:
    """Change how long the school keeps observations; answers the new preview."""
    school = _school()
    for key, value in body.items():
        setattr(school, key, value)
    db.session.commit()
    return retention.preview(school)


def _school() -> School:
    school = db.session.get(School, current_user().school_id)
    assert school is not None  # a signed-in user always has a school
    return school


@blp.route("/admin/export", methods=["GET"])
@admin_required
@blp.errors(*ADMIN)
@blp.response(200, **ZIP)
def export_school() -> Response:
    """The school's whole export (restorable with flask import-school); audited."""
    school = _school()
    content = school_export.school_zip(school, current_user(), current_device())
    day = dt.date.today().isoformat()
    return zip_response(content, f"lesson-loop-school-export-{day}.zip")
