"""No change is ever skipped: 8 writers and 4 readers at once, through gunicorn over real HTTP.

Writers push notes and edits as fast as they can; readers pull with their cursors all the
while. Afterwards each reader's accumulated state must equal the database exactly: every
record present at its latest version, nothing skipped, no record twice in a page, and no
record ever going back to an older version.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from server.models import Note, Observation
from tests.support.factories import Factory
from tests.support.live import LiveServer
from tests.support.sync import hlc, iso

DURATION = float(os.environ.get("LESSONLOOP_CONCURRENCY_SECONDS", "20"))
WRITERS, READERS = 8, 4


class Writer(threading.Thread):
    def __init__(
        self,
        server: LiveServer,
        login: dict[str, Any],
        observations: list[str],
        stop: threading.Event,
    ):
        super().__init__(daemon=True)
        self.server, self.login, self.observations, self.stop = server, login, observations, stop
        self.seq, self.counter, self.rng = 0, 0, random.Random(login["client_id"])
        self.mine: dict[str, int] = {}
        self.errors: list[Any] = []
        self.pushes = 0

    def mutation(self) -> dict[str, Any]:
        self.seq += 1
        self.counter += 1
        stamp = hlc(self.login["client_id"], int(time.time() * 1000), self.counter % 10000)
        if self.mine and self.rng.random() < 0.3:
            note_id = self.rng.choice(list(self.mine))
            return {
                "seq": self.seq,
                "entity": "note",
                "id": note_id,
                "op": "put",
                "base_version": self.mine[note_id],
                "hlc": stamp,
                "fields": {"text": f"edit {self.seq}"},
            }
        if self.rng.random() < 0.1:
            return {
                "seq": self.seq,
                "entity": "observation",
                "id": self.rng.choice(self.observations),
                "op": "put",
                "base_version": 0,
                "hlc": stamp,
                "fields": {"wonderings": f"{self.login['user']['id']} {self.seq}"},
            }
        note_id = str(uuid.uuid4())
        return {
            "seq": self.seq,
            "entity": "note",
            "id": note_id,
            "op": "put",
            "base_version": 0,
            "hlc": stamp,
            "fields": {
                "observation_id": self.rng.choice(self.observations),
                "at": iso(self.seq % 60),
                "category": "evidence",
                "text": f"note {self.seq}",
            },
        }

    def run(self) -> None:
        while not self.stop.is_set():
            batch = [self.mutation() for _ in range(self.rng.randint(1, 20))]
            status, body = self.server.request(
                "POST",
                "/api/v1/sync/push",
                {"client_id": self.login["client_id"], "mutations": batch},
                token=self.login["token"],
            )
            self.pushes += 1
            if status != 200:
                self.errors.append((status, body))
                return
            for m, result in zip(batch, body["results"], strict=True):
                if result["status"] not in ("applied", "merged"):
                    self.errors.append(result)
                elif m["entity"] == "note":
                    self.mine[m["id"]] = result["version"]


class Reader(threading.Thread):
    def __init__(self, server: LiveServer, login: dict[str, Any], stop: threading.Event):
        super().__init__(daemon=True)
        self.server, self.login, self.stop = server, login, stop
        self.cursor: str | None = None
        self.state: dict[tuple[str, str], dict[str, Any]] = {}
        self.errors: list[Any] = []
        self.pages = 0

    def pull_until_done(self) -> None:
        while True:
            query = f"?limit={random.choice([50, 200, 500])}" + (
                f"&cursor={self.cursor}" if self.cursor else ""
            )
            status, page = self.server.request(
                "GET", "/api/v1/sync/pull" + query, token=self.login["token"]
            )
            if status != 200:
                self.errors.append((status, page))
                return
            self.pages += 1
            keys = [(c["entity"], c["id"]) for c in page["changes"]]
            if len(keys) != len(set(keys)):
                self.errors.append("a record came twice in one page")
            for change in page["changes"]:
                key = (change["entity"], change["id"])
                old = self.state.get(key)
                if old is not None and change["version"] <= old["version"]:
                    self.errors.append(
                        f"{key} went from version {old['version']} to {change['version']}"
                    )
                self.state[key] = change
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return

    def run(self) -> None:
        while not self.stop.is_set() and not self.errors:
            self.pull_until_done()
            time.sleep(random.uniform(0, 0.05))


@pytest.fixture
def live(database_url: str, tmp_path: Path, app) -> LiveServer:
    server = LiveServer(database_url, tmp_path / "live", workers=4, threads=2).start()
    yield server
    server.stop()


def test_concurrent_pushes_and_pulls_skip_nothing(app, client, live, database_url):
    factory = Factory(app, client)
    school = factory.school()
    writers_users = [factory.user(school, name=f"Writer {n}") for n in range(WRITERS)]
    readers_users = [factory.user(school, role="lead", name=f"Reader {n}") for n in range(READERS)]
    logins = [factory.login(u) for u in writers_users + readers_users]
    as_dict = [{"token": s.token, "client_id": s.client_id, "user": s.user} for s in logins]
    people = [{"user_id": str(u.id), "role": "observer"} for u in writers_users + readers_users]
    observations = [str(uuid.uuid4()) for _ in range(4)]
    creator = as_dict[0]
    status, body = live.request(
        "POST",
        "/api/v1/sync/push",
        {
            "client_id": creator["client_id"],
            "mutations": [
                {
                    "seq": n + 1,
                    "entity": "observation",
                    "id": obs,
                    "op": "put",
                    "base_version": 0,
                    "hlc": hlc(creator["client_id"], counter=n),
                    "fields": {
                        "kind": "team_teaching",
                        "title": f"Lesson {n}",
                        "starts_at": iso(),
                        "participants": people,
                    },
                }
                for n, obs in enumerate(observations)
            ],
        },
        token=creator["token"],
    )
    assert status == 200, body
    stop = threading.Event()
    writers = [Writer(live, login, observations, stop) for login in as_dict[:WRITERS]]
    for writer in writers[1:]:
        writer.seq = 0
    writers[0].seq = len(observations)
    readers = [Reader(live, login, stop) for login in as_dict[WRITERS:]]
    for thread in writers + readers:
        thread.start()
    time.sleep(DURATION)
    stop.set()
    for thread in writers + readers:
        thread.join(timeout=60)
    assert not [w.errors for w in writers if w.errors]
    assert not [r.errors for r in readers if r.errors]
    for reader in readers:
        reader.pull_until_done()  # catch up after the last write
    expected = _database_state(database_url)
    total_notes = sum(1 for key in expected if key[0] == "note")
    assert total_notes > 200, "the writers should have written plenty"
    assert sum(r.pages for r in readers) > 40, "the readers should have pulled all along"
    for reader in readers:
        got = {
            key: change["version"]
            for key, change in reader.state.items()
            if key[0] in ("note", "observation")
        }
        missing = expected.keys() - got.keys()
        stale = {k for k in expected.keys() & got.keys() if got[k] != expected[k]}
        assert not missing, f"{len(missing)} records never reached a reader"
        assert not stale, f"{len(stale)} records stuck at an old version"
        assert got.keys() == expected.keys()


def _database_state(url: str) -> dict[tuple[str, str], int]:
    engine = create_engine(
        url.replace("sqlite:///", "sqlite:///") if url.startswith("sqlite") else url
    )
    try:
        with engine.connect() as conn:
            rows = [("note", i, v) for i, v in conn.execute(select(Note.id, Note.version))]
            rows += [
                ("observation", i, v)
                for i, v in conn.execute(select(Observation.id, Observation.version))
            ]
    finally:
        engine.dispose()
    return {(entity, str(i)): v for entity, i, v in rows}
