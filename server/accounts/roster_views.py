"""The staff roster's admin API: a preview (the dry run) and apply."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import current_app

from schemas.roster import RosterPlanSchema, RosterUploadSchema
from server.accounts import roster_sync
from server.accounts.auth import admin_required, current_user
from server.accounts.roster import RosterError, read_roster
from server.blueprint import JSON_BODY, Blueprint
from server.errors import ApiError

blp = Blueprint("roster", __name__, url_prefix="/api/v1/admin/roster", description="Staff roster")
INVALID = {
    400: "the roster cannot be used: details.errors name each file and line (roster_invalid)"
}


def _roster(data: dict[str, Any]) -> Any:
    try:
        content = base64.b64decode(data["content_base64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "roster_invalid", "The file is not valid base64.") from exc
    return read_roster(content)


def _answer(plan: roster_sync.Plan) -> dict[str, Any]:
    return {
        "changes": plan.changes,
        "kept_admins": plan.kept_admins,
        "teams_created": plan.teams_created,
        "temporary_passwords": [
            {"email": email, "password": pw} for email, pw in plan.temporary_passwords.items()
        ],
    }


def _refused(exc: RosterError) -> ApiError:
    return ApiError(400, "roster_invalid", exc.errors[0], {"errors": exc.errors})


@blp.route("/preview", methods=["POST"])
@admin_required
@blp.errors(401, 403, *JSON_BODY, codes=INVALID)
@blp.arguments(RosterUploadSchema)
@blp.response(200, RosterPlanSchema)
def preview_roster(data: dict[str, Any]) -> dict[str, Any]:
    """What syncing with this roster would change (nothing is written)."""
    try:
        return _answer(roster_sync.plan_sync(current_user().school_id, _roster(data)))
    except RosterError as exc:
        raise _refused(exc) from exc


@blp.route("/apply", methods=["POST"])
@admin_required
@blp.errors(401, 403, *JSON_BODY, codes=INVALID)
@blp.arguments(RosterUploadSchema)
@blp.response(200, RosterPlanSchema)
def apply_roster(data: dict[str, Any]) -> dict[str, Any]:
    """Sync the staff with this roster in one transaction: all of it, or nothing."""
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    try:
        plan = roster_sync.apply_sync(current_user().school_id, _roster(data), profile)
    except RosterError as exc:
        raise _refused(exc) from exc
    return _answer(plan)
