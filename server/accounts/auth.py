"""Who is asking: the bearer token's device and user, loaded into `g` by `auth_required`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import g, request

from server import policy, timing
from server.accounts import service
from server.errors import ApiError
from server.models import Device, User

P = ParamSpec("P")
R = TypeVar("R")


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
        with timing.phase("auth"):
            device = service.device_for_token(_bearer_token())
            if device is None:
                raise ApiError(
                    401,
                    "invalid_token",
                    "This sign-in has ended (signed out, revoked or deactivated). Sign in again.",
                )
            service.touch_device(device)
        g.device = device
        g.user = device.user
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Like auth_required, and the user must be an admin."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not policy.may_administer(current_user()):
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
