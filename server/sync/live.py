"""The "something changed" channel: GET /api/v1/sync/events, Server-Sent Events.

A stream tells a phone that a change it may see may have been committed in its school, by
sending `event: changed` with the school's change counter; the phone then pulls, and pull
applies the read rules. It is coarse on purpose (per school): the event carries only a number.

Where the news comes from:
- PostgreSQL: every write transaction NOTIFYs `lessonloop_changes` with "school:version"
  before it commits (server.sync.versions), so the notification is delivered at commit, to every
  app instance. Each process keeps ONE listening connection (a daemon thread started by the
  first stream) and fans out to its streams through a condition per school. As a safety net a
  stream also reads the counter at each heartbeat (a notification lost while the listener
  reconnected is then late by at most one heartbeat, never lost).
- SQLite (one machine): each stream reads its school's counter once a second, one read by
  primary key.

A stream holds one worker thread, so it ends after STREAM_SECONDS (55 s, under gunicorn's 60 s
timeout and most proxies' idle limits) and says `retry:` so the client reconnects; a comment
heartbeat (`: ping`) every HEARTBEAT_SECONDS (15 s) keeps proxies from closing it as idle.
At each heartbeat the stream also checks that its sign-in still holds (device not revoked, user
active): a sign-in that ended meanwhile gets one `event: signed_out` carrying the error shape of
a 401, and the stream ends (the reconnect is then refused with 401 `invalid_token`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import orjson
from flask import Flask, Response, current_app, request
from sqlalchemy import select

from server.errors import ApiError
from server.extensions import db
from server.models import Device, User
from server.sync.versions import CHANGES_CHANNEL, committed_version

STREAM_SECONDS = 55.0
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 3000
SQLITE_POLL_SECONDS = 1.0
# At most one `changed` per stream per COALESCE_SECONDS (issue 17): the first change after a
# quiet spell is told at once; changes within the next second are told together, by the one
# event carrying the latest version. A school of 30 phones each pushing every 5 s would
# otherwise wake every stream 6 times a second.
COALESCE_SECONDS = 1.0


def setting(app: Flask, name: str, default: float) -> float:
    """LIVE_* settings: the app's config, else LESSONLOOP_LIVE_* in the environment."""
    if name in app.config:
        return float(app.config[name])
    return float(os.environ.get("LESSONLOOP_" + name, default))


class Hub:
    """One process's latest known version per school, and the streams waiting on it.

    Each school has its own condition (all on one lock), so a change wakes only the streams of
    its school: with one condition for all, every push of a trust woke every stream of the
    process (issue 17: 300 streams over 10 schools, 60 pushes a second).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.schools: dict[uuid.UUID, threading.Condition] = {}
        self.latest: dict[uuid.UUID, int] = {}
        self.listener: threading.Thread | None = None
        self.listening = threading.Event()

    def _school(self, school_id: uuid.UUID) -> threading.Condition:
        """The school's condition (call with the lock held)."""
        condition = self.schools.get(school_id)
        if condition is None:
            condition = self.schools[school_id] = threading.Condition(self.lock)
        return condition

    def publish(self, school_id: uuid.UUID, version: int) -> None:
        with self.lock:
            if version > self.latest.get(school_id, 0):
                self.latest[school_id] = version
                self._school(school_id).notify_all()

    def wait(self, school_id: uuid.UUID, since: int, timeout: float) -> int:
        """The school's version once it is above `since`, or after `timeout` whatever it is."""
        with self.lock:
            condition = self._school(school_id)
            condition.wait_for(lambda: self.latest.get(school_id, 0) > since, timeout)
            return self.latest.get(school_id, 0)

    def ensure_listener(self, conninfo: str) -> None:
        with self.lock:
            if self.listener is None or not self.listener.is_alive():
                self.listener = threading.Thread(
                    target=listen_forever, args=(self, conninfo), name="lessonloop-listen"
                )
                self.listener.daemon = True
                self.listener.start()
        # The first stream of a process waits (briefly) until LISTEN is in place.
        self.listening.wait(timeout=5)


HUB = Hub()


def listen_forever(hub: Hub, conninfo: str) -> None:
    """LISTEN on PostgreSQL and publish every notification; reconnect after a failure."""
    import psycopg

    while True:
        try:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute(f"LISTEN {CHANGES_CHANNEL}")
                hub.listening.set()
                while True:
                    for notice in connection.notifies(timeout=30):
                        _publish_payload(hub, notice.payload)
        except psycopg.Error:
            hub.listening.clear()
            time.sleep(1)


