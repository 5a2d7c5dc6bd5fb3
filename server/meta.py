"""Health, the OpenAPI document and the human API reference page (all local, no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, render_template
from sqlalchemy import text

from schemas.common import HealthSchema
from server.blueprint import Blueprint
from server.errors import ApiError, error_response, log
from server.extensions import db

blp = Blueprint("meta", __name__, url_prefix="/api", description="Health and API documents")


@blp.route("/v1/health", methods=["GET"])
@blp.doc(security=[])
@blp.errors(503)
@blp.response(200, HealthSchema)
def get_health() -> dict[str, str] | Response:
    """Liveness and database reachability (503 with the error shape when the database is down)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:
        log.exception("health check: database unreachable")
        return error_response(
            ApiError(
                503,
                "database_unavailable",
                "The database cannot be reached; check that it is running.",
                {"status": "degraded", "database": "error"},
            )
        )
    return {"status": "ok", "database": "ok"}


@blp.route("/v1/openapi.json", methods=["GET"])
@blp.doc(security=[])
def get_openapi() -> Response:
    """The OpenAPI 3 document of every endpoint."""
    return jsonify(current_app.extensions["openapi"].spec.to_dict())


@blp.route("/docs", methods=["GET"])
@blp.doc(security=[])
def get_reference() -> str:
    """A readable API reference rendered from the OpenAPI document (works offline)."""
    spec: dict[str, Any] = current_app.extensions["openapi"].spec.to_dict()
    return render_template("api_reference.html", spec=spec)
