"""The second factor: TOTP enrolment, codes at sign-in, recovery codes, a school's requirement.

A code is spent once: the time step of every accepted TOTP code is kept and only a later step
is accepted again (an UPDATE ... WHERE last_step < step, so two requests cannot both spend it);
a recovery code is marked used in the same way. Wrong codes go through the caller's `on_wrong`,
which records a failed sign-in, so the login rate limits cover codes as they cover passwords.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import segno
from flask import current_app
from sqlalchemy import delete, func, select, update

from server import policy
from server.accounts import totp
from server.accounts.mfa_models import RecoveryCode, SchoolMfaRequirement, SecondFactor
from server.errors import ApiError
from server.extensions import db
from server.models import User, utcnow
from server.policy import people

if TYPE_CHECKING:
    from server.accounts.service import SignIn

ISSUER = "Lesson Loop"
WRONG_CODE = "That code is not right or has been used. Wait for the next code and try again."


def _key() -> str:
    key: str = current_app.config["SECRET_KEY"]
    return key


def _live_factor(user_id: uuid.UUID) -> SecondFactor | None:
    factor = db.session.get(SecondFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


NOBODY = "nobody"  # a school without a requirement row requires nobody


def requirement(school_id: uuid.UUID) -> str:
    """Who the school requires a second factor of: nobody, leads or everyone."""
    row = db.session.get(SchoolMfaRequirement, school_id)
    return row.required_for if row else NOBODY


def enrolment_pending(user: User, via_provider: bool = False) -> bool:
    """The school requires a second factor of this user and they have not set one up (a
    device opened through the school's identity provider has the provider's own)."""
    if not people.second_factor_applies(via_provider):
        return False
    required_for = requirement(user.school_id)
    required = people.second_factor_required(user.role, required_for)
    enrolled = required and _live_factor(user.id) is not None
    return people.must_enrol_second_factor(user.role, required_for, enrolled)


def enrolment_pending_for(sign_in: SignIn) -> bool:
    """enrolment_pending for a sign-in whose requirement and factor were read with its device
    (server.accounts.service.sign_in_for_token)."""
    device = sign_in.device
    if not people.second_factor_applies(device.via_provider):
        return False
    return people.must_enrol_second_factor(
        device.user.role, sign_in.second_factor_for, sign_in.enrolled
    )


def _spend_totp(factor: SecondFactor, code: str) -> bool:
    secret = totp.decrypt(factor.secret_encrypted, _key())
    step = totp.matching_step(secret, code) if secret else None
    if step is None:
        return False
    spent = db.session.execute(
        update(SecondFactor)
        .where(SecondFactor.user_id == factor.user_id, SecondFactor.last_step < step)
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(spent.rowcount == 1)  # type: ignore[attr-defined]


def _spend_recovery_code(user_id: uuid.UUID, code: str) -> bool:
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == totp.recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(spent.rowcount == 1)  # type: ignore[attr-defined]


def _spend(factor: SecondFactor, code: str, *, recovery: bool) -> bool:
    if totp.looks_like_totp(code):
        return _spend_totp(factor, code)
    return recovery and _spend_recovery_code(factor.user_id, code)


def check_at_login(user: User, otp: str | None, on_wrong: Callable[[], None]) -> None:
    """Nothing for an account without a second factor; else the code must be right and new."""
    factor = _live_factor(user.id)
    if factor is None:
        return
    if not otp:
        raise ApiError(
            401,
            "mfa_required",
            "Enter the 6-digit code from your authenticator app, or a recovery code.",
        )
    if not _spend(factor, otp, recovery=True):
        on_wrong()
        raise ApiError(401, "invalid_otp", WRONG_CODE)


def status(user: User) -> dict[str, Any]:
    """Whether I have a second factor, whether my school requires one, codes left."""
    required = people.second_factor_required(user.role, requirement(user.school_id))
    left = db.session.execute(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).scalar_one()
    enabled = _live_factor(user.id) is not None
    return {"enabled": enabled, "required": required, "recovery_codes_left": left if enabled else 0}


def start_enrolment(user: User) -> dict[str, Any]:
    """A new secret (replacing an unconfirmed one), its otpauth:// URI and QR code."""
    factor = db.session.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise ApiError(
            409, "mfa_already_enabled", "You already have a second factor; turn it off first."
        )
    if factor is None:
        factor = SecondFactor(user_id=user.id)
        db.session.add(factor)
    secret = totp.new_secret()
    factor.secret_encrypted = totp.encrypt(secret, _key())
    factor.last_step = 0
    db.session.commit()
    uri = totp.provisioning_uri(secret, user.email, ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": qr}


def confirm_enrolment(user: User, otp: str, on_wrong: Callable[[], None]) -> list[str]:
    """A first right code turns the factor on; returns the ten recovery codes (shown once)."""
    factor = db.session.get(SecondFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise ApiError(
            409, "mfa_not_pending", "There is no second factor being set up: start again."
        )
    if not _spend(factor, otp, recovery=False):
        on_wrong()
        raise ApiError(400, "invalid_otp", WRONG_CODE)
    factor.confirmed_at = utcnow()
    codes = totp.new_recovery_codes()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.recovery_hash(code)) for code in codes
    )
    db.session.commit()
    return codes


def disable(user: User, otp: str, on_wrong: Callable[[], None]) -> None:
    """Turn my second factor off with a code (not while my school requires one)."""
    factor = _live_factor(user.id)
    if factor is None:
        raise ApiError(409, "mfa_not_enabled", "You have no second factor to turn off.")
    if people.second_factor_required(user.role, requirement(user.school_id)):
        raise ApiError(
            409, "mfa_required_by_school", "Your school requires a second factor for you."
        )
    if not _spend(factor, otp, recovery=True):
        on_wrong()
        raise ApiError(400, "invalid_otp", WRONG_CODE)
    remove(user.id)


def remove(user_id: uuid.UUID) -> None:
    """Forget a user's second factor and recovery codes (turned off, or an admin's reset)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    db.session.commit()


def requirement_summary(school_id: uuid.UUID) -> dict[str, Any]:
    """The school's requirement and who would be stopped by it (for the admin screen)."""
    users = db.session.execute(
        select(User.role, SecondFactor.confirmed_at)
        .outerjoin(SecondFactor, SecondFactor.user_id == User.id)
        .where(User.school_id == school_id, User.active.is_(True))
    ).all()
    without = [role for role, confirmed in users if confirmed is None]
    return {
        "required_for": requirement(school_id),
        "recommended": "leads",
        "leads_without_second_factor": sum(policy.role_is_lead(role) for role in without),
        "staff_without_second_factor": len(without),
    }


def set_requirement(school_id: uuid.UUID, required_for: str) -> dict[str, Any]:
    """Require a second factor of nobody, the leads (and admins) or everyone."""
    row = db.session.get(SchoolMfaRequirement, school_id)
    if row is None:
        row = SchoolMfaRequirement(school_id=school_id)
        db.session.add(row)
    row.required_for = required_for
    db.session.commit()
    return requirement_summary(school_id)
