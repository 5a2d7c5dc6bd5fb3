"""The OpenID Connect client (Authlib): discovery, the authorization URL with PKCE (S256),
the code exchange, ID token validation and the refresh-token check. Knows no database."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

HTTP_TIMEOUT = 10  # seconds for each call to a provider
METADATA_SECONDS = 600  # discovery documents and key sets are cached this long
LEEWAY_SECONDS = 60  # clock skew allowed on exp / iat
SCOPES = "openid email profile"
_cache: dict[str, tuple[float, dict[str, Any], dict[str, Any]]] = {}
_cache_lock = threading.Lock()


class Refusal(Exception):
    """A sign-in refused: a code for the logs and tests, a sentence for the person."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Endpoint:
    """What the client needs of a provider (a row of oidc_provider, without the database)."""

    issuer: str
    client_id: str
    client_secret: str


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise Refusal(
            "provider_unreachable",
            "The school's sign-in provider cannot be reached just now. Try again later, "
            "or sign in with your password.",
            502,
        ) from exc
    return data


def metadata(issuer: str, refresh: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The provider's discovery document and signing keys (cached for ten minutes)."""
    with _cache_lock:
        cached = _cache.get(issuer)
    if cached and not refresh and cached[0] > time.monotonic():
        return cached[1], cached[2]
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if document.get("issuer") != issuer:
        raise Refusal(
            "issuer_mismatch",
            "The sign-in provider's settings name another issuer than the school configured.",
            502,
        )
    keys = _get_json(str(document.get("jwks_uri", "")))
    with _cache_lock:
        _cache[issuer] = (time.monotonic() + METADATA_SECONDS, document, keys)
    return document, keys


def _session(endpoint: Endpoint, **kwargs: Any) -> OAuth2Session:
    return OAuth2Session(
        endpoint.client_id,
        endpoint.client_secret,
        token_endpoint_auth_method="client_secret_basic",
        **kwargs,
    )


def scopes_for(document: dict[str, Any], kind: str) -> str:
    """Ask for a refresh token (offline_access) where the provider offers one: it is how the
    account check learns later that an account is gone. Google offers it by access_type."""
    if kind != "google" and "offline_access" in document.get("scopes_supported", []):
        return SCOPES + " offline_access"
    return SCOPES


def authorization_url(
    endpoint: Endpoint, kind: str, redirect_uri: str, state: str, nonce: str, verifier: str
) -> str:
    """Where to send the browser: code flow, PKCE S256, state and nonce."""
    document, _ = metadata(endpoint.issuer)
    scope = scopes_for(document, kind)
    extra = {"access_type": "offline"} if kind == "google" else {}
    if kind == "oidc" and "offline_access" in scope:
        # OpenID Connect Core 11: offline access is asked with prompt=consent (Entra and
        # Google grant it without, and would show their consent page at every sign-in).
        extra["prompt"] = "consent"
    session = _session(endpoint, redirect_uri=redirect_uri, scope=scope)
    url, _ = session.create_authorization_url(
        document["authorization_endpoint"],
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        **extra,
    )
    return str(url)


def exchange_code(
    endpoint: Endpoint, redirect_uri: str, code: str, verifier: str
) -> dict[str, Any]:
    """Trade the authorization code (and the PKCE verifier) for the provider's tokens."""
    document, _ = metadata(endpoint.issuer)
    session = _session(endpoint, redirect_uri=redirect_uri)
    try:
        token: dict[str, Any] = session.fetch_token(
            document["token_endpoint"], code=code, code_verifier=verifier, timeout=HTTP_TIMEOUT
        )
    except requests.RequestException as exc:
        raise Refusal(
            "provider_unreachable", "The sign-in provider cannot be reached.", 502
        ) from exc
    except OAuthError as exc:
        raise Refusal(
            "code_refused",
            f"The sign-in provider refused to finish the sign-in ({exc.error}). Start again.",
            400,
        ) from exc
    if "id_token" not in token:
        raise Refusal("no_id_token", "The sign-in provider sent no ID token.", 400)
    return token


# What each failed check of an ID token means for the person (and the code tests look for).
CLAIM_REFUSALS = {
    "iss": ("wrong_issuer", "The sign-in came from another issuer than the school's provider."),
    "aud": ("wrong_audience", "The sign-in was meant for another application."),
    "azp": ("wrong_audience", "The sign-in was meant for another application."),
    "nonce": ("replayed", "This sign-in was already used or belongs to another attempt."),
    "exp": ("expired", "The sign-in has expired. Start again."),
    "iat": ("expired", "The sign-in is not valid at this time. Start again."),
}


def _claim_refusal(claim: str) -> Refusal:
    code, message = CLAIM_REFUSALS.get(
        claim, ("invalid_id_token", f"The sign-in's ID token is not valid ({claim}).")
    )
    return Refusal(code, message + " Start again from the app.")


def validate_id_token(
    id_token: str,
    keys: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: list[str] | None = None,
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce hold."""
    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
        token = jwt.decode(id_token, key_set, algorithms=algorithms or ["RS256"])
    except JoseError as exc:
        raise Refusal(
            "bad_signature", "The sign-in's ID token is not signed by the provider."
        ) from exc
    options = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
    }
    claims = CodeIDToken(
        token.claims, token.header, options, {"nonce": nonce, "client_id": client_id}
    )
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except ExpiredTokenError as exc:
        raise _claim_refusal("exp") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise _claim_refusal(exc.claim) from exc
    return dict(claims)


def id_token_claims(endpoint: Endpoint, token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """Validate the ID token of a code exchange against the provider's published keys."""
    document, keys = metadata(endpoint.issuer)
    algorithms = document.get("id_token_signing_alg_values_supported")
    try:
        return validate_id_token(
            token["id_token"], keys, endpoint.issuer, endpoint.client_id, nonce, algorithms
        )
    except Refusal as refusal:
        if refusal.code != "bad_signature":
            raise
    _, keys = metadata(endpoint.issuer, refresh=True)  # the provider may have rotated its keys
    return validate_id_token(
        token["id_token"], keys, endpoint.issuer, endpoint.client_id, nonce, algorithms
    )


def refresh(endpoint: Endpoint, refresh_token: str) -> str | None:
    """Ask the provider for new tokens: the (possibly rotated) refresh token, or None when the
    provider says the grant is gone (invalid_grant). Any other failure raises Refusal."""
    document, _ = metadata(endpoint.issuer)
    session = _session(endpoint)
    try:
        token = session.refresh_token(
            document["token_endpoint"], refresh_token=refresh_token, timeout=HTTP_TIMEOUT
        )
    except OAuthError as exc:
        if exc.error == "invalid_grant":
            return None
        raise Refusal("refresh_failed", f"The provider answered {exc.error}.", 502) from exc
    except requests.RequestException as exc:
        raise Refusal("provider_unreachable", "The provider cannot be reached.", 502) from exc
    return str(token.get("refresh_token") or refresh_token)
