"""Sync a school's staff with a roster: joiners created, movers updated, leavers deactivated.

`plan_sync` lists each change and writes nothing (the dry run, the preview); `apply_sync`
computes the plan again under the school's change lock and applies it in that one
transaction. Matching is by email. A leaver is deactivated and signed out of every device;
their account and every record they took part in stay (partners keep seeing them). The roster
manages teams of kind `department` only: teams of other kinds set in Lesson Loop are kept.
Admins absent from a complete roster are kept (and listed): the IT admin is often not in it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from schemas.accounts import ROLES
from server import policy
from server.accounts.passwords import hash_password
from server.accounts.roster import Person, Roster, RosterError
from server.accounts.service import team_name_key
from server.extensions import db
from server.models import Device, PushSubscription, Team, User, utcnow
from server.sync import audience
from server.sync.versions import VersionAllocator, write_transaction

ROSTER_TEAM_KIND = "department"


@dataclass
class Change:
    """One change the sync makes: join, move, return (reactivated) or leave."""

    kind: str
    email: str
    display_name: str
    where: str  # the roster's line, "" for a leaver the roster no longer lists
    details: list[str] = field(default_factory=list)
    person: Person | None = None


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    kept_admins: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    temporary_passwords: dict[str, str] = field(default_factory=dict)  # joiners, once applied


def _school_users(school_id: uuid.UUID) -> dict[str, User]:
    users = db.session.execute(
        select(User)
        .where(User.school_id == school_id, User.erased_at.is_(None))
        .options(selectinload(User.teams))
    ).scalars()
    return {user.email: user for user in users}


def _roster_teams(user: User) -> tuple[str, ...]:
    return tuple(sorted(t.name for t in user.teams if t.kind == ROSTER_TEAM_KIND))


def _new_role(user: User, person: Person) -> str:
    if person.role_is_floor:
        return max(user.role, person.role, key=ROLES.index)
    return person.role


def _differences(user: User, person: Person) -> list[str]:
    details = []
    if user.display_name != person.display_name:
        details.append(f"name '{user.display_name}' -> '{person.display_name}'")
    role = _new_role(user, person)
    if user.role != role:
        details.append(f"role {user.role} -> {role}")
    before = {team_name_key(t) for t in _roster_teams(user)}
    if before != {team_name_key(t) for t in person.teams}:
        was = ", ".join(_roster_teams(user)) or "none"
        details.append(f"teams {was} -> {', '.join(person.teams) or 'none'}")
    return details


def _joiner(person: Person) -> Change:
    teams = ", ".join(person.teams) or "no team"
    details = [f"{person.role}, {teams}"]
    return Change("join", person.email, person.display_name, person.where, details, person)


def _listed(users: dict[str, User], roster: Roster) -> tuple[list[Change], list[str]]:
    changes, errors = [], []
    taken = _taken_elsewhere([p.email for p in roster.people if p.email not in users])
    for person in roster.people:
        user = users.get(person.email)
        if user is None and person.email in taken:
            errors.append(f"{person.where}: {person.email} has an account in another school")
        elif user is None:
            changes.append(_joiner(person))
        elif not user.active or _differences(user, person):
            kind = "move" if user.active else "return"
            details = _differences(user, person) + ([] if user.active else ["reactivated"])
            changes.append(
                Change(kind, user.email, user.display_name, person.where, details, person)
            )
    return changes, errors


def _taken_elsewhere(emails: list[str]) -> set[str]:
    if not emails:
        return set()
    return set(db.session.execute(select(User.email).where(User.email.in_(emails))).scalars())


def _leavers(users: dict[str, User], roster: Roster, plan: Plan) -> list[Change]:
    listed = {p.email for p in roster.people}
    marked = {p.email: p.where for p in roster.leavers}
    changes = []
    for email, user in sorted(users.items()):
        if not user.active or email in listed:
            continue
        if email in marked or (roster.complete and not policy.role_is_admin(user.role)):
            where = marked.get(email, "")
            changes.append(Change("leave", email, user.display_name, where, ["deactivated"]))
        elif roster.complete:
            plan.kept_admins.append(email)
    return changes


def _check_admins_remain(users: dict[str, User], plan: Plan) -> None:
    by_email = {c.email: c for c in plan.changes}
    remaining = 0
    for email, user in users.items():
        change = by_email.get(email)
        active = user.active if change is None else change.kind != "leave"
        role = (
            user.role if change is None or change.person is None else _new_role(user, change.person)
        )
        remaining += active and policy.role_is_admin(role)
    if remaining == 0:
        raise RosterError(["the roster would leave the school without an active admin"])


def plan_sync(school_id: uuid.UUID, roster: Roster) -> Plan:
    """Every change the roster asks for, written nowhere; RosterError if it cannot be applied."""
    if roster.complete and not roster.people:
        raise RosterError(["the roster lists no staff: nothing would be left"])
    users = _school_users(school_id)
    plan = Plan()
    changes, errors = _listed(users, roster)
    if errors:
        raise RosterError(errors)
    plan.changes = changes + _leavers(users, roster, plan)
    _check_admins_remain(users, plan)
    existing = {team_name_key(t.name) for t in _teams(school_id)}
    wanted = {name for c in plan.changes if c.person for name in c.person.teams}
    plan.teams_created = sorted(n for n in wanted if team_name_key(n) not in existing)
    return plan


def _teams(school_id: uuid.UUID) -> list[Team]:
    return list(db.session.execute(select(Team).where(Team.school_id == school_id)).scalars())


def _teams_by_key(school_id: uuid.UUID, plan: Plan, versions: VersionAllocator) -> dict[str, Team]:
    teams = {team_name_key(t.name): t for t in _teams(school_id)}
    for name in plan.teams_created:
        team = Team(school_id=school_id, name=name, kind=ROSTER_TEAM_KIND, version=versions.next())
        db.session.add(team)
        teams[team_name_key(name)] = team
    return teams


def _set_teams(user: User, person: Person, teams: dict[str, Team]) -> None:
    kept = [t for t in user.teams if t.kind != ROSTER_TEAM_KIND]
    user.teams = sorted(
        kept + [teams[team_name_key(n)] for n in person.teams], key=lambda t: t.name
    )


def _sign_out_everywhere(user: User) -> int:
    devices = (
        db.session.execute(
            select(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))
        )
        .scalars()
        .all()
    )
    for device in devices:
        device.revoked_at = utcnow()
    db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    return len(devices)


def _apply_change(
    school_id: uuid.UUID,
    change: Change,
    users: dict[str, User],
    teams: dict[str, Team],
    versions: VersionAllocator,
    hashes: dict[str, str],
) -> None:
    person, user = change.person, users.get(change.email)
    if change.kind == "join" and person is not None:
        user = User(
            school_id=school_id,
            email=person.email,
            display_name=person.display_name,
            role=person.role,
            password_hash=hashes[person.email],
            teams=[],
        )
        db.session.add(user)
    assert user is not None
    was_lead = policy.is_lead(user) if change.kind != "join" else False
    if person is not None:
        user.display_name, user.role, user.active = (
            person.display_name,
            _new_role(user, person),
            True,
        )
        _set_teams(user, person, teams)
    else:
        user.active = False
        change.details.append(f"{_sign_out_everywhere(user)} device(s) signed out; records kept")
    user.version = versions.next()
    db.session.flush()
    if change.kind != "join" and policy.is_lead(user) != was_lead:
        audience.lead_role_changed(user, versions)


def apply_sync(school_id: uuid.UUID, roster: Roster, hash_profile: str = "production") -> Plan:
    """Apply the roster in one transaction (all or nothing); returns what was done."""
    joiners = [c.email for c in plan_sync(school_id, roster).changes if c.kind == "join"]
    passwords = {email: secrets.token_urlsafe(9) for email in joiners}
    hashes = {email: hash_password(pw, hash_profile) for email, pw in passwords.items()}
    with write_transaction(school_id) as versions:
        plan = plan_sync(school_id, roster)  # again, under the lock: what is applied is this
        if any(c.kind == "join" and c.email not in hashes for c in plan.changes):
            raise RosterError(["the staff changed while the roster was read: run it again"])
        users = _school_users(school_id)
        teams = _teams_by_key(school_id, plan, versions)
        for change in plan.changes:
            _apply_change(school_id, change, users, teams, versions, hashes)
    plan.temporary_passwords = {
        c.email: passwords[c.email] for c in plan.changes if c.kind == "join"
    }
    return plan
