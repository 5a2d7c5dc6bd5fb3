"""Per-request server time by phase (issue 17), on SQLite and PostgreSQL.

A school of 1 lead and 20 teachers, 200 observations shared with leads and 2,000 notes, written
through push. The app runs with SERVER_TIMING on, so every answer's `Server-Timing` header says
where its time went (server.timing: auth, decode, validate, parse, lock, read, apply, write, events,
commit, counter, page, audit, remaining, render, and `total`, from the first request hook to
the last). Measured in process through the Flask test client (server time without HTTP),
median of ROUNDS rounds, each round:
- a teacher pushes 5 new notes on their observation;
- their partner pulls those 5 notes (a pull of 5 new notes);
- the partner pulls again (nothing new).
Then the change lock under contention: two gunicorn workers of 4 threads on one database,
8 clients of one school pushing 5 notes each as fast as they can; the `lock` phase is the
wait for the school's change lock, `lock_held` the time from taking it to commit.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.school import (  # noqa: E402
    bench_app,
    mutation,
    note_mutation,
    observation_mutation,
    push,
    school,
)
from tests.support.live import LiveServer  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.sync import hlc, iso  # noqa: E402

TEACHERS, OBSERVATIONS, NOTES = 20, 200, 10
ROUNDS, CONTENDERS, CONTENTION_SECONDS = 200, 8, 10
TARGETS = {"push": 8.0, "pull_new": 6.0, "pull_idle": 3.0}
PHASES = ("auth", "decode", "validate", "parse", "lock", "read", "apply", "write", "events",
          "commit", "counter", "page", "audit", "remaining", "render")  # fmt: skip


def build(url: str, instance: Path) -> dict[str, Any]:
    """The school, written through push in process."""
    app = bench_app(url, instance, "phases-secret", SERVER_TIMING=True)
    return school(app, TEACHERS, OBSERVATIONS, NOTES)


def caught_up(session: Any) -> str:
    cursor = None
    while True:
        query = "?limit=500" + (f"&cursor={cursor}" if cursor else "")
        page = session.get("/api/v1/sync/pull" + query).get_json()
        cursor = page["cursor"]
        if not page["has_more"]:
            return str(cursor)


def phases_of(response: Any) -> dict[str, float]:
    from server.timing import HEADER, parse

    return parse(response.headers[HEADER])


def rounds(place: dict[str, Any]) -> dict[str, list[dict[str, float]]]:
    """ROUNDS of push 5, pull the 5, pull nothing: each request's phases."""
    writer, reader = place["teachers"][1], place["teachers"][0]
    observation = observation_mutation(reader, writer, 9999)
    push(writer, [observation])
    cursor = caught_up(reader)
    found: dict[str, list[dict[str, float]]] = {"push": [], "pull_new": [], "pull_idle": []}
    for n in range(ROUNDS):
        notes = [note_mutation(writer, observation["id"], n * 5 + k) for k in range(5)]
        found["push"].append(phases_of(push(writer, notes)))
        response = reader.get(f"/api/v1/sync/pull?cursor={cursor}")
        assert len(response.get_json()["changes"]) == 5, response.get_json()
        found["pull_new"].append(phases_of(response))
        cursor = response.get_json()["cursor"]
        response = reader.get(f"/api/v1/sync/pull?cursor={cursor}")
        assert response.get_json()["changes"] == []
        found["pull_idle"].append(phases_of(response))
    return found


def summary(samples: list[dict[str, float]]) -> dict[str, float]:
    names = {name for sample in samples for name in sample}
    return {name: statistics.median(s.get(name, 0.0) for s in samples) for name in names}


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# ---- the change lock under contention (real HTTP, two workers) --------------------------


