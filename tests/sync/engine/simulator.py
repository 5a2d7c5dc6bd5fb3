"""A small push/pull simulator for the property tests: one server and 2 to 4 devices.

The server does what PROTOCOL.md's push and pull describe, with plan_batch and merge as its
engine. A device keeps a replica of what it pulled (with the version it saw), an outbox of
mutations the server has not confirmed, and a wall clock that may be skewed by minutes. The
network may lose responses, deliver a request twice, and deliver any device's batches in any
order; a device may send any slice of its outbox, and pull a page at any point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from server.sync.engine import HLC, Conflict, Mutation, Outcome, RecordState, merge, plan_batch

EPOCH_MS = 1_732_273_000_000
RECORD_IDS = ("rec-a", "rec-b", "rec-c")
FIELDS = ("title", "text", "tags")
# Few values, so that equal values meet often; 1, 1.0 and True must stay apart.
VALUES = ("", "alpha", "beta", 0, 1, 1.0, True, None, ["x"], ["x", "y"], {"k": "v"})
UNKNOWN_CONFLICT = "00000000-0000-5000-8000-000000000000"


@dataclass(frozen=True)
class Pulled:
    """What a device holds for one record: the record as a pull carries it."""

    version: int
    fields: Mapping[str, Any]
    deleted: bool
    conflicts: tuple[Conflict, ...]

    @classmethod
    def of(cls, state: RecordState) -> Pulled:
        """The pull's view of a server record."""
        return cls(state.version, dict(state.fields), state.deleted, state.conflicts)


@dataclass(frozen=True)
class Entry:
    """One outbox entry: its seq, its mutation, and the replica record it was made on."""

    seq: int
    mutation: Mutation
    seen: Pulled | None
    rejected: bool  # the service turns it down (validation); it still consumes its seq


@dataclass(frozen=True)
class Batch:
    """One push request."""

    client_id: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Applied:
    """One merge the server carried out, for the audit of property 3."""

    before: RecordState | None
    entry: Entry
    outcome: Outcome


# The steps of a scenario. Indices are taken modulo what exists, so every step fits any world.


@dataclass(frozen=True)
class Edit:
    """A device writes one mutation into its outbox."""

    device: int
    record: int
    kind: Literal["put", "delete", "restore"]
    fields: Mapping[str, Any]
    resolve: tuple[int, ...]  # indices into the conflicts the device has seen; -1: an unknown id
    rejected: bool


@dataclass(frozen=True)
class Send:
    """A device puts a slice of its outbox on the wire."""

    device: int
    start: int
    length: int


@dataclass(frozen=True)
class Deliver:
    """The network delivers one request in flight."""

    flight: int
    lose_response: bool
    deliver_again: bool  # the request stays in flight and will arrive a second time


@dataclass(frozen=True)
class Pull:
    """A device pulls one page of changes."""

    device: int
    limit: int


@dataclass(frozen=True)
class Sync:
    """A device's usual round: push its whole outbox, then pull until caught up."""

    device: int
    lose_response: bool


@dataclass(frozen=True)
class Tick:
    """Time passes."""

    ms: int


@dataclass(frozen=True)
class Replay:
    """An already-applied batch arrives again; the server must not change."""

    batch: int


Step = Edit | Send | Deliver | Pull | Sync | Tick | Replay
Snapshot = tuple[dict[str, RecordState], int, dict[str, int]]
Results = list[tuple[int, str]]


