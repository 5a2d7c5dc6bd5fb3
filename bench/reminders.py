"""Web Push: one worker's delivery rate, and what queueing messages adds to a sync push.

1. 1,000 queued notifications (partner notes on 1,000 observations, to 100 teachers' phones),
   delivered by one `flask worker --once` process to the local push service of the tests,
   which checks every VAPID signature and decrypts every message. Rate = messages between the
   first and the last arrival / time between them; the process start is reported apart.
2. A sync push of 10 new notes on an observation whose partner has two subscribed devices (two
   jobs written in the push's transaction), timed side by side, interleaved, with the same push
   on an observation whose partner has no subscription (no jobs), through the Flask test client.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import update

from server import create_app
from server.accounts.passwords import hash_password
from server.extensions import db
from server.models import Job, School, User, utcnow
from server.reminders import events
from server.sync.versions import write_transaction
from tests.support.postgres import PostgresCluster
from tests.support.push_service import PushService

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 1000
TEACHERS = 100
RUNS = 3
SYNC_ROUNDS = 100
NOTES_PER_SYNC = 10
PASSWORD = "bench password"
NO_QUIET = {"quiet_hours": None, "quiet_weekends": False}


class Api:
    """A signed-in device through the test client, with its own seq counter."""

    def __init__(self, client: FlaskClient, email: str) -> None:
        body = client.post(
            "/api/v1/auth/login",
            json={"email": email, "password": PASSWORD, "device_name": "bench"},
        ).get_json()
        self.client, self.token, self.client_id = client, body["token"], body["client_id"]
        self.user_id, self.seq = body["user"]["id"], 0

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = self.client.open(path, method=method, json=body, headers=headers)
        assert response.status_code < 300, response.get_json()
        return response

    def push(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        mutations = []
        for entity, record_id, fields in items:
            self.seq += 1
            stamp = f"{int(time.time() * 1000):015d}:{self.seq % 10000:04d}:{self.client_id}"
            mutations.append(
                {
                    "seq": self.seq,
                    "entity": entity,
                    "id": record_id,
                    "op": "put",
                    "base_version": 0,
                    "hlc": stamp,
                    "fields": fields,
                }
            )
        self.call(
            "POST", "/api/v1/sync/push", {"client_id": self.client_id, "mutations": mutations}
        )


def _make_app(url: str, instance: Path) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "bench-secret",
            "PASSWORD_HASH_PROFILE": "fast",
            "PUSH_ALLOW_PRIVATE_ENDPOINTS": True,
        }
    )
    with app.app_context():
        upgrade()
    return app


def _teachers(app: Flask, count: int, prefix: str) -> list[str]:
    """Create teachers directly (the admin API would cost a password hash per request)."""
    with app.app_context():
        school = db.session.query(School).first()
        if school is None:
            school = School(name="Bench Academy", change_counter=0)
            db.session.add(school)
            db.session.commit()
        emails = [f"{prefix}{i}@bench.example" for i in range(count)]
        with write_transaction(school.id) as versions:
            for email in emails:
                db.session.add(
                    User(
                        school_id=school.id,
                        email=email,
                        display_name=email.split("@")[0],
                        role="teacher",
                        password_hash=hash_password(PASSWORD, "fast"),
                        version=versions.next(),
                        notify_prefs=dict(NO_QUIET),
                    )
                )
        return emails


def _observation(observee: str, observer: str) -> dict[str, Any]:
    return {
        "kind": "peer_observation",
        "title": "Year 9 English",
        "starts_at": utcnow().isoformat(),
        "participants": [
            {"user_id": observee, "role": "observee"},
            {"user_id": observer, "role": "observer"},
        ],
    }


def _note(observation_id: str, i: int) -> dict[str, Any]:
    return {
        "observation_id": observation_id,
        "at": utcnow().isoformat(),
        "minute": i,
        "category": "evidence",
        "text": f"Pupils explained their reasoning ({i}).",
    }


# ---- 1. delivery rate ------------------------------------------------------------------------


def _queue_messages(app: Flask, service: PushService) -> None:
    client = app.test_client()
    author_email, *partner_emails = _teachers(app, TEACHERS + 1, "t")
    author = Api(client, author_email)
    partners = [Api(client, email) for email in partner_emails]
    for partner in partners:
        partner.call("POST", "/api/v1/push/subscriptions", service.new_device().subscription)
    observations = [(str(uuid.uuid4()), partners[i % TEACHERS]) for i in range(MESSAGES)]
    author.push(
        [("observation", o, _observation(author.user_id, p.user_id)) for o, p in observations]
    )
    author.push([("note", str(uuid.uuid4()), _note(o, 1)) for o, _ in observations])


def _requeue(app: Flask) -> None:
    with app.app_context():
        db.session.execute(
            update(Job).values(
                status="queued",
                run_at=utcnow(),
                attempts=0,
                locked_by=None,
                locked_until=None,
                finished_at=None,
                last_error=None,
            )
        )
        db.session.commit()


def _deliver_once(
    url: str, instance: Path, service: PushService, expected: int | None = None
) -> tuple[float, float, float]:
    for device in service.devices.values():
        device.received.clear()
    env = {
        **os.environ,
        "LESSONLOOP_DATABASE_URL": url,
        "LESSONLOOP_INSTANCE_PATH": str(instance),
        "LESSONLOOP_SECRET_KEY": "bench-secret",
    }
    started, cpu_before = time.time(), _children_cpu()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "tests.support.reminders_app",
            "worker",
            "--once",
            "--batch-size",
            "50",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    expected = MESSAGES if expected is None else expected
    cpu_ms = (_children_cpu() - cpu_before) / MESSAGES * 1000
    arrivals = sorted(m.received_at for m in service.all_messages())
    if len(arrivals) != expected or service.errors:
        raise RuntimeError(f"{len(arrivals)} of {expected} arrived; errors: {service.errors[:3]}")
    if not expected:
        return 0.0, 0.0, cpu_ms
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    return rate, arrivals[0] - started, cpu_ms


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def delivery(url: str, instance: Path) -> dict[str, float]:
    """Median messages per second of one worker, and its start-up time."""
    app = _make_app(url, instance)
    service = PushService(app.config["VAPID_PUBLIC_KEY"]).start()
    try:
        _queue_messages(app, service)
        rates, startups, cpu = [], [], []
        for run in range(RUNS):
            if run:
                _requeue(app)
            rate, startup, cpu_ms = _deliver_once(url, instance, service)
            rates.append(rate)
            startups.append(startup)
            cpu.append(cpu_ms)
        _, _, idle_cpu_ms = _deliver_once(url, instance, service, expected=0)
    finally:
        service.stop()
        with app.app_context():
            db.engine.dispose()
    return {
        "rate": statistics.median(rates),
        "startup": statistics.median(startups),
        "cpu_ms": statistics.median(cpu) - idle_cpu_ms,  # the process start is not per message
    }


# ---- 2. the cost of queueing in a sync push --------------------------------------------------


def sync_overhead(url: str, instance: Path) -> dict[str, float]:
    """Median milliseconds of a 10-note push with and without push jobs, interleaved."""
    app = _make_app(url, instance)
    service = PushService(app.config["VAPID_PUBLIC_KEY"])
    client = app.test_client()
    emails = _teachers(app, 4, "s")
    author, partner, quiet_author, unsubscribed = (Api(client, e) for e in emails)
    for _ in range(2):  # the partner's phone and laptop
        Api(client, emails[1]).call(
            "POST", "/api/v1/push/subscriptions", service.new_device().subscription
        )
    pairs = {"jobs": (author, partner), "none": (quiet_author, unsubscribed)}
    observations: dict[str, list[str]] = {}
    for name, (writer, other) in pairs.items():
        observations[name] = [str(uuid.uuid4()) for _ in range(SYNC_ROUNDS + 5)]
        writer.push(
            [
                ("observation", o, _observation(writer.user_id, other.user_id))
                for o in observations[name]
            ]
        )
    timings: dict[str, list[float]] = {"jobs": [], "none": []}
    in_hook: dict[str, list[float]] = {"jobs": [], "none": []}
    hook = _Timed(events, "on_sync")
    for i in range(SYNC_ROUNDS + 5):
        for name in ("jobs", "none") if i % 2 else ("none", "jobs"):
            writer = pairs[name][0]
            notes = [
                ("note", str(uuid.uuid4()), _note(observations[name][i], n))
                for n in range(NOTES_PER_SYNC)
            ]
            started = time.perf_counter()
            writer.push(notes)
            if i >= 5:  # the first rounds warm caches and connections
                timings[name].append((time.perf_counter() - started) * 1000)
                in_hook[name].append(hook.times[-1])
    service.server.server_close()
    with app.app_context():
        jobs = db.session.query(Job).count()
        db.engine.dispose()
    hook.restore()
    if jobs != 2 * (SYNC_ROUNDS + 5):
        raise RuntimeError(f"expected {2 * (SYNC_ROUNDS + 5)} jobs, found {jobs}")
    with_jobs, without = statistics.median(timings["jobs"]), statistics.median(timings["none"])
    paired = [a - b for a, b in zip(timings["jobs"], timings["none"], strict=True)]
    return {
        "with": with_jobs,
        "without": without,
        "extra": with_jobs - without,
        "paired": statistics.median(paired),
        "hook_jobs": statistics.median(in_hook["jobs"]),
        "hook_none": statistics.median(in_hook["none"]),
    }


class _Timed:
    """Wraps a module function to time its calls (instrumentation for this benchmark only)."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name = module, name
        self.original = getattr(module, name)
        self.times: list[float] = []

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.times.append((time.perf_counter() - started) * 1000)

        setattr(module, name, timed)

    def restore(self) -> None:
        setattr(self.module, self.name, self.original)


