"""The test provider itself: it publishes what a client needs, and without its npm package it
stops at once and says how to install it."""

from __future__ import annotations

import shutil
import subprocess

import requests

from tests.support.oidc import SCRIPT, require_node


def test_the_provider_publishes_discovery_keys_and_requires_pkce(oidc_provider):
    document = requests.get(
        f"{oidc_provider.issuer}/.well-known/openid-configuration", timeout=10
    ).json()
    assert document["issuer"] == oidc_provider.issuer
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "offline_access" in document["scopes_supported"]
    keys = requests.get(document["jwks_uri"], timeout=10).json()["keys"]
    exported = oidc_provider.private_jwks()["keys"]
    assert [k["kid"] for k in keys] == [k["kid"] for k in exported]
    assert all("d" not in key for key in keys)  # the published set has no private parts
    no_pkce = requests.get(
        document["authorization_endpoint"],
        params={
            "client_id": "lessonloop",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": "http://localhost/auth/oidc/callback",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert "requires PKCE" in requests.utils.unquote(no_pkce.headers["Location"]).replace("+", " ")


def test_without_its_npm_package_it_fails_loudly_with_the_install_command(tmp_path):
    alone = tmp_path / "oidc_provider.mjs"  # no node_modules beside it or above it
    shutil.copy(SCRIPT, alone)
    result = subprocess.run(
        [require_node(), str(alone), str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert result.returncode == 3
    assert "npm ci" in result.stderr
    assert "oidc-provider is missing" in result.stderr
