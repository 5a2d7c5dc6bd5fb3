"""The live channel at scale (issue 17): a stream tells at most one `changed` per second, with
the latest version, however fast its school writes."""

from __future__ import annotations

import threading
import time
import uuid

from flask import Flask

from server.sync import live


def told(app: Flask, coalesce: float, publish_every: float) -> tuple[list[int], int]:
    """A 3 s stream on a real Hub, fed a new version every `publish_every` s: the versions it
    told, and the last one published."""
    app.config.update(LIVE_STREAM_SECONDS=3, LIVE_HEARTBEAT_SECONDS=30)
    app.config["LIVE_COALESCE_SECONDS"] = coalesce
    hub, school = live.Hub(), uuid.uuid4()
    published = [0]
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            published[0] += 1
            hub.publish(school, published[0])
            time.sleep(publish_every)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    versions = []
    events = live._events(app, school, 0, 0, lambda since, t: hub.wait(school, since, t))
    try:
        for chunk in events:
            if b"event: changed" in chunk:
                versions.append(int(chunk.split(b"\n")[0].removeprefix(b"id: ")))
    finally:
        stop.set()
        thread.join()
    return versions, published[0]


def test_a_busy_school_is_told_once_a_second_with_the_latest_version(app: Flask):
    versions, last = told(app, coalesce=1.0, publish_every=0.01)
    assert 2 <= len(versions) <= 4  # 3 s of writes, about 300 versions, told 3 times
    assert versions == sorted(versions)
    assert last - versions[-1] < last / 2  # the events carry recent versions, not the first


def test_without_coalescing_every_wake_is_an_event(app: Flask):
    versions, _ = told(app, coalesce=0.0, publish_every=0.01)
    assert len(versions) > 20