@contextmanager
def _databases() -> Iterator[dict[str, Any]]:
    root = Path(tempfile.mkdtemp(prefix="lessonloop-bench-push-"))
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield {"root": root, "cluster": cluster}
    finally:
        cluster.stop()


def _url(backend: str, name: str, place: dict[str, Any]) -> str:
    if backend == "sqlite":
        return f"sqlite:///{place['root'] / (name + '.sqlite3')}"
    place["cluster"].execute(f"CREATE DATABASE {name}")
    return str(place["cluster"].url(name))


def run() -> str:
    """The Markdown section for BENCHMARKS.md."""
    rows_delivery, rows_sync = [], []
    with _databases() as place:
        for backend in ("sqlite", "postgres"):
            instance = place["root"] / f"instance-{backend}"
            d = delivery(_url(backend, "deliver", place), instance)
            s = sync_overhead(_url(backend, "syncjobs", place), instance)
            rows_delivery.append(
                f"| {backend} | {d['rate']:.0f} | {d['cpu_ms']:.1f} ms | {d['startup']:.1f} s |"
            )
            rows_sync.append(
                f"| {backend} | {s['without']:.1f} ms | {s['with']:.1f} ms | {s['extra']:.2f} ms "
                f"| {s['paired']:.2f} ms | {s['hook_none']:.2f} ms / {s['hook_jobs']:.2f} ms |"
            )
            print(f"[bench] push {backend}: {d} {s}", flush=True)
    return "\n".join(
        [
            "## Web Push reminders",
            "",
            f"{MESSAGES:,} queued notifications (partner notes to {TEACHERS} teachers' phones), "
            "one `flask worker --once` process, delivered over HTTP to the local push service "
            "of the tests (which verifies each VAPID JWT and decrypts each `aes128gcm` body). "
            f"Median of {RUNS} runs. CPU is the worker process's own, per message, without its "
            "start.",
            "",
            "| database | messages per second (one worker) | worker CPU per message | start-up |",
            "|---|---|---|---|",
            *rows_delivery,
            "",
            f"A sync push of {NOTES_PER_SYNC} new notes on one observation: with the partner's two "
            "devices subscribed (two jobs written in the push's transaction) and, interleaved, "
            f"the same push where the partner has no subscription. Medians of {SYNC_ROUNDS} "
            "pushes each, through the Flask test client. Target: under 5 ms extra. The last "
            "column is the time inside the queueing step itself (no subscription / two jobs).",
            "",
            "| database | push without jobs | push with 2 jobs | extra (medians) "
            "| extra (paired) | queueing step |",
            "|---|---|---|---|---|---|",
            *rows_sync,
        ]
    )
