"""The person's rights over the API: the audit trail, export, erasure, retention."""

from __future__ import annotations

from typing import Any

from schemas.rights import AdminAuditQuerySchema, AuditPageSchema, AuditQuerySchema
from server.accounts.auth import admin_required, auth_required, current_user
from server.blueprint import Blueprint
from server.rights import trail

blp = Blueprint("rights", __name__, url_prefix="/api/v1", description="Audit trail and rights")
ADMIN = (401, 403)


@blp.route("/me/audit", methods=["GET"])
@auth_required
@blp.errors(400, 401)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def list_my_audit(query: dict[str, Any]) -> dict[str, Any]:
    """Who read, downloaded, shared or exported my records, newest first (paged)."""
    return trail.my_events(current_user(), query["limit"], query.get("before"))


@blp.route("/admin/audit", methods=["GET"])
@admin_required
@blp.errors(400, *ADMIN)
@blp.arguments(AdminAuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def list_school_audit(query: dict[str, Any]) -> dict[str, Any]:
    """The school's audit trail (admins), by person, record and days, newest first (paged)."""
    return trail.school_events(current_user(), query)
