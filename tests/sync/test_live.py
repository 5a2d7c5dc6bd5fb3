"""GET /api/v1/sync/events over real HTTP: a partner's push reaches an open stream.

SQLite and PostgreSQL, each with TWO gunicorn instances on the same database: the stream is on
one, the push on the other (on PostgreSQL it travels by NOTIFY; on SQLite by polling).
"""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import Factory
from tests.support.live import LiveServer
from tests.support.sync import hlc, iso

STREAM_SECONDS = 6  # the streams of these servers end after this (production: 55)
HEARTBEAT_SECONDS = 2
LIVE_ENV = {
    "LESSONLOOP_LIVE_STREAM_SECONDS": str(STREAM_SECONDS),
    "LESSONLOOP_LIVE_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
}
# No heartbeat (and so no safety-net read) within the 5 s a change must take: what arrives came
# by NOTIFY (PostgreSQL) or by the once-a-second poll (SQLite).
QUIET_ENV = {"LESSONLOOP_LIVE_STREAM_SECONDS": "30", "LESSONLOOP_LIVE_HEARTBEAT_SECONDS": "30"}


OPEN: list[Stream] = []


@pytest.fixture(autouse=True)
def close_streams() -> Iterator[None]:
    yield
    while OPEN:
        stream = OPEN.pop()
        stream.close()
        if stream.is_alive():
            stream.join(timeout=10)


