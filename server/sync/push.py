"""The push flow: apply a batch of mutations, exactly as PROTOCOL.md's push section says.

One transaction per batch, holding the school's change lock (server.sync.versions). The
client's last applied `seq` is read under that lock and written in the same transaction as the
effects, so a retried batch is answered `duplicate` and never applied twice. Each mutation is
checked on its own (server.sync.checks, asking server.policy): a bad one is `rejected` (its seq
is still consumed) and never blocks the ones after it. Records are read and written through
the batch store (server.sync.batch), except that anything that changes who may see what is
flushed first, so the audience queries of server.sync.audience see the database as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select, update

from schemas.fast import FastLoader
from schemas.records import load_fields
from schemas.sync import MAX_MUTATIONS, MutationSchema
from server import audit, policy, timing
from server.errors import ApiError
from server.extensions import db
from server.models import Device, User, utcnow
from server.reminders import events
from server.sync import audience, cotext, creates
from server.sync.batch import Batch, Entry, named_records, preload, readable, uuid_or_none
from server.sync.checks import Rejected, check_fixed_fields, check_rules
from server.sync.codecs import CODECS
from server.sync.engine import HLCError, Mutation, merge, parse_hlc, plan_batch
from server.sync.versions import write_transaction

mutation_loader = FastLoader(MutationSchema())


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
    with timing.phase("parse"):  # pure: done before the school's change lock is taken
        parsed = [_parse_or_rejected(raw, str(device.id)) for raw in mutations]
        if current_app.config["SYNC_BULK_INSERT"]:  # the fast path for plain creates
            _prevalidate(parsed)
    with write_transaction(user.school_id, after_reads_only=True) as versions:
        last_seq = db.session.execute(
            select(Device.last_seq).where(Device.id == device.id)
        ).scalar_one()
        plan = plan_batch(last_seq, [m["seq"] for m in mutations])
        batch = Batch(user, device.id, versions, now_ms=int(utcnow().timestamp() * 1000))
        with timing.phase("read"):
            preload(batch, mutations)
        with timing.phase("apply"):
            results, last_seq = _carry_out(batch, mutations, parsed, plan, last_seq)
        with timing.phase("write"):
            batch.flush()
        with timing.phase("events"):
            events.on_sync(user, batch.noted_observations, batch.review_requests)
        db.session.execute(update(Device).where(Device.id == device.id).values(last_seq=last_seq))
    device.last_seq = last_seq
    return {"results": results, "last_seq": last_seq}


def _carry_out(
    batch: Batch,
    mutations: list[dict[str, Any]],
    parsed: list[dict[str, Any] | Rejected],
    plan: Sequence[str],
    last_seq: int,
) -> tuple[list[dict[str, Any]], int]:
    """One result per mutation, in order, and the client's last applied seq after them."""
    repeated = [raw for raw, action in zip(mutations, plan, strict=True) if action == "duplicate"]
    seen = readable(batch.user, named_records(repeated)) if repeated else set()
    results = []
    for raw, m, action in zip(mutations, parsed, plan, strict=True):
        if action == "out_of_order":
            results.append({"seq": raw["seq"], "status": "out_of_order"})
        elif action == "duplicate":
            results.append(_duplicate(batch, raw, seen))
        else:
            results.append(_apply(batch, raw, m))
            last_seq = raw["seq"]
    return results, last_seq


def _duplicate(batch: Batch, raw: dict[str, Any], seen: set[tuple[str, str]]) -> dict[str, Any]:
    """`duplicate`, with the record's version only when the pusher may read the record
    (a replayed seq must not tell that someone else's private record exists)."""
    result: dict[str, Any] = {"seq": raw["seq"], "status": "duplicate"}
    entity, record_id = raw.get("entity"), uuid_or_none(raw.get("id"))
    if entity in CODECS and record_id and (entity, record_id) in seen:
        entry = batch.in_school(entity, record_id)
        if entry is not None:
            result["version"] = entry.state.version
    return result


def _apply(batch: Batch, raw: dict[str, Any], m: dict[str, Any] | Rejected) -> dict[str, Any]:
    try:
        if isinstance(m, Rejected):
            raise m
        return _apply_or_reject(batch, m)
    except Rejected as rejected:
        return {"seq": raw["seq"], "status": "rejected", "error": rejected.error}


