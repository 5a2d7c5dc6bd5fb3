"""Sync: push mutations, pull changes (PROTOCOL.md)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from schemas.sync import PullQuerySchema, PullResponseSchema, PushResponseSchema, PushSchema
from server.accounts.auth import auth_required, current_device, current_user
from server.blueprint import Blueprint
from server.sync import pull, push

blp = Blueprint("sync", __name__, url_prefix="/api/v1/sync", description="Offline sync")


@blp.route("/push", methods=["POST"])
@auth_required
@blp.arguments(PushSchema)
@blp.response(200, PushResponseSchema)
def push_mutations(body: dict[str, Any]) -> Response:
    """Apply a batch of mutations; one result per mutation, in order."""
    return jsonify(push.push(current_user(), current_device(), body))


@blp.route("/pull", methods=["GET"])
@auth_required
@blp.arguments(PullQuerySchema, location="query")
@blp.response(200, PullResponseSchema)
def pull_changes(query: dict[str, Any]) -> Response:
    """Every change I may see above the cursor, oldest first (no cursor: everything)."""
    page = pull.pull(
        current_user(), current_app.config["SECRET_KEY"], query.get("cursor"), query["limit"]
    )
    return jsonify(page)
