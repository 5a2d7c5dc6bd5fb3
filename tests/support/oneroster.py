"""OneRoster 1.2 CSV bundles for tests, with the 1.2 binding's column names (manifest.csv,
orgs.csv, users.csv, roles.csv; the other files marked absent in the manifest)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

USERS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
    "userMasterIdentifier",
    "resourceSourcedIds",
    "preferredGivenName",
    "preferredMiddleName",
    "preferredFamilyName",
    "primaryOrgSourcedId",
    "pronouns",
]
ROLES = [
    "sourcedId",
    "status",
    "dateLastModified",
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
]
ORGS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
ABSENT = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "resources",
    "results",
    "scoreScales",
    "userProfiles",
)
MODIFIED = "2026-11-30T18:00:00.000Z"
SCHOOL = ("org-school", "Hill Primary", "school")


@dataclass
class Member:
    """A user of the bundle and their role rows (one per department, or one for the school)."""

    sid: str
    given: str
    family: str
    email: str
    role: str = "teacher"
    departments: tuple[str, ...] = ()
    enabled: str = "true"
    status: str = "active"


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**dict.fromkeys(header, ""), **row})
    return out.getvalue()


def _user_row(m: Member) -> dict[str, str]:
    return {
        "sourcedId": m.sid, "status": m.status, "dateLastModified": MODIFIED,
        "enabledUser": m.enabled, "username": m.email, "givenName": m.given,
        "familyName": m.family, "email": m.email, "primaryOrgSourcedId": SCHOOL[0],
    }  # fmt: skip


def _role_rows(m: Member, orgs: dict[str, str]) -> list[dict[str, str]]:
    places = [orgs[d] for d in m.departments] or [SCHOOL[0]]
    return [
        {
            "sourcedId": f"role-{m.sid}-{i}",
            "status": "active",
            "dateLastModified": MODIFIED,
            "userSourcedId": m.sid,
            "roleType": "primary" if i == 0 else "secondary",
            "role": m.role,
            "orgSourcedId": org,
        }
        for i, org in enumerate(places)
    ]


def bundle(members: list[Member], mode: str = "bulk", extra_users: str = "") -> bytes:
    """A zip as a student information system exports it."""
    departments = sorted({d for m in members for d in m.departments})
    orgs = {d: f"org-dept-{i}" for i, d in enumerate(departments)}
    org_rows = [{"sourcedId": SCHOOL[0], "status": "active", "name": SCHOOL[1], "type": "school"}]
    org_rows += [
        {
            "sourcedId": sid,
            "status": "active",
            "name": name,
            "type": "department",
            "parentSourcedId": SCHOOL[0],
        }
        for name, sid in orgs.items()
    ]
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
    manifest += [(f"file.{name}", "absent") for name in ABSENT]
    manifest += [(f"file.{name}", mode) for name in ("orgs", "roles", "users")]
    manifest += [("source.systemName", "Test MIS"), ("source.systemCode", "test")]
    files = {
        "manifest.csv": _csv(["propertyName", "value"], [
            {"propertyName": k, "value": v} for k, v in manifest
        ]),
        "orgs.csv": _csv(ORGS, org_rows),
        "users.csv": _csv(USERS, [_user_row(m) for m in members]) + extra_users,
        "roles.csv": _csv(ROLES, [r for m in members for r in _role_rows(m, orgs)]),
    }  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()
