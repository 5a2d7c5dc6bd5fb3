"""Sync: push mutations, pull changes (PROTOCOL.md)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from schemas.sync import PullQuerySchema, PullResponseSchema, PushResponseSchema, PushSchema
from server import timing
from server.accounts.auth import auth_required, current_device, current_user
from server.blueprint import JSON_BODY, Blueprint
from server.sync import live, pull, push

blp = Blueprint("sync", __name__, url_prefix="/api/v1/sync", description="Offline sync")
PUSH_ERRORS = {
    400: "the body is not JSON or not a push (invalid_json, validation_error); nothing applied",
    403: "the body's client_id is not this sign-in's (client_mismatch)",
    413: "over 1,000 mutations (too_many_mutations) or over 5 MB (payload_too_large)",
}


@blp.route("/push", methods=["POST"])
@auth_required
@blp.errors(401, 403, *JSON_BODY, codes=PUSH_ERRORS)
@blp.arguments(PushSchema)
@blp.response(200, PushResponseSchema)
def push_mutations(body: dict[str, Any]) -> Response:
    """Apply a batch of mutations; one result per mutation, in order."""
    answer = push.push(current_user(), current_device(), body)
    with timing.phase("render"):
        return jsonify(answer)


@blp.route("/pull", methods=["GET"])
@auth_required
@blp.errors(
    400, 401, codes={400: "a cursor not valid for you, or a bad limit (invalid_cursor, ...)"}
)
@blp.arguments(PullQuerySchema, location="query")
@blp.response(200, PullResponseSchema)
def pull_changes(query: dict[str, Any]) -> Response:
    """Every change I may see above the cursor, oldest first (no cursor: everything)."""
    page = pull.pull(
        current_user(),
        current_app.config["SECRET_KEY"],
        query.get("cursor"),
        query["limit"],
        audit_device=current_device() if current_app.config["AUDIT_LEAD_READS"] else None,
    )
    with timing.phase("render"):
        return jsonify(page)


EVENTS = {
    "content_type": "text/event-stream",
    "description": 'Server-Sent Events: `changed` (data {"version": N}, id N) when a change you '
    "may see may have been committed in your school; `: ping` every 15 s; the stream ends after "
    "55 s and says `retry: 3000` (README: the live channel)",
}


@blp.route("/events", methods=["GET"])
@auth_required
@blp.errors(400, 401, codes={400: "a Last-Event-ID that is not a version (invalid_last_event_id)"})
@blp.response(200, {"type": "string"}, **EVENTS)
def change_events() -> Response:
    """Something changed: a hint to pull now, for up to 55 s per stream (then reconnect)."""
    return live.stream(current_user().school_id, current_device().id)
