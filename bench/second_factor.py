"""The second factor's and the roster's costs (issue 14), in process on SQLite.

- The enrolment check that every signed-in request now makes (`mfa.enrolment_pending`),
  measured alone and set beside a whole `GET /api/v1/sync/pull` of an empty page, for a school
  that requires nobody (one primary-key read) and one that requires everyone (two).
- Checking a TOTP code (three HMAC-SHA1 for the drift window, plus decrypting the secret).
- A roster sync of a 1,000-staff school: reading a OneRoster 1.2 bundle, planning (the dry run)
  and applying 20 joiners, 30 movers and 50 leavers in one transaction ("fast" password hashes
  for the joiners: production Argon2id adds its own cost per joiner, see the sync section).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.school import sqlite_app

RUNS = 200
STAFF = 1000
DEPARTMENTS = 10


def _median_ms(work: Any, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _staff(app: Any) -> tuple[Any, Any]:
    from server.accounts.passwords import hash_password
    from server.extensions import db
    from server.models import School, Team, User

    with app.app_context():
        school = School(name="Bench School", change_counter=0)
        db.session.add(school)
        db.session.flush()
        teams = [
            Team(school_id=school.id, name=f"Dept {i}", kind="department")
            for i in range(DEPARTMENTS)
        ]
        db.session.add_all(teams)
        encoded = hash_password("bench password", "fast")
        for i in range(STAFF):
            role = "admin" if i == 0 else "teacher"
            user = User(
                school_id=school.id,
                email=f"staff{i}@bench.example",
                display_name=f"Staff {i}",
                role=role,
                password_hash=encoded,
                teams=[teams[i % DEPARTMENTS]],
            )
            db.session.add(user)
        db.session.commit()
        reader = db.session.query(User).filter_by(email="staff1@bench.example").one()
        return school.id, reader


def _roster_bundle() -> bytes:
    from tests.support.oneroster import Member, bundle

    members = []
    for i in range(STAFF - 50):  # staff 950..999 have left; 100..129 have a new name
        family = f"{i} Moved" if 100 <= i < 130 else str(i)
        role = "siteAdministrator" if i == 0 else "teacher"
        team = (f"Dept {i % DEPARTMENTS}",)
        members.append(Member(f"u{i}", "Staff", family, f"staff{i}@bench.example", role, team))
    for j in range(20):
        members.append(
            Member(f"n{j}", "New", f"Joiner {j}", f"new{j}@bench.example", "teacher", ("Dept 0",))
        )
    return bundle(members)


def _auth_figures(app: Any, user: Any, school_id: Any) -> list[str]:
    from server.accounts import mfa, totp
    from server.extensions import db

    client = app.test_client()
    login = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "bench password"}
    )
    headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
    cursor = client.get("/api/v1/sync/pull", headers=headers).get_json()["cursor"]
    pull = _median_ms(
        lambda: client.get("/api/v1/sync/pull", headers=headers, query_string={"cursor": cursor})
    )
    with app.app_context():
        me = db.session.get(type(user), user.id)
        nobody = _median_ms(lambda: mfa.enrolment_pending(me), RUNS * 5)
        mfa.set_requirement(school_id, "everyone")
        everyone = _median_ms(lambda: mfa.enrolment_pending(me), RUNS * 5)
        mfa.set_requirement(school_id, "nobody")
        secret = totp.new_secret()
        stored = totp.encrypt(secret, "bench-secret")
        check = _median_ms(
            lambda: totp.matching_step(totp.decrypt(stored, "bench-secret") or "", "123456"),
            RUNS * 5,
        )
    return [
        "| what | median |",
        "|---|---|",
        f"| `GET /api/v1/sync/pull` (nothing new), whole request | {pull:.2f} ms |",
        f"| enrolment check, school requires nobody (1 read) | {nobody:.3f} ms"
        f" ({nobody / pull:.1%} of that pull) |",
        f"| enrolment check, school requires everyone (2 reads) | {everyone:.3f} ms"
        f" ({everyone / pull:.1%}) |",
        f"| checking a TOTP code (decrypt + 3 HMACs) | {check:.3f} ms |",
    ]


def _roster_figures(app: Any, school_id: Any) -> list[str]:
    from server.accounts import roster_sync
    from server.accounts.roster import read_roster

    data = _roster_bundle()
    with app.app_context():
        read = _median_ms(lambda: read_roster(data), 5)
        roster = read_roster(data)
        plan = roster_sync.plan_sync(school_id, roster)
        planned = _median_ms(lambda: roster_sync.plan_sync(school_id, roster), 5)
        kinds = {k: sum(c.kind == k for c in plan.changes) for k in ("join", "move", "leave")}
        started = time.perf_counter()
        roster_sync.apply_sync(school_id, roster, "fast")
        applied = (time.perf_counter() - started) * 1000
    return [
        "",
        f"Roster of {STAFF} staff ({len(data) // 1024} KB zip): {kinds['join']} joiners, "
        f"{kinds['move']} movers, {kinds['leave']} leavers.",
        "",
        "| step | time |",
        "|---|---|",
        f"| read and check the bundle | {read:.0f} ms (median of 5) |",
        f"| plan (the dry run, the preview) | {planned:.0f} ms (median of 5) |",
        f"| apply (plans again under the lock, one transaction) | {applied:.0f} ms (once) |",
    ]


def run() -> str:
    """The section for BENCHMARKS.md."""
    from flask_migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        app = sqlite_app(database)
        with app.app_context():
            upgrade()
        school_id, user = _staff(app)
        lines = ["## Second factor and roster sync (issue 14)", ""]
        lines += _auth_figures(app, user, school_id)
        lines += _roster_figures(app, school_id)
        with app.app_context():
            from server.extensions import db

            db.engine.dispose()
    return "\n".join(lines)
