"""A trust's Monday morning, as locust users (run by bench/load/__init__.py, headless).

- `Device`: a teacher's phone. Signs in once, opens the live channel (a stream read in its own
  greenlet, reconnecting as the server asks), then every PACE seconds captures 1 to 3 notes on
  its lesson and pushes them, then pulls until it is caught up. A push that fails keeps its
  notes and seqs in the outbox and sends them again next time, as the PWA does. Every note the
  server acknowledged (`applied`, or `duplicate` for a resent one) is written out at the end.
- `Lead`: a school lead downloading teachers' professional learning records in a loop.

Accounts come from LOAD_ACCOUNTS (a JSON file the bench writes); acknowledged notes go to
LOAD_OUT/acked.json. Imports only locust and the standard library (locust runs under gevent).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task

ACCOUNTS: dict[str, Any] = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
PACE = float(os.environ.get("LOAD_PACE_SECONDS", "5"))
PASSWORD = ACCOUNTS["password"]
DEVICES = itertools.cycle(ACCOUNTS["devices"])
LEADS = itertools.cycle(ACCOUNTS["leads"])
ACKED: list[str] = []
SENT: list[str] = []


class Device(HttpUser):
    """A teacher's phone in a lesson."""

    weight = 1

    def on_start(self) -> None:
        self.account = next(DEVICES)
        answer = self.client.post(
            "/api/v1/auth/login",
            json={"email": self.account["email"], "password": PASSWORD, "device_name": "load"},
            name="login",
        ).json()
        self.token, self.client_id = answer["token"], answer["client_id"]
        self.headers = {"Authorization": f"Bearer {self.token}"}
        self.seq, self.minute, self.cursor = 0, 0, None
        self.outbox: list[dict[str, Any]] = []
        self.stream = gevent.spawn(self.listen)
        self.pull("pull (first sync)")  # the school's notes so far: reported on their own
        # Phones in a lesson are not in step: each starts its rhythm at a random point of the
        # first PACE seconds, then keeps it (`wait_time`). Locust's constant_pacing would keep
        # them in the spawn rate's steps: 25 users started together push together, in bursts.
        gevent.sleep(random.uniform(0, PACE))
        self.next_lesson = time.monotonic()

    def wait_time(self) -> float:
        """Every PACE seconds on this phone's own rhythm (a late push does not shift it)."""
        self.next_lesson += PACE
        return max(0.0, self.next_lesson - time.monotonic())

    def on_stop(self) -> None:
        self.stream.kill(block=False)

    def listen(self) -> None:
        """The live channel: read events until the stream ends, then reconnect."""
        while True:
            try:
                with self.client.get(
                    "/api/v1/sync/events",
                    headers=self.headers,
                    stream=True,
                    name="events (connect)",
                    timeout=90,
                    catch_response=True,  # locust refuses a with-block without it
                ) as response:
                    for _line in response.iter_lines():
                        pass
                    response.success()
            except Exception as error:  # a dropped stream is reconnected, but never silently
                events.request.fire(
                    request_type="GET",
                    name="events (ended early)",
                    response_time=0,
                    response_length=0,
                    exception=error,
                )
            gevent.sleep(3)  # the server's retry: 3000

    def note(self) -> dict[str, Any]:
        self.seq += 1
        self.minute += 1
        note_id = str(uuid.uuid4())
        stamp = f"{int(time.time() * 1000):015d}:{self.seq % 10000:04d}:{self.client_id}"
        return {
            "seq": self.seq,
            "entity": "note",
            "id": note_id,
            "op": "put",
            "base_version": 0,
            "hlc": stamp,
            "fields": {
                "observation_id": self.account["observation_id"],
                "at": "2026-11-30T09:00:00+00:00",
                "minute": self.minute % 600,
                "category": random.choice(["evidence", "pupils", "strength", "wondering"]),
                "text": f"Pupils explained their method to a partner. [{note_id}]",
            },
        }

    @task
    def lesson(self) -> None:
        new = [self.note() for _ in range(random.randint(1, 3))]
        self.outbox.extend(new)
        SENT.extend(m["id"] for m in new)
        body = {"client_id": self.client_id, "mutations": self.outbox}
        with self.client.post(
            "/api/v1/sync/push", json=body, headers=self.headers, name="push", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"push answered {response.status_code}")
                return
            results = response.json()["results"]
            if any(r["status"] not in ("applied", "duplicate") for r in results):
                response.failure(f"push results {results}")
                return
        ACKED.extend(m["id"] for m in self.outbox)
        self.outbox = []
        self.pull()

    def pull(self, name: str = "pull") -> None:
        while True:
            path = "/api/v1/sync/pull" + (f"?cursor={self.cursor}" if self.cursor else "")
            response = self.client.get(path, headers=self.headers, name=name)
            if response.status_code != 200:
                return
            page = response.json()
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return


class Lead(HttpUser):
    """A lead downloading teachers' learning records, one after another."""

    wait_time = between(1, 3)
    fixed_count = int(os.environ.get("LOAD_LEADS", "5"))

    def on_start(self) -> None:
        self.account = next(LEADS)
        answer = self.client.post(
            "/api/v1/auth/login",
            json={"email": self.account["email"], "password": PASSWORD, "device_name": "load"},
            name="login",
        ).json()
        self.headers = {"Authorization": f"Bearer {answer['token']}"}

    @task
    def download(self) -> None:
        teacher = random.choice(self.account["teachers"])
        self.client.get(
            f"/api/v1/reports/teachers/{teacher}.pdf", headers=self.headers, name="report (PDF)"
        )


@events.quitting.add_listener
def write_acknowledged(**_: Any) -> None:
    out = os.environ.get("LOAD_OUT")
    if out:
        with open(os.path.join(out, "acked.json"), "w") as file:
            json.dump({"acked": ACKED, "sent": SENT}, file)
