"""The pull cursor: where a device stands, signed so that it cannot be forged or moved.

The token is opaque to phones (PROTOCOL.md). It holds the user and school it belongs to, the
version the device has, where its first sync ends and, while a sync runs over several pages,
the estimate of what is left (`remaining`) and the counter that estimate was counted at.
Cursors of four items (before `remaining`) stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from server.errors import ApiError
from server.models import User

CURSOR_SALT = "lessonloop.pull-cursor.v1"


@dataclass(frozen=True)
class Cursor:
    """Where a device stands: changes above `version` are new to it. While `version` is below
    `initial_until` it is still in its first sync and needs no tombstones or evictions. Between
    the pages of a sync, `remaining` changes were left at or below `estimate_high`."""

    version: int = 0
    initial_until: int = 0
    remaining: int = 0
    estimate_high: int | None = None


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=CURSOR_SALT)


def encode_cursor(secret: str, user: User, cursor: Cursor) -> str:
    """A signed cursor bound to the user and school."""
    payload: list[str | int] = [
        user.id.hex,
        user.school_id.hex,
        cursor.version,
        cursor.initial_until,
    ]
    if cursor.estimate_high is not None:
        payload += [cursor.remaining, cursor.estimate_high]
    return _serializer(secret).dumps(payload)


def decode_cursor(secret: str, user: User, token: str) -> Cursor:
    """The cursor, or 400 for garbage, tampering, or another user's or school's cursor."""
    try:
        payload = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(payload, list) or len(payload) not in (4, 6):
        raise _bad_cursor()
    user_hex, school_hex, *numbers = payload
    if user_hex != user.id.hex or school_hex != user.school_id.hex:
        raise _bad_cursor()
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
        raise _bad_cursor()
    if len(numbers) == 2:
        return Cursor(numbers[0], numbers[1])
    return Cursor(numbers[0], numbers[1], numbers[2], numbers[3])


def _bad_cursor() -> ApiError:
    return ApiError(
        400,
        "invalid_cursor",
        "This cursor is not valid for you. Pull without a cursor to start a fresh sync.",
    )
