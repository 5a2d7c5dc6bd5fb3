"""Accounts and devices (PROTOCOL.md: Accounts and devices), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Device
from tests.support.factories import PASSWORD

USER_KEYS = {"id", "email", "display_name", "role", "school_id", "team_ids", "active"}


def login(client, email, password=PASSWORD, device_name="phone", **kwargs):
    return client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password, "device_name": device_name},
        **kwargs,
    )


def test_login_returns_token_client_id_and_user(factory, client):
    school = factory.school()
    team = factory.team(school, "Maths")
    user = factory.user(school, role="lead", name="Ada Lovelace")
    admin = factory.session(school, role="admin")
    admin.patch(f"/api/v1/admin/users/{user.id}", json={"team_ids": [str(team.id)]})

    response = login(client, user.email)

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "client_id", "user"}
    assert len(body["token"]) >= 40
    assert set(body["user"]) == USER_KEYS
    assert body["user"]["id"] == str(user.id)
    assert body["user"]["display_name"] == "Ada Lovelace"
    assert body["user"]["role"] == "lead"
    assert body["user"]["school_id"] == str(school.id)
    assert body["user"]["team_ids"] == [str(team.id)]


def test_email_is_matched_without_case(factory, client):
    factory.user(factory.school(), email="mixed@example.org")
    assert login(client, "  MIXED@Example.org ").status_code == 200


def test_each_login_is_a_new_device(factory, client):
    user = factory.user(factory.school())
    first, second = login(client, user.email).get_json(), login(client, user.email).get_json()
    assert first["client_id"] != second["client_id"]
    assert first["token"] != second["token"]
    for token in (first["token"], second["token"]):
        assert (
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )


def test_token_is_stored_only_as_a_hash(factory, client, app):
    user = factory.user(factory.school())
    body = login(client, user.email).get_json()
    with app.app_context():
        device = db.session.get(Device, __import__("uuid").UUID(body["client_id"]))
        assert device.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        stored = [str(v) for v in db.session.execute(select(Device.__table__)).one()]
    assert all(body["token"] not in value for value in stored)


def test_unknown_email_and_wrong_password_get_the_same_401(factory, client):
    user = factory.user(factory.school())
    unknown = login(client, "nobody@example.org")
    wrong = login(client, user.email, password="not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert unknown.get_json()["error"]["code"] == "invalid_credentials"


def test_repeated_failures_for_one_email_get_429(factory, client, app):
    user = factory.user(factory.school())
    limit = app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]
    for _ in range(limit):
        assert login(client, user.email, password="wrong-password").status_code == 401
    blocked = login(client, user.email)  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "too_many_attempts"
    assert int(blocked.headers["Retry-After"]) > 0
    other = factory.user(factory.school())
    assert login(client, other.email).status_code == 200


def test_repeated_failures_from_one_address_get_429(factory, client, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    user = factory.user(factory.school())
    for n in range(4):
        login(client, f"guess{n}@example.org", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert login(client, user.email, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 429
    assert (
        login(client, user.email, environ_base={"REMOTE_ADDR": "203.0.113.10"}).status_code == 200
    )


def test_failures_older_than_the_window_do_not_count(factory, client, app):
    app.config["LOGIN_FAILURE_WINDOW_SECONDS"] = 1
    user = factory.user(factory.school())
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]):
        login(client, user.email, password="wrong-password")
    import time

    time.sleep(1.2)
    assert login(client, user.email).status_code == 200


def test_logout_ends_this_token_at_once_only(factory, client):
    user = factory.user(factory.school())
    phone, laptop = factory.login(user), factory.login(user)
    assert phone.post("/api/v1/auth/logout").status_code == 204
    response = phone.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"
    assert laptop.get("/api/v1/me").status_code == 200


def test_me_returns_the_user(factory):
    session = factory.session(factory.school(), role="teacher", name="Grace")
    body = session.get("/api/v1/me").get_json()
    assert set(body) == USER_KEYS
    assert body["display_name"] == "Grace"
    assert body == session.user


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic abc", "Bearer not-a-real-token", "bearer x y"],
)
def test_requests_without_a_valid_token_get_401(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] in {"unauthorized", "invalid_token"}


def test_my_devices_lists_live_devices(factory):
    user = factory.user(factory.school())
    phone, laptop = (
        factory.login(user, device_name="phone"),
        factory.login(user, device_name="laptop"),
    )
    laptop.post("/api/v1/auth/logout")
    devices = phone.get("/api/v1/me/devices").get_json()
    assert [(d["name"], d["current"]) for d in devices] == [("phone", True)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "a@example.org"}, "password"),
        ({"email": "a@example.org", "password": PASSWORD, "extra": 1}, "extra"),
        ({"email": "a@example.org", "password": PASSWORD, "device_name": "x" * 101}, "device_name"),
        ({"email": 5, "password": PASSWORD}, "email"),
    ],
)
def test_bad_login_bodies_get_400_with_field_messages(client, body, field):
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]


def test_production_passwords_use_argon2id_with_64_mib():
    from server.accounts.passwords import hash_password

    encoded = hash_password("a long enough password")
    assert encoded.startswith("$argon2id$")
    assert "m=65536,t=3" in encoded
