"""The admin's sign-in settings (providers, presets, the secret never sent back) and the
sign-in options of an email (the same answer whether or not the email has an account)."""

from __future__ import annotations

import pytest

from tests.support.oidc import CLIENT_SECRET

GOOGLE = {
    "kind": "google",
    "client_id": "123.apps.googleusercontent.com",
    "client_secret": "google-secret",
    "allowed_domains": ["google-school.test"],
}
MICROSOFT = {
    "kind": "microsoft",
    "tenant": "0b7f6a57-3c5e-4f1e-9d7e-111122223333",
    "client_id": "11111111-2222-3333-4444-555555555555",
    "client_secret": "entra-secret",
    "allowed_domains": ["ms-school.test"],
}


def test_presets_fill_in_the_issuer_and_the_secret_never_comes_back(factory):
    school = factory.school()
    admin = factory.session(school, role="admin")
    google = admin.post("/api/v1/admin/sign-in/providers", json=GOOGLE)
    microsoft = admin.post("/api/v1/admin/sign-in/providers", json=MICROSOFT)
    assert google.status_code == microsoft.status_code == 201
    assert google.get_json()["issuer"] == "https://accounts.google.com"
    assert google.get_json()["label"] == "Google"
    assert microsoft.get_json()["issuer"] == (
        "https://login.microsoftonline.com/0b7f6a57-3c5e-4f1e-9d7e-111122223333/v2.0"
    )
    listing = admin.get("/api/v1/admin/sign-in")
    body = listing.get_data(as_text=True)
    assert "google-secret" not in body
    assert "entra-secret" not in body
    settings = listing.get_json()
    assert settings["redirect_uri"] == "http://localhost/auth/oidc/callback"
    assert settings["create_accounts_on_first_sign_in"] is False
    assert [p["has_secret"] for p in settings["providers"]] == [True, True]
    patched = admin.patch(
        f"/api/v1/admin/sign-in/providers/{google.get_json()['id']}",
        json={"client_secret": "new-secret", "enabled": False},
    )
    assert patched.status_code == 200
    assert "new-secret" not in patched.get_data(as_text=True)
    assert patched.get_json()["enabled"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MICROSOFT, "tenant": None}, "tenant"),
        ({k: v for k, v in MICROSOFT.items() if k != "tenant"}, "tenant"),
        ({**MICROSOFT, "tenant": "common"}, "tenant"),
        ({**GOOGLE, "kind": "oidc"}, "issuer"),
        ({**GOOGLE, "kind": "oidc", "issuer": "http://idp.example.org"}, "issuer"),
        ({**GOOGLE, "issuer": "https://idp.example.org"}, "issuer"),
        ({**GOOGLE, "allowed_domains": []}, "allowed_domains"),
        ({**GOOGLE, "allowed_domains": ["@school"]}, "allowed_domains"),
        ({**GOOGLE, "client_secret": ""}, "client_secret"),
    ],
)
def test_a_bad_provider_is_refused_and_nothing_is_stored(app, factory, body, field):
    app.config["OIDC_ALLOW_HTTP_ISSUERS"] = False  # as in production: https only
    admin = factory.session(factory.school(), role="admin")
    response = admin.post("/api/v1/admin/sign-in/providers", json=body)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["error"]["details"]
    assert admin.get("/api/v1/admin/sign-in").get_json()["providers"] == []


def test_a_domain_signs_in_to_one_school_only(factory):
    first = factory.session(factory.school(), role="admin")
    second = factory.session(factory.school(), role="admin")
    assert first.post("/api/v1/admin/sign-in/providers", json=GOOGLE).status_code == 201
    taken = second.post("/api/v1/admin/sign-in/providers", json=GOOGLE)
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "domain_taken"
    assert second.get("/api/v1/admin/sign-in").get_json()["providers"] == []


def test_only_admins_configure_sign_in(factory):
    school = factory.school()
    teacher = factory.session(school)
    assert teacher.get("/api/v1/admin/sign-in").status_code == 403
    assert teacher.post("/api/v1/admin/sign-in/providers", json=GOOGLE).status_code == 403
    setting = {"create_accounts_on_first_sign_in": True}
    assert teacher.patch("/api/v1/admin/sign-in", json=setting).status_code == 403


def test_options_depend_on_the_domain_alone(client, school_sign_in, oidc_provider):
    known = client.post("/api/v1/auth/oidc/options", json={"email": "T.One@School.test"})
    unknown = client.post("/api/v1/auth/oidc/options", json={"email": "nobody@school.test"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_json() == unknown.get_json()
    [option] = known.get_json()["providers"]
    assert option["label"] == "Test provider"
    assert option["start_url"] == f"/auth/oidc/start?provider={school_sign_in.provider_id}"
    elsewhere = client.post("/api/v1/auth/oidc/options", json={"email": "a@elsewhere.test"})
    assert elsewhere.get_json() == {"providers": [], "password": True}
    assert CLIENT_SECRET not in known.get_data(as_text=True)


def test_options_and_refusals_share_logins_rate_limit(client, app, school_sign_in, oidc_provider):
    from tests.accounts.oidc.conftest import sign_in

    app.config["LOGIN_MAX_FAILURES_PER_EMAIL"] = 2
    for _ in range(2):
        assert sign_in(client, oidc_provider, school_sign_in.provider_id, "newcomer").status_code
    limited = client.post("/api/v1/auth/oidc/options", json={"email": "new.person@school.test"})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"]
    password = client.post(
        "/api/v1/auth/login", json={"email": "new.person@school.test", "password": "whatever1"}
    )
    assert password.status_code == 429
    refused = sign_in(client, oidc_provider, school_sign_in.provider_id, "newcomer")
    assert refused.status_code == 429
    assert 'data-refusal="too_many_attempts"' in refused.get_data(as_text=True)


def test_removing_a_provider_ends_its_option_and_its_links(
    client, app, school_sign_in, oidc_provider
):
    from sqlalchemy import func, select

    from server.accounts.oidc.models import OidcIdentity
    from server.extensions import db
    from tests.accounts.oidc.conftest import code_of, sign_in

    code = code_of(sign_in(client, oidc_provider, school_sign_in.provider_id))
    token = client.post("/api/v1/auth/oidc/exchange", json={"code": code}).get_json()["token"]
    url = f"/api/v1/admin/sign-in/providers/{school_sign_in.provider_id}"
    assert school_sign_in.admin.delete(url).status_code == 204
    assert school_sign_in.admin.delete(url).status_code == 404
    options = client.post("/api/v1/auth/oidc/options", json={"email": "t.one@school.test"})
    assert options.get_json()["providers"] == []
    with app.app_context():
        assert db.session.execute(select(func.count(OidcIdentity.id))).scalar() == 0
    # a device already signed in keeps working (an admin revokes devices separately)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    started = client.get(f"/auth/oidc/start?provider={school_sign_in.provider_id}")
    assert started.status_code == 404
    assert 'data-refusal="no_provider"' in started.get_data(as_text=True)
