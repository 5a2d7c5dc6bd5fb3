"""The sign-in round trip: start (state, nonce, PKCE kept server-side), the provider's callback
(the person matched by verified email), the one-time code the PWA exchanges for a device."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from server.accounts import service
from server.accounts.oidc import client, settings
from server.accounts.oidc.client import Endpoint, Refusal
from server.accounts.oidc.models import OidcCode, OidcIdentity, OidcLogin, OidcProvider
from server.extensions import db
from server.models import Device, School, User, utcnow
from server.policy import people

LOGIN_SECONDS = 600  # a sign-in under way (at the provider's login page)
CODE_SECONDS = 120  # the one-time code, from the callback to the PWA's exchange
BAD_STATE = (
    "This sign-in link is not one we started, was used already or has expired. "
    "Start again from the app."
)


def endpoint(provider: OidcProvider) -> Endpoint:
    return Endpoint(provider.issuer, provider.client_id, provider.client_secret)


def start(provider_id: uuid.UUID, device_name: str, redirect_uri: str) -> str:
    """Keep a new sign-in's state, nonce and PKCE verifier; answer the provider's URL."""
    provider = db.session.get(OidcProvider, provider_id)
    if provider is None or not provider.enabled:
        raise Refusal("no_provider", "This sign-in option is not offered (any more).", 404)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    url = client.authorization_url(
        endpoint(provider), provider.kind, redirect_uri, state, nonce, verifier
    )
    now = utcnow()
    db.session.execute(delete(OidcLogin).where(OidcLogin.expires_at < now))
    db.session.add(
        OidcLogin(
            state_hash=service.token_hash(state),
            provider_id=provider.id,
            nonce=nonce,
            code_verifier=verifier,
            device_name=(device_name or "This device")[:100],
            expires_at=now + dt.timedelta(seconds=LOGIN_SECONDS),
        )
    )
    db.session.commit()
    return url


def take_login(state: str) -> OidcLogin:
    """The sign-in of this state, removed as it is read (single use), or bad_state."""
    login = db.session.get(OidcLogin, service.token_hash(state)) if state else None
    if login is None:
        raise Refusal("bad_state", BAD_STATE, 400)
    taken = db.session.execute(delete(OidcLogin).where(OidcLogin.state_hash == login.state_hash))
    db.session.commit()
    if getattr(taken, "rowcount", 0) != 1 or login.expires_at < utcnow():
        raise Refusal("bad_state", BAD_STATE, 400)
    return login


def callback(args: Mapping[str, str], redirect_uri: str, address: str) -> str:
    """Finish a sign-in at the provider's redirect; answer the one-time code for the PWA."""
    login = take_login(args.get("state", ""))
    if "error" in args:
        raise Refusal(
            "provider_error", f"The provider did not sign you in ({args['error'][:100]}).", 400
        )
    provider = db.session.get(OidcProvider, login.provider_id)
    if provider is None or not provider.enabled:
        raise Refusal("no_provider", "This sign-in option is not offered (any more).", 404)
    token = client.exchange_code(
        endpoint(provider), redirect_uri, args.get("code", ""), login.code_verifier
    )
    claims = client.id_token_claims(endpoint(provider), token, login.nonce)
    user = match_user(provider, claims, address)
    remember(provider, str(claims["sub"]), user, token.get("refresh_token"))
    return issue_code(user, login.device_name)


def _verified(provider: OidcProvider, claims: Mapping[str, Any]) -> bool:
    """email_verified must be true; Microsoft Entra says so as xms_edov (docs/sign-in.md)."""
    if claims.get("email_verified") is True:
        return True
    return provider.kind == "microsoft" and claims.get("xms_edov") is True


def _refuse(email: str, address: str, code: str, message: str) -> Refusal:
    window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    service.record_sign_in_failure(email, address, window)
    return Refusal(code, message)


