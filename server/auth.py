"""Tokens and devices: the `auth_required` decorator and the login, logout and me views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import current_app, g, request

from schemas.accounts import DeviceSchema, LoginResultSchema, LoginSchema, UserSchema
from server.blueprint import Blueprint
from server.errors import ApiError
from server.models import Device, User
from server.services import accounts

P = ParamSpec("P")
R = TypeVar("R")

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Accounts and devices")
user_schema = UserSchema()


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Sign in first: send Authorization: Bearer <token>.")
    return token.strip()


def auth_required(view: Callable[P, R]) -> Callable[P, R]:
    """Load the device and user of the bearer token into `g`, or answer 401."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        device = accounts.device_for_token(_bearer_token())
        if device is None:
            raise ApiError(
                401,
                "invalid_token",
                "This sign-in has ended (signed out, revoked or deactivated). Sign in again.",
            )
        accounts.touch_device(device)
        g.device = device
        g.user = device.user
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Like auth_required, and the user must be an admin."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if current_user().role != "admin":
            raise ApiError(403, "forbidden", "Only a school admin may do this.")
        return view(*args, **kwargs)

    return auth_required(wrapper)


def current_user() -> User:
    """The signed-in user of this request."""
    user: User = g.user
    return user


def current_device() -> Device:
    """The device (login) of this request."""
    device: Device = g.device
    return device


def _limits() -> accounts.LoginLimits:
    config = current_app.config
    return accounts.LoginLimits(
        per_email=config["LOGIN_MAX_FAILURES_PER_EMAIL"],
        per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"],
    )


@blp.route("/auth/login", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
def login(data: dict[str, Any]) -> dict[str, Any]:
    """Sign in: every login is a new device with its own client id and token."""
    result = accounts.login(
        data["email"],
        data["password"],
        data["device_name"],
        request.remote_addr or "unknown",
        _limits(),
        current_app.config["PASSWORD_HASH_PROFILE"],
    )
    return {"token": result.token, "client_id": result.device.id, "user": result.user}


@blp.route("/auth/logout", methods=["POST"])
@auth_required
@blp.response(204)
def logout() -> None:
    """Sign out this device: its token stops working at once."""
    accounts.revoke_device(current_device())


@blp.route("/me", methods=["GET"])
@auth_required
@blp.response(200, UserSchema)
def get_me() -> User:
    """The signed-in user."""
    return current_user()


@blp.route("/me/devices", methods=["GET"])
@auth_required
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
        for d in accounts.live_devices(me)
    ]
