"""Staff rosters to sync from: a OneRoster 1.2 CSV bundle (a zip) or Lesson Loop's staff CSV.

Either is read whole and checked first; any bad row raises RosterError naming its file and
line, so nothing is applied. OneRoster (docs/second-factor-and-roster.md): staff are the users
with a staff role in roles.csv; their role is the highest Lesson Loop role those map to; their
teams are the orgs of type `department` their role rows name.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from marshmallow import ValidationError

from schemas.accounts import ROLES, Email
from server.accounts.staff_import import parse_rows

# OneRoster 1.2 roles of staff, and the Lesson Loop role each gives (others, such as student,
# parent or guardian, are not staff and are left out).
ONEROSTER_ROLES = {
    "teacher": "teacher",
    "aide": "teacher",
    "counselor": "teacher",
    "proctor": "teacher",
    "principal": "lead",
    "siteAdministrator": "admin",
    "districtAdministrator": "admin",
    "systemAdministrator": "admin",
}
MAX_BUNDLE_BYTES = 20 * 1024 * 1024  # unpacked; a zip bomb stops here
USER_COLUMNS = ("sourcedId", "enabledUser", "givenName", "familyName")
ROLE_COLUMNS = ("userSourcedId", "role", "orgSourcedId")
ORG_COLUMNS = ("sourcedId", "name", "type")


class RosterError(Exception):
    """The roster cannot be used; `errors` name the file and line of each problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Person:
    """One member of staff as the roster has them."""

    where: str  # "users.csv line 4"
    email: str
    display_name: str
    role: str
    teams: tuple[str, ...]
    role_is_floor: bool = False  # OneRoster: raise a role to this, never lower it


@dataclass
class Roster:
    people: list[Person] = field(default_factory=list)
    # Bulk: whoever is absent has left. Delta (OneRoster): absence says nothing.
    complete: bool = True
    leavers: list[Person] = field(default_factory=list)  # marked as gone in the roster itself


def read_roster(data: bytes) -> Roster:
    """A OneRoster bundle (zip) or a staff CSV, checked whole; RosterError if anything is bad."""
    if data[:4] == b"PK\x03\x04":
        return read_oneroster(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RosterError(["the file is neither a zip nor UTF-8 text"]) from exc
    rows, errors = parse_rows(text)
    if errors:
        raise RosterError(errors)
    return Roster(
        people=[
            Person(f"line {r.line}", r.email, r.display_name, r.role, tuple(r.teams)) for r in rows
        ]
    )


def _open_bundle(data: bytes) -> dict[str, str]:
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in bundle.infolist() if not i.is_dir()]
        if sum(i.file_size for i in infos) > MAX_BUNDLE_BYTES:
            raise RosterError(["the bundle unpacks to more than 20 MB"])
        files = {i.filename.rsplit("/", 1)[-1]: bundle.read(i) for i in infos}
        return {name: content.decode("utf-8-sig") for name, content in files.items()}
    except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise RosterError([f"the zip cannot be read: {exc}"]) from exc


def _table(
    files: dict[str, str], name: str, columns: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """The rows of one CSV of the bundle, with their line numbers."""
    if name not in files:
        raise RosterError([f"{name} is missing from the bundle"])
    reader = csv.DictReader(io.StringIO(files[name]))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise RosterError([f"{name} line 1: missing column(s): {', '.join(missing)}"])
    rows = []
    for raw in reader:
        if None in raw:
            raise RosterError([f"{name} line {reader.line_num}: more values than columns"])
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in raw.items()}))
    return rows


def _manifest(files: dict[str, str]) -> bool:
    """Checks the manifest; True when users.csv is a bulk (complete) file."""
    rows = _table(files, "manifest.csv", ("propertyName", "value"))
    props = {row["propertyName"]: row["value"] for _, row in rows}
    version = props.get("oneroster.version", "")
    if version != "1.2":
        raise RosterError([f"manifest.csv: oneroster.version is '{version}', not 1.2"])
    for name in ("users", "roles", "orgs"):
        if props.get(f"file.{name}") not in ("bulk", "delta"):
            raise RosterError([f"manifest.csv: file.{name} must be bulk or delta"])
    return props["file.users"] == "bulk"


def _staff_roles(
    files: dict[str, str], users: set[str], orgs: dict[str, tuple[str, str]]
) -> dict[str, list[tuple[str, str]]]:
    """userSourcedId -> [(Lesson Loop role, department name or "")] from roles.csv."""
    found: dict[str, list[tuple[str, str]]] = {}
    errors = []
    for line, row in _table(files, "roles.csv", ROLE_COLUMNS):
        where = f"roles.csv line {line}"
        if row["userSourcedId"] not in users:
            errors.append(f"{where}: no user '{row['userSourcedId']}' in users.csv")
        elif row["orgSourcedId"] not in orgs:
            errors.append(f"{where}: no org '{row['orgSourcedId']}' in orgs.csv")
        elif row.get("status") != "tobedeleted" and row["role"] in ONEROSTER_ROLES:
            kind, name = orgs[row["orgSourcedId"]]
            team = name if kind == "department" else ""
            found.setdefault(row["userSourcedId"], []).append((ONEROSTER_ROLES[row["role"]], team))
    if errors:
        raise RosterError(errors)
    return found


def _person(
    where: str, row: dict[str, str], roles: list[tuple[str, str]]
) -> tuple[Person | None, list[str]]:
    problems = []
    address = row.get("email") or row.get("username", "")
    try:
        email = Email().deserialize(address)
    except ValidationError:
        problems.append(f"'{address}' is not an email address (email, or username)")
        email = ""
    given = row.get("preferredGivenName") or row["givenName"]
    family = row.get("preferredFamilyName") or row["familyName"]
    name = f"{given} {family}".strip()
    if not 1 <= len(name) <= 100:
        problems.append("the name (givenName familyName) must be 1 to 100 characters")
    if row["enabledUser"].lower() not in ("true", "false"):
        problems.append(f"enabledUser '{row['enabledUser']}' is not true or false")
    if problems:
        return None, [f"{where}: {p}" for p in problems]
    role = max((r for r, _ in roles), key=ROLES.index)
    teams = tuple(sorted({t for _, t in roles if t}))
    return Person(where, email, name, role, teams, role_is_floor=True), []


def read_oneroster(data: bytes) -> Roster:
    """Staff of a OneRoster 1.2 CSV bundle: manifest.csv, orgs.csv, users.csv, roles.csv."""
    files = _open_bundle(data)
    complete = _manifest(files)
    orgs = {
        row["sourcedId"]: (row["type"], row["name"])
        for _, row in _table(files, "orgs.csv", ORG_COLUMNS)
    }
    users = _table(files, "users.csv", USER_COLUMNS)
    roles = _staff_roles(files, {row["sourcedId"] for _, row in users}, orgs)
    roster, errors, seen = Roster(complete=complete), [], set()
    for line, row in users:
        if row["sourcedId"] not in roles:
            continue  # not staff
        person, problems = _person(f"users.csv line {line}", row, roles[row["sourcedId"]])
        errors.extend(problems)
        if person is None:
            continue
        if person.email in seen:
            errors.append(f"{person.where}: {person.email} appears twice")
        seen.add(person.email)
        gone = row.get("status") == "tobedeleted" or row["enabledUser"].lower() == "false"
        (roster.leavers if gone else roster.people).append(person)
    if errors:
        raise RosterError(errors)
    return roster
