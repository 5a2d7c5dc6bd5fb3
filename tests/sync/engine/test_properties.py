"""Property tests: the merge engine under random devices, clocks, networks and edits.

Every scenario runs the simulator in tests/sync/engine/simulator.py: 2 to 4 devices with wall clocks
skewed from 10 minutes behind to an hour ahead (so some stamps are clamped), editing a pool
of three records and three fields, with lost responses, requests delivered twice, batches split
and reordered, rejected mutations, resolves, and pulls at random points.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from server.sync.engine import HLC, Mutation, RecordState, conflicts_to_json, merge, meta_to_json
from server.sync.engine.hlc import clamp
from server.sync.engine.merge import _merge_fields
from server.sync.engine.types import FieldMeta
from tests.sync.engine.simulator import (
    FIELDS,
    VALUES,
    Applied,
    Deliver,
    Edit,
    Pull,
    Pulled,
    Replay,
    Send,
    Step,
    Sync,
    Tick,
    World,
)

DEVICES = 4
Scenario = tuple[list[tuple[int, str]], list[Step]]  # (clock skew, author) per device; steps
SCENARIO = settings(max_examples=300, deadline=None)

skews = st.one_of(
    st.sampled_from([0, -600_000, 299_999, 300_000, 300_001, 3_600_000]),
    st.integers(-600_000, 1_200_000),
)
devices = st.lists(
    st.tuples(skews, st.sampled_from(["user-1", "user-2", "user-3"])), min_size=2, max_size=DEVICES
)
device = st.integers(0, DEVICES - 1)
edits = st.builds(
    Edit,
    device=device,
    record=st.integers(0, 2),
    kind=st.sampled_from(["put", "delete", "restore"]),
    fields=st.dictionaries(
        st.sampled_from(FIELDS), st.sampled_from(VALUES), min_size=1, max_size=3
    ),
    resolve=st.lists(st.integers(-1, 3), max_size=3).map(tuple),
    rejected=st.integers(0, 9).map(lambda n: n == 9),
)
network: st.SearchStrategy[Step] = st.one_of(
    st.builds(
        Send,
        device=device,
        start=st.one_of(st.just(0), st.integers(0, 4)),
        length=st.integers(1, 6),
    ),
    st.builds(
        Deliver, flight=st.integers(0, 7), lose_response=st.booleans(), deliver_again=st.booleans()
    ),
    st.builds(Pull, device=device, limit=st.integers(1, 4)),
    st.builds(Sync, device=device, lose_response=st.integers(0, 4).map(lambda n: n == 4)),
    st.builds(Tick, ms=st.sampled_from([0, 1, 250, 5_000, 400_000])),
    st.builds(Replay, batch=st.integers(0, 20)),
)
# A round is a few edits, then one thing happening on the network: hypothesis favours short
# lists, and without rounds most scenarios would hold too few edits to meet.
rounds = st.tuples(st.lists(edits, max_size=3), network).map(lambda r: [*r[0], r[1]])
scenarios = st.tuples(
    devices, st.lists(rounds, min_size=8, max_size=20).map(lambda rs: [s for r in rs for s in r])
)


def play(scenario: Scenario) -> World:
    """Run a scenario to its end, then let everyone flush and pull until caught up."""
    world = World.of(scenario[0])
    world.run(scenario[1])
    world.settle()
    _describe(world)
    return world


def _describe(world: World) -> None:
    """Hypothesis statistics, to see that the scenarios reach the interesting cases."""
    outcomes = [step.outcome for step in world.server.applied]
    event(f"devices: {len(world.devices)}")
    event(f"conflict kept: {any(o.status == 'merged' for o in outcomes)}")
    event(f"clock clamped: {any(o.clock_clamped for o in outcomes)}")
    event(f"conflict resolved: {any(resolved_something(s) for s in world.server.applied)}")
    event(f"replayed mid-run: {bool(world.replays)}")
    for status in ("duplicate", "out_of_order", "rejected"):
        event(f"{status} answered: {status in world.answers}")


def resolved_something(step: Applied) -> bool:
    """Whether a merge cleared a conflict."""
    before = step.before.conflicts if step.before else ()
    return any(c.id in step.entry.mutation.resolves for c in before)


def pulled_view(world: World) -> dict[str, Pulled]:
    """The server's records as a pull carries them."""
    return {rid: Pulled.of(state) for rid, state in world.server.records.items()}


