"""Every kind of sync response loads with the schema that documents it (schemas/sync.py).

The views jsonify their own output, so nothing else keeps PushResponseSchema and
PullResponseSchema honest: SyncClient loads every response it gets with them (and errors with
ErrorSchema); this module drives one of each kind of result and change through them on purpose.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from marshmallow import ValidationError

from schemas.common import ErrorSchema
from schemas.sync import PullResponseSchema, PushResponseSchema
from tests.support.sync import SyncClient, hlc, new_id, note_fields, observation_fields

A_YEAR_MS = 365 * 24 * 3600 * 1000


@dataclasses.dataclass
class Room:
    observer: SyncClient
    observee: SyncClient
    co_teacher: SyncClient
    observation: str
    notes: list[str]
    first: dict[str, Any]  # the observer's first mutation, to send again


@pytest.fixture
def room(factory):
    """Three participants of one observation with two notes, each device caught up."""
    school = factory.school()
    observer, observee, co_teacher = (SyncClient(factory.session(school)) for _ in range(3))
    obs_id, notes = new_id(), [new_id(), new_id()]
    roles = [(observer, "observer"), (observee, "observee"), (co_teacher, "co_teacher")]
    fields = observation_fields([(c.user_id, role) for c, role in roles])
    first = observer.mutation("observation", obs_id, fields)
    observer.push_ok([first])
    for note in notes:
        observer.put("note", note, note_fields(obs_id))
    for client in (observer, observee, co_teacher):
        client.pull_all()
    return Room(observer, observee, co_teacher, obs_id, notes, first)


def _loaded_push(client: SyncClient, mutations: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.push(mutations)
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    PushResponseSchema().load(body)
    return body


def _mixed_batch(room: Room) -> list[dict[str, Any]]:
    """duplicate, applied, merged, rejected, clock_clamped, a tombstone, an eviction, a gap."""
    observer, obs_id = room.observer, room.observation
    now = int(time.time() * 1000)
    base = observer.record("observation", obs_id)["version"]
    room.observee.put(
        "observation",
        obs_id,
        {"strengths": "Theirs"},
        base=base,
        hlc=hlc(room.observee.session.client_id, now + 50),
    )
    stay = [
        {"user_id": observer.user_id, "role": "observer"},
        {"user_id": room.observee.user_id, "role": "observee"},
    ]
    batch = [
        room.first,
        observer.mutation("note", new_id(), note_fields(obs_id)),
        observer.mutation("observation", obs_id, {"strengths": "Mine"}, base=base),
        observer.mutation("note", new_id(), note_fields(obs_id, category="gossip")),
        observer.mutation(
            "observation",
            obs_id,
            {"reflection": "from the future"},
            hlc=hlc(observer.session.client_id, now + A_YEAR_MS),
        ),
        observer.mutation("note", room.notes[0], op="delete"),
        observer.mutation("observation", obs_id, {"participants": stay}, base=10**6),
    ]
    observer.seq += 1  # a gap: this one and all after it wait
    return [*batch, observer.mutation("note", new_id(), note_fields(obs_id))]


def test_every_kind_of_push_result_loads_with_the_push_response_schema(room):
    body = _loaded_push(room.observer, _mixed_batch(room))
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [
        "duplicate",
        "applied",
        "merged",
        "rejected",
        "applied",
        "applied",
        "applied",
        "out_of_order",
    ]
    merged, rejected, clamped = body["results"][2], body["results"][3], body["results"][4]
    assert merged["conflicts"]
    assert rejected["error"]["code"] == "validation_error"
    assert clamped["clock_clamped"] is True


def test_every_kind_of_pulled_change_loads_with_the_pull_response_schema(room):
    _loaded_push(room.observer, _mixed_batch(room))
    pages = {"observee": room.observee, "co_teacher": room.co_teacher}
    changes: dict[str, list[dict[str, Any]]] = {}
    for name, client in pages.items():
        changes[name] = []
        while True:
            page = client.pull(limit=1).get_json()
            PullResponseSchema().load(page)
            changes[name] += page["changes"]
            client.cursor = page["cursor"]
            if not page["has_more"]:
                break
    observation = next(c for c in changes["observee"] if c["entity"] == "observation")
    assert observation["conflicts"]
    assert any(c.get("deleted") for c in changes["observee"])  # the tombstone
    assert any(c.get("evicted") for c in changes["co_teacher"])
    fresh = SyncClient(room.observee.session).pull(limit=1)  # an initial pull's first page
    PullResponseSchema().load(fresh.get_json())


def _error(response) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    ErrorSchema().load(body)
    return body


def test_sync_error_responses_load_with_the_error_schema(room):
    observer, obs_id = room.observer, room.observation
    assert _error(observer.pull(cursor="garbage"))["error"]["code"] == "invalid_cursor"
    too_many = [observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(1001)]
    assert _error(observer.push(too_many))["error"]["code"] == "too_many_mutations"
    bad_shape = observer.push([{"seq": 0}])
    assert bad_shape.status_code == 400
    assert _error(bad_shape)["error"]["details"]
    not_json = observer.session.post(
        "/api/v1/sync/push", data=b"{not json", content_type="application/json"
    )
    assert _error(not_json)["error"]["code"] == "invalid_json"
    other = dataclasses.replace(observer.session, client_id=room.observee.session.client_id)
    mismatch = SyncClient(other).push([])
    assert _error(mismatch)["error"]["code"] == "client_mismatch"
    signed_out = SyncClient(dataclasses.replace(observer.session, token="not-a-token"))
    assert _error(signed_out.pull())["error"]["code"] == "invalid_token"
    assert _error(signed_out.push([]))["error"]["code"] == "invalid_token"


@pytest.mark.parametrize(
    "body",
    [
        {"results": [{"seq": 1, "status": "applied", "surprise": 1}], "last_seq": 1},
        {"results": [{"seq": "1", "status": "applied"}], "last_seq": 1},
        {"results": [{"seq": 1, "status": "applied", "error": {"code": "x"}}], "last_seq": 1},
    ],
)
def test_the_push_schema_refuses_what_the_server_must_not_send(body):
    with pytest.raises(ValidationError):
        PushResponseSchema().load(body)


def test_the_pull_schema_refuses_what_the_server_must_not_send():
    change = {"entity": "gossip", "id": new_id(), "evicted": True}
    with pytest.raises(ValidationError):
        PullResponseSchema().load({"changes": [change], "cursor": "c", "has_more": False})
