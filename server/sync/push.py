"""The push service: apply a batch of mutations, exactly as PROTOCOL.md's push section says.

One transaction per batch, holding the school's change lock (server.sync.versions). The
client's last applied `seq` is read under that lock and written in the same transaction as the
effects, so a retried batch is answered `duplicate` and never applied twice. Each mutation is
checked on its own: a bad one is `rejected` (its seq is still consumed) and never blocks the
ones after it. Writes are gathered and flushed in bulk (a batch of 500 notes is a handful of
statements), except that anything that changes who may see what is flushed first, so the
audience queries of server.sync.audience see the database as it is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import bindparam, delete, insert, select, update

from schemas.fast import FastLoader
from schemas.records import READ_ONLY_ENTITIES, load_fields
from schemas.sync import MAX_MUTATIONS, MutationSchema
from server import policy
from server.errors import ApiError
from server.extensions import db
from server.models import Device, ObservationFocus, ObservationParticipant, User, utcnow
from server.reminders import events
from server.sync import audience
from server.sync.codecs import CODECS
from server.sync.engine import (
    Conflict,
    HLCError,
    Mutation,
    RecordState,
    merge,
    meta_from_json,
    meta_to_json,
    parse_hlc,
    plan_batch,
)
from server.sync.versions import VersionAllocator, write_transaction

mutation_loader = FastLoader(MutationSchema())
# Parents before children, so foreign keys hold when a batch creates both.
FLUSH_ORDER = ("focus", "lookfor", "observation", "next_step", "note")
SCOPE_FIELDS = {
    "observation": {"participants", "visibility", "focus_ids"},
    "next_step": {"owner_id", "observation_id"},
}
IMMUTABLE = {"note": ("observation_id",), "focus": ("kind", "owner_id")}


class Rejected(Exception):
    """A mutation that cannot be applied; it still consumes its seq."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error: dict[str, Any] = {"code": code, "message": message}
        if details:
            self.error["details"] = details


@dataclass
class Entry:
    """A record as this batch sees it."""

    entity: str
    school_id: uuid.UUID
    created_by: uuid.UUID
    state: RecordState
    in_database: bool
    dirty: bool = False


@dataclass
class Batch:
    """The working set of one push: records read once, written once."""

    user: User
    device_id: uuid.UUID
    versions: VersionAllocator
    now_ms: int
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    missing: set[tuple[str, str]] = field(default_factory=set)
    school_user_ids: set[str] | None = None
    noted_observations: set[str] = field(default_factory=set)
    review_requests: set[str] = field(default_factory=set)

    def load(self, entity: str, ids: set[str]) -> None:
        """Read records into the working set, in one query per entity."""
        wanted = {
            i for i in ids if (entity, i) not in self.entries and (entity, i) not in self.missing
        }
        if not wanted:
            return
        codec = CODECS[entity]
        rows = db.session.execute(
            select(codec.table).where(codec.table.c.id.in_([uuid.UUID(i) for i in wanted]))
        ).mappings()
        for row in rows:
            key = (entity, str(row["id"]))
            self.entries[key] = Entry(
                entity, row["school_id"], row["created_by"], _state(entity, row), True
            )
        self.missing |= {(entity, i) for i in wanted if (entity, i) not in self.entries}

    def get(self, entity: str, record_id: str) -> Entry | None:
        """A record of any school (callers check the school), or None."""
        if (entity, record_id) not in self.entries:
            self.load(entity, {record_id})
        return self.entries.get((entity, record_id))

    def in_school(self, entity: str, record_id: str | None) -> Entry | None:
        """A record of the pusher's school, or None."""
        entry = self.get(entity, record_id) if record_id else None
        return entry if entry and entry.school_id == self.user.school_id else None

    def users(self) -> set[str]:
        """Ids of the school's users (read once per batch)."""
        if self.school_user_ids is None:
            ids = db.session.execute(select(User.id).where(User.school_id == self.user.school_id))
            self.school_user_ids = {str(i) for i in ids.scalars()}
        return self.school_user_ids

    def store(self, entity: str, record_id: str, state: RecordState, entry: Entry | None) -> None:
        """Keep a changed record for the next flush."""
        if entry is None:
            entry = Entry(entity, self.user.school_id, self.user.id, state, False)
            self.entries[(entity, record_id)] = entry
            self.missing.discard((entity, record_id))
        entry.state = state
        entry.dirty = True

    def flush(self) -> None:
        """Write every changed record: inserts and updates in bulk, parents first."""
        now = utcnow()
        for entity in FLUSH_ORDER:
            dirty = [e for e in self.entries.values() if e.entity == entity and e.dirty]
            if not dirty:
                continue
            codec = CODECS[entity]
            new = [_insert_values(e, now) for e in dirty if not e.in_database]
            old = [_update_values(e, now) for e in dirty if e.in_database]
            if new:
                db.session.execute(insert(codec.table), new)
            if old:
                table = codec.table
                db.session.execute(update(table).where(table.c.id == bindparam("b_id")), old)
            if entity == "observation":
                _write_observation_links(dirty)
            for entry in dirty:
                entry.in_database, entry.dirty = True, False