@SCENARIO
@given(scenarios)
def test_replicas_converge_on_the_server_state(scenario: Scenario) -> None:
    """(1) Once every device has flushed its outbox and pulled until has_more is false, every
    replica equals the server's state (versions, fields, tombstones, conflicts), so all replicas
    are identical."""
    world = play(scenario)
    server = pulled_view(world)
    for device in world.devices:
        assert device.replica == server
        assert device.cursor == world.server.version


@SCENARIO
@given(scenarios)
def test_replaying_an_applied_batch_changes_nothing(scenario: Scenario) -> None:
    """(2) A batch the server has already applied, sent again (mid-run, or any batch after
    everything is applied), is answered duplicate throughout and leaves every record, the
    school-wide version and every device's last seq exactly as they were."""
    world = play(scenario)
    assert world.already_applied() == world.delivered  # settled: every batch sent is applied
    for index in range(len(world.delivered)):
        world.replay(index)
    for before, after, results in world.replays:
        assert after == before
        assert {status for _, status in results} == {"duplicate"}


Item = tuple[str, str, str, str]  # field, value as canonical JSON, hlc, author: one typed value


def canon(value: Any) -> str:
    """JSON text that is equal exactly when two JSON values are (the test's own definition)."""
    return json.dumps(value, sort_keys=True)


def written(mutation: Mutation) -> Mapping[str, Any]:
    """The fields a mutation writes, as PROTOCOL.md defines them: a delete writes the flag."""
    return {"deleted": True} if mutation.op == "delete" else mutation.fields


def current_items(state: RecordState) -> set[Item]:
    """The current value of every field that was ever set (the flag included)."""
    values = {**state.fields, "deleted": state.deleted}
    return {(f, canon(values[f]), m.hlc, m.author_id) for f, m in state.meta.items()}


def conflict_items(state: RecordState) -> set[Item]:
    """The values kept aside."""
    return {(c.field, canon(c.value), c.hlc, c.author_id) for c in state.conflicts}


def present(state: RecordState, name: str, value: Any) -> bool:
    """Whether a value is a field's current value (an unset flag is false) or kept aside."""
    values = {**state.fields, "deleted": state.deleted}
    if name in values and canon(values[name]) == canon(value):
        return True
    return any(c.field == name and canon(c.value) == canon(value) for c in state.conflicts)


def saw_value(seen: Pulled | None, name: str, value: str) -> bool:
    """Whether a device's replica showed this value as the field's current value."""
    if seen is None:
        return False
    values = {**seen.fields, "deleted": seen.deleted}
    return name in values and canon(values[name]) == value


def overwritten_knowingly(item: Item, step: Applied) -> bool:
    """The value was replaced by a writer whose replica showed it, or by the device that wrote
    it."""
    if item[0] not in written(step.entry.mutation):
        return False
    own = item[2].split(":", 2)[2] == step.entry.mutation.hlc.client_id
    return own or saw_value(step.entry.seen, item[0], item[1])


def resolved_knowingly(item: Item, step: Applied) -> bool:
    """The value was cleared by a resolves from a device whose replica showed that conflict."""
    shown = step.entry.seen.conflicts if step.entry.seen else ()
    return any(
        (c.field, canon(c.value), c.hlc, c.author_id) == item
        and c.id in step.entry.mutation.resolves
        for c in shown
    )


def departures(step: Applied) -> Iterable[tuple[Item, bool]]:
    """Each typed value this merge removed from the record, and whether that was explained."""
    if step.before is None:
        return []
    after = current_items(step.outcome.state) | conflict_items(step.outcome.state)
    current, kept = current_items(step.before), conflict_items(step.before)
    return [
        (
            item,
            overwritten_knowingly(item, step)
            if item in current
            else resolved_knowingly(item, step),
        )
        for item in (current | kept) - after
    ]


@SCENARIO
@given(scenarios)
def test_no_typed_value_is_ever_dropped(scenario: Scenario) -> None:
    """(3) Every value any device pushed for a field (the tombstone flag included) that the
    server accepted is, at the end, the field's current value or kept in the record's conflicts;
    or it was overwritten by a mutation from a device whose replica showed that value (so its
    base_version was at or above the version the value was written at) or from the device that
    wrote it (a device knows its own writes); or it was cleared from
    conflicts by a resolves from a device whose replica showed that conflict. Checked at every
    merge (each incoming value lands somewhere, and nothing leaves a record unexplained) and for
    the whole history at the end. The one value with nothing to keep: `deleted: false` sent for
    a record whose flag was never set (a restore of a record no one ever deleted)."""
    world = play(scenario)
    explained: set[tuple[str, str, str]] = set()
    for step in world.server.applied:
        record_id = step.entry.mutation.record_id
        for name, value in written(step.entry.mutation).items():
            assert present(step.outcome.state, name, value), (record_id, name, value)
        for item, ok in departures(step):
            assert ok, (record_id, item, step.entry)
            explained.add((record_id, item[0], item[1]))
    for step in world.server.applied:
        record = world.server.records[step.entry.mutation.record_id]
        for name, value in typed(step).items():
            assert present(record, name, value) or (record.id, name, canon(value)) in explained


