"""The base schema and the wire's basic values, each with one rule for every field of its kind.

- Unknown fields are refused.
- Text (`String`, `Text`): Unicode scalar values only. A lone UTF-16 surrogate (what a phone
  sends after cutting an emoji in half) can be neither stored nor printed, so it is refused
  like any other invalid value: in a push, only the mutation carrying it is `rejected`.
- Timestamps (`UTCDateTime`, through `to_utc`) and dates (`CalendarDate`): within the
  calendar with a day to spare at each end (FIRST_DAY to LAST_DAY, in UTC), so that every
  stored time can be converted to UTC and shown in any school's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

TITLE_MAX = 200
NOTE_TEXT_MAX = 10_000
TEXT_MAX = 20_000


class BaseSchema(Schema):
    """Every schema refuses unknown fields (PROTOCOL.md: unknown fields are rejected)."""

    class Meta:
        unknown = RAISE
        ordered = True


FIRST_DAY = dt.date(1, 1, 2)
LAST_DAY = dt.date(9999, 12, 30)
_FIRST_INSTANT = dt.datetime.combine(FIRST_DAY, dt.time(), dt.UTC)
_LAST_INSTANT = dt.datetime.combine(LAST_DAY, dt.time.max, dt.UTC)
OUTSIDE_CALENDAR = f"Give a time from {FIRST_DAY} to {LAST_DAY} (UTC)."


def is_text(value: str) -> bool:
    """Whether a string holds Unicode scalar values only (no lone UTF-16 surrogate)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def scalar_text(value: Any) -> None:
    """The text rule, as a validator every String field runs (the fast path runs it too)."""
    if isinstance(value, str) and not is_text(value):
        raise ValidationError("Not valid text: it holds a lone UTF-16 surrogate.")


def to_utc(moment: dt.datetime) -> dt.datetime:
    """An aware time in UTC, or ValidationError when it falls outside FIRST_DAY..LAST_DAY."""
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+01:00 is before the first UTC day
        raise ValidationError(OUTSIDE_CALENDAR) from exc
    if not _FIRST_INSTANT <= utc <= _LAST_INSTANT:
        raise ValidationError(OUTSIDE_CALENDAR)
    return utc


def in_calendar(day: dt.date) -> dt.date:
    """A date within FIRST_DAY..LAST_DAY, or ValidationError."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(f"Give a date from {FIRST_DAY} to {LAST_DAY}.")
    return day


class String(fields.String):
    """Text: a string of Unicode scalar values (see scalar_text)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.insert(0, scalar_text)


class Text(String):
    """A string with a maximum length, never null."""

    def __init__(self, max_length: int = TEXT_MAX, min_length: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Length(min=min_length, max=max_length))
        super().__init__(**kwargs)


class CoText(Text):
    """A co-written text: a string (a value, merged as PROTOCOL.md says), or
    {"yjs": "<base64 of a Yjs update, v1>"}: an edit merged into the field's document; the
    limits then apply to the merged text, which the server checks."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dict):
            if set(value) != {"yjs"} or not isinstance(value["yjs"], str):
                raise ValidationError('Give a string, or {"yjs": "<base64 of a Yjs update>"}.')
            return {"yjs": value["yjs"]}
        return super()._deserialize(value, attr, data, **kwargs)

    def _validate(self, value: Any) -> None:
        if not isinstance(value, dict):
            super()._validate(value)


class UTCDateTime(fields.AwareDateTime):
    """An ISO 8601 timestamp with an offset, within the calendar; stored and echoed in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        if not isinstance(value, str):
            raise ValidationError("Not a valid datetime: give an ISO 8601 string with an offset.")
        parsed: dt.datetime = super()._deserialize(value, attr, data, **kwargs)
        return to_utc(parsed)


class CalendarDate(fields.Date):
    """A YYYY-MM-DD date within the calendar (FIRST_DAY..LAST_DAY)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        parsed: dt.date = super()._deserialize(value, attr, data, **kwargs)
        return in_calendar(parsed)


class StrictInteger(fields.Integer):
    """An integer that refuses strings and booleans (JSON numbers only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")
        result: int = super()._deserialize(value, attr, data, **kwargs)
        return result


class StrictBoolean(fields.Boolean):
    """A JSON boolean only (not "yes", 1 or "true")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        # A set lookup would let 1 and 0 pass (1 == True), so check the type itself.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def one_of(choices: tuple[str, ...]) -> validate.OneOf:
    """An enum validator whose message lists the choices."""
    return validate.OneOf(choices, error="Must be one of: {choices}.")