@dataclass
class Server:
    """The server side of push and pull, holding the school's records."""

    now_ms: int = EPOCH_MS
    records: dict[str, RecordState] = field(default_factory=dict)
    version: int = 0
    last_seq: dict[str, int] = field(default_factory=dict)
    applied: list[Applied] = field(default_factory=list)

    def push(self, batch: Batch) -> Results:
        """Answer a push: duplicates and out-of-order mutations are not applied."""
        plan = plan_batch(self.last_seq.get(batch.client_id, 0), [e.seq for e in batch.entries])
        results: Results = []
        for entry, step in zip(batch.entries, plan, strict=True):
            if step == "apply":
                results.append((entry.seq, self._apply(entry)))
                self.last_seq[batch.client_id] = entry.seq  # a rejection consumes its seq too
            else:
                results.append((entry.seq, step))
        return results

    def _apply(self, entry: Entry) -> str:
        """Merge one mutation; the record gets the next school-wide version if it changed."""
        if entry.rejected:
            return "rejected"
        before = self.records.get(entry.mutation.record_id)
        outcome = merge(before, entry.mutation, version=self.version + 1, now_ms=self.now_ms)
        if outcome.changed:
            self.version += 1
            self.records[entry.mutation.record_id] = outcome.state
        self.applied.append(Applied(before, entry, outcome))
        return outcome.status

    def pull(self, cursor: int, limit: int) -> tuple[list[RecordState], int, bool]:
        """One page of records changed after cursor, oldest change first."""
        newer = sorted((s for s in self.records.values() if s.version > cursor), key=_version)
        page = newer[:limit]
        return page, page[-1].version if page else cursor, len(newer) > limit

    def snapshot(self) -> Snapshot:
        """Everything a push may change (record states are immutable)."""
        return dict(self.records), self.version, dict(self.last_seq)


def _version(state: RecordState) -> int:
    return state.version


@dataclass
class Device:
    """A phone or laptop: replica, outbox, seq counter, pull cursor and a skewed HLC."""

    client_id: str
    author_id: str
    skew_ms: int
    replica: dict[str, Pulled] = field(default_factory=dict)
    outbox: list[Entry] = field(default_factory=list)
    next_seq: int = 1
    cursor: int = 0
    clock: tuple[int, int] = (0, 0)

    def stamp(self, true_now: int) -> HLC:
        """The next HLC stamp: the wall clock, or a counter bump if the clock has not moved."""
        ms, counter = self.clock
        wall = true_now + self.skew_ms
        ms, counter = (wall, 0) if wall > ms else (ms, counter + 1)
        if counter > 9999:
            ms, counter = ms + 1, 0
        self.clock = (ms, counter)
        return HLC(ms, counter, self.client_id)

    def edit(self, edit: Edit, true_now: int) -> None:
        """Queue one mutation, based on the version this device last pulled (0 if none)."""
        record_id = RECORD_IDS[edit.record % len(RECORD_IDS)]
        seen = self.replica.get(record_id)
        op: Literal["put", "delete"] = "delete" if edit.kind == "delete" else "put"
        fields = {**edit.fields, "deleted": False} if edit.kind == "restore" else edit.fields
        mutation = Mutation(
            record_id,
            op,
            seen.version if seen else 0,
            self.stamp(true_now),
            {} if op == "delete" else dict(fields),
            _resolves(seen, edit.resolve),
            self.author_id,
        )
        self.outbox.append(Entry(self.next_seq, mutation, seen, edit.rejected))
        self.next_seq += 1

    def batch(self, start: int, length: int) -> Batch | None:
        """A request carrying a slice of the outbox (None if the outbox is empty)."""
        if not self.outbox:
            return None
        start %= len(self.outbox)
        return Batch(self.client_id, tuple(self.outbox[start : start + length]))

    def acknowledge(self, results: Results) -> None:
        """Drop the entries the server answered; out-of-order ones are sent again later."""
        answered = {seq for seq, status in results if status != "out_of_order"}
        self.outbox = [entry for entry in self.outbox if entry.seq not in answered]

    def take(self, page: Sequence[RecordState], cursor: int) -> None:
        """Store a pulled page."""
        for state in page:
            self.replica[state.id] = Pulled.of(state)
        self.cursor = cursor


def _resolves(seen: Pulled | None, picks: tuple[int, ...]) -> tuple[str, ...]:
    """Conflict ids a person was shown on this device (-1: an id the server never issued)."""
    shown = seen.conflicts if seen else ()
    ids = [
        UNKNOWN_CONFLICT if pick < 0 else shown[pick % len(shown)].id
        for pick in picks
        if shown or pick < 0
    ]
    return tuple(dict.fromkeys(ids))


