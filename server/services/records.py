"""Synced records between database columns and the canonical JSON values of the wire.

The merge engine compares and stores canonical JSON values (UUIDs as strings, times as ISO 8601
in UTC, dates as YYYY-MM-DD); the database keeps typed columns. One converter per column type,
chosen once per entity, so that a pull of tens of thousands of rows stays cheap.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Column, Date, Uuid

from schemas.records import RECORD_SCHEMAS
from server.models import SYNCED_MODELS, UTCDateTime

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


def _parse_uuid(value: Any) -> Any:
    return None if value is None else uuid.UUID(value)


def _converters(column: Column[Any]) -> tuple[Converter, Converter]:
    """(to wire, to column) for one column."""
    if isinstance(column.type, UTCDateTime):
        return _iso, _parse_datetime
    if isinstance(column.type, Date):
        return _iso, _parse_date
    if isinstance(column.type, Uuid):
        return _uuid_str, _parse_uuid
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

    def wire_fields(self, row: Mapping[Any, Any]) -> dict[str, Any]:
        """Canonical JSON values of a row's fields."""
        return {name: fn(row[name]) for name, fn in self.to_wire_fns}

    def column_values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Column values for canonical field values."""
        return {name: self.to_column_fns[name](value) for name, value in fields.items()}

    def pull_columns(self) -> list[Column[Any]]:
        """The columns a pull reads (no merge metadata)."""
        names = ["id", "version", "deleted", "created_by", "conflicts", *self.fields]
        return [self.table.c[name] for name in names]


CODECS: dict[str, EntityCodec] = {entity: EntityCodec(entity) for entity in SYNCED_MODELS}
