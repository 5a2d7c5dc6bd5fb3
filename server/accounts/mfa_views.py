"""The second factor's API: my enrolment (/me/mfa) and the school's requirement (admin)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app, request

from schemas.mfa import (
    MfaEnrolmentSchema,
    MfaRequirementPatchSchema,
    MfaRequirementSchema,
    MfaStatusSchema,
    OtpSchema,
    RecoveryCodesSchema,
)
from server.accounts import mfa, service
from server.accounts.auth import admin_required, auth_required_while_enrolling, current_user
from server.blueprint import JSON_BODY, Blueprint

blp = Blueprint("mfa", __name__, url_prefix="/api/v1", description="Second factor (TOTP)")
WRONG_CODE = {400: "the code is not right or was used already (invalid_otp), or not valid"}
LIMITED = {429: "too many wrong codes or passwords: wait Retry-After seconds (too_many_attempts)"}


def _guarded() -> Callable[[], None]:
    """Refuse with 429 as login does; the callback records a wrong code as a failed sign-in."""
    email, address = current_user().email, request.remote_addr or "unknown"
    limits = service.login_limits(current_app.config)
    service.check_login_rate(email, address, limits)
    return lambda: service.record_login_failure(email, address, limits)


@blp.route("/me/mfa", methods=["GET"])
@auth_required_while_enrolling
@blp.errors(401)
@blp.response(200, MfaStatusSchema)
def get_my_mfa() -> dict[str, Any]:
    """Whether I have a second factor and whether my school requires one."""
    return mfa.status(current_user())


@blp.route("/me/mfa", methods=["POST"])
@auth_required_while_enrolling
@blp.errors(401, 409, codes={409: "a second factor is already on (mfa_already_enabled)"})
@blp.response(200, MfaEnrolmentSchema)
def start_my_mfa() -> dict[str, Any]:
    """Start setting up a second factor: a new secret, its otpauth:// URI and QR code."""
    return mfa.start_enrolment(current_user())


@blp.route("/me/mfa/confirm", methods=["POST"])
@auth_required_while_enrolling
@blp.errors(
    401, 409, 429, *JSON_BODY, codes={**WRONG_CODE, **LIMITED, 409: "not started (mfa_not_pending)"}
)
@blp.arguments(OtpSchema)
@blp.response(200, RecoveryCodesSchema)
def confirm_my_mfa(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the second factor on with a first code; the ten recovery codes are shown once."""
    codes = mfa.confirm_enrolment(current_user(), data["otp"], _guarded())
    return {"recovery_codes": codes}


@blp.route("/me/mfa", methods=["DELETE"])
@auth_required_while_enrolling
@blp.errors(
    401,
    409,
    429,
    *JSON_BODY,
    codes={
        **WRONG_CODE,
        **LIMITED,
        409: "no second factor (mfa_not_enabled), or the school requires one"
        " (mfa_required_by_school)",
    },
)
@blp.arguments(OtpSchema)
@blp.response(204)
def delete_my_mfa(data: dict[str, Any]) -> None:
    """Turn my second factor off, with a code or a recovery code."""
    mfa.disable(current_user(), data["otp"], _guarded())


@blp.route("/admin/mfa-requirement", methods=["GET"])
@admin_required
@blp.errors(401, 403)
@blp.response(200, MfaRequirementSchema)
def get_mfa_requirement() -> dict[str, Any]:
    """Who my school requires a second factor of, and who has none yet."""
    return mfa.requirement_summary(current_user().school_id)


@blp.route("/admin/mfa-requirement", methods=["PATCH"])
@admin_required
@blp.errors(401, 403, *JSON_BODY)
@blp.arguments(MfaRequirementPatchSchema)
@blp.response(200, MfaRequirementSchema)
def set_mfa_requirement(data: dict[str, Any]) -> dict[str, Any]:
    """Require a second factor of nobody, the leads and admins, or everyone."""
    return mfa.set_requirement(current_user().school_id, data["required_for"])


@blp.route("/admin/users/<uuid:user_id>/mfa", methods=["DELETE"])
@admin_required
@blp.errors(401, 403, 404)
@blp.response(204)
def reset_user_mfa(user_id: uuid.UUID) -> None:
    """Remove a user's second factor (a lost phone and lost recovery codes)."""
    mfa.remove(service.school_user(current_user().school_id, user_id).id)
