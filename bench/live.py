"""Live lesson benchmark (issue 12): the idle pull, the cost of `remaining`, the change channel.

A school of 1 lead and 20 teachers, 600 observations shared with leads and 6,000 notes,
written through sync push (Flask test client), on SQLite and on PostgreSQL (a cluster of the
tests' own, tests/support/postgres.py). Measured in process, so the figures are server time
without HTTP:
- the idle pull: the lead's pull with an up-to-date cursor (the whole request: token, counter
  read, answer), against the page query that the "nothing new" path skips, run alone on the
  same cursor, interleaved;
- `remaining`: the time of the count statements within the lead's first sync (page 500).
Then over real HTTP, two gunicorn instances on the same database (1 worker, 8 threads each):
- partner-note delay: a stream open on one instance, a note pushed on the other, from the
  push's request to the `changed` event;
- server CPU per idle phone per minute with the stream open: the worker's CPU over 30 s with
  STREAMS idle streams, minus the same 30 s with none.
"""

from __future__ import annotations

import http.client
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.school import bench_app, note_mutation, push_observation, school  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402

TEACHERS, OBSERVATIONS, NOTES = 20, 600, 10
IDLE_PULLS, DELAYS, STREAMS, IDLE_SECONDS = 300, 20, 6, 30


def build(url: str, instance: Path) -> dict[str, Any]:
    """The school, written through push in process; the app, the lead and two partners."""
    app = bench_app(url, instance, "live-test-secret")
    place = school(app, TEACHERS, OBSERVATIONS, NOTES)
    return {**place, "pair": place["teachers"][:2]}


def ms(seconds: float) -> float:
    return seconds * 1000


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def first_sync(place: dict[str, Any]) -> dict[str, Any]:
    """The lead's first sync (page 500), with the count statements timed on their own."""
    from server.sync import pull

    original, counted = pull._run_statement, []

    def timed(kind: str, *args: Any, **kwargs: Any) -> list[Any]:
        started = time.perf_counter()
        try:
            return original(kind, *args, **kwargs)
        finally:
            if kind == "count":
                counted.append(time.perf_counter() - started)

    pull._run_statement = timed  # type: ignore[assignment]
    lead, cursor, pages, remaining = place["lead"], None, 0, []
    started = time.perf_counter()
    try:
        while True:
            query = "?limit=500" + (f"&cursor={cursor}" if cursor else "")
            page = lead.get("/api/v1/sync/pull" + query).get_json()
            pages, cursor = pages + 1, page["cursor"]
            remaining.append(page["remaining"])
            if not page["has_more"]:
                break
    finally:
        pull._run_statement = original  # type: ignore[assignment]
    total = time.perf_counter() - started
    return {
        "cursor": cursor,
        "pages": pages,
        "total": total,
        "count": sum(counted),
        "first_remaining": remaining[0],
    }


def idle(place: dict[str, Any], cursor: str) -> dict[str, float]:
    """The idle pull (whole request) against the page query it skips, interleaved."""
    from server.extensions import db
    from server.models import User
    from server.sync import pull
    from server.sync.cursor import decode_cursor
    from server.sync.versions import committed_version

    app, lead = place["app"], place["lead"]
    quick, page = [], []
    with app.app_context():
        user = db.session.get(User, uuid.UUID(lead.user["id"]))
        assert user is not None
        state = decode_cursor("live-test-secret", user, cursor)
        high = committed_version(user.school_id)
        for _ in range(IDLE_PULLS):
            started = time.perf_counter()
            answer = lead.get(f"/api/v1/sync/pull?cursor={cursor}").get_json()
            quick.append(time.perf_counter() - started)
            assert answer["changes"] == [], answer
            started = time.perf_counter()
            rows = pull._run_page(user, state, high, 500)
            page.append(time.perf_counter() - started)
            assert rows == []
            db.session.commit()
    return {
        "quick": ms(statistics.median(quick)),
        "quick95": ms(p95(quick)),
        "page": ms(statistics.median(page)),
        "page95": ms(p95(page)),
    }


