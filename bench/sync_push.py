"""The Sync section's push row alone (issue 17), for re-measuring a push change quickly.

`python -m bench.sync_push` prints, for SQLite and PostgreSQL, bench/sync.py's own push
measure side by side with pouchdb-server's (`push_ours`, `push_pouch`: 10,000 new notes from
one client in batches of 500, the same Python client, gunicorn 1 worker x 2 threads, pouchdb
in memory), RUNS runs alternately, median. It does not build the school year first (that takes
about 5 minutes a database): Lesson Loop's school holds only the pushing teacher, as
pouchdb-server's database starts empty in bench/sync.py too. Not one of the runner's benches
(it measures a row of `sync`): paste the figures into that row by hand.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import sync  # noqa: E402
from bench.school import new_school  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402

EMAIL = "teacher@bench.example"


def school(url: str, instance: Path) -> None:
    """A school of one teacher (password as bench/sync.py's logins expect)."""
    os.environ["LESSONLOOP_DATABASE_URL"] = url
    os.environ["LESSONLOOP_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from server import create_app
    from server.accounts.passwords import hash_password
    from server.extensions import db

    app = create_app({"PASSWORD_HASH_PROFILE": "fast"})
    with app.app_context():
        upgrade()
        password = hash_password("bench-password", "fast")
        person = {"email": EMAIL, "display_name": "Teacher", "role": "teacher"}
        new_school("Push bench", [{**person, "password_hash": password, "version": 1}])
        db.session.commit()


def measure(url: str, root: Path, database: str) -> str:
    school(url, root)
    ours, port, pouch, pouch_port = sync.start_servers(url, root)
    found: dict[str, list[float]] = {"ours": [], "pouch": []}
    try:
        for run in range(sync.RUNS):
            found["ours"].append(sync.push_ours(port, EMAIL))
            found["pouch"].append(sync.push_pouch(pouch_port, run))
    finally:
        for process in (ours, pouch):
            process.terminate()
            process.wait(timeout=30)
    mine, theirs = statistics.median(found["ours"]), statistics.median(found["pouch"])
    runs = {k: ", ".join(f"{s:.2f}" for s in v) for k, v in found.items()}
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{database}: **{sync.PUSH_NOTES / mine:,.0f} mutations/s** ({runs['ours']} s) | "
        f"{sync.PUSH_NOTES / theirs:,.0f} docs/s ({runs['pouch']} s) | {theirs / mine:.2f}x "
        f"(load {load}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lessonloop-push-") as tmp:
        root = Path(tmp)
        (root / "sqlite").mkdir()
        print(measure(f"sqlite:///{root / 'push.sqlite3'}", root / "sqlite", "SQLite"), flush=True)
        cluster = PostgresCluster()
        cluster.start()
        try:
            cluster.execute("CREATE DATABASE push")
            (root / "postgres").mkdir()
            print(measure(cluster.url("push"), root / "postgres", "PostgreSQL"), flush=True)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