class Client:
    def __init__(self, port: int, token: str, client_id: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token, self.client_id, self.seq = token, client_id, 0

    def push_notes(self, observation_id: str) -> dict[str, float]:
        from server.timing import parse

        mutations = []
        for k in range(5):
            self.seq += 1
            m = {
                "entity": "note",
                "id": str(uuid.uuid4()),
                "op": "put",
                "base_version": 0,
                "hlc": hlc(self.client_id, counter=self.seq % 10000),
                "seq": self.seq,
                "fields": {
                    "observation_id": observation_id,
                    "at": iso(k),
                    "minute": k,
                    "category": "evidence",
                    "text": "Contention.",
                },
            }
            mutations.append(m)
        body = json.dumps({"client_id": self.client_id, "mutations": mutations})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        self.connection.request("POST", "/api/v1/sync/push", body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        return parse(response.getheader("Server-Timing") or "")


def contention(url: str, instance: Path, place: dict[str, Any]) -> dict[str, float]:
    """CONTENDERS clients of one school pushing at once through gunicorn (2 workers x 4)."""
    server = LiveServer(
        url, instance, workers=2, threads=4, extra_env={"LESSONLOOP_SERVER_TIMING": "1"}
    )
    server.env["LESSONLOOP_SECRET_KEY"] = "phases-secret"
    server.start()
    samples: list[dict[str, float]] = []
    try:
        teachers = place["teachers"][:CONTENDERS]
        observation = observation_mutation(teachers[1], teachers[0], 10_000)
        push(teachers[0], [observation])
        clients = [Client(server.port, t.token, t.client_id) for t in teachers]
        for client, teacher in zip(clients, teachers, strict=True):
            client.seq = teacher.seq
        stop = time.monotonic() + CONTENTION_SECONDS
        observation_id = str(observation["id"])

        def loop(client: Client, participant: bool) -> None:
            target = observation_id if participant else own[client.client_id]
            while time.monotonic() < stop:
                samples.append(client.push_notes(target))

        own = own_observations(place, teachers)
        threads = [threading.Thread(target=loop, args=(c, i < 2)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    return contention_figures(samples)


def own_observations(place: dict[str, Any], teachers: list[Any]) -> dict[str, str]:
    """An observation of each teacher's own (coaching), for the pushes of the others."""
    own = {}
    for teacher in teachers:
        m = mutation(
            teacher,
            "observation",
            {
                "kind": "coaching",
                "title": "Mine",
                "starts_at": iso(),
                "participants": [{"user_id": teacher.user["id"], "role": "observer"}],
            },
        )
        push(teacher, [m])
        own[teacher.client_id] = str(m["id"])
    return own


def contention_figures(samples: list[dict[str, float]]) -> dict[str, float]:
    waits = [s.get("lock", 0.0) for s in samples]
    held = [s.get("lock_held", 0.0) for s in samples]
    totals = [s.get("total", 0.0) for s in samples]
    return {
        "pushes": len(samples),
        "wait50": p(waits, 0.5),
        "wait95": p(waits, 0.95),
        "wait99": p(waits, 0.99),
        "held50": p(held, 0.5),
        "held95": p(held, 0.95),
        "total50": p(totals, 0.5),
        "total95": p(totals, 0.95),
        "rate": len(samples) / CONTENTION_SECONDS,
    }


def measure(url: str, instance: Path) -> dict[str, Any]:
    place = build(url, instance)
    found = {kind: summary(samples) for kind, samples in rounds(place).items()}
    found["contention"] = contention(url, instance, place)
    return found


def run() -> str:
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="lessonloop-phases-") as tmp:
        root = Path(tmp)
        print("[bench] phases on sqlite ...", flush=True)
        results["sqlite"] = measure(f"sqlite:///{root / 'phases.sqlite3'}", root / "sqlite")
        cluster = PostgresCluster()
        cluster.start()
        try:
            cluster.execute("CREATE DATABASE phases")
            print("[bench] phases on postgres ...", flush=True)
            results["postgres"] = measure(cluster.url("phases"), root / "postgres")
        finally:
            cluster.stop()
    return report(results)


def cell(found: dict[str, float], kind: str) -> str:
    total, cpu = found["total"], found["cpu"]
    mark = "**" if total < TARGETS[kind] else ""
    parts = [f"{name} {found[name]:.2f}" for name in PHASES if found.get(name, 0) >= 0.005]
    other = total - sum(found.get(name, 0.0) for name in PHASES)
    return (
        f"{mark}{total:.2f} ms{mark}, CPU {cpu:.2f} ms "
        f"({', '.join(parts)}, other {max(other, 0):.2f})"
    )


def report(results: dict[str, dict[str, Any]]) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "## Server time by phase (issue 17)",
        "",
        __doc__.split("\n\n", 1)[1].strip().replace("\n", " "),
        "",
        "Medians in ms, from the `Server-Timing` header: wall time (bold when under the target: "
        "push of 5 notes < 8 ms, pull of 5 new notes < 6 ms, pull with nothing new < 3 ms), "
        "the request thread's CPU time (on a loaded machine wall time also counts others' "
        "turns on the CPU, and phases are wall time), then the phases. `other` is the "
        "request's time outside the named phases (Flask's dispatch, the client's last seq, "
        "the counter's write, and waits for the CPU). The machine's load average when "
        "measured: {load}.",
        "",
        "| database | push 5 notes | pull of 5 new notes | pull, nothing new |",
        "|---|---|---|---|",
    ]
    lines[4] = lines[4].format(load=load)
    for name, found in results.items():
        row = [cell(found[k], k) for k in ("push", "pull_new", "pull_idle")]
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    lines += [
        "",
        f"The school's change lock under contention: {CONTENDERS} clients of one school "
        f"pushing 5 notes each back to back for {CONTENTION_SECONDS} s through gunicorn "
        "(2 workers x 4 threads); two of them write notes on the same observation.",
        "",
        "| database | pushes/s | lock wait p50 / p95 / p99 | lock held p50 / p95 "
        "| push total p50 / p95 |",
        "|---|---|---|---|---|",
    ]
    for name, found in results.items():
        c = found["contention"]
        lines.append(
            f"| {name} | {c['rate']:.0f} | {c['wait50']:.2f} / {c['wait95']:.2f} / "
            f"{c['wait99']:.2f} ms | {c['held50']:.2f} / {c['held95']:.2f} ms | "
            f"{c['total50']:.2f} / {c['total95']:.2f} ms |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
