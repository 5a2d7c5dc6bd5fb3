"""Server time by phase (server.timing): the Server-Timing header, when switched on."""

from __future__ import annotations

import time

from flask import Flask

from server import timing
from tests.support.factories import Factory, new_id
from tests.support.sync import hlc, iso


def note_push(session, observation_id: str | None = None) -> dict:
    observation = {
        "seq": 1,
        "entity": "observation",
        "id": observation_id or new_id(),
        "op": "put",
        "base_version": 0,
        "hlc": hlc(session.client_id),
        "fields": {
            "kind": "coaching",
            "title": "Timed",
            "starts_at": iso(),
            "participants": [{"user_id": session.user["id"], "role": "observer"}],
        },
    }
    return {"client_id": session.client_id, "mutations": [observation]}


def test_push_and_pull_say_where_their_time_went(app: Flask, factory: Factory):
    app.config["SERVER_TIMING"] = True
    session = factory.session(factory.school())
    response = session.post("/api/v1/sync/push", json=note_push(session))
    assert response.status_code == 200
    phases = timing.parse(response.headers[timing.HEADER])
    for name in ("auth", "decode", "validate", "parse", "lock", "read", "apply", "write", "commit"):
        assert name in phases, phases
    assert phases["lock_held"] > 0
    named = sum(v for k, v in phases.items() if k not in ("total", "cpu", "lock_held"))
    assert phases["cpu"] > 0
    assert named <= phases["total"]  # exclusive phases add up to at most the whole
    pulled = session.get("/api/v1/sync/pull")
    phases = timing.parse(pulled.headers[timing.HEADER])
    assert {"auth", "counter", "page", "render", "total"} <= set(phases)
    idle = session.get(f"/api/v1/sync/pull?cursor={pulled.get_json()['cursor']}")
    assert "page" not in timing.parse(idle.headers[timing.HEADER])  # nothing new: no page query


def test_no_header_unless_switched_on(app: Flask, factory: Factory):
    session = factory.session(factory.school())
    response = session.post("/api/v1/sync/push", json=note_push(session))
    assert response.status_code == 200
    assert timing.HEADER not in response.headers


def test_an_inner_phase_is_not_counted_twice(app: Flask):
    app.config["SERVER_TIMING"] = True
    with app.test_request_context("/"):
        timing.start()
        with timing.phase("outer"):
            time.sleep(0.02)
            with timing.phase("inner"):
                time.sleep(0.03)
        response = timing.header(app.response_class("x"))
    phases = timing.parse(response.headers[timing.HEADER])
    assert phases["inner"] >= 30
    assert phases["outer"] >= 20
    # The outer phase counts its own time only: counted with the inner's, the two would add
    # up to more than the whole request.
    assert phases["outer"] + phases["inner"] <= phases["total"]