class Stream(threading.Thread):
    """One event stream read line by line; every SSE block lands in `blocks` as it arrives."""

    def __init__(
        self, server: LiveServer, token: str | None, headers: dict[str, str] | None = None
    ):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        sent = {"Accept": "text/event-stream", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        self.connection.request("GET", "/api/v1/sync/events", headers=sent)
        self.response = self.connection.getresponse()
        self.blocks: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.opened = time.monotonic()
        self.ended: float | None = None
        OPEN.append(self)

    def run(self) -> None:
        try:
            self._read()
        except (OSError, ValueError, http.client.HTTPException):
            pass  # closed by the test (close())
        finally:
            self.ended = time.monotonic()
            self.blocks.put(None)

    def close(self) -> None:
        self.response.close()
        self.connection.close()

    def _read(self) -> None:
        block: dict[str, Any] = {"comments": []}
        for raw in self.response:
            line = raw.decode().rstrip("\n")
            if line == "":
                self.blocks.put(block)
                block = {"comments": []}
            elif line.startswith(":"):
                block["comments"].append(line[1:].strip())
            else:
                name, _, value = line.partition(":")
                block[name] = value.removeprefix(" ")

    def next_event(self, name: str, timeout: float) -> dict[str, Any]:
        """The next block that is this event (heartbeats and comments are passed over)."""
        until = time.monotonic() + timeout
        while True:
            block = self.blocks.get(timeout=max(0.01, until - time.monotonic()))
            assert block is not None, f"the stream ended before a {name!r} event"
            if block.get("event") == name:
                return block

    def all_blocks(self) -> list[dict[str, Any]]:
        """Every block until the stream ends."""
        blocks = []
        while (block := self.blocks.get(timeout=STREAM_SECONDS + 10)) is not None:
            blocks.append(block)
        return blocks


@pytest.fixture
def servers(
    request: pytest.FixtureRequest, app, database_url: str, tmp_path: Path
) -> Iterator[tuple[LiveServer, LiveServer]]:
    env = getattr(request, "param", LIVE_ENV)
    pair = [
        LiveServer(database_url, tmp_path / f"live{n}", workers=1, threads=4, extra_env=env)
        for n in (1, 2)
    ]
    for server in pair:
        server.start()
    yield pair[0], pair[1]
    for server in pair:
        server.stop()


@pytest.fixture
def partners(app, client):
    factory = Factory(app, client)
    school = factory.school()
    observer = factory.login(factory.user(school, name="Olu Observer"))
    observee = factory.login(factory.user(school, name="Eve Observee"))
    return observer, observee


def push_observation(server: LiveServer, session: Any, partner: Any) -> int:
    """One observation with the partner as observee, pushed over HTTP; its version."""
    fields = {
        "kind": "peer_observation",
        "title": "Year 8 maths",
        "starts_at": iso(),
        "participants": [
            {"user_id": session.user["id"], "role": "observer"},
            {"user_id": partner.user["id"], "role": "observee"},
        ],
    }
    mutation = {
        "seq": 1,
        "entity": "observation",
        "id": str(uuid.uuid4()),
        "op": "put",
        "base_version": 0,
        "hlc": hlc(session.client_id),
        "fields": fields,
    }
    body = {"client_id": session.client_id, "mutations": [mutation]}
    status, answer = server.request("POST", "/api/v1/sync/push", body, token=session.token)
    assert status == 200, answer
    assert answer["results"][0]["status"] == "applied", answer
    return int(answer["results"][0]["version"])


@pytest.mark.parametrize("servers", [QUIET_ENV], indirect=True, ids=["quiet"])
def test_a_push_on_one_instance_reaches_a_partners_stream_on_the_other(servers, partners):
    first, second = servers
    observer, observee = partners
    stream = Stream(first, observee.token)
    assert stream.response.status == 200
    assert stream.response.getheader("Content-Type").startswith("text/event-stream")
    stream.start()
    opening = stream.blocks.get(timeout=5)
    assert opening == {"retry": "3000", "comments": ["connected"]}
    version = push_observation(second, observer, observee)
    event = stream.next_event("changed", timeout=5)
    assert json.loads(event["data"]) == {"version": version}
    assert event["id"] == str(version)
    # The partner then pulls (on either instance) and finds the observation.
    status, page = first.request("GET", "/api/v1/sync/pull", token=observee.token)
    assert status == 200
    assert any(c["entity"] == "observation" for c in page["changes"])


def test_a_stream_pings_and_ends_within_its_limit(servers, partners):
    first, _ = servers
    _, observee = partners
    stream = Stream(first, observee.token)
    stream.start()
    blocks = stream.all_blocks()
    assert stream.ended is not None
    assert stream.ended - stream.opened < STREAM_SECONDS + 3
    pings = [b for b in blocks if b["comments"] == ["ping"]]
    assert len(pings) >= 2
    assert not [b for b in blocks if "event" in b]  # nothing changed, nothing said


def test_a_reconnect_behind_the_school_hears_at_once(servers, partners):
    first, second = servers
    observer, observee = partners
    version = push_observation(second, observer, observee)
    stream = Stream(first, observee.token, {"Last-Event-ID": str(version - 1)})
    stream.start()
    event = stream.next_event("changed", timeout=5)
    assert json.loads(event["data"]) == {"version": version}
    caught_up = Stream(first, observee.token, {"Last-Event-ID": str(version)})
    caught_up.start()
    assert not [b for b in caught_up.all_blocks() if "event" in b]


def test_a_stream_whose_sign_in_ends_says_so_at_the_next_ping_and_ends(servers, partners):
    first, second = servers
    _, observee = partners
    stream = Stream(first, observee.token)
    stream.start()
    assert stream.blocks.get(timeout=5) == {"retry": "3000", "comments": ["connected"]}
    status, _ = second.request("POST", "/api/v1/auth/logout", token=observee.token)
    assert status == 204
    event = stream.next_event("signed_out", timeout=HEARTBEAT_SECONDS + 5)
    assert json.loads(event["data"])["error"]["code"] == "invalid_token"
    assert stream.blocks.get(timeout=5) is None  # and the stream ended, well before its limit
    assert stream.ended is not None
    assert stream.ended - stream.opened < STREAM_SECONDS
    again = Stream(first, observee.token)
    assert again.response.status == 401
    assert json.loads(again.response.read())["error"]["code"] == "invalid_token"


def _error(server: LiveServer, headers: dict[str, str], token: str | None) -> tuple[int, Any]:
    stream = Stream(server, token, headers)
    assert stream.response.getheader("Content-Type") == "application/json"
    return stream.response.status, json.loads(stream.response.read())


def test_a_stream_without_a_token_or_with_a_bad_last_event_id_is_refused(servers, partners):
    first, _ = servers
    _, observee = partners
    status, body = _error(first, {}, None)
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    assert set(body) == {"error"}
    status, body = _error(first, {"Authorization": "Bearer nonsense"}, None)
    assert (status, body["error"]["code"]) == (401, "invalid_token")
    status, body = _error(first, {"Last-Event-ID": "12abc"}, observee.token)
    assert (status, body["error"]["code"]) == (400, "invalid_last_event_id")
    assert body["error"]["message"].endswith(".")


def test_the_openapi_document_has_the_event_stream(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/sync/events"]
    assert set(operation["get"]["responses"]["200"]["content"]) == {"text/event-stream"}
