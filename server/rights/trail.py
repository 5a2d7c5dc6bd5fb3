"""Reading the audit trail: the events about my records, and a school's whole trail (admins)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select

from server.audit import AuditEvent
from server.extensions import db
from server.models import User
from server.policy import people


def about(user_id: Any) -> ColumnElement[bool]:
    """Events about a person: their learning record, their export or erasure, and any
    observation they take part in."""
    return or_(
        AuditEvent.subject_id == user_id,
        and_(
            AuditEvent.record_type == "observation",
            AuditEvent.record_id.in_(people.observations_taken_part_in(user_id)),
        ),
    )


def my_events(user: User, filters: dict[str, Any]) -> dict[str, Any]:
    """The events about my records (or one of them), newest first."""
    query = select(AuditEvent).where(AuditEvent.school_id == user.school_id, about(user.id))
    if filters.get("record"):
        query = query.where(AuditEvent.record_id == filters["record"])
    return _page(query, filters["limit"], filters.get("before"))


def school_events(user: User, filters: dict[str, Any]) -> dict[str, Any]:
    """The school's trail (admins), filtered by person, record and days (UTC)."""
    query = select(AuditEvent).where(AuditEvent.school_id == user.school_id)
    if filters.get("person"):
        person = filters["person"]
        query = query.where(or_(AuditEvent.actor_id == person, about(person)))
    if filters.get("record"):
        query = query.where(AuditEvent.record_id == filters["record"])
    if filters.get("from_"):
        query = query.where(AuditEvent.at >= _midnight(filters["from_"]))
    if filters.get("to"):
        query = query.where(AuditEvent.at < _midnight(filters["to"] + dt.timedelta(days=1)))
    return _page(query, filters["limit"], filters.get("before"))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _page(query: Select[Any], limit: int, before: int | None) -> dict[str, Any]:
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = list(db.session.execute(query.order_by(AuditEvent.id.desc()).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"events": to_json(rows), "next_before": rows[-1].id if more else None}


def to_json(rows: list[AuditEvent]) -> list[dict[str, Any]]:
    """Events in the wire shape, each actor named as the directory names them now."""
    names = _names({r.actor_id for r in rows if r.actor_id})
    return [
        {
            "id": row.id,
            "at": row.at.isoformat(),
            "action": row.action,
            "record_type": row.record_type,
            "record_id": row.record_id,
            "subject_id": row.subject_id,
            "actor": {"id": row.actor_id, "display_name": names.get(row.actor_id) or ""},
            "device": {"id": row.device_id, "name": row.device_name},
            "detail": row.detail,
        }
        for row in rows
    ]


def _names(ids: set[uuid.UUID]) -> dict[uuid.UUID | None, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}
