"""Every stored entity as JSON, one shape for the personal export and the school's export.

An entity's JSON object has one key per column of its table, in table order: UUIDs as their
canonical text, times as ISO 8601 in UTC, days as YYYY-MM-DD, JSON columns as they are. The
same functions read it back (the school import), and `schema_document()` writes the JSON
Schema committed as schemas/export.schema.json (tests/rights check both agree).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Integer, String, Text

from server.audit import AuditEvent
from server.models import (
    UUID,
    Attachment,
    Device,
    Focus,
    Lookfor,
    NextStep,
    Note,
    Observation,
    School,
    Team,
    User,
    UserTeam,
    UTCDateTime,
)
from server.visits import Visit

FORMAT = "lessonloop-export/1"
# Entity -> its model, in the order a restore writes them (foreign keys hold).
MODELS: dict[str, Any] = {
    "school": School,
    "team": Team,
    "user": User,
    "user_team": UserTeam,
    "device": Device,
    "focus": Focus,
    "lookfor": Lookfor,
    "observation": Observation,
    "visit": Visit,
    "next_step": NextStep,
    "note": Note,
    "attachment": Attachment,
    "audit_event": AuditEvent,
}
# Columns never exported: a device's token, an audit row's local number (a restore renumbers).
NEVER = {"device": {"token_hash", "last_seq"}, "audit_event": {"id"}}
# In a personal export a colleague is only named: these keys of `user` may be missing.
OPTIONAL = {
    "user": {
        "school_id",
        "email",
        "password_hash",
        "notify_prefs",
        "phrases",
        "version",
        "created_at",
        "updated_at",
        "erased_at",
    }
}
DESCRIPTIONS = {
    "school": "The school, its change counter and its retention setting.",
    "team": "A team (department, year team, PLT).",
    "user": "An account. In a personal export: the person in full (no password hash), "
    "colleagues by id, display name, role and active only.",
    "user_team": "Who is in which team.",
    "device": "A signed-in device (personal export only; never its token).",
    "focus": "A school or personal professional focus.",
    "lookfor": "A look-for of a school focus.",
    "observation": "An observation with its participants, focuses, reflections and merge data.",
    "next_step": "An agreed next step.",
    "note": "A note taken during or about an observation.",
    "attachment": "A photo of pupils' work on an observation (its bytes are in photos/ of the "
    "export); stored_* say what the server keeps (None until it arrived).",
    "visit": "A classroom visited on a learning walk: when, class, year group, subject, team.",
    "audit_event": "Who read, downloaded, shared, exported or erased what, when, from where.",
}


def columns(entity: str) -> list[Column[Any]]:
    """The exported columns of an entity, in table order."""
    skip = NEVER.get(entity, set())
    return [c for c in MODELS[entity].__table__.columns if c.key not in skip]


def to_json(entity: str, row: Any, keep: set[str] | None = None) -> dict[str, Any]:
    """A row (ORM object or mapping) as the entity's JSON object (only `keep`, when given)."""
    get = row.__getitem__ if hasattr(row, "keys") else lambda key: getattr(row, key)
    return {c.key: _plain(get(c.key)) for c in columns(entity) if keep is None or c.key in keep}


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_json(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """An entity's JSON object as column values (the school import)."""
    values = {}
    for column in columns(entity):
        value = data.get(column.key)
        if value is not None:
            if isinstance(column.type, UUID):
                value = uuid.UUID(value)
            elif isinstance(column.type, UTCDateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                value = dt.date.fromisoformat(value)
        values[column.key] = value
    return values


def dumps(document: dict[str, Any]) -> bytes:
    """The one serialisation: sorted keys, UTF-8, one line per value (diffable, byte-stable)."""
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode()


# ---- the JSON Schema -------------------------------------------------------------------------


def _property(column: Column[Any]) -> dict[str, Any]:
    kind = column.type
    if isinstance(kind, UUID):
        schema: dict[str, Any] = {"type": "string", "format": "uuid"}
    elif isinstance(kind, UTCDateTime):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(kind, Date):
        schema = {"type": "string", "format": "date"}
    elif isinstance(kind, Boolean):
        schema = {"type": "boolean"}
    elif isinstance(kind, Integer | BigInteger):
        schema = {"type": "integer"}
    elif isinstance(kind, JSON):
        schema = {"type": ["object", "array"]}
    elif isinstance(kind, String | Text):
        schema = {"type": "string"}
        if getattr(kind, "length", None):
            schema["maxLength"] = kind.length
    else:  # pragma: no cover - a new column type must be described here first
        raise TypeError(f"no JSON Schema for {kind!r}")
    if column.nullable:
        schema["type"] = [
            *([schema["type"]] if isinstance(schema["type"], str) else schema["type"]),
            "null",
        ]
    return schema


def entity_schema(entity: str) -> dict[str, Any]:
    """The JSON Schema of one entity's object."""
    props = {c.key: _property(c) for c in columns(entity)}
    optional = OPTIONAL.get(entity, set())
    return {
        "description": DESCRIPTIONS[entity],
        "type": "object",
        "properties": props,
        "required": [key for key in props if key not in optional],
        "additionalProperties": False,
    }