def _state(entity: str, row: Any) -> RecordState:
    return RecordState(
        id=str(row["id"]),
        version=row["version"],
        fields=CODECS[entity].wire_fields(row),
        deleted=row["deleted"],
        meta=meta_from_json(row["field_meta"] or {}),
        conflicts=tuple(Conflict.from_json(c) for c in row["conflicts"] or []),
    )


def _row_values(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    state = entry.state
    values = CODECS[entry.entity].column_values(state.fields)
    values.update(
        version=state.version,
        deleted=state.deleted,
        field_meta=meta_to_json(state.meta),
        conflicts=[c.to_json() for c in state.conflicts],
        updated_at=now,
    )
    return values


def _insert_values(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    values = _row_values(entry, now)
    values.update(
        id=entry.state.id,
        school_id=entry.school_id,
        created_by=entry.created_by,
        created_at=now,
    )
    return values


def _update_values(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    values = _row_values(entry, now)
    values["b_id"] = entry.state.id
    return values


def _write_observation_links(entries: list[Entry]) -> None:
    """Keep the participant and focus link tables equal to the observations' fields."""
    ids = [uuid.UUID(e.state.id) for e in entries]
    db.session.execute(
        delete(ObservationParticipant).where(ObservationParticipant.observation_id.in_(ids))
    )
    db.session.execute(delete(ObservationFocus).where(ObservationFocus.observation_id.in_(ids)))
    people = [
        {
            "observation_id": uuid.UUID(e.state.id),
            "user_id": uuid.UUID(p["user_id"]),
            "role": p["role"],
        }
        for e in entries
        for p in e.state.fields.get("participants") or []
    ]
    focuses = [
        {"observation_id": uuid.UUID(e.state.id), "focus_id": uuid.UUID(f)}
        for e in entries
        for f in e.state.fields.get("focus_ids") or []
    ]
    if people:
        db.session.execute(insert(ObservationParticipant), people)
    if focuses:
        db.session.execute(insert(ObservationFocus), focuses)


# ---- the batch ---------------------------------------------------------------------------


def push(user: User, device: Device, body: dict[str, Any]) -> dict[str, Any]:
    """Apply a push body; returns {"results", "last_seq"}."""
    mutations: list[dict[str, Any]] = body["mutations"]
    if len(mutations) > MAX_MUTATIONS:
        raise ApiError(
            413, "too_many_mutations", f"Send at most {MAX_MUTATIONS} mutations per push."
        )
    if body["client_id"] != device.id:
        raise ApiError(
            403,
            "client_mismatch",
            "This client_id belongs to another sign-in; use the one from your login.",
        )
    with write_transaction(user.school_id) as versions:
        last_seq = db.session.execute(
            select(Device.last_seq).where(Device.id == device.id)
        ).scalar_one()
        plan = plan_batch(last_seq, [m["seq"] for m in mutations])
        batch = Batch(user, device.id, versions, now_ms=int(utcnow().timestamp() * 1000))
        _preload(batch, mutations)
        results = []
        for raw, action in zip(mutations, plan, strict=True):
            if action == "out_of_order":
                results.append({"seq": raw["seq"], "status": "out_of_order"})
                continue
            if action == "duplicate":
                results.append(_duplicate(batch, raw))
                continue
            results.append(_apply(batch, raw))
            last_seq = raw["seq"]
        batch.flush()
        events.on_sync(user, batch.noted_observations, batch.review_requests)
        db.session.execute(update(Device).where(Device.id == device.id).values(last_seq=last_seq))
    device.last_seq = last_seq
    return {"results": results, "last_seq": last_seq}


def _preload(batch: Batch, mutations: list[dict[str, Any]]) -> None:
    """Read every record the batch names in a few queries, not one per mutation."""
    wanted: dict[str, set[str]] = {entity: set() for entity in CODECS}
    for raw in mutations:
        entity, record_id = raw.get("entity"), _uuid_or_none(raw.get("id"))
        if entity in wanted and record_id:
            wanted[entity].add(record_id)
        fields = raw.get("fields")
        parent = _uuid_or_none(fields.get("observation_id")) if isinstance(fields, dict) else None
        if parent:
            wanted["observation"].add(parent)
    for entity in ("note", "next_step", "focus", "lookfor"):
        batch.load(entity, wanted[entity])
    for entry in list(batch.entries.values()):
        parent = entry.state.fields.get("observation_id")
        if parent:
            wanted["observation"].add(parent)
    batch.load("observation", wanted["observation"])


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _duplicate(batch: Batch, raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"seq": raw["seq"], "status": "duplicate"}
    entity, record_id = raw.get("entity"), _uuid_or_none(raw.get("id"))
    if entity in CODECS and record_id:
        entry = batch.in_school(entity, record_id)
        if entry is not None:
            result["version"] = entry.state.version
    return result


def _apply(batch: Batch, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return _apply_or_reject(batch, raw)
    except Rejected as rejected:
        return {"seq": raw["seq"], "status": "rejected", "error": rejected.error}


def _apply_or_reject(batch: Batch, raw: dict[str, Any]) -> dict[str, Any]:
    m = _parse(raw, str(batch.device_id))
    entity, record_id = m["entity"], str(m["id"])
    entry = batch.get(entity, record_id)
    if entry is not None and entry.school_id != batch.user.school_id:
        raise Rejected(
            "forbidden", "This id belongs to a record you may not change; use a new UUID."
        )
    fields = _incoming_fields(entity, m, entry)
    check_rules(batch, entity, entry, fields)
    status_before = entry.state.fields.get("status") if entry else None
    mutation = Mutation(
        record_id=record_id,
        op=m["op"],
        base_version=m["base_version"],
        hlc=m["hlc"],
        fields=fields,
        resolves=tuple(str(r) for r in m["resolves"]),
        author_id=str(batch.user.id),
    )
    if entity in SCOPE_FIELDS and (entry is None or SCOPE_FIELDS[entity] & fields.keys()):
        outcome = _merge_with_scope(batch, entity, entry, mutation)
    else:
        outcome = _merge(batch, entity, entry, mutation)
    if entity == "note" and outcome.changed and entry is None:
        batch.noted_observations.add(outcome.state.fields["observation_id"])
    captured = outcome.state.fields.get("status") == "captured" and not outcome.state.deleted
    if entity == "observation" and outcome.changed and captured and status_before != "captured":
        batch.review_requests.add(record_id)  # a participant asks the others to review
    result: dict[str, Any] = {
        "seq": m["seq"],
        "status": outcome.status,
        "version": outcome.state.version,
    }
    if outcome.state.conflicts:
        result["conflicts"] = [c.to_json() for c in outcome.state.conflicts]
    if outcome.clock_clamped:
        result["clock_clamped"] = True
    return result


def _parse(raw: dict[str, Any], client_id: str) -> dict[str, Any]:
    try:
        m: dict[str, Any] = mutation_loader.load(raw)
    except ValidationError as exc:
        raise Rejected(
            "validation_error", "This mutation is not well-formed.", _messages(exc)
        ) from exc
    if m["entity"] in READ_ONLY_ENTITIES:
        raise Rejected("read_only", "Users and teams are changed by an admin, not by sync.")
    try:
        m["hlc"] = parse_hlc(m["hlc"])
    except HLCError as exc:
        raise Rejected(
            "invalid_hlc", f"The hlc stamp is not valid: {exc}", {"hlc": [str(exc)]}
        ) from exc
    if m["hlc"].client_id != client_id:
        # The merge rule trusts a stamp's client id ("a device knows its own writes").
        message = "The hlc stamp must end with this device's client_id."
        raise Rejected("invalid_hlc", message, {"hlc": [message]})
    return m


def _messages(exc: ValidationError) -> dict[str, Any]:
    return exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}


def _incoming_fields(entity: str, m: dict[str, Any], entry: Entry | None) -> dict[str, Any]:
    if m["op"] == "delete":
        if m["fields_"]:
            raise Rejected(
                "validation_error",
                "A delete carries no fields.",
                {"fields": ["Must be empty for a delete."]},
            )
        if entry is None:
            raise Rejected("not_found", "There is no such record to delete.")
        return {"deleted": True}
    try:
        fields = load_fields(entity, m["fields_"], create=entry is None)
    except ValidationError as exc:
        what = (
            "A new record needs its required fields"
            if entry is None
            else "Some fields are not valid"
        )
        raise Rejected(
            "validation_error", f"{what}: see details.", {"fields": _messages(exc)}
        ) from exc
    for name in IMMUTABLE.get(entity, ()):
        if entry is not None and name in fields and fields[name] != entry.state.fields.get(name):
            raise Rejected(
                "immutable_field",
                f"A {entity}'s {name} cannot change after it is created.",
                {"fields": {name: ["Cannot change."]}},
            )
    return fields


def _merge(batch: Batch, entity: str, entry: Entry | None, mutation: Mutation) -> Any:
    outcome = merge(
        entry.state if entry else None,
        mutation,
        version=batch.versions.current + 1,
        now_ms=batch.now_ms,
    )
    if outcome.changed:
        batch.versions.next()
        batch.store(entity, mutation.record_id, outcome.state, entry)
    return outcome


def _merge_with_scope(batch: Batch, entity: str, entry: Entry | None, mutation: Mutation) -> Any:
    """A change to who may see what: flush, snapshot the audience, write, then evict or re-send."""
    batch.flush()
    record_id = uuid.UUID(mutation.record_id)
    if entity == "observation":
        before = audience.observation_scope(record_id) if entry else audience.ObservationScope()
    else:
        readers = audience.audience("next_step", record_id) if entry else set()
    outcome = _merge(batch, entity, entry, mutation)
    if not outcome.changed:
        return outcome
    batch.flush()
    if entity == "observation":
        audience.observation_scope_changed(batch.user.school_id, record_id, before, batch.versions)
    elif entry is not None:
        audience.next_step_scope_changed(record_id, readers, batch.versions)
    return outcome


# ---- the rules of PROTOCOL.md's table, per entity -----------------------------------------


def check_rules(batch: Batch, entity: str, entry: Entry | None, fields: dict[str, Any]) -> None:
    """Who may create or change this record, and do the records it names exist here."""
    RULES[entity](batch, entry, fields)


def _forbid(message: str) -> Rejected:
    return Rejected("forbidden", message)


def _check_observation(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None and not policy.may_change_observation(
        entry.created_by, entry.state.fields, user
    ):
        raise _forbid("Only the observation's creator and participants may change it.")
    current = entry.state.fields if entry else fields
    if (
        "visibility" in fields
        and fields["visibility"] != (entry.state.fields["visibility"] if entry else "participants")
        and not policy.may_set_visibility(current, user)
    ):
        raise _forbid("Only the observed teacher may choose whether leads see this observation.")
    if "participants" in fields:
        unknown = [
            p["user_id"] for p in fields["participants"] if p["user_id"] not in batch.users()
        ]
        if unknown:
            raise Rejected(
                "unknown_reference",
                "A participant is not a member of this school.",
                {"participants": unknown},
            )
    after = {**current, **fields}
    for focus_id in fields.get("focus_ids") or []:
        _check_focus_reference(batch, focus_id, after, "focus_ids")


def _check_focus_reference(
    batch: Batch, focus_id: str, observation_fields: dict[str, Any], name: str
) -> None:
    focus = batch.in_school("focus", focus_id)
    if focus is None:
        raise Rejected(
            "unknown_reference", "There is no such focus in this school.", {name: [focus_id]}
        )
    owner = focus.state.fields.get("owner_id")
    people = {p["user_id"] for p in observation_fields.get("participants") or []} | {
        str(batch.user.id)
    }
    if focus.state.fields["kind"] == "personal" and owner not in people:
        raise Rejected(
            "unknown_reference",
            "A personal focus can only be used by its owner's observations.",
            {name: [focus_id]},
        )


def _check_note(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None:
        if not policy.may_change_note(entry.created_by, user):
            raise _forbid("Only a note's author may change or delete it.")
    else:
        observation = batch.in_school("observation", fields["observation_id"])
        if observation is None:
            raise Rejected(
                "unknown_reference",
                "There is no such observation in this school.",
                {"observation_id": [fields["observation_id"]]},
            )
        if not policy.may_create_note(observation.state.fields, user):
            raise _forbid("Only the observation's participants may write notes on it.")
    lookfor_id = fields.get("lookfor_id")
    if lookfor_id and batch.in_school("lookfor", lookfor_id) is None:
        raise Rejected(
            "unknown_reference",
            "There is no such look-for in this school.",
            {"lookfor_id": [lookfor_id]},
        )


def _check_next_step(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None:
        current = entry.state.fields
        if not policy.may_write_next_step(
            current["owner_id"], _observation_fields(batch, current.get("observation_id")), user
        ):
            raise _forbid(
                "Only the next step's owner and its observation's participants may change it."
            )
    after = {**(entry.state.fields if entry else {}), **fields}
    if after["owner_id"] not in batch.users():
        raise Rejected(
            "unknown_reference",
            "The owner is not a member of this school.",
            {"owner_id": [after["owner_id"]]},
        )
    observation_fields = None
    if after.get("observation_id"):
        observation_fields = _observation_fields(batch, after["observation_id"])
        if observation_fields is None:
            raise Rejected(
                "unknown_reference",
                "There is no such observation in this school.",
                {"observation_id": [after["observation_id"]]},
            )
    if not policy.may_write_next_step(after["owner_id"], observation_fields, user):
        raise _forbid("A next step is yours, or one of an observation you take part in.")
    if fields.get("focus_id"):
        people = {"participants": [{"user_id": after["owner_id"]}]}
        _check_focus_reference(batch, fields["focus_id"], people, "focus_id")


def _observation_fields(batch: Batch, observation_id: str | None) -> dict[str, Any] | None:
    observation = batch.in_school("observation", observation_id)
    return dict(observation.state.fields) if observation else None


def _check_focus(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    user = batch.user
    if entry is not None:
        current = entry.state.fields
        if not policy.may_write_focus(current["kind"], current.get("owner_id"), user):
            raise _forbid("School focuses are set by leads; a personal focus by its owner.")
        return
    if fields["kind"] == "personal" and fields.get("owner_id") is None:
        fields["owner_id"] = str(user.id)
    if fields["kind"] == "school" and fields.get("owner_id") is not None:
        raise Rejected(
            "validation_error",
            "A school focus has no owner.",
            {"fields": {"owner_id": ["Must be null for a school focus."]}},
        )
    if not policy.may_write_focus(fields["kind"], fields.get("owner_id"), user):
        raise _forbid("School focuses are set by leads; a personal focus by its owner.")


def _check_lookfor(batch: Batch, entry: Entry | None, fields: dict[str, Any]) -> None:
    if not policy.may_write_lookfor(batch.user):
        raise _forbid("Look-fors are set by leads.")
    if "focus_id" in fields:
        focus = batch.in_school("focus", fields["focus_id"])
        if focus is None or focus.state.fields["kind"] != "school":
            raise Rejected(
                "unknown_reference",
                "A look-for belongs to a school focus of this school.",
                {"focus_id": [fields["focus_id"]]},
            )


RULES = {
    "observation": _check_observation,
    "note": _check_note,
    "next_step": _check_next_step,
    "focus": _check_focus,
    "lookfor": _check_lookfor,
}
