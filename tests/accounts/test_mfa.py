"""The second factor (TOTP, RFC 6238) and recovery codes, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
import uuid
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from sqlalchemy import func, select

from server.accounts.mfa_models import RecoveryCode, SecondFactor
from server.extensions import db
from server.models import Device
from tests.support.factories import PASSWORD, Session

STEP = 30


def login(client, email, otp=None, password=PASSWORD):
    body = {"email": email, "password": password, "device_name": "phone"}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/login", json=body)


def code(secret, steps_from_now=0):
    return pyotp.TOTP(secret).at(time.time() + steps_from_now * STEP)


def enrol(session):
    """Set up a second factor, confirming with the previous step's code (drift), so that the
    current step's code is still unspent for the test; returns (secret, recovery codes)."""
    started = session.post("/api/v1/me/mfa")
    assert started.status_code == 200, started.get_json()
    secret = started.get_json()["secret"]
    confirmed = session.post("/api/v1/me/mfa/confirm", json={"otp": code(secret, -1)})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"]


def devices(app, user):
    with app.app_context():
        return db.session.execute(
            select(func.count(Device.id)).where(Device.user_id == user.id)
        ).scalar_one()


def test_enrolment_gives_a_uri_a_qr_code_and_ten_recovery_codes(factory, app):
    user = factory.user(factory.school())
    me = factory.login(user)
    assert me.get("/api/v1/me/mfa").get_json() == {
        "enabled": False,
        "required": False,
        "recovery_codes_left": 0,
    }
    started = me.post("/api/v1/me/mfa").get_json()
    uri = urlparse(started["otpauth_uri"])
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [started["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["Lesson Loop"]
    assert started["qr_svg"].startswith("data:image/svg+xml")
    assert me.get("/api/v1/me/mfa").get_json()["enabled"] is False  # not before a code
    confirmed = me.post("/api/v1/me/mfa/confirm", json={"otp": code(started["secret"])})
    codes = confirmed.get_json()["recovery_codes"]
    assert confirmed.status_code == 200
    assert len(codes) == len(set(codes)) == 10
    assert me.get("/api/v1/me/mfa").get_json() == {
        "enabled": True,
        "required": False,
        "recovery_codes_left": 10,
    }
    with app.app_context():
        factor = db.session.get(SecondFactor, user.id)
        assert started["secret"] not in factor.secret_encrypted  # encrypted at rest
        stored = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
    assert not {c.replace("-", "") for c in codes} & set(stored)  # hashed
    assert me.post("/api/v1/me/mfa").get_json()["error"]["code"] == "mfa_already_enabled"


def test_a_wrong_first_code_does_not_turn_it_on(factory):
    me = factory.session(factory.school())
    secret = me.post("/api/v1/me/mfa").get_json()["secret"]
    wrong = me.post("/api/v1/me/mfa/confirm", json={"otp": code(secret, 3)})
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "invalid_otp"
    assert me.get("/api/v1/me/mfa").get_json()["enabled"] is False


def test_login_needs_the_code_once_enrolled(factory, client, app):
    user = factory.user(factory.school())
    secret, _ = enrol(factory.login(user))
    before = devices(app, user)

    missing = login(client, user.email)
    assert missing.status_code == 401
    assert missing.get_json()["error"]["code"] == "mfa_required"
    wrong = login(client, user.email, otp=code(secret, 5))
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "invalid_otp"
    assert devices(app, user) == before  # no device for a refused login

    right = login(client, user.email, otp=code(secret))
    assert right.status_code == 200
    assert set(right.get_json()) == {"token", "client_id", "user"}  # as PROTOCOL.md says
    assert devices(app, user) == before + 1


def test_a_wrong_password_is_refused_before_the_code(factory, client):
    user = factory.user(factory.school())
    secret, _ = enrol(factory.login(user))
    refused = login(client, user.email, otp=code(secret), password="not the password")
    assert refused.get_json()["error"]["code"] == "invalid_credentials"
    assert login(client, user.email, otp=code(secret)).status_code == 200  # the code unspent


def test_a_code_is_accepted_once_and_not_after_a_later_one(factory, client):
    user = factory.user(factory.school())
    secret, _ = enrol(factory.login(user))
    now = code(secret)
    assert login(client, user.email, otp=now).status_code == 200
    replay = login(client, user.email, otp=now)
    assert replay.status_code == 401
    assert replay.get_json()["error"]["code"] == "invalid_otp"
    assert login(client, user.email, otp=code(secret, 1)).status_code == 200  # drift: next step
    assert login(client, user.email, otp=now).status_code == 401  # an earlier step: refused


def test_a_code_two_steps_away_is_refused(factory, client):
    user = factory.user(factory.school())
    secret, _ = enrol(factory.login(user))
    for steps in (-2, 2):
        assert login(client, user.email, otp=code(secret, steps)).status_code == 401


def test_a_recovery_code_works_once(factory, client):
    user = factory.user(factory.school())
    _, codes = enrol(factory.login(user))
    typed = codes[3].upper().replace("-", " ")  # case, spaces and hyphens do not matter
    first = login(client, user.email, otp=typed)
    assert first.status_code == 200
    again = login(client, user.email, otp=codes[3])
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "invalid_otp"
    me = Session(client, first.get_json()["token"], first.get_json()["client_id"], {})
    assert me.get("/api/v1/me/mfa").get_json()["recovery_codes_left"] == 9
    assert login(client, user.email, otp=codes[4]).status_code == 200


def test_wrong_codes_are_rate_limited_like_passwords(factory, client, app):
    user = factory.user(factory.school())
    secret, _ = enrol(factory.login(user))
    limit = app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]
    for _ in range(limit):
        assert login(client, user.email, otp="000000").status_code == 401
    limited = login(client, user.email, otp=code(secret))
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "too_many_attempts"
    assert int(limited.headers["Retry-After"]) > 0


def test_wrong_codes_at_confirm_and_turn_off_count_too(factory, app):
    user = factory.user(factory.school())
    me = factory.login(user)
    secret, _ = enrol(me)
    limit = app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]
    for _ in range(limit):
        assert me.delete("/api/v1/me/mfa", json={"otp": "000000"}).status_code == 400
    assert me.delete("/api/v1/me/mfa", json={"otp": code(secret)}).status_code == 429
    assert me.get("/api/v1/me/mfa").get_json()["enabled"] is True


