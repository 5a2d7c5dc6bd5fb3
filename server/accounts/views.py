"""Sign-in and the signed-in user: login, logout, me, my devices."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from schemas.accounts import (
    DeviceSchema,
    LoginResultSchema,
    LoginSchema,
    PhrasesSchema,
    UserSchema,
)
from server.accounts import mfa, service
from server.accounts.auth import (
    auth_required,
    auth_required_while_enrolling,
    current_device,
    current_user,
)
from server.blueprint import JSON_BODY, Blueprint
from server.extensions import db
from server.models import User

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Accounts and devices")
user_schema = UserSchema()


def _limits() -> service.LoginLimits:
    return service.login_limits(current_app.config)


@blp.route("/auth/login", methods=["POST"])
@blp.doc(security=[])
@blp.errors(
    401,
    429,
    *JSON_BODY,
    codes={
        401: "the email or password is not right (invalid_credentials); a second factor's code"
        " is needed (mfa_required) or is not right (invalid_otp)"
    },
)
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
def login(data: dict[str, Any]) -> dict[str, Any]:
    """Sign in: every login is a new device with its own client id and token."""
    result = service.login(
        data["email"],
        data["password"],
        data["device_name"],
        request.remote_addr or "unknown",
        _limits(),
        current_app.config["PASSWORD_HASH_PROFILE"],
        data.get("otp"),
    )
    answer = {"token": result.token, "client_id": result.device.id, "user": result.user}
    if mfa.enrolment_pending(result.user):
        answer["mfa_enrolment_required"] = True  # an extension (docs/second-factor-and-roster.md)
    return answer


@blp.route("/auth/logout", methods=["POST"])
@auth_required_while_enrolling
@blp.errors(401)
@blp.response(204)
def logout() -> None:
    """Sign out this device: its token stops working at once."""
    service.revoke_device(current_device())


@blp.route("/me", methods=["GET"])
@auth_required_while_enrolling
@blp.errors(401)
@blp.response(200, UserSchema)
def get_me() -> User:
    """The signed-in user."""
    return current_user()


@blp.route("/me/devices", methods=["GET"])
@auth_required
@blp.errors(401)
@blp.response(200, DeviceSchema(many=True))
def list_my_devices() -> list[dict[str, Any]]:
    """My signed-in devices (an extension), so a teacher can spot a lost phone."""
    me, this = current_user(), current_device()
    return [
        {
            "id": d.id,
            "name": d.name,
            "created_at": d.created_at,
            "last_seen_at": d.last_seen_at,
            "current": d.id == this.id,
        }
        for d in service.live_devices(me)
    ]


@blp.route("/me/phrases", methods=["GET"])
@auth_required
@blp.errors(401)
@blp.response(200, PhrasesSchema)
def get_my_phrases() -> dict[str, Any]:
    """My own quick-note phrases (an extension), shown under the capture box."""
    return {"phrases": list(current_user().phrases or [])}


@blp.route("/me/phrases", methods=["PUT"])
@auth_required
@blp.errors(401, *JSON_BODY)
@blp.arguments(PhrasesSchema)
@blp.response(200, PhrasesSchema)
def put_my_phrases(data: dict[str, Any]) -> dict[str, Any]:
    """Replace my quick-note phrases (the whole list, in order; trimmed)."""
    me = current_user()
    me.phrases = [p.strip() for p in data["phrases"]]
    db.session.commit()
    return {"phrases": list(me.phrases)}