class Listener(threading.Thread):
    """One open event stream; the arrival time of each `changed` event."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.connection.request(
            "GET", "/api/v1/sync/events", headers={"Authorization": f"Bearer {token}"}
        )
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        self.arrivals: list[float] = []
        self.event = threading.Event()

    def run(self) -> None:
        try:
            for line in self.response:
                if line.startswith(b"event: changed"):
                    self.arrivals.append(time.perf_counter())
                    self.event.set()
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            return  # closed by close()

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def worker_cpu_seconds(server: LiveServer) -> float:
    """User + system CPU of the gunicorn workers (the arbiter's children)."""
    assert server.process is not None
    out = subprocess.run(
        ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
    ).stdout
    total = 0.0
    for pid in out.split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks
    return total


def delays(first: LiveServer, second: LiveServer, place: dict[str, Any]) -> list[float]:
    """Partner-note delays: the stream on `first`, the push (over HTTP) on `second`."""
    observer, observee = place["pair"]
    observation = push_observation(observer, observee, 9999, NOTES)
    listener = Listener(first.port, observee.token)
    listener.start()
    time.sleep(0.5)
    found, rng = [], random.Random(12)
    try:
        for k in range(DELAYS):
            listener.event.clear()
            observer.seq = observer.__dict__.get("seq", 0) + 1
            note = {"seq": observer.seq, **note_mutation(observer, observation, k)}
            body = {"client_id": observer.client_id, "mutations": [note]}
            started = time.perf_counter()
            status, answer = second.request("POST", "/api/v1/sync/push", body, token=observer.token)
            assert status == 200, answer
            assert answer["results"][0]["status"] == "applied", answer
            assert listener.event.wait(10), "no changed event within 10 s"
            found.append(listener.arrivals[-1] - started)
            time.sleep(rng.uniform(0.2, 1.2))  # no phase lock with SQLite's 1 s poll
    finally:
        listener.close()
    return found


def idle_cpu(server: LiveServer, place: dict[str, Any]) -> float:
    """CPU ms per idle stream per minute: STREAMS open streams vs none, 30 s each."""
    before = worker_cpu_seconds(server)
    time.sleep(IDLE_SECONDS)
    baseline = worker_cpu_seconds(server) - before
    listeners = [Listener(server.port, place["lead"].token) for _ in range(STREAMS)]
    for listener in listeners:
        listener.start()
    before = worker_cpu_seconds(server)
    time.sleep(IDLE_SECONDS)
    loaded = worker_cpu_seconds(server) - before
    for listener in listeners:
        listener.close()
    return max(0.0, loaded - baseline) * 1000 / STREAMS * (60 / IDLE_SECONDS)


def channel(url: str, root: Path, place: dict[str, Any]) -> dict[str, float]:
    env = {"LESSONLOOP_LIVE_STREAM_SECONDS": "55"}
    servers = [
        LiveServer(url, root / f"gunicorn{n}", workers=1, threads=8, extra_env=env).start()
        for n in (1, 2)
    ]
    try:
        found = delays(servers[0], servers[1], place)
        cpu = idle_cpu(servers[0], place)
    finally:
        for server in servers:
            server.stop()
    return {"p50": ms(statistics.median(found)), "p95": ms(p95(found)), "cpu": cpu}


def measure(backend: str, url: str, root: Path) -> dict[str, Any]:
    instance = root / f"instance-{backend}"
    place = build(url, instance)
    sync = first_sync(place)
    figures = {"backend": backend, **sync, **idle(place, sync["cursor"])}
    with place["app"].app_context():
        from server.extensions import db

        db.engine.dispose()
    figures.update(channel(url, root, place))
    print(f"[bench] live {backend}: {figures}", flush=True)
    return figures


def row(f: dict[str, Any]) -> str:
    share = 100 * f["count"] / f["total"]
    # /proc counts CPU in 10 ms ticks: below one tick over the run, say so.
    resolution = 10 / STREAMS * (60 / IDLE_SECONDS)
    cpu = (
        f"{f['cpu']:.1f} ms" if f["cpu"] >= resolution else f"< {resolution:.1f} ms (under a tick)"
    )
    return (
        f"| {f['backend']} | **{f['quick']:.2f} ms** (p95 {f['quick95']:.2f}) "
        f"| {f['page']:.2f} ms (p95 {f['page95']:.2f}) "
        f"| {f['pages']} pages, {f['total']:.2f} s; counts {ms(f['count']):.0f} ms ({share:.0f} %) "
        f"| {f['p50']:.0f} / {f['p95']:.0f} ms | {cpu} |"
    )


def run() -> str:
    root = Path(tempfile.mkdtemp(prefix="lessonloop-bench-live-"))
    cluster = PostgresCluster()
    cluster.start()
    try:
        results = [measure("sqlite", f"sqlite:///{root / 'live.sqlite3'}", root)]
        cluster.execute("CREATE DATABASE live")
        results.append(measure("postgres", str(cluster.url("live")), root))
    finally:
        cluster.stop()
    records = OBSERVATIONS * (NOTES + 1)
    return "\n".join(
        [
            "## Live lesson (issue 12)",
            "",
            f"A school of 1 lead and {TEACHERS} teachers, {OBSERVATIONS} observations shared with "
            f"leads and {OBSERVATIONS * NOTES:,} notes ({records:,} records), written through "
            "push. Idle pull: the lead's pull with an up-to-date cursor through the Flask test "
            "client (the whole request: token, counter read, answer), median of "
            f"{IDLE_PULLS}, interleaved with the page query it no longer runs (the same cursor, "
            "run alone). First sync: the lead, page 500, and the share of it spent counting "
            "`remaining`. The channel: two gunicorn instances on the same database (1 worker, "
            "8 threads each), a stream on one and a note pushed over HTTP on the other, "
            f"{DELAYS} notes, from the push's request to the `changed` event; idle CPU: the "
            f"worker's CPU with {STREAMS} idle streams open for {IDLE_SECONDS} s minus the same "
            "time with none, per stream per minute. Target: idle pull a few ms server time on "
            "PostgreSQL; partner note within 5 s (p95).",
            "",
            "| database | idle pull (nothing new) | the page query it skips | lead's first sync "
            "| partner-note delay p50 / p95 | CPU per idle stream per minute |",
            "|---|---|---|---|---|---|",
            *[row(f) for f in results],
        ]
    )
