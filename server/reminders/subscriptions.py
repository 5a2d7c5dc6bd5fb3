"""Push subscriptions: one per device, checked against the SSRF guard before they are kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from server.errors import ApiError, NotFoundError
from server.extensions import db
from server.models import Device, PushSubscription
from server.reminders.guard import EndpointRefused, check_endpoint
from server.reminders.jobs import write


def _check(endpoint: str, allow_private: bool) -> None:
    try:
        check_endpoint(endpoint, allow_private)
    except EndpointRefused as exc:
        raise ApiError(
            400,
            "endpoint_not_allowed",
            f"This push endpoint cannot be used: {exc}",
            {"endpoint": [str(exc)]},
        ) from exc


def subscribe(device: Device, data: dict[str, Any], allow_private: bool) -> dict[str, Any]:
    """Make this the device's one subscription; the same endpoint again updates its keys."""
    endpoint, keys = data["endpoint"], data["keys"]
    _check(endpoint, allow_private)  # resolves DNS: done before the write lock is taken
    with write():
        existing = db.session.execute(
            select(PushSubscription).where(PushSubscription.endpoint == endpoint)
        ).scalar_one_or_none()
        if existing is not None and existing.device_id != device.id:
            # The browser moved to another sign-in: the old one's queued messages must not follow.
            db.session.delete(existing)
            db.session.flush()
            existing = None
        db.session.execute(
            delete(PushSubscription).where(
                PushSubscription.device_id == device.id, PushSubscription.endpoint != endpoint
            )
        )
        if existing is None:
            db.session.add(
                PushSubscription(
                    user_id=device.user_id,
                    device_id=device.id,
                    endpoint=endpoint,
                    p256dh=keys["p256dh"],
                    auth=keys["auth"],
                )
            )
        else:
            existing.p256dh, existing.auth = keys["p256dh"], keys["auth"]
    return {"endpoint": endpoint, "created": existing is None}


def unsubscribe(device: Device, endpoint: str) -> None:
    """Remove one of the signed-in user's subscriptions (any of their devices), else 404."""
    with write():
        result = db.session.execute(
            delete(PushSubscription).where(
                PushSubscription.endpoint == endpoint,
                PushSubscription.user_id == device.user_id,
            )
        )
        if getattr(result, "rowcount", 0) != 1:
            raise NotFoundError(
                "No reminders are switched on for this endpoint on your account; "
                "nothing was removed."
            )
