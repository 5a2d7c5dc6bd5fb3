"""The merge engine: one mutation onto one record, field by field, with no IO.

Data model: a record is its field values, a `deleted` flag merged exactly like a field, per-field
meta (the school-wide version, clock stamp and author of each field's last change) and a list of
conflicts (values set aside, each with its own stamp and author).

Winner rule: a field whose last change the writer had seen (at or below its base_version, or
written by the same client) takes the new value, and a field changed concurrently keeps whichever
of the two differing values has the greater clock stamp, setting the other aside in `conflicts`.

The rules in full, in the order they apply:
1. The incoming stamp is first clamped (hlc.clamp); the clamped stamp is the one stored.
2. No current record: a create. Every given field is set, with the incoming meta.
3. Listed `resolves` are removed from the conflicts (unknown ids are ignored).
4. A field with no meta, or meta.version <= base_version, or last written by the same client
   (the client id of its stamp), takes the new value and meta: a device always knows its own
   writes, so a phone that edits a field twice before it pulls never conflicts with itself.
   A field the caller merged already (`premerged`: a co-written text whose edits merge as a
   text CRDT, server.sync.cotext) takes its new value the same way, whoever changed it last:
   its value already holds every concurrent edit, so there is nothing to set aside.
5. Otherwise it changed concurrently: the greater stamp (string order) wins and the loser becomes
   a Conflict with the loser's own stamp and author. On equal stamps the current value stays:
   the incoming one must beat it.
6. Equal values (same canonical JSON) never conflict and are no change, concurrent or not.
7. A conflict's id is derived from record, field, the loser's stamp and value, so applying the same
   mutation again adds nothing, and two different values never share an id.
8. A delete is a put of {"deleted": True} alone; a deleted record keeps its fields.
No value anyone typed is ever dropped: it is current, in conflicts, or was overwritten by a writer
that had seen it, or resolved by one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .hlc import HLC, clamp
from .types import DELETED, Conflict, FieldMeta, Mutation, Outcome, RecordState, Status

# Fixed forever: conflict ids are stored and sent to devices.
NAMESPACE: Final = uuid.UUID("6f1c2b8e-4a57-5d0e-9c3b-1e7a2f64d8b5")


class _Missing:
    """A field that has never been set: unequal to every value."""


_MISSING: Final = _Missing()
# A base version above every real one: the writer has seen every change (rule 4, premerged).
_SEEN_ALL: Final = 2**63


@dataclass
class _Draft:
    """The record being built; merge copies its inputs into one and never mutates them."""

    record_id: str
    values: dict[str, Any]  # the fields plus DELETED, so the flag merges exactly like a field
    meta: dict[str, FieldMeta]
    conflicts: list[Conflict]
    added: list[Conflict] = field(default_factory=list)
    changed: bool = False
    original: tuple[Conflict, ...] = ()  # the record's conflicts before this mutation
    settled: set[str] = field(default_factory=set)  # of those, the ones it resolves


def merge(current: RecordState | None, mutation: Mutation, *, version: int, now_ms: int) -> Outcome:
    """Apply one mutation to one record (None: a create); `version` is used only if it changes."""
    if current is None:
        state, clamped = create(
            mutation.record_id,
            _changes(mutation),
            mutation.hlc,
            mutation.author_id,
            version=version,
            now_ms=now_ms,
        )
        return Outcome(state, True, "applied", (), clamped)
    stamp, clamped = clamp(mutation.hlc, now_ms)
    incoming = FieldMeta(version, str(stamp), mutation.author_id)
    return _merge_fields(current, mutation, incoming, version, clamped)


def create(
    record_id: str,
    changes: Mapping[str, Any],
    hlc: HLC,
    author_id: str,
    *,
    version: int,
    now_ms: int,
) -> tuple[RecordState, bool]:
    """Rules 1 and 2 alone: a new record from a put's fields (DELETED, if given, a bool), and
    whether its stamp was clamped. `merge` answers a create with exactly this; the push
    service's fast path for plain creates calls it directly (server.sync.creates)."""
    stamp, clamped = clamp(hlc, now_ms)
    incoming = FieldMeta(version, str(stamp), author_id)
    return _create(record_id, changes, incoming, version), clamped


def _merge_fields(
    current: RecordState | None,
    mutation: Mutation,
    incoming: FieldMeta,
    version: int,
    clamped: bool,
) -> Outcome:
    """Rules 3 to 8, field by field (a create too, which `_create` gives more directly)."""
    draft = _draft(current, mutation.record_id)
    _resolve(draft, mutation.resolves)
    for name, value in sorted(_changes(mutation).items()):
        base = _SEEN_ALL if name in mutation.premerged else mutation.base_version
        _merge_field(draft, name, value, incoming, base)
    if current is not None and not draft.changed and tuple(draft.conflicts) == current.conflicts:
        return Outcome(current, False, "applied", (), clamped)
    status: Status = "merged" if draft.added else "applied"
    return Outcome(_finish(draft, version), True, status, tuple(draft.added), clamped)


