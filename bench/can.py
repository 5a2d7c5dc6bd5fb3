"""`can` in pull (issue 13): what computing each record's permissions costs a full sync.

A smaller school year than bench/sync.py's (its builder, 400 observations shared with leads,
8,000 notes), on SQLite, pulled in process by a lead (every record) and by the teacher who
takes part most, at the default page size. Each run pulls the whole state twice side by side:
with `can` (as served) and with `server.sync.pull.add_can` switched off (the baseline), in
alternating order; figures are medians of RUNS runs.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import sync as year

OBSERVATIONS, RUNS, LIMIT = 400, 7, 500


def _full_sync(pull_module: Any, user: Any, secret: str) -> tuple[float, int]:
    started, cursor, records = time.perf_counter(), None, 0
    while True:
        page = pull_module.pull(user, secret, cursor, LIMIT)
        records += len(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return time.perf_counter() - started, records


def _measure(user: Any, secret: str) -> dict[str, Any]:
    from server.sync import pull as pull_module

    served = pull_module.add_can
    spent: list[float] = []

    def timed(*args: Any) -> None:
        started = time.perf_counter()
        served(*args)
        spent.append(time.perf_counter() - started)

    timings: dict[str, list[float]] = {"can": [], "none": [], "inside": []}
    records = 0
    for run in range(RUNS):
        for mode in ("can", "none") if run % 2 == 0 else ("none", "can"):
            spent.clear()
            pull_module.add_can = timed if mode == "can" else (lambda *_: None)
            seconds, records = _full_sync(pull_module, user, secret)
            timings[mode].append(seconds)
            if mode == "can":
                timings["inside"].append(sum(spent))
    pull_module.add_can = served
    return {"records": records, **{k: statistics.median(v) for k, v in timings.items()}}


def run() -> str:
    year.OBSERVATIONS = OBSERVATIONS
    root = Path(tempfile.mkdtemp(prefix="bench-can-"))
    url = f"sqlite:///{root / 'can.sqlite3'}"
    who = year.build_year(url, root / "instance")
    from sqlalchemy import select

    from server import create_app
    from server.extensions import db
    from server.models import User

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": root / "instance"})
    rows = []
    with app.app_context():
        secret = app.config["SECRET_KEY"]
        for role, email in who.items():
            user = db.session.execute(select(User).where(User.email == email)).scalar_one()
            rows.append((role, _measure(user, secret)))
            db.session.rollback()
    return _report(rows)


def _report(rows: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "## Permissions in pull (issue 13)",
        "",
        f"A full first sync in process (SQLite, pages of {LIMIT}), with each record's `can` and "
        "with it switched off, side by side; "
        f"{OBSERVATIONS} observations shared with leads, 20 notes each; medians of {RUNS}.",
        "",
        "| reader | records | sync with `can` | without | time in `add_can` | share | per record |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for role, m in rows:
        per = m["inside"] / m["records"] * 1e6 if m["records"] else 0.0
        share = m["inside"] / m["can"] * 100
        lines.append(
            f"| {role} | {m['records']:,} | {m['can'] * 1000:.0f} ms | {m['none'] * 1000:.0f} ms"
            f" | {m['inside'] * 1000:.0f} ms | {share:.1f} % | {per:.1f} µs |"
        )
    lines += [
        "",
        "`time in add_can` is measured inside the served pull (the whole cost of `can`: parsing "
        "the fields its rules read, one query for the page's missing observations, the rules); "
        "the two sync columns differ by more than that on a busy machine.",
    ]
    return "\n".join(lines) + "\n"
