"""The worst reports a teacher or lead can make, timed through the API (issue 18).

Unbroken runs of characters are what made WeasyPrint slow: one look-for of 20,000 characters
without a space, two of them, and an observation with five 20,000-character fields. Each case
is its own school, built through the push service, and downloaded through the Flask test
client (authentication, queries, layout, PDF) in a fresh process, so one case cannot warm
another, with a hard stop (STOP_AFTER) for a render that would run on and on.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.school import sqlite_app

UNBROKEN = 20_000
STOP_AFTER = 120  # seconds: a case past this is reported as "> 120 s"
CASES = {
    "one_lookfor": ("Action plan, one look-for of 20,000 unbroken characters", "action_plan", 1),
    "two_lookfors": ("Action plan, two such look-fors", "action_plan", 2),
    "focus_two_lookfors": ("Focus report, two such look-fors", "focus", 2),
    "observation": ("Observation summary, five 20,000-character unbroken fields", "obs", 0),
}
LONG_FIELDS = ("focus_question", "learning_intention", "strengths", "wonderings", "reflection")


def _session(app: Any, client: Any, role: str) -> dict[str, Any]:
    from server.accounts.passwords import hash_password
    from server.extensions import db
    from server.models import School, User
    from server.sync.versions import write_transaction

    with app.app_context():
        school = db.session.query(School).first()
        if school is None:
            school = School(name="Worst School", change_counter=0)
            db.session.add(school)
            db.session.commit()
        email = f"{role}@example.org"
        with write_transaction(school.id) as versions:
            db.session.add(
                User(
                    school_id=school.id,
                    email=email,
                    display_name=role.title(),
                    role=role,
                    password_hash=hash_password("bench password", "fast"),
                    version=versions.next(),
                )
            )
    body = {"email": email, "password": "bench password", "device_name": "bench"}
    login = client.post("/api/v1/auth/login", json=body).get_json()
    return {"token": login["token"], "client_id": login["client_id"], "id": login["user"]["id"]}


def _push(client: Any, who: dict[str, Any], changes: list[tuple[str, str, dict[str, Any]]]) -> None:
    now = int(time.time() * 1000)
    mutations = [
        {
            "seq": who.setdefault("seq", 0) + n + 1,
            "entity": entity,
            "id": record_id,
            "op": "put",
            "hlc": f"{now + n:015d}:0000:{who['client_id']}",
            "fields": fields,
        }
        for n, (entity, record_id, fields) in enumerate(changes)
    ]
    who["seq"] += len(mutations)
    response = client.post(
        "/api/v1/sync/push",
        json={"client_id": who["client_id"], "mutations": mutations},
        headers={"Authorization": f"Bearer {who['token']}"},
    )
    statuses = {r["status"] for r in response.get_json()["results"]}
    assert statuses == {"applied"}, response.get_json()


def _build(app: Any, client: Any, lookfors: int) -> dict[str, Any]:
    """A lead (with the teacher, the focus and the observation made for the case)."""
    lead, teacher = _session(app, client, "lead"), _session(app, client, "teacher")
    focus = str(uuid.uuid4())
    changes = [("focus", focus, {"title": "Questioning", "kind": "school"})]
    changes += [
        ("lookfor", str(uuid.uuid4()), {"focus_id": focus, "text": chr(65 + n) * UNBROKEN})
        for n in range(lookfors)
    ]
    _push(client, lead, changes)
    obs = str(uuid.uuid4())
    fields: dict[str, Any] = {
        "kind": "peer_observation",
        "title": "Year 8 maths",
        "starts_at": dt.datetime.now(dt.UTC).isoformat(),
        "participants": [{"user_id": teacher["id"], "role": "observee"}],
        **{name: "W" * UNBROKEN for name in LONG_FIELDS},
    }
    _push(client, teacher, [("observation", obs, fields)])
    return lead | {"teacher": teacher, "focus": focus, "obs": obs}


def measure(case: str) -> dict[str, Any]:
    """Build one case and download its report once; status, seconds, pages."""
    _, report, lookfors = CASES[case]
    with tempfile.TemporaryDirectory() as folder:
        from flask_migrate import upgrade

        app = sqlite_app(Path(folder) / "bench.sqlite3")
        with app.app_context():
            upgrade()
        client = app.test_client()
        lead = _build(app, client, lookfors)
        who, url = {
            "action_plan": (lead, "/api/v1/reports/action-plan.pdf"),
            "focus": (lead, f"/api/v1/reports/focuses/{lead['focus']}.pdf"),
            "obs": (lead["teacher"], f"/api/v1/reports/observations/{lead['obs']}.pdf"),
        }[report]
        started = time.perf_counter()
        response = client.get(url, headers={"Authorization": f"Bearer {who['token']}"})
        seconds = time.perf_counter() - started
    result: dict[str, Any] = {"status": response.status_code, "seconds": round(seconds, 2)}
    if response.status_code == 200:
        import io

        from pypdf import PdfReader

        result["pages"] = len(PdfReader(io.BytesIO(response.data)).pages)
    else:
        result["error"] = response.get_json()["error"]["code"]
        result["retry_after"] = response.headers.get("Retry-After")
    return result


def _measure_apart(case: str) -> dict[str, Any]:
    """One case in a fresh process, stopped after STOP_AFTER seconds."""
    command = [sys.executable, "-m", "bench.report_limits", case]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=STOP_AFTER)
    except subprocess.TimeoutExpired:
        return {"status": None, "seconds": STOP_AFTER}
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> str:
    from reports.render import RENDER_SECONDS

    rows = []
    for case, (label, _, _) in CASES.items():
        got = _measure_apart(case)
        if got["status"] is None:
            answer, time_text = "still rendering, stopped", f"> {STOP_AFTER} s"
        elif got["status"] == 200:
            answer, time_text = f"200, {got['pages']} pages", f"{got['seconds']:.2f} s"
        else:
            retry = f", Retry-After {got['retry_after']}" if got.get("retry_after") else ""
            answer, time_text = f"{got['status']} {got['error']}{retry}", f"{got['seconds']:.2f} s"
        rows.append(f"| {label} | {answer} | {time_text} |")
    return "\n".join(
        [
            "## Reports at their worst (issue 18)",
            "",
            "Unbroken runs of characters, each case in its own school and a fresh process, "
            "SQLite, one download through the API. The render is stopped after "
            f"{RENDER_SECONDS:g} s (`503 report_timeout` with `Retry-After`), well under "
            "gunicorn's 30 s worker timeout.",
            "",
            "| case | answer | time |",
            "|---|---|---|",
            *rows,
            "",
            "Before issue 18 (commit `4197c88`, the same cases measured the same way, in one "
            "process, so no worker timeout stopped them): 200 after 28.8 s, 79.4 s, 50.9 s and "
            "47.2 s; under gunicorn all but the first outlast its 30 s worker timeout.",
        ]
    )


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
