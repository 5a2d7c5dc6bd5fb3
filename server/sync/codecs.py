"""Synced records between database columns and the canonical JSON values of the wire.

The merge engine compares and stores canonical JSON values (UUIDs as strings, times as ISO 8601
in UTC, dates as YYYY-MM-DD); the database keeps typed columns. One converter per column type,
chosen once per entity, so that a pull of tens of thousands of rows stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Integer,
    String,
    Text,
    case,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
)

from schemas.records import RECORD_SCHEMAS
from server.models import SYNCED_MODELS, UUID, UTCDateTime

Converter = Callable[[Any], Any]


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _uuid_str(value: Any) -> Any:
    return None if value is None else str(value)


def _copy(value: Any) -> Any:
    # JSON columns hand out lists and dicts that SQLAlchemy may share; the wire gets copies.
    if isinstance(value, list):
        return [dict(v) if isinstance(v, dict) else v for v in value]
    return value


def _parse_datetime(value: Any) -> Any:
    return None if value is None else dt.datetime.fromisoformat(value)


def _parse_date(value: Any) -> Any:
    return None if value is None else dt.date.fromisoformat(value)


def _converters(column: Column[Any]) -> tuple[Converter, Converter]:
    """(to wire, to column) for one column."""
    if isinstance(column.type, UTCDateTime):
        return _iso, _parse_datetime
    if isinstance(column.type, Date):
        return _iso, _parse_date
    if isinstance(column.type, UUID):
        # The UUID type binds the wire's text itself (stored as is on SQLite), so no parse here.
        return _uuid_str, _copy
    return _copy, _copy


def field_names(entity: str) -> list[str]:
    """The wire fields of an entity, in schema order (without `deleted`)."""
    return [name for name in RECORD_SCHEMAS[entity].fields if name != "deleted"]


class EntityCodec:
    """Converters for every field of one synced entity."""

    def __init__(self, entity: str) -> None:
        self.entity = entity
        self.model = SYNCED_MODELS[entity]
        table = self.model.__table__  # type: ignore[attr-defined]
        self.table = table
        self.fields = field_names(entity)
        pairs = {name: _converters(table.c[name]) for name in self.fields}
        self.to_wire_fns = [(name, pairs[name][0]) for name in self.fields]
        self.to_column_fns = {name: pairs[name][1] for name in self.fields}
        self._plans: dict[str, PullPlan] = {}

    def wire_fields(self, row: Mapping[Any, Any]) -> dict[str, Any]:
        """Canonical JSON values of a row's fields."""
        return {name: fn(row[name]) for name, fn in self.to_wire_fns}

    def column_values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Column values for canonical field values."""
        return {name: self.to_column_fns[name](value) for name, value in fields.items()}

    def pull_plan(self, dialect: str) -> PullPlan:
        """How a pull reads this entity on this database (built once per dialect)."""
        if dialect not in self._plans:
            self._plans[dialect] = PullPlan(self.table, self.fields, dialect)
        return self._plans[dialect]


# ---- pull: the database writes each record's JSON ---------------------------------------------
#
# A pull page carries up to 2,000 records; converting every field in Python dominated its cost.
# So the database builds each record's `fields` object (SQLite's json_object, PostgreSQL's
# json_build_object) in exactly the wire form of `EntityCodec.wire_fields` (a test compares the
# two on both databases), and the text goes into the response unparsed as an orjson Fragment.
# On SQLite, UUIDs and times are stored in their wire form already (server.models).

# The columns every branch of a pull page's UNION ALL yields, then those of a pulled row.
PAGE_COLUMNS = ("entity", "id", "version", "deleted", "created_by", "conflicts", "evicted")
PULL_COLUMNS = (
    "entity",
    "id",
    "version",
    "deleted",
    "created_by",
    "conflicts",
    "fields",
    "yjs",
    "evicted",
)


def _postgres_datetime(column: Any) -> ColumnElement[Any]:
    """A timestamptz as datetime.isoformat() in UTC (microseconds only when not zero)."""
    utc = column.op("AT TIME ZONE")(literal("UTC"))
    whole = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS')
    micro = cast(func.extract("microseconds", column), Integer) % 1_000_000
    fraction = case((micro == 0, literal("")), else_=func.to_char(utc, ".US"))
    return case((column.is_(None), null()), else_=whole.concat(fraction).concat("+00:00"))


def json_value(column: Any, dialect: str) -> ColumnElement[Any]:
    """A column as the value to place in a JSON object built by the database."""
    kind = column.type
    if dialect == "sqlite":
        if isinstance(kind, JSON):
            return func.json(type_coerce(column, String))
        if isinstance(kind, Boolean):
            return case((column, func.json("true")), else_=func.json("false"))
        return (
            type_coerce(column, String) if isinstance(kind, UTCDateTime | UUID | Date) else column
        )
    if isinstance(kind, UTCDateTime):
        return _postgres_datetime(column)
    plain: ColumnElement[Any] = column
    return plain


def json_object(pairs: list[tuple[str, Any]], dialect: str) -> ColumnElement[Any]:
    """A JSON object text built by the database from (key, value expression) pairs."""
    arguments: list[Any] = []
    for key, value in pairs:
        arguments += [literal(key), value]
    if dialect == "sqlite":
        return type_coerce(func.json_object(*arguments), String)
    return cast(func.json_build_object(*arguments), Text)


def as_text(column: Any, dialect: str) -> ColumnElement[Any]:
    """A UUID or JSON column as its text (SQLite keeps it as text already)."""
    return type_coerce(column, String) if dialect == "sqlite" else cast(column, Text)


class PullPlan:
    """One synced entity in a pull page: light columns to choose the page's rows, then the
    JSON of its fields built for the chosen rows only."""

    def __init__(self, table: Any, fields: list[str], dialect: str) -> None:
        self.table = table
        self.dialect = dialect
        self.fields = json_object(
            [(name, json_value(table.c[name], dialect)) for name in fields], dialect
        )
        # The co-written texts' documents (server.sync.cotext), stored as the wire's JSON.
        self.yjs = as_text(table.c.yjs, dialect) if "yjs" in table.c else None

    def columns(self, entity: str) -> list[ColumnElement[Any]]:
        """entity, id (as stored), version, deleted, created_by, conflicts, evicted."""
        table, dialect = self.table, self.dialect
        values = [
            literal(entity, String),
            table.c.id,
            table.c.version,
            table.c.deleted,
            as_text(table.c.created_by, dialect),
            as_text(table.c.conflicts, dialect),
            literal(False),
        ]
        return [value.label(name) for value, name in zip(values, PAGE_COLUMNS, strict=True)]

    def fields_of(self, record_id: Any) -> ColumnElement[Any]:
        """The fields JSON of the record with this id (a scalar subquery)."""
        return select(self.fields).where(self.table.c.id == record_id).scalar_subquery()

    def yjs_of(self, record_id: Any) -> ColumnElement[Any] | None:
        """The `yjs` JSON of the record with this id, for entities with co-written texts."""
        if self.yjs is None:
            return None
        return select(self.yjs).where(self.table.c.id == record_id).scalar_subquery()


def pulled_change(row: Any) -> dict[str, Any]:
    """One change of a pull page from one UNION ALL row."""
    entity, record_id, version, deleted, created_by, conflicts, fields, yjs, evicted = row
    if evicted:
        return {"entity": entity, "id": record_id, "version": version, "evicted": True}
    change = {
        "entity": entity,
        "id": record_id,
        "version": version,
        "deleted": bool(deleted),
        "fields": orjson.Fragment(fields),
        "created_by": created_by,
        "conflicts": orjson.Fragment(conflicts or "[]"),
    }
    if yjs:
        change["yjs"] = orjson.Fragment(yjs)
    return change


CODECS: dict[str, EntityCodec] = {entity: EntityCodec(entity) for entity in SYNCED_MODELS}