def match_user(provider: OidcProvider, claims: Mapping[str, Any], address: str) -> User:
    """The school's person with this verified email (created when the school says so)."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or not _verified(provider, claims):
        raise _refuse(
            email,
            address,
            "email_not_verified",
            "Your provider has not verified this account's email address, so it cannot be "
            "matched to a person here. Ask your school's IT lead.",
        )
    if email.rpartition("@")[2] not in provider.allowed_domains:
        raise _refuse(
            email, address, "domain_not_allowed", f"{email} is not an address of this school."
        )
    service.check_login_rate(email, address, service_limits())
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None and settings.creates_accounts(provider.school_id):
        user = _create(provider, email, str(claims.get("name") or ""))
    if user is None or user.school_id != provider.school_id:
        school = db.session.get(School, provider.school_id)
        name = school.name if school else "your school"
        raise _refuse(
            email,
            address,
            "unknown_user",
            f"There is no Lesson Loop account for {email} at {name}. "
            "Ask your school's admin to add you.",
        )
    if not people.may_sign_in(user):
        raise _refuse(
            email, address, "deactivated", "This account is deactivated. Ask your school's admin."
        )
    return user


def _create(provider: OidcProvider, email: str, name: str) -> User:
    data = {
        "email": email,
        "display_name": (name.strip() or email.partition("@")[0])[:100],
        "role": people.FIRST_SIGN_IN_ROLE,
        "password": secrets.token_urlsafe(32),  # nobody knows it: this account signs in by OIDC
    }
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    return service.create_user(provider.school_id, data, profile)


def service_limits() -> service.LoginLimits:
    config = current_app.config
    return service.LoginLimits(
        per_email=config["LOGIN_MAX_FAILURES_PER_EMAIL"],
        per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"],
    )


def remember(provider: OidcProvider, subject: str, user: User, refresh: str | None) -> None:
    """Link the provider's account to the person; keep its refresh token for the check."""
    identity = db.session.execute(
        select(OidcIdentity).where(
            OidcIdentity.provider_id == provider.id, OidcIdentity.subject == subject
        )
    ).scalar_one_or_none()
    if identity is None:
        identity = OidcIdentity(provider_id=provider.id, subject=subject, user_id=user.id)
        db.session.add(identity)
    identity.user_id = user.id
    identity.last_sign_in_at = utcnow()
    identity.gone_at = None
    if refresh:
        identity.refresh_token = refresh
    db.session.commit()


def issue_code(user: User, device_name: str) -> str:
    """A one-time code (stored hashed, two minutes) that the PWA trades for a device."""
    code = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(delete(OidcCode).where(OidcCode.expires_at < now))
    db.session.add(
        OidcCode(
            code_hash=service.token_hash(code),
            user_id=user.id,
            device_name=device_name,
            expires_at=now + dt.timedelta(seconds=CODE_SECONDS),
        )
    )
    db.session.commit()
    return code


def exchange(code: str, address: str) -> service.LoginResult:
    """Trade a one-time code for a device and its token: PROTOCOL.md's login answer."""
    key = f"oidc-code@{address}"  # failed exchanges count per address, as logins per email
    service.check_login_rate(key, address, service_limits())
    found = db.session.get(OidcCode, service.token_hash(code))
    taken = db.session.execute(
        delete(OidcCode).where(OidcCode.code_hash == service.token_hash(code))
    )
    db.session.commit()
    user = db.session.get(User, found.user_id) if found else None
    if (
        found is None
        or getattr(taken, "rowcount", 0) != 1
        or found.expires_at < utcnow()
        or user is None
        or not people.may_sign_in(user)
    ):
        service.record_sign_in_failure(key, address, service_limits().window_seconds)
        raise Refusal("invalid_code", "This sign-in code is not valid (used or expired).", 401)
    token = secrets.token_urlsafe(32)
    device = Device(
        user_id=user.id,
        name=found.device_name,
        token_hash=service.token_hash(token),
        via_provider=True,
    )
    db.session.add(device)
    db.session.commit()
    return service.LoginResult(token=token, device=device, user=user)
