"""Every refused school sign-in: a clear page (or error), and no account, device or code made.

Most refusals come from the real provider (tests/support/oidc_provider.mjs): a person whose
email is not verified, of another domain, deactivated or unknown, a bad or reused `state`, a
missing PKCE verifier. A real provider never issues a token for another audience or issuer, an
expired one, or one with another sign-in's nonce, so those tokens are signed here with the
provider's own private key (exported by the harness) and given to the token-validation step
(`server.accounts.oidc.client.validate_id_token`) as the provider's answer would be."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import func, select

from server.accounts.oidc import client as oidc_client
from server.accounts.oidc.models import OidcCode, OidcLogin
from server.extensions import db
from server.models import Device, User
from tests.accounts.oidc.conftest import (
    code_of,
    provider_round_trip,
    sign_in,
    start,
)
from tests.support.oidc import CLIENT_ID


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.execute(select(func.count(User.id))).scalar_one(),
            db.session.execute(select(func.count(Device.id))).scalar_one(),
            db.session.execute(select(func.count(OidcCode.code_hash))).scalar_one(),
        )


def assert_refused(response, code: str, words: str, status: int = 403) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert response.mimetype == "text/html"
    assert f'data-refusal="{code}"' in page
    assert words in page
    assert "Back to Lesson Loop" in page


@pytest.mark.parametrize(
    ("login", "code", "words"),
    [
        ("unverified", "email_not_verified", "not verified this account&#x27;s email"),
        ("outsider", "domain_not_allowed", "someone@elsewhere.test is not an address"),
        ("newcomer", "unknown_user", "There is no Lesson Loop account for new.person@school.test"),
    ],
)
def test_the_provider_signs_in_someone_we_refuse(
    client, app, school_sign_in, oidc_provider, login, code, words
):
    before = counts(app)
    response = sign_in(client, oidc_provider, school_sign_in.provider_id, login=login)
    assert_refused(response, code, words)
    assert counts(app) == before


def test_a_deactivated_person_is_refused(client, app, school_sign_in, oidc_provider):
    patched = school_sign_in.admin.patch(
        f"/api/v1/admin/users/{school_sign_in.teacher_id}", json={"active": False}
    )
    assert patched.status_code == 200
    before = counts(app)
    response = sign_in(client, oidc_provider, school_sign_in.provider_id)
    assert_refused(response, "deactivated", "This account is deactivated")
    assert counts(app) == before


def test_a_newcomer_gets_a_teacher_account_when_the_school_says_so(
    client, app, school_sign_in, oidc_provider
):
    setting = {"create_accounts_on_first_sign_in": True}
    assert school_sign_in.admin.patch("/api/v1/admin/sign-in", json=setting).status_code == 200
    code = code_of(sign_in(client, oidc_provider, school_sign_in.provider_id, login="newcomer"))
    answer = client.post("/api/v1/auth/oidc/exchange", json={"code": code}).get_json()
    assert answer["user"]["email"] == "new.person@school.test"
    assert answer["user"]["display_name"] == "Nia New"
    assert answer["user"]["role"] == "teacher"


def test_a_bad_state_is_refused(client, app, school_sign_in, oidc_provider):
    started = start(client, school_sign_in.provider_id)
    back = provider_round_trip(started.headers["Location"], "teacher1", oidc_provider.issuer)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
    before = counts(app)
    forged = client.get(f"/auth/oidc/callback?code={query['code']}&state=not-ours")
    assert_refused(forged, "bad_state", "not one we started", 400)
    missing = client.get(f"/auth/oidc/callback?code={query['code']}")
    assert_refused(missing, "bad_state", "not one we started", 400)
    assert counts(app) == before
    # the real state still works once, then never again (single use)
    assert client.get(back.removeprefix("http://localhost")).status_code == 302
    replayed = client.get(back.removeprefix("http://localhost"))
    assert_refused(replayed, "bad_state", "was used already", 400)


def test_an_expired_sign_in_is_refused(client, app, school_sign_in, oidc_provider):
    started = start(client, school_sign_in.provider_id)
    back = provider_round_trip(started.headers["Location"], "teacher1", oidc_provider.issuer)
    with app.app_context():
        login = db.session.execute(select(OidcLogin)).scalar_one()
        login.expires_at = login.expires_at.replace(year=2020)
        db.session.commit()
    before = counts(app)
    assert_refused(client.get(back.removeprefix("http://localhost")), "bad_state", "expired", 400)
    assert counts(app) == before


@pytest.mark.parametrize("verifier", ["", "a-verifier-that-is-not-the-one-sent-" + "x" * 20])
def test_the_provider_refuses_a_missing_or_wrong_pkce_verifier(
    client, app, school_sign_in, oidc_provider, verifier
):
    """The real provider checks the verifier against the challenge it was sent."""
    started = start(client, school_sign_in.provider_id)
    back = provider_round_trip(started.headers["Location"], "teacher1", oidc_provider.issuer)
    with app.app_context():
        login = db.session.execute(select(OidcLogin)).scalar_one()
        login.code_verifier = verifier
        db.session.commit()
    before = counts(app)
    response = client.get(back.removeprefix("http://localhost"))
    assert_refused(response, "code_refused", "refused to finish the sign-in (invalid_grant)", 400)
    assert counts(app) == before


# ---- tokens a real provider would not issue, signed with its own key ----------------------


def _sign(provider, **changes: Any) -> tuple[str, dict[str, Any]]:
    """An ID token as the provider would sign it for teacher1, with `changes` to its claims;
    and the provider's public key set."""
    private = provider.private_jwks()
    key_set = KeySet.import_key_set(private)
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "sub": "teacher1",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
        "email": "t.one@school.test",
        "email_verified": True,
        **changes,
    }
    kid = private["keys"][0]["kid"]
    token = jwt.encode({"alg": "RS256", "kid": kid}, claims, key_set)
    return token, key_set.as_dict(private=False)


