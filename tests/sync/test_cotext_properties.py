"""Property tests of co-written text: 2 to 4 devices (pycrdt documents) and the real server.

Invariants, for any run of edits, pushes and pulls, with duplicates (a batch sent again, an
update sent again under a new seq), coalesced updates (merged into one) and reorders (a
device's queued updates sent in any order, so the server holds some whose dependencies have
not arrived yet):
1. Convergence: once every device has pushed and pulled, the server's text, its document's
   text and every device's text are the same.
2. Nothing typed is lost: every character is unique, and the final text holds exactly the
   characters inserted by anyone and deleted by no one.
3. Co-writing never conflicts: every Yjs push is `applied`, and the record has no conflicts.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field

import pycrdt
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.cotext import Replica, b64, edit, text_of_state
from tests.support.sync import SyncClient, new_id, observation_fields

OBS = "observation"
NAME = "strengths"
_chars = itertools.count()


def fresh(n: int) -> str:
    """n characters never used before in this test run (CJK ideographs)."""
    return "".join(chr(0x4E00 + next(_chars) % 20_000) for _ in range(n))


@dataclass
class Device:
    client: SyncClient
    replica: Replica = field(default_factory=Replica)
    queued: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)


@dataclass
class World:
    devices: list[Device]
    obs_id: str
    inserted: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)

    def edit(self, who: int, at: float, size: int, insert: bool) -> None:
        device = self.devices[who]
        text = device.replica.text
        start = int(at * len(text))
        if insert or not text:
            words = fresh(size)
            self.inserted |= set(words)
            device.queued.append(device.replica.insert(start, words))
            return
        end = min(len(text), start + size)
        self.deleted |= set(text[start:end])
        device.queued.append(device.replica.delete(start, end))

    def push(self, who: int, order: list[int], coalesce: bool, again: bool) -> None:
        device = self.devices[who]
        # Some of the queue, in any order (all of it when none is picked); the rest waits, so
        # an update may reach the server a push before one it depends on.
        picked = [device.queued[i % len(device.queued)] for i in order if device.queued]
        chosen = list(dict.fromkeys(picked or device.queued))
        device.queued = [u for u in device.queued if u not in chosen]
        queued = chosen
        if coalesce and queued:
            merged = pycrdt.merge_updates(*(_raw(u) for u in queued))
            queued = [b64(merged)]
        if again and device.sent:
            queued.append(device.sent[0])  # an old update under a new seq: idempotent
        batch = [device.client.mutation(OBS, self.obs_id, {NAME: edit(u)}) for u in queued]
        for _ in range(2 if again else 1):  # the whole batch again: duplicates by seq
            results = device.client.push_ok(batch) if batch else []
            assert {r["status"] for r in results} <= {"applied", "duplicate"}
        device.sent += queued

    def pull(self, who: int) -> None:
        device = self.devices[who]
        device.client.pull_all()
        record = device.client.record(OBS, self.obs_id)
        device.replica.apply(record["yjs"][NAME])


def _raw(update: str) -> bytes:
    return base64.b64decode(update)


action = st.one_of(
    st.tuples(
        st.just("edit"),
        st.integers(0, 3),
        st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0, 1),  # start, middle, end, anywhere
        st.integers(1, 6),
        st.booleans(),
    ),
    st.tuples(
        st.just("push"),
        st.integers(0, 3),
        st.lists(st.integers(0, 20), max_size=4),
        st.booleans(),
        st.booleans(),
    ),
    st.tuples(st.just("pull"), st.integers(0, 3)),
)


class Phones(list[SyncClient]):
    def __repr__(self) -> str:  # hypothesis prints the fixture with a failing example
        return f"<{len(self)} signed-in devices>"


@pytest.fixture
def devices(factory):
    school = factory.school()
    return Phones(SyncClient(factory.session(school)) for _ in range(4))


def _world(devices: list[SyncClient], n: int) -> World:
    obs_id, start = new_id(), fresh(8)
    people = [(c.user_id, "co_teacher") for c in devices[:n]]
    devices[0].put(OBS, obs_id, observation_fields(people, **{NAME: start}))
    world = World([Device(c) for c in devices[:n]], obs_id, inserted=set(start))
    for who in range(n):
        world.pull(who)
    return world


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(n=st.integers(2, 4), actions=st.lists(action, max_size=25))
@example(  # typed on: the second edit reaches the server a push before the first it follows
    n=2,
    actions=[
        ("edit", 0, 1.0, 3, True),
        ("edit", 0, 1.0, 3, True),
        ("push", 0, [1], False, False),
        ("pull", 1),
        ("edit", 1, 0.0, 2, True),
        ("push", 1, [], True, True),
    ],
)
def test_co_written_text_converges_and_keeps_every_word(devices, n, actions):
    world = _world(devices, n)
    for kind, who, *args in actions:
        getattr(world, kind)(who % n, *args)
    for who in range(n):
        world.push(who, [], False, False)
        world.pull(who)
    for who in range(n):
        world.pull(who)
    record = world.devices[0].client.record(OBS, world.obs_id)
    text = record["fields"][NAME]
    assert text_of_state(record["yjs"][NAME]) == text
    assert [d.replica.text for d in world.devices] == [text] * n
    assert set(text) == world.inserted - world.deleted
    assert len(text) == len(set(text))
    assert record["conflicts"] == []
