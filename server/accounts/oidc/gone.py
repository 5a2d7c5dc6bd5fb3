"""The account check: ask each school's provider, with the refresh token kept at sign-in,
whether each account still exists. When the provider refuses the grant (invalid_grant: the
account was deleted, disabled or its consent withdrawn), the person's devices are revoked, so
their tokens get 401 at the next sync (the app keeps unsent notes and asks to sign in again)."""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from server.accounts import service
from server.accounts.oidc import client, flow
from server.accounts.oidc.models import OidcIdentity, OidcProvider
from server.extensions import db
from server.models import utcnow


@dataclass
class CheckResult:
    checked: int = 0
    gone: int = 0
    unreachable: int = 0


def check_identity(identity: OidcIdentity, result: CheckResult) -> None:
    provider = db.session.get(OidcProvider, identity.provider_id)
    if provider is None or not provider.enabled or not identity.refresh_token:
        return
    result.checked += 1
    try:
        renewed = client.refresh(flow.endpoint(provider), identity.refresh_token)
    except client.Refusal:
        result.unreachable += 1  # say nothing about the account: ask again next time
        return
    identity.checked_at = utcnow()
    if renewed is None:
        identity.gone_at, identity.refresh_token = identity.checked_at, None
        db.session.commit()
        service.revoke_all_devices(identity.user)
        result.gone += 1
    else:
        identity.refresh_token = renewed
        db.session.commit()


def check_accounts() -> CheckResult:
    """Check every account signed in through a provider that gave a refresh token."""
    result = CheckResult()
    identities = db.session.execute(
        select(OidcIdentity).where(
            OidcIdentity.refresh_token.is_not(None), OidcIdentity.gone_at.is_(None)
        )
    ).scalars()
    for identity in list(identities):
        check_identity(identity, result)
    return result


@click.group("oidc")
def oidc_cli() -> None:
    """School sign-in (OpenID Connect)."""


@oidc_cli.command("check-accounts")
@with_appcontext
def check_accounts_command() -> None:
    """Ask the providers whether each account still exists; sign out those that are gone."""
    result = check_accounts()
    click.echo(
        f"checked {result.checked} accounts: {result.gone} gone (signed out), "
        f"{result.unreachable} not answered"
    )
