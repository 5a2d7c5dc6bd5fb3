"""Push and pull: the sync wire contract."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import INCLUDE, validate

from schemas.base import BaseSchema, StrictBoolean, StrictInteger, String, one_of
from schemas.common import ErrorBodySchema
from schemas.records import READ_ONLY_ENTITIES, RECORD_SCHEMAS

MAX_MUTATIONS = 1000
DEFAULT_PULL_LIMIT = 500
MAX_PULL_LIMIT = 2000
ENTITIES = (*RECORD_SCHEMAS, *READ_ONLY_ENTITIES)
# The actions a pulled record's `can` names (server.policy.can).
CAN_ACTIONS = ("edit", "share", "delete", "add_notes")


class SeqOnlySchema(BaseSchema):
    """The part of a mutation the batch needs to be well-formed: its seq. The rest of a
    mutation is checked on its own, so that one bad mutation is `rejected`, not the batch."""

    class Meta:
        unknown = INCLUDE

    seq = StrictInteger(required=True, validate=validate.Range(min=1))


class MutationList(ma.fields.List):  # type: ignore[type-arg]
    """Objects with a valid `seq`, checked without a nested schema per item (a push carries
    up to 1,000): the rest of each mutation is checked on its own, in the push service."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ma.fields.Nested(SeqOnlySchema), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if type(value) is not list:
            raise ma.ValidationError("Not a valid list.")
        errors: dict[int, Any] = {}
        for index, item in enumerate(value):
            if type(item) is not dict:
                errors[index] = {"_schema": ["Invalid input type."]}
            elif "seq" not in item:
                errors[index] = {"seq": ["Missing data for required field."]}
            elif type(item["seq"]) is not int or item["seq"] < 1:
                errors[index] = {"seq": ["Must be a whole number of at least 1."]}
        if errors:
            raise ma.ValidationError(errors)
        return value


class PushSchema(BaseSchema):
    client_id = ma.fields.UUID(required=True)
    mutations = MutationList(
        required=True, metadata={"description": f"At most {MAX_MUTATIONS} mutations, in seq order"}
    )


class MutationSchema(BaseSchema):
    """One mutation of a push, checked strictly."""

    seq = StrictInteger(required=True, validate=validate.Range(min=1))
    entity = String(required=True, validate=one_of(ENTITIES))
    id = ma.fields.UUID(required=True)
    op = String(required=True, validate=one_of(("put", "delete")))
    base_version = StrictInteger(load_default=0, validate=validate.Range(min=0))
    hlc = String(required=True, validate=validate.Length(max=100))
    # `fields` would shadow marshmallow's own Schema.fields: load it under another name.
    fields_ = ma.fields.Dict(
        keys=String(),
        load_default=dict,
        data_key="fields",
        metadata={
            "description": "the record's fields (PROTOCOL.md); a co-written text (observation "
            "focus_question, learning_intention, strengths, wonderings, reflection; next step "
            'text) may be {"yjs": "<base64 of a Yjs update, v1>"}: an edit merged into the '
            "field's document, never a conflict (README: co-written text)"
        },
    )
    resolves = ma.fields.List(
        ma.fields.UUID(), load_default=list, validate=validate.Length(max=1000)
    )


# The response schemas below document what the views send (they jsonify it themselves);
# tests load every sync response with them, so their types are strict: a number sent as a
# string, or a key no schema names, fails those tests rather than slipping into the document.
PUSH_STATUSES = ("applied", "merged", "duplicate", "rejected", "out_of_order")


class ConflictSchema(BaseSchema):
    id = ma.fields.UUID(required=True)
    field = String(required=True)
    value = ma.fields.Raw(required=True, allow_none=True)
    hlc = String(required=True)
    author_id = ma.fields.UUID(required=True)


class PushResultSchema(BaseSchema):
    seq = StrictInteger(required=True)
    status = String(required=True, validate=one_of(PUSH_STATUSES))
    version = StrictInteger(
        metadata={"description": "the record's version; absent when rejected or out_of_order"}
    )
    conflicts = ma.fields.List(ma.fields.Nested(ConflictSchema))
    clock_clamped = StrictBoolean()
    error = ma.fields.Nested(ErrorBodySchema, metadata={"description": "when rejected"})


class PushResponseSchema(BaseSchema):
    results = ma.fields.List(ma.fields.Nested(PushResultSchema), required=True)
    last_seq = StrictInteger(required=True)


class PullQuerySchema(BaseSchema):
    cursor = String(validate=validate.Length(max=1000))
    limit = ma.fields.Integer(
        load_default=DEFAULT_PULL_LIMIT, validate=validate.Range(min=1, max=MAX_PULL_LIMIT)
    )


class ChangeSchema(BaseSchema):
    """A record's latest state, or an eviction: only entity, id and `evicted: true`."""

    entity = String(required=True, validate=one_of(ENTITIES))
    id = ma.fields.UUID(required=True)
    version = StrictInteger()
    deleted = StrictBoolean()
    fields_ = ma.fields.Dict(keys=String(), data_key="fields")
    created_by = ma.fields.UUID(allow_none=True)
    conflicts = ma.fields.List(ma.fields.Nested(ConflictSchema))
    yjs = ma.fields.Dict(
        keys=String(),
        values=String(),
        metadata={
            "description": "observations and next steps: each co-written text's Yjs document, "
            "{field: base64 of its full state as a Yjs update, v1} (README: co-written text)"
        },
    )
    evicted = StrictBoolean()
    can = ma.fields.Dict(
        keys=String(validate=one_of(CAN_ACTIONS)),
        values=StrictBoolean(),
        metadata={
            "description": "what you may do with this record, computed by the server's rules "
            "for you: observation edit, share, delete, add_notes; note edit, delete; next_step, "
            "focus, lookfor and visit edit. Absent on tombstones, evictions, users and teams "
            "(README: leads)"
        },
    )


class PullResponseSchema(BaseSchema):
    changes = ma.fields.List(ma.fields.Nested(ChangeSchema), required=True)
    cursor = String(required=True)
    has_more = StrictBoolean(required=True)
    remaining = StrictInteger(
        required=True,
        validate=validate.Range(min=0),
        metadata={
            "description": "an estimate of the changes still to come after this page for you "
            "(0 on the last page; README: sync extensions)"
        },
    )
