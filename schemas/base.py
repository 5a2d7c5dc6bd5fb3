"""The base schema: unknown fields are refused, text is bounded."""

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


class Text(fields.String):
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
    """An ISO 8601 timestamp with an offset; stored and echoed in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        if not isinstance(value, str):
            raise ValidationError("Not a valid datetime: give an ISO 8601 string with an offset.")
        parsed: dt.datetime = super()._deserialize(value, attr, data, **kwargs)
        return parsed.astimezone(dt.UTC)


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