def _apply_or_reject(batch: Batch, m: dict[str, Any]) -> dict[str, Any]:
    entity, record_id = m["entity"], str(m["id"])
    entry = batch.get(entity, record_id)
    if entry is None and (created := creates.apply(batch, m)) is not None:
        return created  # a plain create (server.sync.creates)
    if entry is not None and entry.school_id != batch.user.school_id:
        raise Rejected(
            "forbidden", "This id belongs to a record you may not change; use a new UUID."
        )
    fields, merged = _incoming_fields(batch, entity, m, entry)
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
        premerged=frozenset(merged),
    )
    if policy.changes_scope(entity, fields, new=entry is None):
        outcome = _merge_with_scope(batch, entity, entry, mutation)
    else:
        outcome = _merge(batch, entity, entry, mutation)
    if entity in cotext.FIELDS:
        _settle_documents(batch, entity, mutation, merged)
    if entity == "note" and outcome.changed and entry is None:
        batch.noted_observations.add(outcome.state.fields["observation_id"])
    captured = outcome.state.fields.get("status") == "captured" and not outcome.state.deleted
    if entity == "observation" and outcome.changed and captured and status_before != "captured":
        batch.review_requests.add(record_id)  # a participant asks the others to review
    return _result(m, outcome)


def _result(m: dict[str, Any], outcome: Any) -> dict[str, Any]:
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


def _prevalidate(parsed: list[dict[str, Any] | Rejected]) -> None:
    for m in parsed:
        if not isinstance(m, Rejected):
            creates.prevalidate(m)


def _parse_or_rejected(raw: dict[str, Any], client_id: str) -> dict[str, Any] | Rejected:
    """The mutation's envelope checked (no database needed), or why it is rejected."""
    try:
        return _parse(raw, client_id)
    except Rejected as rejected:
        return rejected


def _parse(raw: dict[str, Any], client_id: str) -> dict[str, Any]:
    try:
        m: dict[str, Any] = mutation_loader.load(raw)
    except ValidationError as exc:
        raise Rejected(
            "validation_error", "This mutation is not well-formed.", _messages(exc)
        ) from exc
    if not policy.may_sync_write(m["entity"]):
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


def _incoming_fields(
    batch: Batch, entity: str, m: dict[str, Any], entry: Entry | None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The mutation's fields as canonical values, and the new states of Yjs-edited fields."""
    fields, updates = cotext.split(entity, _loaded_fields(entity, m, entry))
    if not updates:
        return fields, {}
    current = entry.state.fields if entry else {}
    key = (entity, str(m["id"]))
    texts, merged = cotext.merge_edits(
        batch.docs, key, current, entry.yjs if entry else None, updates
    )
    return {**fields, **texts}, merged


def _settle_documents(
    batch: Batch, entity: str, mutation: Mutation, merged: dict[str, bytes]
) -> None:
    """Keep the record's documents equal to its co-written texts (server.sync.cotext)."""
    entry = batch.get(entity, mutation.record_id)
    if entry is None or mutation.op == "delete":
        return
    written = [name for name in mutation.fields if name not in merged]
    key = (entity, mutation.record_id)
    yjs = cotext.settle(batch.docs, key, entry.state.fields, entry.yjs, merged, written)
    if yjs is not None:
        entry.yjs = yjs
        batch.store(entity, mutation.record_id, entry.state, entry)


def _loaded_fields(entity: str, m: dict[str, Any], entry: Entry | None) -> dict[str, Any]:
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
    check_fixed_fields(entity, entry, fields)
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
    shared_before = _shared(entry.state) if entry else False
    cast_before = entry.state.fields.get("participants") if entry else None  # (README: leads)
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
        audience.participants_changed(record_id, cast_before, outcome.state, batch.versions)
        _audit_sharing(batch, shared_before, outcome.state)
    elif entry is not None:
        audience.next_step_scope_changed(record_id, readers, batch.versions)
    return outcome


def _shared(state: Any) -> bool:
    return not state.deleted and state.fields.get("visibility") == "leads"


def _audit_sharing(batch: Batch, shared_before: bool, state: Any) -> None:
    """Sharing with leads, and taking it back, go to the audit trail (in the push's transaction)."""
    after = _shared(state)
    if shared_before == after:
        return
    record_id = uuid.UUID(state.id)
    row = audit.event(
        batch.user,
        db.session.get(Device, batch.device_id),
        audit.SHARED if after else audit.UNSHARED,
        "observation",
        record_id,
        subject_id=audit.observation_subject(record_id),
    )
    audit.append([row])
