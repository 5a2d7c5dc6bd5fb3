"""The push fast path for plain creates (issue 17: bulk push).

A batch of 500 new notes is 500 plain creates: a put of a new id with no row anywhere, so
there is nothing to merge with and no conflict is possible. For those:
- `prevalidate` checks the put's fields as a new record's in the parse phase, before the
  school's change lock is taken, with the same loader `load_fields` would use inside it
  (schemas.records; its fast path first, marshmallow only for what it is unsure of). It keeps
  the fields only when the fast path vouches for them, so the slow path, which runs for every
  other mutation, gives every refusal exactly as before.
- `apply` builds the new record with the merge engine's own `create` (what `merge` answers for
  a record that does not exist), without a Mutation and an Outcome per record, after the same
  rules (server.sync.checks, asking server.policy) as any create.
Records whose creation changes who may see what (observations, next steps: the audience
queries need a flush), co-written texts (Yjs documents), a create carrying `deleted` and
anything that is not a plain create take the full path in server.sync.push. The fast path is
on with SYNC_BULK_INSERT, so tests/sync/test_bulk_push.py compares it with the full path.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from schemas.fast import Unsure
from schemas.records import DEFAULTS, LOADERS
from server import policy
from server.sync import cotext
from server.sync.batch import Batch
from server.sync.checks import check_rules
from server.sync.engine import DELETED, create

CREATE_FIELDS = "create_fields"  # a parsed mutation's fields as a new record's, when vouched
# Plain creates go the fast way: no co-written text, no change of who sees what.
LEAN = frozenset(
    entity
    for entity in LOADERS
    if entity not in cotext.FIELDS and entity not in policy.SCOPE_FIELDS
)


def prevalidate(m: dict[str, Any]) -> None:
    """Keep a put's fields as a new record's (defaults added) when the fast loader vouches
    for them: exactly what `load_fields(entity, fields, create=True)` returns."""
    entity = m["entity"]
    if m["op"] != "put" or entity not in LEAN:
        return
    try:
        loaded = LOADERS[entity].fast(m["fields_"], False)
    except (Unsure, ValidationError):
        return
    if DELETED not in loaded:
        m[CREATE_FIELDS] = {**DEFAULTS[entity], **loaded}


def apply(batch: Batch, m: dict[str, Any]) -> dict[str, Any] | None:
    """A plain create applied, and its result; None when the mutation is not one (the caller
    has found no record with its id)."""
    fields = m.get(CREATE_FIELDS)
    if fields is None:
        return None
    entity, record_id = m["entity"], str(m["id"])
    check_rules(batch, entity, None, fields)
    version = batch.versions.next()
    state, clamped = create(
        record_id, fields, m["hlc"], str(batch.user.id), version=version, now_ms=batch.now_ms
    )
    batch.store(entity, record_id, state, None)
    if entity == "note":
        batch.noted_observations.add(fields["observation_id"])
    result: dict[str, Any] = {"seq": m["seq"], "status": "applied", "version": version}
    if clamped:
        result["clock_clamped"] = True
    return result
