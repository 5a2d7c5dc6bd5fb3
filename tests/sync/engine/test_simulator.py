"""The simulator itself, on scripted scenarios: it must reach the cases the properties rely on."""

from server.sync.engine import HLC, MAX_SKEW_MS
from tests.sync.engine.simulator import EPOCH_MS, Deliver, Edit, Pull, Send, Step, Sync, Tick, World


def edit(device: int, fields: dict[str, object], *, resolve: tuple[int, ...] = ()) -> Edit:
    """A put on the first record."""
    return Edit(device, 0, "put", fields, resolve, rejected=False)


def test_concurrent_edits_keep_a_conflict_and_replicas_converge() -> None:
    world = World.of([(0, "user-1"), (0, "user-2")])
    world.run([edit(0, {"title": "a"}), Sync(0, False), Sync(1, False), Tick(10)])
    world.run([edit(0, {"title": "b"}), Tick(10), edit(1, {"title": "c"})])
    world.run([Sync(0, False), Sync(1, False), Sync(0, False)])
    record = world.server.records["rec-a"]
    assert record.fields["title"] == "c"
    assert [c.value for c in record.conflicts] == ["b"]
    assert world.devices[0].replica == world.devices[1].replica


def test_a_lost_response_makes_the_resend_a_duplicate() -> None:
    world = World.of([(0, "user-1"), (0, "user-2")])
    world.run([edit(0, {"title": "a"}), Sync(0, lose_response=True), Sync(0, False)])
    assert world.answers == ["applied", "duplicate"]
    assert world.devices[0].outbox == []


def test_a_slice_past_a_gap_is_out_of_order_and_sent_again_later() -> None:
    world = World.of([(0, "user-1"), (0, "user-2")])
    steps: list[Step] = [
        edit(0, {"title": "a"}),
        edit(0, {"text": "b"}),
        Send(0, 1, 1),
        Deliver(0, False, False),
    ]
    world.run([*steps, Sync(0, False)])
    assert world.answers == ["out_of_order", "applied", "applied"]
    assert world.server.records["rec-a"].fields == {"title": "a", "text": "b"}


def test_a_rejected_mutation_consumes_its_seq() -> None:
    world = World.of([(0, "user-1"), (0, "user-2")])
    world.run([Edit(0, 0, "put", {"title": "x"}, (), rejected=True), edit(0, {"title": "a"})])
    world.run([Sync(0, False)])
    assert world.answers == ["rejected", "applied"]
    assert world.server.last_seq["device-0"] == 2


def test_a_fast_clock_is_clamped() -> None:
    world = World.of([(MAX_SKEW_MS + 1, "user-1"), (0, "user-2")])
    world.run([edit(0, {"title": "a"}), Sync(0, False)])
    assert world.server.records["rec-a"].meta["title"].hlc == str(HLC(EPOCH_MS, 0, "device-0"))


def test_a_device_resolves_a_conflict_it_has_pulled() -> None:
    world = World.of([(0, "user-1"), (0, "user-2")])
    world.run([edit(0, {"title": "a"}), edit(1, {"title": "b"}), Sync(0, False), Sync(1, False)])
    world.run([Pull(0, 5), edit(0, {}, resolve=(0,)), Sync(0, False)])
    assert world.server.records["rec-a"].conflicts == ()


def test_settle_flushes_and_catches_everyone_up() -> None:
    world = World.of([(0, "user-1"), (0, "user-2"), (0, "user-3")])
    world.run([edit(0, {"title": "a"}), edit(1, {"text": "b"}), Send(1, 0, 1)])
    world.settle()
    assert all(not device.outbox for device in world.devices)
    assert world.devices[2].replica["rec-a"].fields == {"title": "a", "text": "b"}
    assert world.in_flight == []
    assert [batch.client_id for batch in world.delivered] == ["device-1", "device-0"]
