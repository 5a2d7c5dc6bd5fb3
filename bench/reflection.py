"""The weekly reflection for a trust (issue 17): 5,000 teachers, one message per device.

50 schools of 100 teachers on PostgreSQL, each teacher with one subscribed device of the tests'
local push service (which checks every VAPID signature and decrypts every message, on the same
machine). The Friday scan queues the reflection (server.reminders.schedule, timed), then
WORKERS `flask worker --once` processes deliver it; the time is from their start to the last
message's arrival, and the count must be exactly 5,000 with no error. Target: within 5 minutes
with the workers the README recommends. The VAPID signatures the workers made are counted by
the push service: one per worker and push service origin, reused for every message.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCHOOLS, PER_SCHOOL = 50, 100
WORKER_COUNTS = (1, 2)
TARGET_SECONDS = 300
FRIDAY = dt.date(2026, 11, 27)
NO_QUIET = {"quiet_hours": None, "quiet_weekends": False}


def build(app: Any, service: Any) -> None:
    """The trust's teachers, devices and subscriptions, inserted in bulk."""
    from sqlalchemy import insert

    from server.extensions import db
    from server.models import Device, PushSubscription, School, User

    with app.app_context():
        for s in range(SCHOOLS):
            school = School(name=f"Trust school {s}", change_counter=PER_SCHOOL)
            db.session.add(school)
            db.session.flush()
            users, devices, subscriptions = [], [], []
            for n in range(PER_SCHOOL):
                user_id, device_id = uuid.uuid4(), uuid.uuid4()
                users.append(_user(user_id, school.id, s, n))
                devices.append(
                    {"id": device_id, "user_id": user_id, "name": "phone",
                     "token_hash": uuid.uuid4().hex * 2}
                )  # fmt: skip
                browser = service.new_device()
                keys = browser.subscription["keys"]
                subscriptions.append(
                    {"user_id": user_id, "device_id": device_id, "endpoint": browser.endpoint,
                     "p256dh": keys["p256dh"], "auth": keys["auth"]}
                )  # fmt: skip
            db.session.execute(insert(User), users)
            db.session.execute(insert(Device), devices)
            db.session.execute(insert(PushSubscription), subscriptions)
        db.session.commit()


def _user(user_id: uuid.UUID, school_id: uuid.UUID, s: int, n: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "school_id": school_id,
        "email": f"t{s}.{n}@trust.example",
        "display_name": f"Teacher {s}.{n}",
        "role": "teacher",
        "password_hash": "x",
        "version": n + 1,
        "notify_prefs": dict(NO_QUIET),
    }


def queue(app: Any) -> tuple[int, float]:
    """Friday's scan for every school (due at once: last Friday, 15:30 school time)."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import School
    from server.reminders import jobs, schedule
    from server.school import school_zone

    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    queued = 0
    with app.app_context():
        for school_id, tz_name in db.session.execute(select(School.id, School.timezone)).all():
            rows = schedule._reflection_rows(school_id, school_zone(tz_name), FRIDAY, now)
            with jobs.write():
                jobs.enqueue(rows)
            queued += len(rows)
    return queued, time.perf_counter() - started


def deliver(url: str, instance: Path, workers: int, service: Any) -> dict[str, float]:
    env = {
        **os.environ,
        "LESSONLOOP_DATABASE_URL": url,
        "LESSONLOOP_INSTANCE_PATH": str(instance),
        "LESSONLOOP_SECRET_KEY": "reflection-secret",
    }
    command = [sys.executable, "-m", "flask", "--app", "tests.support.reminders_app",
               "worker", "--once", "--batch-size", "50"]  # fmt: skip
    started = time.time()
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]  # fmt: skip
    for process in processes:
        process.wait(timeout=900)
    messages = service.all_messages()
    if service.errors:
        raise RuntimeError(f"the push service refused messages: {service.errors[:3]}")
    signatures = {m.headers["authorization"] for m in messages}
    last = max(m.received_at for m in messages) if messages else started
    return {
        "workers": workers,
        "messages": len(messages),
        "seconds": last - started,
        "signatures": len(signatures),
    }


def requeue(app: Any, service: Any) -> None:
    from sqlalchemy import delete

    from server.extensions import db
    from server.models import Job

    with app.app_context():
        db.session.execute(delete(Job))
        db.session.commit()
    for device in service.devices.values():
        device.received.clear()


def run() -> str:
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db
    from tests.support.postgres import PostgresCluster
    from tests.support.push_service import PushService

    results, queued = [], []
    with tempfile.TemporaryDirectory(prefix="lessonloop-reflection-") as tmp:
        postgres = PostgresCluster()
        postgres.start()
        try:
            postgres.execute("CREATE DATABASE reflection")
            url, instance = postgres.url("reflection"), Path(tmp)
            config = {"DATABASE_URL": url, "INSTANCE_PATH": instance,
                      "SECRET_KEY": "reflection-secret"}  # fmt: skip
            app = create_app(config)
            with app.app_context():
                upgrade()
            service = PushService(app.config["VAPID_PUBLIC_KEY"]).start()
            try:
                print("[bench] reflection: 5,000 teachers ...", flush=True)
                build(app, service)
                for workers in WORKER_COUNTS:
                    requeue(app, service)
                    queued.append(queue(app))
                    print(f"[bench] reflection: {workers} worker(s) ...", flush=True)
                    results.append(deliver(url, instance, workers, service))
            finally:
                service.stop()
                with app.app_context():
                    db.engine.dispose()
        finally:
            postgres.stop()
    return report(results, queued)


def report(results: list[dict[str, float]], queued: list[tuple[int, float]]) -> str:
    rows = []
    for r, (q, q_seconds) in zip(results, queued, strict=True):
        met = r["messages"] == q and r["seconds"] < TARGET_SECONDS
        rows.append(
            f"| {r['workers']} | {r['messages']:,} of {q:,} | **{r['seconds']:.0f} s** "
            f"({r['messages'] / max(r['seconds'], 0.001):.0f} messages/s) | {r['signatures']} | "
            f"{q_seconds:.1f} s | {'met' if met else 'missed'} |"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return "\n".join(
        [
            "## Weekly reflection for a trust (issue 17)",
            "",
            __doc__.split("\n\n", 1)[1].strip().replace("\n", " "),
            "",
            "| workers | delivered | from the workers' start to the last arrival | VAPID "
            "signatures seen | Friday scan (queueing) | within 5 min |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"The machine is shared (load average at the end: {load}); the push service's "
            "checks and decryption run on the same 2 cores.",
        ]
    )
