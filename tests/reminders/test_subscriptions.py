"""The push API: the public key, subscriptions per device, and who may remove them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import PushSubscription
from tests.reminders.conftest import subscribe


def subscriptions(app) -> list[PushSubscription]:
    with app.app_context():
        rows = list(
            db.session.execute(select(PushSubscription).order_by(PushSubscription.id)).scalars()
        )
        db.session.commit()
        return rows


def test_the_public_key_is_the_servers_vapid_key(factory, app):
    session = factory.session(factory.school())
    response = session.get("/api/v1/push/public-key")
    assert response.status_code == 200
    assert response.get_json() == {"public_key": app.config["VAPID_PUBLIC_KEY"]}
    assert len(app.config["VAPID_PUBLIC_KEY"]) == 87  # a 65-byte P-256 point, base64url


def test_the_push_endpoints_need_a_sign_in(client):
    assert client.get("/api/v1/push/public-key").status_code == 401
    response = client.post("/api/v1/push/subscriptions", json={"endpoint": "x"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_subscribing_keeps_one_subscription_per_device(factory, loopback_app, push_service):
    session = factory.session(factory.school())
    phone = push_service.new_device()
    response = session.post("/api/v1/push/subscriptions", json=phone.subscription)
    assert response.status_code == 201
    assert response.get_json() == {"endpoint": phone.endpoint, "created": True}
    (row,) = subscriptions(loopback_app)
    assert (str(row.user_id), str(row.device_id)) == (session.user["id"], session.client_id)

    # The same endpoint again (new keys after the browser refreshed them): updated, not added.
    again = push_service.new_device()
    body = {**again.subscription, "endpoint": phone.endpoint, "expirationTime": None}
    response = session.post("/api/v1/push/subscriptions", json=body)
    assert response.status_code == 201
    assert response.get_json()["created"] is False
    (row,) = subscriptions(loopback_app)
    assert row.p256dh == again.subscription["keys"]["p256dh"]

    # A new endpoint for the same device replaces the old one.
    subscribe(session, again)
    (row,) = subscriptions(loopback_app)
    assert row.endpoint == again.endpoint


def test_an_endpoint_moves_with_the_browser_to_a_new_sign_in(factory, loopback_app, push_service):
    school = factory.school()
    first, second = factory.session(school), factory.session(school)
    phone = push_service.new_device()
    subscribe(first, phone)
    subscribe(second, phone)
    (row,) = subscriptions(loopback_app)
    assert (str(row.user_id), str(row.device_id)) == (second.user["id"], second.client_id)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/push/abc",
        "https://localhost:8443/push/abc",
        "https://10.0.0.8/push/abc",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/push/abc",
        "https://[::ffff:192.168.0.1]/push/abc",
        "http://8.8.8.8/push/abc",
    ],
)
def test_endpoints_on_private_addresses_are_refused(factory, app, push_service, endpoint):
    """The default configuration: no loopback, no private network, no plain http."""
    assert app.config["PUSH_ALLOW_PRIVATE_ENDPOINTS"] is False
    session = factory.session(factory.school())
    body = {**push_service.new_device().subscription, "endpoint": endpoint}
    response = session.post("/api/v1/push/subscriptions", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "endpoint_not_allowed"
    assert error["message"].startswith("This push endpoint cannot be used: The endpoint")
    assert list(error["details"]) == ["endpoint"]
    assert subscriptions(app) == []


def test_the_local_push_service_itself_is_refused_without_the_test_setting(
    factory, app, push_service
):
    session = factory.session(factory.school())
    response = session.post(
        "/api/v1/push/subscriptions", json=push_service.new_device().subscription
    )
    assert response.status_code == 400
    assert "https://" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"keys": {"p256dh": "not-a-key", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys"),
        ({"keys": {"p256dh": "BAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys"),
        ({"keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys"),
        ({"keys": None}, "keys"),
        ({"endpoint": ""}, "endpoint"),
        ({"endpoint": "https://x/" + "a" * 2048}, "endpoint"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_kept(
    factory, loopback_app, push_service, change, field
):
    session = factory.session(factory.school())
    good = push_service.new_device().subscription
    response = session.post("/api/v1/push/subscriptions", json={**good, **change})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
    assert field in response.get_json()["error"]["details"]
    assert subscriptions(loopback_app) == []


def test_a_wrong_auth_secret_length_is_refused(factory, loopback_app, push_service):
    session = factory.session(factory.school())
    good = push_service.new_device().subscription
    body = {**good, "keys": {**good["keys"], "auth": "AAAA"}}
    response = session.post("/api/v1/push/subscriptions", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["keys"]["auth"] == [
        "auth must be the subscription's 16-byte secret."
    ]


def test_a_user_can_delete_only_their_own_subscription(factory, loopback_app, push_service):
    school = factory.school()
    mine, theirs = factory.session(school), factory.session(school)
    my_phone, their_phone = push_service.new_device(), push_service.new_device()
    subscribe(mine, my_phone)
    subscribe(theirs, their_phone)

    response = mine.delete("/api/v1/push/subscriptions", json={"endpoint": their_phone.endpoint})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert len(subscriptions(loopback_app)) == 2

    response = mine.delete("/api/v1/push/subscriptions", json={"endpoint": my_phone.endpoint})
    assert response.status_code == 204
    assert [r.endpoint for r in subscriptions(loopback_app)] == [their_phone.endpoint]
    again = mine.delete("/api/v1/push/subscriptions", json={"endpoint": my_phone.endpoint})
    assert again.status_code == 404


def test_a_user_may_remove_the_subscription_of_another_of_their_devices(
    factory, loopback_app, push_service
):
    user = factory.user(factory.school())
    phone_session, laptop_session = factory.login(user), factory.login(user)
    phone = push_service.new_device()
    subscribe(phone_session, phone)
    response = laptop_session.delete(
        "/api/v1/push/subscriptions", json={"endpoint": phone.endpoint}
    )
    assert response.status_code == 204
    assert subscriptions(loopback_app) == []


def test_signing_out_removes_only_that_devices_subscription(factory, loopback_app, push_service):
    user = factory.user(factory.school())
    phone_session, laptop_session = factory.login(user), factory.login(user)
    phone, laptop = push_service.new_device(), push_service.new_device()
    subscribe(phone_session, phone)
    subscribe(laptop_session, laptop)
    assert phone_session.post("/api/v1/auth/logout").status_code == 204
    assert [r.endpoint for r in subscriptions(loopback_app)] == [laptop.endpoint]


def test_revoking_devices_removes_every_subscription_of_the_user(
    factory, loopback_app, push_service
):
    school = factory.school()
    admin = factory.session(school, role="admin")
    user = factory.user(school)
    other = factory.session(school)
    subscribe(factory.login(user), push_service.new_device())
    subscribe(factory.login(user), push_service.new_device())
    subscribe(other, push_service.new_device())
    response = admin.post(f"/api/v1/admin/users/{user.id}/revoke-devices")
    assert response.status_code == 204
    assert [str(r.user_id) for r in subscriptions(loopback_app)] == [other.user["id"]]


def test_deactivating_a_user_removes_their_subscriptions(factory, loopback_app, push_service):
    school = factory.school()
    admin = factory.session(school, role="admin")
    user = factory.user(school)
    subscribe(factory.login(user), push_service.new_device())
    response = admin.patch(f"/api/v1/admin/users/{user.id}", json={"active": False})
    assert response.status_code == 200
    assert subscriptions(loopback_app) == []


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/api/v1/push/public-key"])
    assert {"post", "delete"} <= set(paths["/api/v1/push/subscriptions"])
    assert {"get", "patch"} <= set(paths["/api/v1/me/notifications"])
