"""The audit trail: who read, downloaded, shared, exported or erased whose records, and when.

Append-only: rows are inserted here and never changed; only retention (server.rights.retention)
deletes the oldest. A row names the actor, the device they used, the action, the record and the
person the record is about (`subject_id`: the observed teacher, the teacher of a learning
record, the erased person), so a teacher can read the events about their own records.

Reads by a lead are recorded once per device and observation, in one INSERT ... SELECT per pull
page; the other actions are one row each, written in the transaction of the action when there is
one (a push that shares), or in a short transaction of their own after it (a PDF download).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from server import policy
from server.extensions import Base, db, sqlite_immediate
from server.models import UUID, Observation, ObservationParticipant, User, UTCDateTime, utcnow
from server.policy import people

if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

# The actions, as stored (documented in the README and docs/data-protection.md).
LEAD_READ = "observation.read_by_lead"
SHARED = "observation.shared"
UNSHARED = "observation.unshared"
REPORT = "report.downloaded"
EXPORT = "export.personal"
SCHOOL_EXPORT = "export.school"
SCHOOL_IMPORT = "import.school"
ERASURE = "user.erased"
RETENTION = "retention.run"
ACTIONS = (
    LEAD_READ,
    SHARED,
    UNSHARED,
    REPORT,
    EXPORT,
    SCHOOL_EXPORT,
    SCHOOL_IMPORT,
    ERASURE,
    RETENTION,
)


class AuditEvent(Model):
    """One audited action. Never updated; deleted only by retention."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_school_at", "school_id", "at"),
        Index("ix_audit_event_subject", "subject_id", "id"),
        Index("ix_audit_event_record_device", "record_id", "device_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    # No foreign key: a device's row goes with an erased person, the trail stays.
    device_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    device_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def observee_of(observation_id: Any) -> Any:
    """The observed teacher of an observation (a scalar subquery; NULL without one)."""
    return (
        select(ObservationParticipant.user_id)
        .where(
            ObservationParticipant.observation_id == observation_id,
            people.role_is_observee_sql(ObservationParticipant.role),
        )
        .order_by(ObservationParticipant.user_id)
        .limit(1)
        .scalar_subquery()
    )


def event(
    actor: User | None,
    device: Any,
    action: str,
    record_type: str,
    record_id: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """One row's values; `device` is a Device, or None (the command line, the worker)."""
    school_id = extra.pop("school_id", None) or (actor.school_id if actor else None)
    return {
        "school_id": school_id,
        "at": extra.pop("at", None) or utcnow(),
        "actor_id": actor.id if actor else None,
        "device_id": device.id if device is not None else None,
        "device_name": device.name if device is not None else "",
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "subject_id": extra.pop("subject_id", None),
        "detail": extra.pop("detail", None) or {},
    }


def append(rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows in the caller's transaction."""
    values = list(rows)
    if values:
        db.session.execute(insert(AuditEvent), values)


def append_now(rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows in a transaction of their own, committed before returning."""
    db.session.commit()  # end the request's read transaction first
    token = sqlite_immediate.set(True)  # SQLite: take the write lock at BEGIN
    try:
        append(rows)
    finally:
        sqlite_immediate.reset(token)
    db.session.commit()


def observation_subject(observation_id: uuid.UUID) -> uuid.UUID | None:
    """Who an observation is about: its observed teacher, else its creator."""
    observee = db.session.execute(select(observee_of(literal(observation_id, UUID())))).scalar()
    if observee is not None:
        found: uuid.UUID = observee
        return found
    creator: uuid.UUID | None = db.session.execute(
        select(Observation.created_by).where(Observation.id == observation_id)
    ).scalar()
    return creator


def _observee(fields: Mapping[str, Any]) -> uuid.UUID | None:
    observees = sorted(policy.observees(fields))
    return uuid.UUID(observees[0]) if observees else None


def record_lead_reads(user: User, device: Any, carried: Iterable[tuple[str, Any, str]]) -> None:
    """A lead's pull page carried these observations (id, created_by, fields as JSON): one row
    for each that this device had not received before and that the lead sees only because it
    was shared with leads. Nothing is written when there is no such observation."""
    candidates: dict[uuid.UUID, uuid.UUID | None] = {}
    for record_id, created_by, fields_json in carried:
        fields = orjson.loads(fields_json)
        if people.read_only_as_lead(created_by, fields, user):
            candidates[uuid.UUID(str(record_id))] = _observee(fields)
    if candidates:
        seen = db.session.execute(_seen_query(device, list(candidates))).scalars()
        for seen_id in seen:  # already recorded for this device: no write for those
            if seen_id is not None:
                candidates.pop(seen_id, None)
    if not candidates:
        return
    db.session.commit()  # end the pull's read transaction
    token = sqlite_immediate.set(True)  # SQLite: take the write lock at BEGIN
    try:
        rows = _lead_read_rows(user, device, candidates)
        db.session.connection().execute(_INSERT_UNSEEN, rows)
    finally:
        sqlite_immediate.reset(token)
    db.session.commit()


def _seen_query(device: Any, ids: list[uuid.UUID]) -> Select[uuid.UUID | None]:
    return select(AuditEvent.record_id).where(
        AuditEvent.record_id.in_(ids),
        AuditEvent.device_id == device.id,
        AuditEvent.action == LEAD_READ,
    )


def _insert_unseen() -> Any:
    """INSERT one row unless this device's read of this record is already recorded (one
    statement, run for every row of a page with executemany)."""
    table: Any = AuditEvent.__table__
    values = [bindparam(name, type_=table.c[name].type) for name in COLUMNS]
    seen = exists().where(
        table.c.record_id == bindparam("record_id", type_=table.c.record_id.type),
        table.c.device_id == bindparam("device_id", type_=table.c.device_id.type),
        table.c.action == bindparam("action", type_=table.c.action.type),
    )
    return insert(table).from_select(list(COLUMNS), select(*values).where(~seen))


COLUMNS = (
    "school_id",
    "at",
    "actor_id",
    "device_id",
    "device_name",
    "action",
    "record_type",
    "record_id",
    "subject_id",
    "detail",
)
_INSERT_UNSEEN = _insert_unseen()


def _lead_read_rows(
    user: User, device: Any, candidates: dict[uuid.UUID, uuid.UUID | None]
) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "school_id": user.school_id,
            "at": now,
            "actor_id": user.id,
            "device_id": device.id,
            "device_name": device.name,
            "action": LEAD_READ,
            "record_type": "observation",
            "record_id": record_id,
            "subject_id": observee,
            "detail": {},
        }
        for record_id, observee in sorted(candidates.items())
    ]
