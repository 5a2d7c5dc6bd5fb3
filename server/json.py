"""JSON in and out: bounded decoding of request bodies, and responses with orjson.

Every request body is decoded by `loads_body` before anything else sees it, with limits that
keep the rest of the server from meeting values it cannot handle (`400 invalid_json`):
nesting at most MAX_DEPTH deep (a body of 100,000 `[` is refused, not a recursion error),
integers within 64 bits (no 5,000-digit number reaches `int()`, no `seq` of 2**64 reaches a
response), finite numbers only (no `NaN`, `Infinity` or `1e400`), and object keys that are
valid Unicode text. Lone surrogates inside string *values* are let through on purpose: the
schemas' text rule (schemas.base) refuses them field by field, so that in a push only the
mutation carrying one is `rejected`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson
from flask.json.provider import JSONProvider

from schemas.base import is_text

MAX_DEPTH = 32
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_INT_DIGITS = len(str(INT_MAX))
# A surrogate can only come from a \uD800-\uDFFF escape: raw UTF-8 cannot encode one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class InvalidJSON(ValueError):
    """A body that is not JSON, or is JSON beyond the limits above."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > _INT_DIGITS or not INT_MIN <= (value := int(text)) <= INT_MAX:
        raise InvalidJSON(f"a number is larger than 64-bit integers allow ({text[:24]}...)")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJSON(f"a number is too large to represent ({text[:24]})")
    return value


def _constant(name: str) -> Any:
    raise InvalidJSON(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


def _check_shape(value: Any, keys_may_hold_surrogates: bool) -> None:
    """Nesting depth (walked without recursion) and, when it may be needed, object keys."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidJSON(f"the body is nested more than {MAX_DEPTH} levels deep")
        children = item.values() if type(item) is dict else item
        if keys_may_hold_surrogates and type(item) is dict and not all(map(is_text, item)):
            raise InvalidJSON("an object key is not valid Unicode text (a lone surrogate)")
        stack.extend((c, depth + 1) for c in children if type(c) in (dict, list))


def loads_body(data: str | bytes) -> Any:
    """Decode a request body within the limits above; InvalidJSON otherwise.

    orjson reads the body first. It refuses NaN, Infinity, 1e400 and lone surrogates itself,
    and its result is used only when every number in it is within the limits and its nesting
    is within MAX_DEPTH (orjson reads an integer past 64 bits as a float, so a float that
    large also sends the body on). Anything else goes to the standard library's decoder,
    which names the problem or (a surrogate in a string value) lets it through for the
    schemas to refuse, exactly as before.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _loads_standard(data)
    if type(value) in (dict, list) and not _within_limits(value):
        return _loads_standard(data)
    if (type(value) is int and not INT_MIN <= value <= INT_MAX) or type(value) is float:
        return _loads_standard(data)
    return value


def _within_limits(value: Any) -> bool:
    """Nesting within MAX_DEPTH and every number a 64-bit integer or a float below 2**63."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif (kind is int and not INT_MIN <= child <= INT_MAX) or (
                kind is float and not -_FLOAT_LIMIT < child < _FLOAT_LIMIT
            ):
                return False
    return True


_FLOAT_LIMIT = 2.0**63


def _loads_standard(data: str | bytes) -> Any:
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = _DECODER.decode(text)
    except RecursionError as exc:
        raise InvalidJSON(f"the body is nested more than {MAX_DEPTH} levels deep") from exc
    except InvalidJSON:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise InvalidJSON(str(exc)[:200]) from exc
    if type(value) in (dict, list):
        _check_shape(value, _SURROGATE_ESCAPE.search(text) is not None)
    return value


def _plain(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


class OrjsonProvider(JSONProvider):
    """Flask's JSON provider on orjson (UUIDs, aware datetimes and dates encode natively)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        try:
            return orjson.dumps(obj).decode()
        except TypeError:
            pass
        try:
            # marshmallow's messages for list items are keyed by index (an int).
            return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:
            # A backstop, never the plan: the limits above keep out what orjson refuses (a
            # lone surrogate, an integer past 64 bits); the standard library escapes both.
            return json.dumps(obj, default=_plain)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_body(s)
