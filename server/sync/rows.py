"""New synced rows written in one raw `executemany` or `COPY` (issue 17: bulk push).

SQLAlchemy's Core insert, with a bind processor per value, cost more than the database's own
work for a push of 500 notes. Here each column gets one converter, chosen once per table and
database, from the canonical JSON values the merge engine holds (UUIDs as text, times as ISO
8601 in UTC, dates as YYYY-MM-DD) straight to what the driver sends; the rows then go to the
driver's `executemany` as one prepared statement on SQLite, and as one `COPY ... FROM STDIN`
on PostgreSQL. The stored rows are exactly those the Core
insert writes (its column defaults for absent keys, JSON `null` for a given None, SQL NULL for
an absent column without a default): tests/sync/test_bulk_push.py compares the two on both
databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Column, Table

from server.models import UUID, UTCDateTime

Converter = Callable[[Any], Any]
_ABSENT = object()


def _uuid(value: Any) -> Any:
    return None if value is None else str(value)


def _json(value: Any) -> Any:
    return orjson.dumps(value).decode()  # None too: SQLAlchemy's JSON stores it as `null`


def _boolean(value: Any) -> Any:
    return None if value is None else bool(value)


def _plain(value: Any) -> Any:
    return value


def _sqlite_time(value: Any) -> Any:
    """UTCDateTime on SQLite: the ISO 8601 text in UTC (server.columns)."""
    global _last_time
    if value is None or (type(value) is str and value.endswith("+00:00")):
        return value  # canonical already (schemas.fast, schemas.base.to_utc)
    last = _last_time  # every row of a flush has the same created_at and updated_at
    if last[0] is value:
        return last[1]
    stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if stamp.tzinfo is None:
        raise ValueError("naive datetimes are not stored; give a time zone")
    text = stamp.astimezone(dt.UTC).isoformat()
    _last_time = (value, text)  # one tuple, swapped whole: safe across threads
    return text


_last_time: tuple[Any, Any] = (None, None)


def _converter(column: Column[Any], dialect: str) -> Converter:
    kind = column.type
    if isinstance(kind, (UUID, UTCDateTime)) and dialect != "sqlite":
        # COPY's text format: PostgreSQL reads the canonical text (a UUID, an ISO 8601 time
        # with its offset) itself, as it reads the text psycopg would print for the object.
        return _plain
    if isinstance(kind, UUID):
        return _uuid
    if isinstance(kind, UTCDateTime):
        return _sqlite_time
    if isinstance(kind, JSON):
        return _json
    if isinstance(kind, Boolean):
        return _boolean
    return _plain


def _default(column: Column[Any]) -> Callable[[], Any] | None:
    """The column's Python-side default (as Core's insert applies it to an absent key)."""
    default: Any = column.default
    if default is not None and default.is_callable:
        return lambda: default.arg(None)
    if default is not None and default.is_scalar:
        return lambda: default.arg
    return None  # none (a SQL expression or a sequence would need Core; synced tables have none)


class RowWriter:
    """One table's INSERT for one database, with a converter per column."""

    def __init__(self, table: Table, dialect: str, placeholder: str) -> None:
        self.columns = list(table.c)
        self.names = [column.name for column in self.columns]
        converters = [_converter(column, dialect) for column in self.columns]
        # None where the value goes as it is (the row loop then skips a call per column).
        self.plan = [
            (c.name, None if f is _plain else f)
            for c, f in zip(self.columns, converters, strict=True)
        ]
        self.absent = {
            c.name: (f, _default(c)) for c, f in zip(self.columns, converters, strict=True)
        }
        names = ", ".join(f'"{name}"' for name in self.names)
        marks = ", ".join(placeholder for _ in self.names)
        self.sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        self.copy = f'COPY "{table.name}" ({names}) FROM STDIN'

    def row(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The driver's parameters for one row of canonical values."""
        get = values.get
        return tuple(
            [
                self.missing(name)
                if (value := get(name, _ABSENT)) is _ABSENT
                else (value if convert is None else convert(value))
                for name, convert in self.plan
            ]
        )

    def missing(self, name: str) -> Any:
        """An absent column's value: its Python-side default (converted), or SQL NULL."""
        convert, default = self.absent[name]
        return None if default is None else convert(default())


_WRITERS: dict[tuple[str, str], RowWriter] = {}


def insert_rows(connection: Any, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT these rows (canonical values by column name) in one executemany."""
    if not rows:
        return
    dialect = connection.dialect.name
    key = (table.name, dialect)
    if key not in _WRITERS:
        placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        _WRITERS[key] = RowWriter(table, dialect, placeholder)
    writer = _WRITERS[key]
    if dialect == "postgresql":
        # COPY: the rows stream in one command, in the push's transaction (same connection).
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(writer.copy) as copy:
            for values in rows:
                copy.write_row(writer.row(values))
        return
    connection.exec_driver_sql(writer.sql, [writer.row(values) for values in rows])