@dataclass
class World:
    """The server, the devices and the requests in flight."""

    devices: list[Device]
    server: Server = field(default_factory=Server)
    now_ms: int = EPOCH_MS
    in_flight: list[Batch] = field(default_factory=list)
    delivered: list[Batch] = field(default_factory=list)
    replays: list[tuple[Snapshot, Snapshot, Results]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # every push status, for statistics

    @classmethod
    def of(cls, devices: Sequence[tuple[int, str]]) -> World:
        """A world with one device per (clock skew, author)."""
        return cls(
            [Device(f"device-{i}", author, skew) for i, (skew, author) in enumerate(devices)]
        )

    def run(self, steps: Sequence[Step]) -> None:
        """Carry out a scenario."""
        for step in steps:
            self.do(step)

    def do(self, step: Step) -> None:
        """Carry out one step."""
        match step:
            case Edit():
                self._device(step.device).edit(step, self.now_ms)
            case Send():
                batch = self._device(step.device).batch(step.start, step.length)
                if batch is not None:
                    self.in_flight.append(batch)
            case Deliver() if self.in_flight:
                self._deliver(step)
            case Pull():
                self.pull(self._device(step.device), step.limit)
            case Sync():
                self.sync(self._device(step.device), step.lose_response)
            case Tick():
                self.now_ms += step.ms
            case Replay():
                self.replay(step.batch)

    def _device(self, index: int) -> Device:
        return self.devices[index % len(self.devices)]

    def _deliver(self, step: Deliver) -> None:
        batch = self.in_flight[step.flight % len(self.in_flight)]
        if not step.deliver_again:
            self.in_flight.remove(batch)
        results = self.push(batch)
        if not step.lose_response:
            self._owner(batch).acknowledge(results)

    def _owner(self, batch: Batch) -> Device:
        return next(d for d in self.devices if d.client_id == batch.client_id)

    def push(self, batch: Batch) -> Results:
        """Deliver one request to the server at the current time."""
        self.server.now_ms = self.now_ms
        self.delivered.append(batch)
        results = self.server.push(batch)
        self.answers.extend(status for _, status in results)
        return results

    def pull(self, device: Device, limit: int) -> bool:
        """One page of pull for a device; True if there is more."""
        page, cursor, has_more = self.server.pull(device.cursor, limit)
        device.take(page, cursor)
        return has_more

    def sync(self, device: Device, lose_response: bool) -> None:
        """Flush the outbox in one request, then pull every page."""
        if device.outbox:
            results = self.push(Batch(device.client_id, tuple(device.outbox)))
            if not lose_response:
                device.acknowledge(results)
        while self.pull(device, 3):
            pass

    def already_applied(self) -> list[Batch]:
        """Delivered batches whose every seq the server has applied."""
        last = self.server.last_seq
        return [
            b for b in self.delivered if all(e.seq <= last.get(b.client_id, 0) for e in b.entries)
        ]

    def replay(self, index: int) -> None:
        """Send an already-applied batch again and record the server before and after."""
        candidates = self.already_applied()
        if not candidates:
            return
        before = self.server.snapshot()
        self.server.now_ms = self.now_ms
        results = self.server.push(candidates[index % len(candidates)])
        self.replays.append((before, self.server.snapshot(), results))

    def settle(self) -> None:
        """Deliver what is in flight, flush every outbox, then pull until everyone is caught up."""
        while self.in_flight:
            batch = self.in_flight.pop(0)
            self._owner(batch).acknowledge(self.push(batch))
        for device in self.devices:
            if device.outbox:
                device.acknowledge(self.push(Batch(device.client_id, tuple(device.outbox))))
            assert device.outbox == [], "one full flush confirms every outbox entry"
        for device in self.devices:
            while self.pull(device, 2):
                pass