def test_turning_it_off_needs_a_code(factory, client):
    user = factory.user(factory.school())
    me = factory.login(user)
    secret, _ = enrol(me)
    assert me.delete("/api/v1/me/mfa", json={"otp": "123"}).status_code == 400
    assert me.delete("/api/v1/me/mfa", json={"otp": code(secret)}).status_code == 204
    assert login(client, user.email).status_code == 200  # no code needed any more
    gone = me.delete("/api/v1/me/mfa", json={"otp": code(secret, 1)})
    assert gone.get_json()["error"]["code"] == "mfa_not_enabled"


def test_an_admin_resets_a_lost_second_factor(factory, client):
    school = factory.school()
    user = factory.user(school)
    enrol(factory.login(user))
    admin = factory.session(school, role="admin")
    assert admin.delete(f"/api/v1/admin/users/{user.id}/mfa").status_code == 204
    assert login(client, user.email).status_code == 200
    other = factory.user(factory.school())
    assert admin.delete(f"/api/v1/admin/users/{other.id}/mfa").status_code == 404
    assert admin.delete(f"/api/v1/admin/users/{uuid.uuid4()}/mfa").status_code == 404


@pytest.mark.parametrize(
    "body",
    [{}, {"otp": 123456}, {"otp": ""}, {"otp": "1" * 65}, {"otp": "123456", "extra": 1}],
)
def test_bad_bodies_get_the_one_error_shape_and_change_nothing(factory, body):
    me = factory.session(factory.school())
    me.post("/api/v1/me/mfa")
    response = me.post("/api/v1/me/mfa/confirm", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
    assert me.get("/api/v1/me/mfa").get_json()["enabled"] is False


def test_login_refuses_a_badly_typed_code(factory, client):
    user = factory.user(factory.school())
    response = client.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": PASSWORD, "otp": ["123456"]},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
