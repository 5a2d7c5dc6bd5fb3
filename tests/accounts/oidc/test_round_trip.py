"""The sign-in round trip against a real OpenID provider (node oidc-provider): start, the
provider's login and consent pages, the callback, the one-time code, the device token."""

from __future__ import annotations

import urllib.parse

from sqlalchemy import func, select

from server.accounts.oidc.models import OidcCode, OidcIdentity, OidcLogin
from server.extensions import db
from server.models import Device
from tests.accounts.oidc.conftest import REDIRECT_URI, code_of, sign_in, start
from tests.support.factories import PASSWORD


def test_start_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(
    client, school_sign_in, oidc_provider, app
):
    response = start(client, school_sign_in.provider_id)
    assert response.status_code == 302
    url = urllib.parse.urlsplit(response.headers["Location"])
    query = dict(urllib.parse.parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}" == oidc_provider.issuer
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == REDIRECT_URI
    assert set(query["scope"].split()) == {"openid", "email", "profile", "offline_access"}
    assert query["state"]
    assert query["nonce"]
    with app.app_context():
        login = db.session.execute(select(OidcLogin)).scalar_one()
        # kept server-side, the state only as its hash
        assert login.state_hash != query["state"]
        assert login.nonce == query["nonce"]
        assert login.code_verifier not in response.headers["Location"]


def test_the_round_trip_ends_in_protocols_login_answer(client, school_sign_in, oidc_provider, app):
    callback = sign_in(client, oidc_provider, school_sign_in.provider_id)
    code = code_of(callback)
    with app.app_context():
        stored = db.session.execute(select(OidcCode)).scalar_one()
        assert stored.code_hash != code  # stored hashed
        assert db.session.execute(select(func.count(OidcLogin.state_hash))).scalar() == 0
    answer = client.post("/api/v1/auth/oidc/exchange", json={"code": code})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    password_login = client.post(
        "/api/v1/auth/login", json={"email": "t.one@school.test", "password": PASSWORD}
    ).get_json()
    assert set(body) == set(password_login) == {"token", "client_id", "user"}  # PROTOCOL.md
    assert body["user"] == password_login["user"]
    assert body["user"]["id"] == school_sign_in.teacher_id
    token = body["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json() == body["user"]
    pull = client.get("/api/v1/sync/pull", headers={"Authorization": f"Bearer {token}"})
    assert pull.status_code == 200
    with app.app_context():
        device = db.session.get(Device, body["client_id"])
        assert device is not None
        assert device.name == "Tess's phone"
        identity = db.session.execute(select(OidcIdentity)).scalar_one()
        assert identity.subject == "teacher1"
        assert identity.refresh_token


def test_a_code_is_used_once(client, school_sign_in, oidc_provider, app):
    code = code_of(sign_in(client, oidc_provider, school_sign_in.provider_id))
    assert client.post("/api/v1/auth/oidc/exchange", json={"code": code}).status_code == 200
    again = client.post("/api/v1/auth/oidc/exchange", json={"code": code})
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "invalid_code"
    with app.app_context():
        assert db.session.execute(select(func.count(Device.id))).scalar() == 2  # admin + one


def test_a_school_requiring_a_second_factor_asks_it_of_password_sign_in_only(
    client, school_sign_in, oidc_provider
):
    """Our second factor guards passwords; the school's provider applies its own (docs)."""
    required = school_sign_in.admin.patch(
        "/api/v1/admin/mfa-requirement", json={"required_for": "everyone"}
    )
    assert required.status_code == 200, required.get_json()
    code = code_of(sign_in(client, oidc_provider, school_sign_in.provider_id))
    body = client.post("/api/v1/auth/oidc/exchange", json={"code": code}).get_json()
    assert "mfa_enrolment_required" not in body
    via_provider = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/sync/pull", headers=via_provider).status_code == 200
    password = client.post(
        "/api/v1/auth/login", json={"email": "t.one@school.test", "password": PASSWORD}
    ).get_json()
    assert password["mfa_enrolment_required"] is True
    by_password = {"Authorization": f"Bearer {password['token']}"}
    refused = client.get("/api/v1/sync/pull", headers=by_password)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "mfa_enrolment_required"