def typed(step: Applied) -> Mapping[str, Any]:
    """The values a merge was asked to keep: restoring a never-deleted record carries none."""
    values = dict(written(step.entry.mutation))
    never_deleted = step.before is not None and "deleted" not in step.before.meta
    if never_deleted and values.get("deleted") is False:
        del values["deleted"]
    return values


# Properties of one merge, on records reached by earlier merges.

stamps = st.builds(
    HLC, st.integers(0, 1_000_000), st.integers(0, 2), st.sampled_from(["a", "b", "c"])
)
mutations = st.builds(
    Mutation,
    record_id=st.just("rec"),
    op=st.sampled_from(["put", "delete"]),
    base_version=st.integers(0, 12),
    hlc=stamps,
    fields=st.dictionaries(
        st.sampled_from([*FIELDS, "deleted"]), st.sampled_from(VALUES), max_size=3
    ).map(lambda f: {**f, "deleted": bool(f["deleted"])} if "deleted" in f else f),
    resolves=st.just(()),
    author_id=st.sampled_from(["user-1", "user-2"]),
)


def with_resolves(data: st.DataObject, mutation: Mutation, state: RecordState | None) -> Mutation:
    """The mutation, resolving some of the record's current conflicts."""
    ids = [c.id for c in state.conflicts] if state else []
    picked = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if ids else []
    return replace(mutation, resolves=tuple(picked))


@settings(max_examples=300, deadline=None)
@given(st.data(), st.lists(mutations, min_size=1, max_size=12))
def test_every_merge_is_total_consistent_and_idempotent(
    data: st.DataObject, history: list[Mutation]
) -> None:
    """For any record reached by merges and any mutation (stamps up to 15 minutes ahead, so
    some are clamped): merge returns; the record's content changes exactly when `changed` says
    so, and then it carries the given version, else it is the very same state; `merged` means
    conflicts were added and they are in the list; conflict ids are unique; every field has
    meta; every incoming value is current or kept; merging the same mutation again changes
    nothing."""
    state: RecordState | None = None
    for version, raw in enumerate(history, start=1):
        mutation = with_resolves(data, raw, state)
        outcome = merge(state, mutation, version=version, now_ms=100_000)
        new = outcome.state
        if state is not None:
            assert outcome.changed == (content(new) != content(state))
        assert (new.version == version) if outcome.changed else (new is state)
        assert (outcome.status == "merged") == bool(outcome.conflicts_added)
        assert all(c in new.conflicts for c in outcome.conflicts_added)
        assert len({c.id for c in new.conflicts}) == len(new.conflicts)
        assert set(new.fields) <= set(new.meta)
        for name, value in written(mutation).items():
            assert present(new, name, value)
        assert not merge(new, mutation, version=version + 1, now_ms=100_000).changed
        state = new


def content(state: RecordState) -> str:
    """Everything a record holds but its version, as JSON text (so 1 and true differ)."""
    return canon(
        [state.fields, state.deleted, meta_to_json(state.meta), conflicts_to_json(state.conflicts)]
    )


@settings(max_examples=300, deadline=None)
@given(mutations, st.integers(1, 50))
def test_a_create_gives_what_the_field_by_field_path_gives(
    mutation: Mutation, version: int
) -> None:
    """merge answers a create directly (`_create`); the general field-by-field path, which it
    skips, would give the very same outcome, in the same field order."""
    direct = merge(None, mutation, version=version, now_ms=100_000)
    stamp, clamped = clamp(mutation.hlc, 100_000)
    incoming = FieldMeta(version, str(stamp), mutation.author_id)
    general = _merge_fields(None, mutation, incoming, version, clamped)
    assert direct == general
    assert list(direct.state.fields) == list(general.state.fields)
    assert list(direct.state.meta) == list(general.state.meta)
