"""Import staff from a CSV file: every row checked first, nothing imported if any row is bad."""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from dataclasses import dataclass, field

from marshmallow import ValidationError
from sqlalchemy import func, select

from schemas.accounts import ROLES, Email
from server.accounts.passwords import hash_password
from server.accounts.service import team_name_key
from server.extensions import db
from server.models import Team, User
from server.sync.versions import write_transaction

REQUIRED_COLUMNS = ("email", "display_name", "role", "team")
TEAM_SEPARATOR = ";"


@dataclass
class StaffRow:
    line: int
    email: str
    display_name: str
    role: str
    teams: list[str]


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)  # (email, temporary password)
    teams_created: list[str] = field(default_factory=list)


def parse_rows(text: str) -> tuple[list[StaffRow], list[str]]:
    """Read and check every row; returns rows and errors (line numbers as in the file)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [], [
            f"line 1: missing column(s): {', '.join(missing)} (need {', '.join(REQUIRED_COLUMNS)})"
        ]
    reader.fieldnames = columns
    rows: list[StaffRow] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row, problems = _check_row(line, raw, seen)
        errors.extend(f"line {line}: {p}" for p in problems)
        if row:
            rows.append(row)
    if not rows and not errors:
        errors.append("the file has no staff rows")
    return rows, errors


def _check_row(
    line: int, raw: dict[str, str | None], seen: set[str]
) -> tuple[StaffRow | None, list[str]]:
    if None in raw:
        return None, ["more values than columns"]
    value = {k: (raw.get(k) or "").strip() for k in REQUIRED_COLUMNS}
    problems = []
    try:
        email = Email().deserialize(value["email"])
    except ValidationError:
        problems.append(f"'{value['email']}' is not an email address")
        email = ""
    if email and email in seen:
        problems.append(f"{email} appears twice in the file")
    seen.add(email)
    if not 1 <= len(value["display_name"]) <= 100:
        problems.append("display_name must be 1 to 100 characters")
    if value["role"].lower() not in ROLES:
        problems.append(f"role '{value['role']}' is not one of {', '.join(ROLES)}")
    teams = [t.strip() for t in value["team"].split(TEAM_SEPARATOR) if t.strip()]
    if any(len(t) > 100 for t in teams):
        problems.append("a team name is longer than 100 characters")
    if problems:
        return None, problems
    return StaffRow(line, email, value["display_name"], value["role"].lower(), teams), []


def import_staff(school_id: uuid.UUID, text: str, hash_profile: str = "production") -> ImportReport:
    """Create the accounts (and any missing teams) in one transaction, or nothing at all."""
    report = ImportReport()
    rows, report.errors = parse_rows(text)
    if report.errors:
        return report
    taken = set(
        db.session.execute(
            select(User.email).where(User.email.in_([r.email for r in rows]))
        ).scalars()
    )
    report.errors = [
        f"line {r.line}: an account with {r.email} already exists" for r in rows if r.email in taken
    ]
    if report.errors:
        return report
    passwords = {r.email: secrets.token_urlsafe(9) for r in rows}
    hashes = {email: hash_password(pw, hash_profile) for email, pw in passwords.items()}
    with write_transaction(school_id) as versions:
        teams = _teams_by_name(school_id, {t for r in rows for t in r.teams}, versions.next, report)
        for row in rows:
            user = User(
                school_id=school_id,
                email=row.email,
                display_name=row.display_name,
                role=row.role,
                password_hash=hashes[row.email],
                version=versions.next(),
            )
            user.teams = [teams[team_name_key(name)] for name in row.teams]
            db.session.add(user)
            report.created.append((row.email, passwords[row.email]))
    return report


def _teams_by_name(
    school_id: uuid.UUID, names: set[str], next_version: object, report: ImportReport
) -> dict[str, Team]:
    existing = db.session.execute(select(Team).where(Team.school_id == school_id)).scalars()
    teams = {team_name_key(team.name): team for team in existing}
    for name in sorted(names):
        if team_name_key(name) not in teams:
            team = Team(school_id=school_id, name=name, kind="department", version=next_version())  # type: ignore[operator]
            db.session.add(team)
            teams[team_name_key(name)] = team
            report.teams_created.append(name)
    return teams


def school_by_name(name: str | None) -> tuple[uuid.UUID | None, str]:
    """The school named, or the only school; (None, reason) otherwise."""
    from server.models import School

    if name:
        school = db.session.execute(
            select(School).where(func.lower(School.name) == name.lower())
        ).scalar_one_or_none()
        return (school.id, "") if school else (None, f"no school is called '{name}'")
    schools = db.session.execute(select(School)).scalars().all()
    if len(schools) == 1:
        return schools[0].id, ""
    if not schools:
        return None, "there is no school yet: run `flask --app wsgi bootstrap` first"
    return None, "there are several schools: name one with --school"
