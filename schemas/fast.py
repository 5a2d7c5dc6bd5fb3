"""A fast path for loading plain, well-formed input with a marshmallow schema.

A push of 500 notes spends most of its time in marshmallow's per-field machinery. `FastLoader`
walks the same schema's declared fields with small checks that accept only the plainest input
(exact JSON types, canonical UUIDs, ISO 8601 timestamps) and reuse the fields' own validators.
Anything it is unsure of, it hands to marshmallow itself, so every error message, and every
accepted oddity, is marshmallow's. The schema stays the one definition of the wire contract;
tests/schemas/test_fast.py checks the two paths agree on generated input.

Both paths return canonical JSON values: UUIDs as strings, timestamps as ISO 8601 in UTC,
dates as YYYY-MM-DD. Both apply schemas.base's rules the same way: the text rule is a field
validator (which the fast path runs), and timestamps and dates go through to_utc and
in_calendar on either path.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing

from schemas.base import (
    CalendarDate,
    CoText,
    StrictBoolean,
    StrictInteger,
    String,
    Text,
    UTCDateTime,
    in_calendar,
    is_text,
    scalar_text,
    to_utc,
)


class Unsure(Exception):
    """The fast path does not vouch for this input: ask marshmallow."""


Check = Callable[[Any], Any]
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})\Z"
)
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def canonical(value: Any) -> Any:
    """Loaded Python values as the canonical JSON values the merge engine stores."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    return value


def _validated(field: fields.Field[Any], check: Check) -> Check:
    """Wrap a type check with None handling and the field's own validators."""
    validators = list(field.validators)
    allow_none = field.allow_none

    def run(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise Unsure
        result = check(value)
        try:
            for validator in validators:
                validator(value)
        except ValidationError as exc:
            raise Unsure from exc
        return result

    return run


def _string(value: Any) -> Any:
    if type(value) is not str:
        raise Unsure
    return value


def _integer(value: Any) -> Any:
    if type(value) is not int:
        raise Unsure
    return value


def _boolean(value: Any) -> Any:
    if type(value) is not bool:
        raise Unsure
    return value


def _uuid(value: Any) -> Any:
    if type(value) is not str or not UUID_RE.match(value):
        raise Unsure
    return value


def _datetime(value: Any) -> Any:
    if type(value) is not str or not DATETIME_RE.match(value):
        raise Unsure
    try:
        return to_utc(dt.datetime.fromisoformat(value)).isoformat()
    except (ValueError, ValidationError) as exc:
        raise Unsure from exc


def _date(value: Any) -> Any:
    if type(value) is not str or not DATE_RE.match(value):
        raise Unsure
    try:
        return in_calendar(dt.date.fromisoformat(value)).isoformat()
    except (ValueError, ValidationError) as exc:
        raise Unsure from exc


def _list_of(inner: Check) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not list:
            raise Unsure
        return [inner(item) for item in value]

    return check


def _string_keyed_dict(value: Any) -> Any:
    if type(value) is not dict:
        raise Unsure
    for key in value:  # a loop, not any() over a generator: a push checks ~10 keys a mutation
        if type(key) is not str or not (key.isascii() or is_text(key)):
            raise Unsure
    return dict(value)


def _cotext(field: fields.Field[Any]) -> Check:
    """A co-written text: a string as Text checks it, or exactly {"yjs": <string>}."""
    string = _validated(field, _string)

    def check(value: Any) -> Any:
        if type(value) is dict:
            if value.keys() != {"yjs"} or type(value["yjs"]) is not str:
                raise Unsure
            return {"yjs": value["yjs"]}
        return string(value)

    return check


def _checker(field: fields.Field[Any]) -> Check | None:
    """The fast check for one field, or None when the field kind is not covered."""
    plain: dict[type[fields.Field[Any]], Check] = {
        StrictInteger: _integer,
        StrictBoolean: _boolean,
        UTCDateTime: _datetime,
        fields.UUID: _uuid,
        fields.Date: _date,
        CalendarDate: _date,
    }
    kind = type(field)
    if kind in plain:
        return _validated(field, plain[kind])
    if kind is CoText:
        return _cotext(field)
    if kind in (fields.String, String, Text):
        return _validated(field, _string)
    if kind is fields.List:
        inner = _checker(field.inner)  # type: ignore[attr-defined]
        return None if inner is None else _validated(field, _list_of(inner))
    target = getattr(field, "nested", None)
    if kind is fields.Nested and isinstance(target, type) and issubclass(target, Schema):
        nested = FastLoader(target())
        return _validated(field, nested.fast) if nested.supported else None
    if kind is fields.Dict and field.value_field is None:  # type: ignore[attr-defined]
        key_field = field.key_field  # type: ignore[attr-defined]
        if key_field is None or _plain_text(key_field):
            return _validated(field, _string_keyed_dict)
    return None


def _plain_text(field: fields.Field[Any]) -> bool:
    """A key field that checks nothing but the text rule (which _string_keyed_dict applies)."""
    return type(field) in (fields.String, String) and all(
        v is scalar_text for v in field.validators
    )


class FastLoader:
    """Load with a fast path for plain input, falling back to the schema itself."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.plan: list[tuple[str, str, Check, bool, Any]] = []
        self.supported = not any(schema._hooks.values())
        for name, field in schema.fields.items():
            check = _checker(field)
            if check is None or field.dump_only:
                self.supported = False
                continue
            key = field.data_key or name
            self.plan.append(
                (key, field.attribute or name, check, field.required, field.load_default)
            )
        self.keys = {key for key, *_ in self.plan}

    def fast(self, data: Any, partial: bool = False) -> dict[str, Any]:
        """The fast path alone: raises Unsure for anything it does not vouch for."""
        if not self.supported or type(data) is not dict or not data.keys() <= self.keys:
            raise Unsure
        result: dict[str, Any] = {}
        for key, attribute, check, required, default in self.plan:
            if key in data:
                result[attribute] = check(data[key])
            elif default is not missing and not partial:  # marshmallow: no defaults when partial
                result[attribute] = default() if callable(default) else default
            elif required and not partial:
                raise Unsure
        return result

    def load(self, data: Any, *, partial: bool = False) -> dict[str, Any]:
        """Canonical values of valid input; marshmallow's ValidationError otherwise."""
        try:
            return self.fast(data, partial)
        except Unsure:
            loaded: Mapping[str, Any] = self.schema.load(data, partial=partial)
            return {key: canonical(value) for key, value in loaded.items()}
