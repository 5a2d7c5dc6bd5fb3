"""What an erasure removes of a person's sign-in: their second factor and recovery codes, and
the links to their school's identity provider (which hold refresh tokens). Asked by
server.rights.erasure, in its transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import delete

from server.accounts.mfa_models import RecoveryCode, SecondFactor
from server.accounts.oidc.models import OidcCode, OidcIdentity
from server.extensions import db


def sign_in_secrets(user_id: uuid.UUID) -> dict[str, int]:
    """Delete every sign-in secret kept for this person; returns how many rows, by kind."""
    removed: dict[str, int] = {}
    for kind, model in (
        ("second_factors", SecondFactor),
        ("recovery_codes", RecoveryCode),
        ("provider_links", OidcIdentity),
        ("sign_in_codes", OidcCode),
    ):
        result = db.session.execute(delete(model).where(model.user_id == user_id))
        removed[kind] = int(result.rowcount)  # type: ignore[attr-defined]
    return removed
