"""Who is asking: the bearer token's device and user, loaded into `g` by `auth_required`."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import g, request

from schemas.common import ErrorSchema
from server import policy, timing
from server.accounts import mfa, service
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
    """Load the device and user of the bearer token into `g`, or answer 401; 403
    (mfa_enrolment_required) while the school requires a second factor not yet set up."""
    return _authenticated(view, enrolling=False)


def auth_required_while_enrolling(view: Callable[P, R]) -> Callable[P, R]:
    """Like auth_required, but also for a user who must still set up a second factor
    (sign out, who am I, the enrolment itself)."""
    return _authenticated(view, enrolling=True)


def _authenticated(view: Callable[P, R], *, enrolling: bool) -> Callable[P, R]:
    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with timing.phase("auth"):
            sign_in = service.sign_in_for_token(_bearer_token())
            if sign_in is None:
                raise ApiError(
                    401,
                    "invalid_token",
                    "This sign-in has ended (signed out, revoked or deactivated). Sign in again.",
                )
            device = sign_in.device
            if not enrolling and mfa.enrolment_pending_for(sign_in):
                raise ApiError(
                    403,
                    "mfa_enrolment_required",
                    "Your school asks you to set up a second factor: open Settings to set it up.",
                )
            service.touch_device(device)
        g.device = device
        g.user = device.user
        return view(*args, **kwargs)

    if not enrolling:
        _document_enrolment_403(wrapper)
    return wrapper


ENROLMENT_403 = "or a second factor must be set up first (mfa_enrolment_required)"


def _document_enrolment_403(wrapper: Any) -> None:
    """Every view behind auth_required can answer 403 mfa_enrolment_required: say so in the
    OpenAPI document (flask-smorest reads `_apidoc` when the route is registered)."""
    doc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))
    responses = doc.setdefault("response", {}).setdefault("responses", {})
    if 403 in responses:
        for response in responses[403]:
            response["description"] = f"{response['description']}, {ENROLMENT_403}"
    else:
        description = f"Forbidden: signed in, {ENROLMENT_403}"
        responses[403] = [{"schema": ErrorSchema, "description": description, "content_type": None}]
    wrapper._apidoc = doc


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
