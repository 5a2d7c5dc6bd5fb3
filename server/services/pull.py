"""The pull service: every change a user may see, oldest first, with a tamper-proof cursor.

No change is ever skipped. The page reads the school's committed change counter first; since
writers hold the school's change lock until they commit (server.services.versions), every
change numbered at or below it is committed, so the page's queries (bounded by it) can miss
nothing that later pages would not carry. A full page ends its cursor at its last change; the
last page ends it at the counter. Each record has one row holding its latest state, so a page
carries each record once.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, select

from server import policy
from server.errors import ApiError
from server.extensions import db
from server.models import Eviction, Lookfor, Team, User, UserTeam
from server.policy import Reader
from server.services.records import CODECS
from server.services.versions import committed_version

CURSOR_SALT = "lessonloop.pull-cursor.v1"


@dataclass(frozen=True)
class Cursor:
    """Where a device stands: changes above `version` are new to it. While `version` is below
    `initial_until` it is still in its first sync and needs no tombstones or evictions."""

    version: int = 0
    initial_until: int = 0


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=CURSOR_SALT)


def encode_cursor(secret: str, user: User, cursor: Cursor) -> str:
    """A signed cursor bound to the user and school."""
    payload = [user.id.hex, user.school_id.hex, cursor.version, cursor.initial_until]
    return _serializer(secret).dumps(payload)


def decode_cursor(secret: str, user: User, token: str) -> Cursor:
    """The cursor, or 400 for garbage, tampering, or another user's or school's cursor."""
    try:
        user_hex, school_hex, version, initial_until = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise _bad_cursor() from exc
    if user_hex != user.id.hex or school_hex != user.school_id.hex:
        raise _bad_cursor()
    if not isinstance(version, int) or not isinstance(initial_until, int):
        raise _bad_cursor()
    return Cursor(version, initial_until)


def _bad_cursor() -> ApiError:
    return ApiError(
        400,
        "invalid_cursor",
        "This cursor is not valid for you. Pull without a cursor to start a fresh sync.",
    )


def pull(user: User, secret: str, token: str | None, limit: int) -> dict[str, Any]:
    """One page of changes."""
    cursor = decode_cursor(secret, user, token) if token else None
    high = committed_version(user.school_id)
    if cursor is None:
        cursor = Cursor(0, high)
    reader = Reader.of(user)
    streams = [
        *(_record_stream(entity, reader, cursor, high, limit) for entity in CODECS),
        _directory_stream(reader, cursor, high, limit),
        _team_stream(reader, cursor, high, limit),
        _eviction_stream(user, cursor, high, limit),
    ]
    merged = list(islice(heapq.merge(*streams, key=lambda c: c["version"]), limit + 1))
    has_more = len(merged) > limit
    page = _latest_per_record(merged[:limit])
    next_version = page[-1]["version"] if has_more else high
    next_cursor = Cursor(next_version, cursor.initial_until)
    for change in page:
        if change.get("evicted"):
            del change["version"]
    return {
        "changes": page,
        "cursor": encode_cursor(secret, user, next_cursor),
        "has_more": has_more,
    }


def _window(model: Any, cursor: Cursor, high: int) -> list[ColumnElement[bool]]:
    clauses = [model.version > cursor.version, model.version <= high]
    if cursor.version < cursor.initial_until:
        # Still in the first sync: a record deleted before it began was never on the device.
        clauses.append(~model.deleted | (model.version > cursor.initial_until))
    return clauses


def _observation_rule(reader: Reader) -> ColumnElement[bool]:
    return policy.observation_readable(reader)


def _lookfor_rule(reader: Reader) -> ColumnElement[bool]:
    return policy.school_wide(Lookfor, reader)


READ_RULES: dict[str, Callable[[Reader], ColumnElement[bool]]] = {
    "observation": _observation_rule,
    "note": policy.note_readable,
    "next_step": policy.next_step_readable,
    "focus": policy.focus_readable,
    "lookfor": _lookfor_rule,
}


def _record_stream(
    entity: str, reader: Reader, cursor: Cursor, high: int, limit: int
) -> list[dict[str, Any]]:
    codec = CODECS[entity]
    model = codec.model
    query = (
        select(*codec.pull_columns())
        .where(READ_RULES[entity](reader), *_window(model, cursor, high))
        .order_by(model.version)
        .limit(limit + 1)
    )
    changes = []
    for row in db.session.execute(query).mappings():
        changes.append(
            {
                "entity": entity,
                "id": str(row["id"]),
                "version": row["version"],
                "deleted": row["deleted"],
                "fields": codec.wire_fields(row),
                "created_by": str(row["created_by"]),
                "conflicts": row["conflicts"] or [],
            }
        )
    return changes


def _directory_stream(
    reader: Reader, cursor: Cursor, high: int, limit: int
) -> list[dict[str, Any]]:
    query = (
        select(User.id, User.version, User.display_name, User.role, User.active)
        .where(
            policy.school_wide(User, reader), User.version > cursor.version, User.version <= high
        )
        .order_by(User.version)
        .limit(limit + 1)
    )
    rows = db.session.execute(query).all()
    teams: dict[uuid.UUID, list[str]] = {row.id: [] for row in rows}
    if rows:
        links = db.session.execute(
            select(UserTeam.user_id, UserTeam.team_id)
            .where(UserTeam.user_id.in_(list(teams)))
            .order_by(UserTeam.team_id)
        )
        for user_id, team_id in links:
            teams[user_id].append(str(team_id))
    return [
        _directory_change(
            "user",
            row.id,
            row.version,
            {
                "display_name": row.display_name,
                "role": row.role,
                "team_ids": teams[row.id],
                "active": row.active,
            },
        )
        for row in rows
    ]


def _team_stream(reader: Reader, cursor: Cursor, high: int, limit: int) -> list[dict[str, Any]]:
    query = (
        select(Team.id, Team.version, Team.name, Team.kind)
        .where(
            policy.school_wide(Team, reader), Team.version > cursor.version, Team.version <= high
        )
        .order_by(Team.version)
        .limit(limit + 1)
    )
    return [
        _directory_change("team", row.id, row.version, {"name": row.name, "kind": row.kind})
        for row in db.session.execute(query)
    ]


def _directory_change(
    entity: str, record_id: uuid.UUID, version: int, fields: dict[str, Any]
) -> dict[str, Any]:
    return {
        "entity": entity,
        "id": str(record_id),
        "version": version,
        "deleted": False,
        "fields": fields,
        "created_by": None,
        "conflicts": [],
    }


def _eviction_stream(user: User, cursor: Cursor, high: int, limit: int) -> list[dict[str, Any]]:
    low = max(cursor.version, cursor.initial_until)  # the first sync needs no evictions
    query = (
        select(Eviction.entity, Eviction.record_id, Eviction.version)
        .where(Eviction.user_id == user.id, Eviction.version > low, Eviction.version <= high)
        .order_by(Eviction.version)
        .limit(limit + 1)
    )
    return [
        {"entity": row.entity, "id": str(row.record_id), "version": row.version, "evicted": True}
        for row in db.session.execute(query)
    ]


def _latest_per_record(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each record once per page, in its latest state (an eviction then a re-grant: the grant)."""
    latest: dict[tuple[str, str], int] = {}
    for index, change in enumerate(changes):
        latest[(change["entity"], change["id"])] = index
    return [c for i, c in enumerate(changes) if latest[(c["entity"], c["id"])] == i]
