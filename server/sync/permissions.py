"""The `can` of each record a pull page carries: what the reader may do with it.

Asked of `server.policy.can` (the write rules push's checks ask, so pull and push agree) with
the facts those rules read: the record's own fields and, for notes, next steps and visits,
the participants of their observation (from the page when it carries the observation, else
one query for the page). Tombstones and evictions carry no `can`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from sqlalchemy import select

from server.extensions import db
from server.models import Observation, User
from server.policy import can

Facts = Mapping[str, Any]
# The entities whose rule reads the record's fields (or its observation's, named there).
READS_FIELDS = frozenset({"observation", "next_step", "focus", "visit"})
# entity -> (the record's fields, its creator, its observation's fields, reader) -> can
RULES: dict[str, Callable[[Facts, uuid.UUID, Facts | None, User], dict[str, bool]]] = {
    "observation": lambda f, by, _, user: can.can_observation(by, f, user),
    "note": lambda _, by, __, user: can.can_note(by, user),
    "next_step": lambda f, _, obs, user: can.can_next_step(f["owner_id"], obs, user),
    "focus": lambda f, _, __, user: can.can_focus(f["kind"], f.get("owner_id"), user),
    "lookfor": lambda _, __, ___, user: can.can_lookfor(user),
    "visit": lambda _, __, obs, user: can.can_visit(obs, user),
}


def add_can(user: User, changes: list[dict[str, Any]], rows: list[Any]) -> None:
    """Give every live record of the page with a `can` rule its `can` (rows: PULL_COLUMNS)."""
    texts = {(row.entity, row.id): row.fields for row in rows if row.entity in READS_FIELDS}
    live = [
        (change, _fields(texts, change))
        for change in changes
        if change["entity"] in RULES and not change.get("evicted") and not change["deleted"]
    ]
    observations = _observation_fields(live)
    for change, fields in live:
        parent = observations.get(fields.get("observation_id") or "")
        created_by = uuid.UUID(change["created_by"])
        change["can"] = RULES[change["entity"]](fields, created_by, parent, user)


def _fields(texts: dict[tuple[str, str], str], change: dict[str, Any]) -> dict[str, Any]:
    """The record's fields, parsed only for the rules that read them (notes, the bulk of a
    page, need only their author; look-fors nothing)."""
    text = texts.get((change["entity"], change["id"]))
    return orjson.loads(text) if text else {}


def _observation_fields(live: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Facts]:
    """The fields the rules read of every observation the page's records belong to."""
    known: dict[str, Facts] = {c["id"]: f for c, f in live if c["entity"] == "observation"}
    wanted = {f.get("observation_id") for c, f in live if c["entity"] != "observation"}
    missing = [uuid.UUID(i) for i in wanted if i and i not in known]
    if missing:
        query = select(Observation.id, Observation.participants).where(Observation.id.in_(missing))
        for record_id, participants in db.session.execute(query):
            known[str(record_id)] = {"participants": participants}
    return known
