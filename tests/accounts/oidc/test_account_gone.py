"""When the school's provider says an account is gone (its refresh token is refused with
invalid_grant), `flask oidc check-accounts` signs the person out: 401 at the next sync."""

from __future__ import annotations

from sqlalchemy import select

from server.accounts.oidc.models import OidcIdentity, OidcProvider
from server.extensions import db
from tests.accounts.oidc.conftest import code_of, sign_in
from tests.support.oidc import ACCOUNTS


def _signed_in(client, school_sign_in, oidc_provider) -> dict[str, str]:
    code = code_of(sign_in(client, oidc_provider, school_sign_in.provider_id))
    token = client.post("/api/v1/auth/oidc/exchange", json={"code": code}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_account_gone_at_the_provider_stops_at_the_next_sync(
    client, app, runner, school_sign_in, oidc_provider
):
    headers = _signed_in(client, school_sign_in, oidc_provider)
    still_there = runner.invoke(args=["oidc", "check-accounts"])
    assert "checked 1 accounts: 0 gone" in still_there.output
    assert client.get("/api/v1/sync/pull", headers=headers).status_code == 200
    oidc_provider.set_account("teacher1", None)  # the school's IT lead deletes the account
    try:
        gone = runner.invoke(args=["oidc", "check-accounts"])
    finally:
        oidc_provider.set_account("teacher1", ACCOUNTS["teacher1"])
    assert "checked 1 accounts: 1 gone (signed out)" in gone.output, gone.output
    pull = client.get("/api/v1/sync/pull", headers=headers)
    assert pull.status_code == 401
    assert pull.get_json()["error"]["code"] == "invalid_token"
    with app.app_context():
        identity = db.session.execute(select(OidcIdentity)).scalar_one()
        assert identity.gone_at is not None
        assert identity.refresh_token is None
    # signing in again (the account is back) works, and is checked again
    _signed_in(client, school_sign_in, oidc_provider)
    assert "checked 1 accounts: 0 gone" in runner.invoke(args=["oidc", "check-accounts"]).output


def test_a_provider_that_does_not_answer_signs_nobody_out(
    client, app, runner, school_sign_in, oidc_provider
):
    headers = _signed_in(client, school_sign_in, oidc_provider)
    with app.app_context():
        provider = db.session.get(OidcProvider, school_sign_in.provider_id)
        provider.issuer = "http://127.0.0.1:9"  # nothing listens there
        db.session.commit()
    result = runner.invoke(args=["oidc", "check-accounts"])
    assert "0 gone (signed out), 1 not answered" in result.output, result.output
    assert client.get("/api/v1/sync/pull", headers=headers).status_code == 200
