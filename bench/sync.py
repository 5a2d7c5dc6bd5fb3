"""Sync benchmark: a school year pushed and pulled, side by side with pouchdb-server.

The year: 50 staff, 2,000 observations shared with leads, 40,000 notes, written through the
push service. Lesson Loop runs under gunicorn (one worker, SQLite); pouchdb-server runs
in memory on loopback. Both are driven by the same Python client code (one keep-alive HTTP
connection, JSON bodies), so the ratios compare like with like:
- push: 10,000 new notes from one client in batches of 500 (`/sync/push` vs `_bulk_docs`);
- initial pull of the whole year by a lead, default page size 500 (`/sync/pull` vs
  `_changes?limit=500` + `_bulk_get`), and of one teacher's share;
- the audit trail's cost on the lead's initial pull (issue 15): each run signs the lead in on a
  new device, so the audited server records all 2,000 shared observations; the same server
  code with the audit of a lead's reads switched off (bench/no_audit.py) is the baseline, run
  side by side against the same database;
- peak resident memory of each server process (VmHWM).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POUCHDB = ROOT / "bench" / "node_modules" / ".bin" / "pouchdb-server"
STAFF, OBSERVATIONS, NOTES_PER_OBSERVATION = 50, 2000, 20
PUSH_NOTES, BATCH, RUNS = 10_000, 500, 3


class Client:
    """One keep-alive HTTP connection speaking JSON (the same code for both servers)."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body)
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # the server closed an idle keep-alive: reconnect once
                if attempt == 2:
                    raise
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status}: {raw[:300]!r}")
        return json.loads(raw) if raw else None


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, path: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def child_pids(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


# ---- the school year --------------------------------------------------------------------


def build_year(database_url: str, instance: Path) -> dict[str, Any]:
    """Write the year through the push service, in process; returns logins and ids."""
    os.environ["LESSONLOOP_DATABASE_URL"] = database_url
    os.environ["LESSONLOOP_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from bench.school import new_school
    from server import create_app
    from server.accounts.passwords import hash_password
    from server.demo import Writer
    from server.extensions import db
    from server.models import Device

    app = create_app({"PASSWORD_HASH_PROFILE": "fast"})
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        password = hash_password("bench-password", "fast")
        staff = [
            {
                "email": f"staff{n}@bench.example",
                "display_name": f"Staff {n}",
                "role": "lead" if n < 4 else "teacher",
                "password_hash": password,
                "version": n + 1,
            }
            for n in range(STAFF)
        ]
        school, people = new_school("Benchmark High", staff)
        users = []
        for user in people:
            device = Device(user=user, name="bench", token_hash=uuid.uuid4().hex * 2)
            db.session.add(device)
            users.append(Writer(user, device))
        school.change_counter = STAFF
        db.session.commit()
        teachers = users[4:]
        start = dt.datetime(2025, 9, 1, 9, tzinfo=dt.UTC)
        share: dict[str, int] = {}
        for n in range(OBSERVATIONS):
            observee, observer = rng.sample(teachers, 2)
            at = start + dt.timedelta(days=n * 300 / OBSERVATIONS, hours=rng.randint(0, 6))
            obs_id = str(uuid.uuid4())
            observee.put(
                "observation",
                obs_id,
                {
                    "kind": "peer_observation",
                    "title": f"Lesson {n}",
                    "starts_at": at.isoformat(),
                    "class_label": "9R",
                    "subject": "Maths",
                    "visibility": "leads",
                    "participants": [
                        {"user_id": str(observee.user.id), "role": "observee"},
                        {"user_id": str(observer.user.id), "role": "observer"},
                    ],
                },
                at,
            )
            for k in range(NOTES_PER_OBSERVATION):
                writer = observee if k % 2 else observer
                writer.put(
                    "note",
                    str(uuid.uuid4()),
                    {
                        "observation_id": obs_id,
                        "at": (at + dt.timedelta(minutes=k * 2)).isoformat(),
                        "minute": k * 2,
                        "category": rng.choice(["evidence", "pupils", "strength", "wondering"]),
                        "text": "Pupils explained their method to a partner before sharing.",
                    },
                    at + dt.timedelta(minutes=k * 2),
                )
            for person in (observee, observer):
                share[str(person.user.id)] = share.get(str(person.user.id), 0) + 1
            observee.send()
            observer.send()
        lead, teacher = users[0].user, max(teachers, key=lambda w: share[str(w.user.id)]).user
        credentials = {"lead": lead.email, "teacher": teacher.email}
        db.engine.dispose()
    return credentials


# ---- measurements -----------------------------------------------------------------------


def login(port: int, email: str) -> tuple[str, str]:
    body = Client(port).call(
        "POST", "/api/v1/auth/login", {"email": email, "password": "bench-password"}
    )
    return body["token"], body["client_id"]


def pull_ours(port: int, token: str) -> tuple[float, int]:
    client = Client(port, token)
    started, count, cursor = time.perf_counter(), 0, None
    while True:
        page = client.call("GET", "/api/v1/sync/pull" + (f"?cursor={cursor}" if cursor else ""))
        count += len(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return time.perf_counter() - started, count


def pull_pouch(port: int, database: str) -> tuple[float, int]:
    client = Client(port)
    started, count, since = time.perf_counter(), 0, 0
    while True:
        changes = client.call("GET", f"/{database}/_changes?limit={BATCH}&since={since}")
        if not changes["results"]:
            return time.perf_counter() - started, count
        docs = client.call(
            "POST",
            f"/{database}/_bulk_get",
            {"docs": [{"id": r["id"]} for r in changes["results"]]},
        )
        count += len(docs["results"])
        since = changes["last_seq"]


def note_docs(observation_id: str, count: int) -> list[dict[str, Any]]:
    return [
        {
            "observation_id": observation_id,
            "at": "2026-11-20T09:05:00+00:00",
            "minute": 5,
            "category": "evidence",
            "text": "Pupils explained their method to a partner before sharing.",
            "tags": [],
            "case_pupil": "",
            "lookfor_id": None,
            "lookfor_rating": None,
        }
        for _ in range(count)
    ]


def push_ours(port: int, email: str) -> float:
    token, client_id = login(port, email)
    client = Client(port, token)
    obs_id = str(uuid.uuid4())
    me = client.call("GET", "/api/v1/me")
    seq = 1
    stamp = lambda n: f"{int(time.time() * 1000):015d}:{n % 10000:04d}:{client_id}"  # noqa: E731
    client.call(
        "POST",
        "/api/v1/sync/push",
        {
            "client_id": client_id,
            "mutations": [
                {
                    "seq": seq,
                    "entity": "observation",
                    "id": obs_id,
                    "op": "put",
                    "base_version": 0,
                    "hlc": stamp(0),
                    "fields": {
                        "kind": "coaching",
                        "title": "Push bench",
                        "starts_at": "2026-11-20T09:00:00+00:00",
                        "participants": [{"user_id": me["id"], "role": "observer"}],
                    },
                }
            ],
        },
    )
    docs = note_docs(obs_id, PUSH_NOTES)
    started = time.perf_counter()
    for first in range(0, PUSH_NOTES, BATCH):
        mutations = []
        for doc in docs[first : first + BATCH]:
            seq += 1
            mutations.append(
                {
                    "seq": seq,
                    "entity": "note",
                    "id": str(uuid.uuid4()),
                    "op": "put",
                    "base_version": 0,
                    "hlc": stamp(seq),
                    "fields": doc,
                }
            )
        result = client.call(
            "POST", "/api/v1/sync/push", {"client_id": client_id, "mutations": mutations}
        )
        assert all(r["status"] == "applied" for r in result["results"])
    return time.perf_counter() - started


def push_pouch(port: int, run: int) -> float:
    client = Client(port)
    database = f"push{run}"
    client.call("PUT", f"/{database}")
    docs = [dict(doc, _id=str(uuid.uuid4())) for doc in note_docs(str(uuid.uuid4()), PUSH_NOTES)]
    started = time.perf_counter()
    for first in range(0, PUSH_NOTES, BATCH):
        client.call("POST", f"/{database}/_bulk_docs", {"docs": docs[first : first + BATCH]})
    return time.perf_counter() - started


def copy_year_to_pouch(port: int, server_port: int, token: str) -> int:
    """The same documents the lead pulls, written into pouchdb-server with _bulk_docs."""
    client, ours = Client(port), Client(server_port, token)
    client.call("PUT", "/year")
    cursor, count = None, 0
    while True:
        page = ours.call(
            "GET", "/api/v1/sync/pull?limit=2000" + (f"&cursor={cursor}" if cursor else "")
        )
        docs = [dict(c["fields"], _id=c["id"], entity=c["entity"]) for c in page["changes"]]
        for first in range(0, len(docs), BATCH):
            client.call("POST", "/year/_bulk_docs", {"docs": docs[first : first + BATCH]})
        count += len(docs)
        cursor = page["cursor"]
        if not page["has_more"]:
            return count


def median(values: list[float]) -> float:
    return statistics.median(values)


def run() -> str:
    if not POUCHDB.exists():
        raise SystemExit(
            "pouchdb-server is missing: run `cd bench && npm ci --ignore-scripts`"
            " (make bench does it)."
        )
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import PostgresCluster

    sections = []
    with tempfile.TemporaryDirectory(prefix="lessonloop-bench-") as tmp:
        root = Path(tmp)
        sections.append(run_on(f"sqlite:///{root / 'year.sqlite3'}", root / "sqlite", "SQLite"))
        cluster = PostgresCluster()
        cluster.start()
        try:
            cluster.execute("CREATE DATABASE year")
            sections.append(run_on(cluster.url("year"), root / "postgres", "PostgreSQL"))
        finally:
            cluster.stop()
    return "## Sync (issue 3)\n\n" + "\n\n".join(sections)


def run_on(url: str, root: Path, database: str) -> str:
    """The year built and measured on one database."""
    print(
        f"[bench] building the year (2,000 observations, 40,000 notes) through push, {database}",
        flush=True,
    )
    started = time.perf_counter()
    who = build_year(url, root)
    build_seconds = time.perf_counter() - started
    return measure(url, root, who, build_seconds, database)


def start_gunicorn(url: str, root: Path, app: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "LESSONLOOP_DATABASE_URL": url,
        "LESSONLOOP_INSTANCE_PATH": str(root),
        "LESSONLOOP_PASSWORD_HASH_PROFILE": "fast",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--keep-alive",
            "30",
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, "/api/v1/health", process, "gunicorn")
    return process, port


def start_servers(
    url: str, root: Path
) -> tuple[subprocess.Popen[bytes], int, subprocess.Popen[bytes], int]:
    pouch_port = free_port()
    ours, port = start_gunicorn(url, root, "wsgi:app")
    pouch = subprocess.Popen(
        [str(POUCHDB), "--in-memory", "--host", "127.0.0.1", "--port", str(pouch_port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(pouch_port, "/", pouch, "pouchdb-server")
    return ours, port, pouch, pouch_port


def measure(url: str, root: Path, who: dict[str, str], build_seconds: float, database: str) -> str:
    ours, port, pouch, pouch_port = start_servers(url, root)
    plain, plain_port = start_gunicorn(url, root, "bench.no_audit:app")
    try:
        teacher_token, _ = login(port, who["teacher"])
        documents = copy_year_to_pouch(pouch_port, port, login(port, who["lead"])[0])
        results: dict[str, list[float]] = {
            k: [] for k in ("pull", "pull_plain", "pull_pouch", "teacher", "push", "push_pouch")
        }
        counts: dict[str, int] = {}
        recorded_before = audited_reads(url)
        for run in range(RUNS):
            print(f"[bench] sync run {run + 1}/{RUNS}", flush=True)
            # A new device each run: the audited server records every shared observation.
            lead_token, plain_token = login(port, who["lead"])[0], login(port, who["lead"])[0]
            for key, action in (
                ("pull", lambda t=lead_token: pull_ours(port, t)),
                ("pull_plain", lambda t=plain_token: pull_ours(plain_port, t)),
                ("pull_pouch", lambda: pull_pouch(pouch_port, "year")),
                ("teacher", lambda: pull_ours(port, teacher_token)),
            ):
                seconds, counts[key] = action()
                results[key].append(seconds)
        counts["audited"] = audited_reads(url) - recorded_before
        for run in range(RUNS):
            results["push"].append(push_ours(port, who["teacher"]))
            results["push_pouch"].append(push_pouch(pouch_port, run))
        worker = child_pids(ours.pid)[0]
        memory = {"ours": peak_rss_mb(worker), "pouch": peak_rss_mb(pouch.pid)}
    finally:
        for process in (ours, plain, pouch):
            process.terminate()
            process.wait(timeout=30)
    return report(results, counts, documents, memory, build_seconds, database)


def audited_reads(url: str) -> int:
    """The audit rows the measured pulls wrote (a lead's reads of shared observations)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.execute(
                sqlalchemy.text(
                    "SELECT count(*) FROM audit_event WHERE action = 'observation.read_by_lead'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(count)


def report(
    results: dict[str, list[float]],
    counts: dict[str, int],
    documents: int,
    memory: dict[str, float],
    build_seconds: float,
    database: str,
) -> str:
    m = {key: median(values) for key, values in results.items()}
    push_rate, pouch_push_rate = PUSH_NOTES / m["push"], PUSH_NOTES / m["push_pouch"]
    pull_rate, pouch_pull_rate = counts["pull"] / m["pull"], counts["pull_pouch"] / m["pull_pouch"]

    def seconds(key: str) -> str:
        return ", ".join(f"{v:.2f}" for v in results[key]) + " s"

    setup = (
        f"A school year: {STAFF} staff, {OBSERVATIONS:,} observations shared with leads, "
        f"{OBSERVATIONS * NOTES_PER_OBSERVATION:,} notes, written through the push service in "
        f"{build_seconds:.0f} s. Lesson Loop: gunicorn, 1 worker (2 threads), {database}. "
        f"pouchdb-server 4.2.0 `--in-memory`, holding the same {documents:,} documents. Same "
        f"Python client (one keep-alive connection). Median of {RUNS} runs; each run in brackets. "
        f"Load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )
    rows = [
        (
            "push 10,000 new notes, batches of 500",
            f"**{push_rate:,.0f} mutations/s** ({seconds('push')})",
            f"{pouch_push_rate:,.0f} docs/s ({seconds('push_pouch')})",
            f"{push_rate / pouch_push_rate:.2f}x",
            "≥ 3,000/s and ≥ 1.5x",
        ),
        (
            f"initial pull of the year by a lead ({counts['pull']:,} changes, page 500)",
            f"**{m['pull']:.2f} s**, {pull_rate:,.0f} changes/s ({seconds('pull')})",
            f"{m['pull_pouch']:.2f} s, {pouch_pull_rate:,.0f} docs/s ({seconds('pull_pouch')})",
            f"{pull_rate / pouch_pull_rate:.2f}x",
            "< 2 s and ≥ 1.5x",
        ),
        (
            "the same pull with the audit of a lead's reads switched off (baseline); "
            f"the audited pulls wrote {counts['audited']:,} audit rows in all",
            f"**{m['pull_plain']:.2f} s** ({seconds('pull_plain')}); audit cost "
            f"{(m['pull'] / m['pull_plain'] - 1) * 100:+.0f} %",
            "",
            "",
            "not measurably slower",
        ),
        (
            f"initial pull of one teacher's share ({counts['teacher']:,} changes)",
            f"**{m['teacher']:.2f} s**, {counts['teacher'] / m['teacher']:,.0f} changes/s",
            "",
            "",
            "",
        ),
        (
            "peak server memory (VmHWM)",
            f"**{memory['ours']:.0f} MB**",
            f"{memory['pouch']:.0f} MB",
            "",
            "< 300 MB",
        ),
    ]
    lines = [
        f"### {database}",
        "",
        setup,
        "",
        "| measure | Lesson Loop | pouchdb-server | ratio | target |",
        "|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    return "\n".join(lines)