def _create(
    record_id: str, changes: Mapping[str, Any], incoming: FieldMeta, version: int
) -> RecordState:
    """Rule 2, directly: every given field set with the incoming meta (`_merge_fields` would take
    each in turn with nothing to compare and give exactly this; tests/sync/engine checks so)."""
    values = dict(sorted(changes.items()))
    meta = dict.fromkeys(values, incoming)
    deleted = bool(values.pop(DELETED, False))
    return RecordState(record_id, version, values, deleted, meta, ())


def conflict_id(record_id: str, field: str, hlc: str, value: Any) -> str:
    """The stable id of a set-aside value: the same loser always gets the same id."""
    return str(uuid.uuid5(NAMESPACE, f"{record_id}\n{field}\n{hlc}\n{_canonical(value)}"))


def same_value(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal (1, 1.0 and true all differ; key order does not)."""
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    """One JSON text per value; repr() keeps this total for values JSON cannot hold."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr
    )


def _draft(current: RecordState | None, record_id: str) -> _Draft:
    """A working copy of the record; a create starts with nothing set, not even DELETED."""
    if current is None:
        return _Draft(record_id, {}, {}, [], changed=True)  # a new record is always a change
    values = {**current.fields, DELETED: current.deleted}
    conflicts = current.conflicts
    return _Draft(current.id, values, dict(current.meta), list(conflicts), original=conflicts)


def _changes(mutation: Mutation) -> Mapping[str, Any]:
    """The fields a mutation writes; the service validates that DELETED is a bool."""
    if mutation.op == "delete":
        # Exactly a put of the flag: fields sent along with a delete were never checked as edits.
        return {DELETED: True}
    if DELETED in mutation.fields:
        return {**mutation.fields, DELETED: bool(mutation.fields[DELETED])}
    return mutation.fields


def _resolve(draft: _Draft, resolves: Iterable[str]) -> None:
    """Drop the conflicts a person has been shown and settled; this runs before any field merges."""
    wanted = set(resolves)
    draft.settled = {conflict.id for conflict in draft.conflicts if conflict.id in wanted}
    draft.conflicts = [conflict for conflict in draft.conflicts if conflict.id not in draft.settled]


def _merge_field(
    draft: _Draft, name: str, value: Any, incoming: FieldMeta, base_version: int
) -> None:
    """Merge one incoming value into the draft by the winner rule."""
    held = draft.values.get(name, _MISSING)
    meta = draft.meta.get(name)
    if (
        held is _MISSING
        or meta is None
        or meta.version <= base_version
        or _same_client(meta, incoming)
    ):
        if held is _MISSING or not same_value(held, value):
            _take(draft, name, value, incoming)  # the writer saw what it overwrites
    elif same_value(held, value):
        return  # the same value reached concurrently: nothing to keep apart
    elif incoming.hlc > meta.hlc:
        _set_aside(draft, name, held, meta)
        _take(draft, name, value, incoming)
    else:
        _set_aside(draft, name, value, incoming)


def _same_client(current: FieldMeta, incoming: FieldMeta) -> bool:
    """Whether both stamps come from one device (the third part of a stamp is its client id)."""
    return current.hlc.split(":", 2)[2] == incoming.hlc.split(":", 2)[2]


def _take(draft: _Draft, name: str, value: Any, meta: FieldMeta) -> None:
    """Make value the field's current value."""
    draft.values[name] = value
    draft.meta[name] = meta
    draft.changed = True


def _set_aside(draft: _Draft, name: str, value: Any, meta: FieldMeta) -> None:
    """Keep a losing value in the conflicts list, once."""
    new_id = conflict_id(draft.record_id, name, meta.hlc, value)
    if new_id in draft.settled:
        # The mutation settles the very value it carries and loses again: it stays where it was.
        draft.settled.discard(new_id)
        kept = [conflict for conflict in draft.original if conflict.id not in draft.settled]
        draft.conflicts = kept + draft.added
        return
    if any(conflict.id == new_id for conflict in draft.conflicts):
        return  # this very value was set aside before: the mutation is being applied again
    conflict = Conflict(new_id, name, value, meta.hlc, meta.author_id)
    draft.conflicts.append(conflict)
    draft.added.append(conflict)
    draft.changed = True


def _finish(draft: _Draft, version: int) -> RecordState:
    """The new record state, at the version the service gives this change."""
    fields = dict(draft.values)
    deleted = bool(fields.pop(DELETED, False))
    return RecordState(
        draft.record_id, version, fields, deleted, draft.meta, tuple(draft.conflicts)
    )
