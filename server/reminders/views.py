"""Web Push: the VAPID public key, this device's subscription, and my notification settings."""

from __future__ import annotations

from typing import Any

from flask import current_app

from schemas.reminders import (
    NotificationSettingsPatchSchema,
    NotificationSettingsSchema,
    PublicKeySchema,
    SubscriptionResultSchema,
    SubscriptionSchema,
    UnsubscribeSchema,
)
from server.accounts.auth import auth_required, current_device, current_user
from server.blueprint import JSON_BODY, Blueprint
from server.reminders import preferences, subscriptions

blp = Blueprint("push", __name__, url_prefix="/api/v1", description="Web Push reminders")


@blp.route("/push/public-key", methods=["GET"])
@auth_required
@blp.errors(401)
@blp.response(200, PublicKeySchema)
def get_public_key() -> dict[str, str]:
    """The VAPID application server key, for PushManager.subscribe()."""
    return {"public_key": current_app.config["VAPID_PUBLIC_KEY"]}


@blp.route("/push/subscriptions", methods=["POST"])
@auth_required
@blp.errors(
    401,
    *JSON_BODY,
    codes={400: "not valid, or an endpoint that may not be used (endpoint_not_allowed)"},
)
@blp.arguments(SubscriptionSchema)
@blp.response(201, SubscriptionResultSchema)
def subscribe(data: dict[str, Any]) -> dict[str, Any]:
    """Turn reminders on for this device (its one subscription; the same endpoint updates)."""
    allow_private = bool(current_app.config["PUSH_ALLOW_PRIVATE_ENDPOINTS"])
    return subscriptions.subscribe(current_device(), data, allow_private)


@blp.route("/push/subscriptions", methods=["DELETE"])
@auth_required
@blp.errors(401, 404, *JSON_BODY)
@blp.arguments(UnsubscribeSchema)
@blp.response(204)
def unsubscribe(data: dict[str, Any]) -> None:
    """Turn reminders off for one of my subscriptions."""
    subscriptions.unsubscribe(current_device(), data["endpoint"])


@blp.route("/me/notifications", methods=["GET"])
@auth_required
@blp.errors(401)
@blp.response(200, NotificationSettingsSchema)
def get_notification_settings() -> dict[str, Any]:
    """Which reminders I get, my quiet hours, and whether this device is subscribed."""
    return preferences.settings(current_user(), current_device().id)


@blp.route("/me/notifications", methods=["PATCH"])
@auth_required
@blp.errors(401, *JSON_BODY)
@blp.arguments(NotificationSettingsPatchSchema)
@blp.response(200, NotificationSettingsSchema)
def update_notification_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """Change which reminders I get and when they stay quiet."""
    return preferences.update(current_user(), current_device().id, changes)
