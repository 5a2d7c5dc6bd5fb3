"""Fixtures for school sign-in: the real OpenID provider (node oidc-provider) on a loopback
port, a school that signs in with it, and the round trip through its login and consent pages."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from server.accounts.oidc import client as oidc_client
from tests.support.factories import Factory, Session
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider

# The Flask test client answers as http://localhost: the redirect URI registered at the provider.
REDIRECT_URI = "http://localhost/auth/oidc/callback"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    provider = OidcProvider(tmp_path_factory.mktemp("oidc"), [REDIRECT_URI]).start()
    yield provider
    provider.stop()


@pytest.fixture
def app(app: Flask) -> Flask:
    app.config["OIDC_ALLOW_HTTP_ISSUERS"] = True  # the test provider is http on loopback
    oidc_client._cache.clear()
    return app


@dataclass
class SchoolSignIn:
    """A school with an admin and a teacher (t.one@school.test), and its provider's id."""

    admin: Session
    teacher_id: str
    provider_id: str
    school: Any


@pytest.fixture
def school_sign_in(factory: Factory, oidc_provider: OidcProvider) -> SchoolSignIn:
    school = factory.school()
    admin = factory.session(school, role="admin")
    teacher = factory.user(school, email="t.one@school.test", name="Tess One")
    response = admin.post(
        "/api/v1/admin/sign-in/providers",
        json={
            "kind": "oidc",
            "label": "Test provider",
            "issuer": oidc_provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_domains": ["school.test"],
        },
    )
    assert response.status_code == 201, response.get_json()
    return SchoolSignIn(admin, str(teacher.id), response.get_json()["id"], school)


def _form_action(page: str) -> str:
    match = re.search(r'<form[^>]*action="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def provider_round_trip(start_location: str, login: str, issuer: str) -> str:
    """Sign in at the provider's own pages (login, then consent) as a browser would; answer
    the redirect back to the app (its URL, not followed)."""
    browser = requests.Session()
    url = start_location
    for _ in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urllib.parse.urljoin(url, response.headers["Location"])
            if url.startswith(REDIRECT_URI):
                return url
            continue
        assert response.status_code == 200, response.text[:500]
        form = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', response.text))
        if 'name="login"' in response.text:
            form |= {"login": login, "password": "any"}
        posted = browser.post(
            urllib.parse.urljoin(issuer, _form_action(response.text)),
            data=form,
            allow_redirects=False,
            timeout=10,
        )
        assert posted.status_code in (302, 303), posted.text[:500]
        url = urllib.parse.urljoin(url, posted.headers["Location"])
        if url.startswith(REDIRECT_URI):
            return url
    raise AssertionError("the provider never sent the browser back")


def start(client: FlaskClient, provider_id: str) -> TestResponse:
    return client.get(f"/auth/oidc/start?provider={provider_id}&device_name=Tess%27s%20phone")


def sign_in(
    client: FlaskClient, provider: OidcProvider, provider_id: str, login: str = "teacher1"
) -> TestResponse:
    """The whole round trip: start, the provider's pages, the callback (its response)."""
    started = start(client, provider_id)
    assert started.status_code == 302, started.get_data(as_text=True)
    back = provider_round_trip(started.headers["Location"], login, provider.issuer)
    return client.get(back.removeprefix("http://localhost"))


def code_of(callback: TestResponse) -> str:
    assert callback.status_code == 302, callback.get_data(as_text=True)
    location = callback.headers["Location"]
    assert location.startswith("/#/school-sign-in/"), location
    return location.rsplit("/", 1)[1]