def _validate(provider, token: str, keys: dict[str, Any]) -> dict[str, Any]:
    return oidc_client.validate_id_token(token, keys, provider.issuer, CLIENT_ID, "the-nonce")


def test_a_token_signed_by_the_providers_key_passes(oidc_provider):
    token, keys = _sign(oidc_provider)
    assert _validate(oidc_provider, token, keys)["email"] == "t.one@school.test"


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"aud": "another-app"}, "wrong_audience", "meant for another application"),
        ({"aud": ["another-app", CLIENT_ID]}, "wrong_audience", "meant for another application"),
        ({"iss": "http://127.0.0.1:1"}, "wrong_issuer", "another issuer"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired", "expired"),
        ({"nonce": "an-earlier-sign-in"}, "replayed", "already used"),
    ],
)
def test_the_validation_step_refuses_a_token(oidc_provider, changes, code, words):
    token, keys = _sign(oidc_provider, **changes)
    with pytest.raises(oidc_client.Refusal) as refused:
        _validate(oidc_provider, token, keys)
    assert refused.value.code == code
    assert words in refused.value.message


def test_the_validation_step_refuses_another_key(oidc_provider):
    token, _ = _sign(oidc_provider)
    stranger = KeySet.generate_key_set("RSA", 2048, count=1).as_dict(private=False)
    with pytest.raises(oidc_client.Refusal) as refused:
        _validate(oidc_provider, token, stranger)
    assert refused.value.code == "bad_signature"


def test_a_used_or_unknown_code_is_refused(client, app, school_sign_in, oidc_provider):
    before = counts(app)
    response = client.post("/api/v1/auth/oidc/exchange", json={"code": "made-up"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_code"
    assert counts(app) == before


def test_microsoft_entra_says_verified_as_xms_edov():
    """Entra ID tokens carry no email_verified; its xms_edov claim (the email's domain owner
    is verified) counts for Microsoft providers only (docs/sign-in.md)."""
    from server.accounts.oidc import flow
    from server.accounts.oidc.models import OidcProvider as Row

    microsoft, other = Row(kind="microsoft"), Row(kind="oidc")
    assert flow._verified(microsoft, {"xms_edov": True})
    assert not flow._verified(other, {"xms_edov": True})
    assert not flow._verified(microsoft, {"xms_edov": False})
    assert not flow._verified(microsoft, {"email_verified": "true"})  # a string is not true
    assert flow._verified(other, {"email_verified": True})