def _publish_payload(hub: Hub, payload: str) -> None:
    school_hex, _, version = payload.partition(":")
    with contextlib.suppress(ValueError):
        hub.publish(uuid.UUID(school_hex), int(version))


def last_event_id() -> int | None:
    """The Last-Event-ID header (the last version this client was told about), if any."""
    raw = request.headers.get("Last-Event-ID")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ApiError(
            400,
            "invalid_last_event_id",
            "Last-Event-ID must be the version number of the last event you received.",
        )
    return int(raw)


def stream(school_id: uuid.UUID, device_id: uuid.UUID) -> Response:
    """The event stream of one reader's school, as a streamed response."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    told = last_event_id()
    wait = _waiter(app, school_id)  # on PostgreSQL: listening before the counter is read
    current = committed_version(school_id)
    db.session.commit()  # hold no transaction (nor pooled connection) while streaming
    since = current if told is None else min(told, current)
    events = _events(app, Reader(school_id, device_id), since, current, wait)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(events, mimetype="text/event-stream", headers=headers)


def _waiter(app: Flask, school_id: uuid.UUID) -> Callable[[int, float], int]:
    """How a stream waits for news: the process's listener on PostgreSQL, polling on SQLite."""
    if db.engine.dialect.name == "postgresql":
        url = db.engine.url.set(drivername="postgresql")
        HUB.ensure_listener(url.render_as_string(hide_password=False))
        return lambda since, timeout: HUB.wait(school_id, since, timeout)

    def poll(since: int, timeout: float) -> int:
        step = setting(app, "LIVE_POLL_SECONDS", SQLITE_POLL_SECONDS)
        time.sleep(min(timeout, step))
        return read_version(app, school_id)

    return poll


def read_version(app: Flask, school_id: uuid.UUID) -> int:
    """The school's committed counter, read in a context of its own (released at once)."""
    with app.app_context():
        return committed_version(school_id)


class Reader:
    """Whose stream it is: the school it follows and the sign-in (device) it was opened with."""

    def __init__(self, school_id: uuid.UUID, device_id: uuid.UUID) -> None:
        self.school_id = school_id
        self.device_id = device_id

    def still_signed_in(self, app: Flask) -> bool:
        """The device is not revoked and its user is active (one read by primary key)."""
        with app.app_context():
            row = db.session.execute(
                select(Device.revoked_at, User.active)
                .join(User, User.id == Device.user_id)
                .where(Device.id == self.device_id)
            ).one_or_none()
            db.session.commit()
            return row is not None and row.revoked_at is None and bool(row.active)


SIGNED_OUT = {
    "error": {
        "code": "invalid_token",
        "message": "This sign-in has ended (signed out, revoked or deactivated). Sign in again.",
    }
}


def signed_out() -> bytes:
    """The last event of a stream whose sign-in ended: the error shape of a 401."""
    return f"event: signed_out\ndata: {orjson.dumps(SIGNED_OUT).decode()}\n\n".encode()


def _events(
    app: Flask,
    reader: Reader,
    since: int,
    current: int,
    wait: Callable[[int, float], int],
) -> Iterator[bytes]:
    """retry, then `changed` events and heartbeats until the stream's time is up (or the
    sign-in ends: checked at each heartbeat)."""
    start = time.monotonic()
    deadline = start + setting(app, "LIVE_STREAM_SECONDS", STREAM_SECONDS)
    beat = setting(app, "LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
    coalesce = setting(app, "LIVE_COALESCE_SECONDS", COALESCE_SECONDS)
    yield f"retry: {RETRY_MS}\n: connected\n\n".encode()
    next_ping = start + beat
    version = current
    while True:
        if version > since:
            yield changed(version)
            since = version
            time.sleep(max(0.0, min(coalesce, deadline - time.monotonic())))
        now = time.monotonic()
        if now >= deadline:
            return
        if now >= next_ping:
            if not reader.still_signed_in(app):
                yield signed_out()
                return
            yield b": ping\n\n"
            next_ping = now + beat
            version = max(version, read_version(app, reader.school_id))  # the safety net
            continue
        version = max(version, wait(since, min(deadline, next_ping) - now))


def changed(version: int) -> bytes:
    """One `changed` event; its id lets a reconnecting client say what it last heard."""
    data = orjson.dumps({"version": version}).decode()
    return f"id: {version}\nevent: changed\ndata: {data}\n\n".encode()
