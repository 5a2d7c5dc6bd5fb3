"""Roster sync (OneRoster 1.2 bundles and the staff CSV), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Device, User
from tests.support.oneroster import Member, bundle
from tests.support.sync import SyncClient, new_id, observation_fields


@pytest.fixture
def school(factory):
    """An admin, a lead, and teachers Ben, Carl and Eve (Eve in Maths)."""
    school = factory.school()
    maths = factory.team(school, "Maths")
    people = {
        key: factory.user(school, role=role, name=name, email=f"{key}@hill.example")
        for key, role, name in [
            ("head", "admin", "Head Teacher"),
            ("dee", "lead", "Dee Lead"),
            ("ben", "teacher", "Ben Okafor"),
            ("carl", "teacher", "Carl Jones"),
            ("eve", "teacher", "Eve Adams"),
        ]
    }
    admin = factory.login(people["head"])
    admin.patch(f"/api/v1/admin/users/{people['eve'].id}", json={"team_ids": [str(maths.id)]})
    return school, people, admin


def roster(**changes):
    members = [
        Member("u-ana", "Ana", "Silva", "ana@hill.example", departments=("Maths",)),
        Member("u-ben", "Benjamin", "Okafor", "ben@hill.example", departments=("Science",)),
        Member("u-dee", "Dee", "Lead", "dee@hill.example"),
        Member("u-eve", "Eve", "Adams", "eve@hill.example", departments=("Maths",)),
    ]
    for member in members:
        for key, value in changes.get(member.sid, {}).items():
            setattr(member, key, value)
    return bundle(members, mode=changes.get("mode", "bulk"))


EXPECTED = [
    "Dry run: nothing was changed.",
    "join   ana@hill.example Ana Silva (users.csv line 2): teacher, Maths",
    "move   ben@hill.example Ben Okafor (users.csv line 3): "
    "name 'Ben Okafor' -> 'Benjamin Okafor'; teams none -> Science",
    "leave  carl@hill.example Carl Jones: deactivated",
    "kept   head@hill.example: an admin not in the roster",
    "teams to create: Science",
    "3 change(s): 1 join, 1 move, 1 leave",
]


def staff_state(app):
    with app.app_context():
        users = db.session.execute(select(User)).scalars().all()
        return sorted((u.email, u.display_name, u.role, u.active, tuple(u.team_ids)) for u in users)


def test_the_dry_run_lists_exactly_the_changes_and_changes_nothing(school, app, runner, tmp_path):
    path = tmp_path / "oneroster.zip"
    path.write_bytes(roster())
    before = staff_state(app)
    result = runner.invoke(args=["roster", "sync", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == EXPECTED
    assert staff_state(app) == before


def test_applying_deactivates_a_leaver_and_keeps_their_observations(school, app, client, factory):
    _, people, admin = school
    carl, ben = SyncClient(factory.login(people["carl"])), SyncClient(factory.login(people["ben"]))
    observation_id = new_id()
    carl.put(
        "observation",
        observation_id,
        observation_fields([(carl.user_id, "observer"), (ben.user_id, "observee")]),
    )
    body = {"content_base64": base64.b64encode(roster()).decode()}

    applied = admin.post("/api/v1/admin/roster/apply", json=body)

    assert applied.status_code == 200, applied.get_json()
    kinds = [(c["kind"], c["email"]) for c in applied.get_json()["changes"]]
    assert kinds == [
        ("join", "ana@hill.example"),
        ("move", "ben@hill.example"),
        ("leave", "carl@hill.example"),
    ]
    passwords = applied.get_json()["temporary_passwords"]
    assert [p["email"] for p in passwords] == ["ana@hill.example"]
    refused = carl.session.get("/api/v1/sync/pull")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "invalid_token"
    ben.pull_all()
    assert ben.record("observation", observation_id) is not None  # kept for his partner
    with app.app_context():
        leaver = db.session.get(User, people["carl"].id)
        assert leaver.active is False
        devices = db.session.execute(select(Device).where(Device.user_id == leaver.id))
        assert all(d.revoked_at is not None for d in devices.scalars())
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "ana@hill.example", "password": passwords[0]["password"]},
    )
    assert login.status_code == 200
    assert login.get_json()["user"]["display_name"] == "Ana Silva"
    again = admin.post("/api/v1/admin/roster/preview", json=body).get_json()
    assert again["changes"] == []  # applied: nothing is left to do


def test_a_bad_row_stops_everything_with_its_line(school, app, runner, tmp_path, factory):
    path = tmp_path / "oneroster.zip"
    path.write_bytes(roster(**{"u-eve": {"email": "not-an-email"}}))
    before = staff_state(app)
    result = runner.invoke(args=["roster", "sync", str(path)])
    assert result.exit_code != 0
    assert "users.csv line 5: 'not-an-email' is not an email address" in result.output
    assert "Nothing was changed." in result.output
    assert staff_state(app) == before
    admin = school[2]
    body = {"content_base64": base64.b64encode(path.read_bytes()).decode()}
    refused = admin.post("/api/v1/admin/roster/apply", json=body)
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["code"] == "roster_invalid"
    assert error["details"]["errors"] == [
        "users.csv line 5: 'not-an-email' is not an email address (email, or username)"
    ]
    assert staff_state(app) == before


def test_the_preview_writes_nothing(school, app):
    before = staff_state(app)
    body = {"content_base64": base64.b64encode(roster()).decode()}
    preview = school[2].post("/api/v1/admin/roster/preview", json=body)
    assert preview.status_code == 200
    assert len(preview.get_json()["changes"]) == 3
    assert preview.get_json()["kept_admins"] == ["head@hill.example"]
    assert staff_state(app) == before


def test_a_delta_file_says_nothing_about_who_is_absent(school):
    body = {"content_base64": base64.b64encode(roster(mode="delta")).decode()}
    changes = school[2].post("/api/v1/admin/roster/preview", json=body).get_json()["changes"]
    assert "leave" not in {c["kind"] for c in changes}


def test_a_disabled_user_leaves_and_a_principal_becomes_a_lead(school):
    data = roster(**{"u-eve": {"enabled": "false"}, "u-ben": {"role": "principal"}})
    body = {"content_base64": base64.b64encode(data).decode()}
    changes = school[2].post("/api/v1/admin/roster/apply", json=body).get_json()["changes"]
    by_email = {c["email"]: c for c in changes}
    assert by_email["eve@hill.example"]["kind"] == "leave"
    assert by_email["eve@hill.example"]["where"] == "users.csv line 5"
    assert "role teacher -> lead" in by_email["ben@hill.example"]["details"]


def test_the_staff_csv_syncs_with_exact_roles(school, app, runner, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "email,display_name,role,team\n"
        "head@hill.example,Head Teacher,admin,\n"
        "dee@hill.example,Dee Lead,teacher,\n"
        "eve@hill.example,Eve Adams,teacher,Maths\n"
    )
    result = runner.invoke(args=["roster", "sync", str(path)])
    assert result.exit_code == 0, result.output
    assert "move   dee@hill.example Dee Lead (line 3): role lead -> teacher" in result.output
    state = {email: (role, active) for email, _, role, active, _ in staff_state(app)}
    assert state["dee@hill.example"] == ("teacher", True)
    assert state["ben@hill.example"] == ("teacher", False)


def test_the_roster_cannot_remove_the_last_admin(school, app, runner, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("email,display_name,role,team\nhead@hill.example,Head Teacher,teacher,\n")
    before = staff_state(app)
    result = runner.invoke(args=["roster", "sync", str(path)])
    assert result.exit_code != 0
    assert "without an active admin" in result.output
    assert staff_state(app) == before


@pytest.mark.parametrize(
    "body", [{}, {"content_base64": "%%%"}, {"content_base64": 5}, {"content_base64": ""}]
)
def test_bad_uploads_get_the_one_error_shape_and_change_nothing(school, app, body):
    before = staff_state(app)
    response = school[2].post("/api/v1/admin/roster/apply", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in {"validation_error", "roster_invalid"}
    assert staff_state(app) == before


def test_only_admins_sync_the_roster(school, factory):
    lead = factory.login(school[1]["dee"])
    body = {"content_base64": base64.b64encode(roster()).decode()}
    assert lead.post("/api/v1/admin/roster/preview", json=body).status_code == 403
