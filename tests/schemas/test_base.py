"""The wire's basic rules hold for every field of their kind, in every schema: text is
`schemas.base.String` (Unicode scalar values only), timestamps are `UTCDateTime` and dates of
records are `CalendarDate` (within the calendar, with a day to spare)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields

import schemas
from schemas.base import (
    FIRST_DAY,
    LAST_DAY,
    CalendarDate,
    String,
    UTCDateTime,
    is_text,
    scalar_text,
)


def _schemas() -> Iterator[type[Schema]]:
    for module in pkgutil.iter_modules(schemas.__path__):
        loaded = importlib.import_module(f"schemas.{module.name}")
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, Schema) and value.__module__ == loaded.__name__:
                yield value


def _fields(field: fields.Field[Any], name: str) -> Iterator[tuple[str, fields.Field[Any]]]:
    yield name, field
    inner = getattr(field, "inner", None)
    if inner is not None:
        yield from _fields(inner, f"{name}[]")
    for part in ("key_field", "value_field"):
        sub = getattr(field, part, None)
        if sub is not None:
            yield from _fields(sub, f"{name}.{part}")


def _all_fields() -> list[tuple[str, fields.Field[Any]]]:
    found = []
    for schema in _schemas():
        for name, field in schema().fields.items():
            found.extend((f"{schema.__name__}.{n}", f) for n, f in _fields(field, name))
    return found


def test_every_text_field_of_every_schema_follows_the_text_rule():
    texts = [(n, f) for n, f in _all_fields() if isinstance(f, fields.String)]
    assert len(texts) > 40
    unruled = [n for n, f in texts if not isinstance(f, String) and scalar_text not in f.validators]
    assert unruled == []


def test_every_timestamp_and_record_date_follows_the_calendar_rule():
    found = _all_fields()
    times = [n for n, f in found if isinstance(f, fields.DateTime) and not f.dump_only]
    assert times
    assert [n for n, f in found if n in times and not isinstance(f, UTCDateTime)] == []
    dates = [n for n, f in found if type(f) is fields.Date]
    # report ranges are plain dates: server/reports/access.py checks them, in one place
    assert dates == ["ReportPeriodSchema.from_", "ReportPeriodSchema.to"]
    assert any(isinstance(f, CalendarDate) for _, f in found)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("plain", True), ("Ärzte 😀", True), ("a\ud800b", False), ("\udfff", False), ("", True)],
)
def test_is_text(value, ok):
    assert is_text(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0001-01-01T23:00:00-01:00", True),
        ("0001-01-01T23:59:59.999999+00:00", False),
        ("9999-12-30T23:59:59.999999+00:00", True),
        ("9999-12-31T00:00:00+01:00", True),
        ("9999-12-31T00:30:00+00:00", False),
        ("0001-01-01T00:00:00+01:00", False),
        ("9999-12-31T23:59:59-01:00", False),
    ],
)
def test_timestamps_outside_the_calendar_are_refused(value, ok):
    field = UTCDateTime()
    if ok:
        assert field.deserialize(value).tzinfo is dt.UTC
    else:
        with pytest.raises(ValidationError, match=str(FIRST_DAY)):
            field.deserialize(value)


def test_dates_outside_the_calendar_are_refused():
    field = CalendarDate()
    assert field.deserialize(str(FIRST_DAY)) == FIRST_DAY
    assert field.deserialize(str(LAST_DAY)) == LAST_DAY
    for value in ("0001-01-01", "9999-12-31"):
        with pytest.raises(ValidationError):
            field.deserialize(value)
