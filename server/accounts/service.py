"""Accounts and devices: login with rate limits, tokens, and the admin directory."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from server import policy
from server.accounts import mfa
from server.accounts.mfa_models import SchoolMfaRequirement, SecondFactor
from server.accounts.passwords import burn_time, hash_password, verify_password
from server.errors import ApiError, NotFoundError, ValidationApiError
from server.extensions import db
from server.models import Device, LoginFailure, PushSubscription, School, Team, User, utcnow
from server.policy import people
from server.sync import audience
from server.sync.versions import write_transaction


@dataclass(frozen=True)
class LoginLimits:
    per_email: int
    per_address: int
    window_seconds: int


@dataclass(frozen=True)
class LoginResult:
    token: str
    device: Device
    user: User


def login_limits(config: Mapping[str, Any]) -> LoginLimits:
    """The login rate limits of the app's configuration."""
    return LoginLimits(
        per_email=config["LOGIN_MAX_FAILURES_PER_EMAIL"],
        per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"],
    )


def token_hash(token: str) -> str:
    """Tokens are random and long, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _recent_failures(column: Any, value: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    count, oldest = db.session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
            column == value, LoginFailure.at > since
        )
    ).one()
    return int(count), oldest


def check_login_rate(email: str, address: str, limits: LoginLimits) -> None:
    """Refuse with 429 after repeated failures for one email or from one address."""
    now = utcnow()
    since = now - dt.timedelta(seconds=limits.window_seconds)
    for column, value, limit in (
        (LoginFailure.email, email, limits.per_email),
        (LoginFailure.address, address, limits.per_address),
    ):
        count, oldest = _recent_failures(column, value, since)
        if count >= limit and oldest is not None:
            wait = max(1, int((oldest - since).total_seconds()) + 1)
            raise ApiError(
                429,
                "too_many_attempts",
                f"Too many failed sign-ins. Try again in {wait // 60 + 1} minutes.",
                {"retry_after_seconds": wait},
                {"Retry-After": str(wait)},
            )


def _record_failure(email: str, address: str, window_seconds: int) -> None:
    cutoff = utcnow() - dt.timedelta(seconds=window_seconds)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))
    db.session.add(LoginFailure(email=email, address=address))
    db.session.commit()


def record_login_failure(email: str, address: str, limits: LoginLimits) -> None:
    """A wrong password or second-factor code: counted by check_login_rate."""
    _record_failure(email, address, limits.window_seconds)


def login(
    email: str,
    password: str,
    device_name: str,
    address: str,
    limits: LoginLimits,
    hash_profile: str,
    otp: str | None = None,
) -> LoginResult:
    """Check the password (and the second factor's code) and open a new device; the same 401
    for every wrong pair."""
    check_login_rate(email, address, limits)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        burn_time(password, hash_profile)
    if user is None or not verify_password(user.password_hash, password) or not user.active:
        _record_failure(email, address, limits.window_seconds)
        raise ApiError(401, "invalid_credentials", "The email or password is not right.")
    mfa.check_at_login(user, otp, lambda: _record_failure(email, address, limits.window_seconds))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    token = secrets.token_urlsafe(32)
    device = Device(
        user_id=user.id, name=device_name or "This device", token_hash=token_hash(token)
    )
    db.session.add(device)
    db.session.commit()
    return LoginResult(token=token, device=device, user=user)


@dataclass(frozen=True)
class SignIn:
    """A live sign-in: its device (and user), and what the second-factor rule needs."""

    device: Device
    second_factor_for: str  # whom the school requires a second factor of
    enrolled: bool  # the user has a confirmed second factor


def sign_in_for_token(token: str) -> SignIn | None:
    """The live device of a token (not revoked, its user active), in one statement with its
    user, the school's second-factor requirement and the user's factor (issue 17: every signed-in
    request makes this lookup, so it is one round trip to the database, not three)."""
    row = db.session.execute(
        select(Device, SchoolMfaRequirement.required_for, SecondFactor.confirmed_at)
        .join(Device.user)
        .options(contains_eager(Device.user))
        .outerjoin(SchoolMfaRequirement, SchoolMfaRequirement.school_id == User.school_id)
        .outerjoin(SecondFactor, SecondFactor.user_id == Device.user_id)
        .where(Device.token_hash == token_hash(token))
    ).one_or_none()
    if row is None:
        return None
    device, required_for, confirmed_at = row
    if device.revoked_at is not None or not device.user.active:
        return None
    return SignIn(device, required_for or mfa.NOBODY, confirmed_at is not None)


def touch_device(device: Device) -> None:
    """Record that the device was seen, at most once a minute (a write costs)."""
    now = utcnow()
    if now - device.last_seen_at > dt.timedelta(minutes=1):
        device.last_seen_at = now
        db.session.commit()


def revoke_device(device: Device) -> None:
    """Log out one device: its token stops working at once, its push subscriptions go."""
    device.revoked_at = utcnow()
    db.session.execute(delete(PushSubscription).where(PushSubscription.device_id == device.id))
    db.session.commit()


def revoke_all_devices(user: User) -> int:
    """Revoke every live device of a user; returns how many."""
    devices = db.session.execute(
        select(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))
    ).scalars()
    count = 0
    for device in devices:
        device.revoked_at = utcnow()
        count += 1
    db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    db.session.commit()
    return count


def _teams_of_school(school_id: uuid.UUID, team_ids: list[uuid.UUID]) -> list[Team]:
    if not team_ids:
        return []
    teams = (
        db.session.execute(select(Team).where(Team.school_id == school_id, Team.id.in_(team_ids)))
        .scalars()
        .all()
    )
    if len(teams) != len(set(team_ids)):
        found = {team.id for team in teams}
        missing = [str(t) for t in team_ids if t not in found]
        raise ValidationApiError(
            {"team_ids": [f"No such team in this school: {', '.join(missing)}."]}
        )
    return sorted(teams, key=lambda team: team.name)


def create_user(school_id: uuid.UUID, data: dict[str, Any], hash_profile: str) -> User:
    """Create an account; 409 when the email is taken (in any school)."""
    password_hash = hash_password(data["password"], hash_profile)
    with write_transaction(school_id) as versions:
        taken = db.session.execute(select(User.id).where(User.email == data["email"])).first()
        if taken:
            raise ApiError(409, "email_taken", "An account with this email already exists.")
        user = User(
            school_id=school_id,
            email=data["email"],
            display_name=data["display_name"],
            role=data["role"],
            password_hash=password_hash,
            version=versions.next(),
        )
        user.teams = _teams_of_school(school_id, data.get("team_ids", []))
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError as exc:
            raise ApiError(
                409, "email_taken", "An account with this email already exists."
            ) from exc
    return user


def school_user(school_id: uuid.UUID, user_id: uuid.UUID) -> User:
    """A user of this school, or 404 (users of other schools do not exist here)."""
    user = db.session.get(User, user_id)
    if user is None or user.school_id != school_id:
        raise NotFoundError("There is no such user in your school.")
    return user


def _active_admins(school_id: uuid.UUID) -> int:
    return int(
        db.session.execute(
            select(func.count(User.id)).where(
                User.school_id == school_id,
                people.role_is_admin_sql(User.role),
                User.active.is_(True),
            )
        ).scalar_one()
    )


def update_user(
    school_id: uuid.UUID, user_id: uuid.UUID, data: dict[str, Any], hash_profile: str
) -> User:
    """Change role, name, active, teams or password; the directory entry gets a new version."""
    password_hash = hash_password(data["password"], hash_profile) if "password" in data else None
    with write_transaction(school_id) as versions:
        user = school_user(school_id, user_id)
        was_lead, was_active = policy.is_lead(user), user.active
        losing_admin = (
            policy.may_administer(user)
            and user.active
            and (
                not policy.role_is_admin(data.get("role", user.role)) or data.get("active") is False
            )
        )
        if losing_admin and _active_admins(school_id) <= 1:
            raise ApiError(
                409,
                "last_admin",
                "This is the school's last active admin; make another admin first.",
            )
        for key in ("role", "display_name", "active"):
            if key in data:
                setattr(user, key, data[key])
        if "team_ids" in data:
            user.teams = _teams_of_school(school_id, data["team_ids"])
        if password_hash:
            user.password_hash = password_hash
        user.version = versions.next()
        db.session.flush()
        if policy.is_lead(user) != was_lead:
            audience.lead_role_changed(user, versions)
    if was_active and not user.active:
        revoke_all_devices(user)
    return user


def create_team(school_id: uuid.UUID, data: dict[str, Any]) -> Team:
    """A new team; 409 when the school already has one of that name."""
    with write_transaction(school_id) as versions:
        _check_team_name_free(school_id, data["name"], None)
        team = Team(
            school_id=school_id, name=data["name"], kind=data["kind"], version=versions.next()
        )
        db.session.add(team)
    return team


def team_name_key(name: str) -> str:
    """What makes two team names the same: Unicode case folding of the normalised name
    ("Ärzte", "ÄRZTE" and "ärzte" are one team). Compared here, in Python, because the
    databases' lower() folds ASCII only (SQLite always, PostgreSQL under the C locale)."""
    return unicodedata.normalize("NFKC", name).casefold()


def _check_team_name_free(school_id: uuid.UUID, name: str, team_id: uuid.UUID | None) -> None:
    # Called inside the school's write transaction, so no other team can be added meanwhile.
    key = team_name_key(name)
    teams = db.session.execute(select(Team.id, Team.name).where(Team.school_id == school_id))
    if any(team_name_key(other) == key and found != team_id for found, other in teams):
        raise ApiError(409, "team_exists", "The school already has a team of that name.")


def update_team(school_id: uuid.UUID, team_id: uuid.UUID, data: dict[str, Any]) -> Team:
    """Rename a team or change its kind."""
    with write_transaction(school_id) as versions:
        team = db.session.get(Team, team_id)
        if team is None or team.school_id != school_id:
            raise NotFoundError("There is no such team in your school.")
        if "name" in data:
            _check_team_name_free(school_id, data["name"], team.id)
            team.name = data["name"]
        if "kind" in data:
            team.kind = data["kind"]
        team.version = versions.next()
    return team


def list_users(school_id: uuid.UUID) -> list[User]:
    """Every account of the school, by name."""
    return list(
        db.session.execute(
            select(User)
            .where(User.school_id == school_id)
            .options(selectinload(User.teams))
            .order_by(User.display_name, User.email)
        ).scalars()
    )


def list_teams(school_id: uuid.UUID) -> list[Team]:
    """Every team of the school, by name."""
    return list(
        db.session.execute(
            select(Team).where(Team.school_id == school_id).order_by(Team.name)
        ).scalars()
    )


def create_school(name: str) -> School:
    """A new school (CLI only)."""
    school = School(name=name)
    db.session.add(school)
    db.session.flush()
    return school


def live_devices(user: User) -> list[Device]:
    """The user's devices that are not revoked, newest first."""
    return list(
        db.session.execute(
            select(Device)
            .where(Device.user_id == user.id, Device.revoked_at.is_(None))
            .order_by(Device.created_at.desc())
        ).scalars()
    )


def record_sign_in_failure(email: str, address: str, window_seconds: int) -> None:
    """Count a refused sign-in of another kind (the school's provider) as a failed login."""
    _record_failure(email, address, window_seconds)
