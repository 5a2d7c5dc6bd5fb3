"""The working set of one push: records read once, in a few queries, and written once, in bulk.

A batch of 500 notes is a handful of statements: `preload` reads every record the mutations
name, the rules and the merge work on that set, and `flush` writes what changed, inserts and
updates in bulk, parents before children so foreign keys hold.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, insert, select, update

from schemas.fast import UUID_RE
from server import policy
from server.extensions import db
from server.models import ObservationFocus, ObservationParticipant, User, utcnow
from server.policy import Reader
from server.sync.codecs import CODECS
from server.sync.engine import Conflict, FieldMeta, RecordState, meta_from_json, meta_to_json
from server.sync.rows import insert_rows
from server.sync.versions import VersionAllocator

# Parents before children, so foreign keys hold when a batch creates both.
_WITH_YJS = frozenset(entity for entity, codec in CODECS.items() if "yjs" in codec.table.c)
FLUSH_ORDER = ("focus", "lookfor", "observation", "visit", "next_step", "note", "attachment")


@dataclass
class Entry:
    """A record as this batch sees it."""

    entity: str
    school_id: uuid.UUID
    created_by: uuid.UUID
    state: RecordState
    in_database: bool
    dirty: bool = False
    yjs: dict[str, str] | None = None  # co-written texts' documents (server.sync.cotext)


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
    docs: dict[Any, Any] = field(default_factory=dict)  # live Yjs documents (cotext.Docs)

    def load(self, entity: str, ids: set[str], *, probe: bool = True) -> None:
        """Read records into the working set, in one query per entity. `probe` first asks
        which ids exist (one light query), so a batch of new ids reads no rows; records that
        are expected to exist (the observations notes are written on) skip it."""
        wanted = {
            i for i in ids if (entity, i) not in self.entries and (entity, i) not in self.missing
        }
        if not wanted:
            return
        if probe:
            self.missing |= {(entity, i) for i in wanted - existing_ids(entity, wanted)}
            wanted = {i for i in wanted if (entity, i) not in self.missing}
        if not wanted:
            return  # new ids only, as in a batch of new notes: one light query, no rows read
        codec = CODECS[entity]
        rows = db.session.execute(
            select(codec.table).where(codec.table.c.id.in_([uuid.UUID(i) for i in wanted]))
        ).mappings()
        for row in rows:
            key = (entity, str(row["id"]))
            self.entries[key] = Entry(
                entity, row["school_id"], row["created_by"], _state(entity, row), True
            )
            self.entries[key].yjs = row.get("yjs")
        self.missing |= {(entity, i) for i in wanted if (entity, i) not in self.entries}

    def get(self, entity: str, record_id: str) -> Entry | None:
        """A record of any school (callers check the school), or None."""
        key = (entity, record_id)
        if key not in self.entries and key not in self.missing:
            self.load(entity, {record_id})
        return self.entries.get(key)

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

    def observation_readers(self, observation_id: str, people: set[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these people may read the observation (as written so far: observation
        changes that move who may read are flushed as they are merged)."""
        query = policy.observation_readers(observation_id, people)
        return set(db.session.execute(query).scalars())

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
            new = [e for e in dirty if not e.in_database]
            old = [_update_values(e, now) for e in dirty if e.in_database]
            if new and current_app.config["SYNC_BULK_INSERT"]:
                rows = [_new_row(e, now) for e in new]
                insert_rows(db.session.connection(), codec.table, rows)
            elif new:
                db.session.execute(insert(codec.table), [_insert_values(e, now) for e in new])
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
    if "yjs" in CODECS[entry.entity].table.c:
        values["yjs"] = entry.yjs or {}
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


def _new_row(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    """A new record's row as canonical values (server.sync.rows converts them for the driver)."""
    state = entry.state
    values = dict(state.fields)
    values.update(
        id=state.id,
        school_id=entry.school_id,
        created_by=entry.created_by,
        version=state.version,
        deleted=state.deleted,
        field_meta=_meta_json(state.meta),
        conflicts=[c.to_json() for c in state.conflicts],
        created_at=now,
        updated_at=now,
    )
    if entry.entity in _WITH_YJS:
        values["yjs"] = entry.yjs or {}
    return values


def _meta_json(meta: Mapping[str, FieldMeta]) -> dict[str, dict[str, Any]]:
    """meta_to_json's value, each FieldMeta turned once: a new record's fields share one
    (the create's), so its row's `field_meta` costs one small dict, not one per field."""
    done: dict[int, dict[str, Any]] = {}
    out = {}
    for name, m in meta.items():
        shape = done.get(id(m))
        if shape is None:
            shape = done[id(m)] = {"v": m.version, "h": m.hlc, "a": m.author_id}
        out[name] = shape
    return out


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


def existing_ids(entity: str, ids: set[str]) -> set[str]:
    """Which of these (canonical) ids have a row, in one statement of SQL text: binding a few
    hundred ids through Core's expanding IN cost more than the lookup itself."""
    connection = db.session.connection()
    table = CODECS[entity].table.name
    params: tuple[Any, ...]
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in ids)
        sql, params = f'SELECT id FROM "{table}" WHERE id IN ({marks})', tuple(ids)
    else:
        sql, params = f'SELECT id::text FROM "{table}" WHERE id = ANY(%s::uuid[])', (list(ids),)
    return {str(row[0]) for row in connection.exec_driver_sql(sql, params)}


def named_records(mutations: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The (well-formed) record ids the mutations name, by entity."""
    wanted: dict[str, set[str]] = {entity: set() for entity in CODECS}
    for raw in mutations:
        entity, record_id = raw.get("entity"), uuid_or_none(raw.get("id"))
        if entity in wanted and record_id:
            wanted[entity].add(record_id)
    return wanted


PROBE_FROM = 16  # ids of one entity in a batch from which `Batch.load` probes first


def preload(batch: Batch, mutations: list[dict[str, Any]]) -> None:
    """Read every record the batch names in a few queries, not one per mutation."""
    wanted = named_records(mutations)
    for raw in mutations:
        fields = raw.get("fields")
        parent = uuid_or_none(fields.get("observation_id")) if isinstance(fields, dict) else None
        if parent:
            wanted["observation"].add(parent)
    for entity in ("note", "next_step", "focus", "lookfor", "visit", "attachment"):
        batch.load(entity, wanted[entity])
    for entry in list(batch.entries.values()):
        parent = entry.state.fields.get("observation_id")
        if parent:
            wanted["observation"].add(parent)
    # A few observations (the parents of a lesson's notes) are read at once: the probe would
    # be one more round trip, and a new id among them costs only a read that finds no row.
    observations = wanted["observation"]
    batch.load("observation", observations, probe=len(observations) > PROBE_FROM)


def readable(user: User, wanted: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Which of these records the user may read now (policy's read rules), a query per entity."""
    reader = Reader.of(user)
    found: set[tuple[str, str]] = set()
    for entity, ids in wanted.items():
        if ids:
            rule = policy.READ_RULES[entity]
            query = select(rule.model.id).where(
                rule.model.id.in_([uuid.UUID(i) for i in ids]), rule.clause(reader)
            )
            found |= {(entity, str(i)) for i in db.session.execute(query).scalars()}
    return found


def uuid_or_none(value: Any) -> str | None:
    if isinstance(value, str) and UUID_RE.match(value):
        return value  # canonical already: what str(uuid.UUID(value)) gives
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None
