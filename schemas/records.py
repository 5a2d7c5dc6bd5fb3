"""The synced records of PROTOCOL.md: the fields a push may carry, per entity.

Loaded with `partial=True` for a change to an existing record and in full for a create, so
that required fields are only demanded on create. `canonical()` turns loaded values back into
the JSON values the merge engine compares and stores (UUIDs as strings, times in UTC).
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import (
    NOTE_TEXT_MAX,
    TITLE_MAX,
    BaseSchema,
    CalendarDate,
    CoText,
    StrictBoolean,
    StrictInteger,
    String,
    Text,
    UTCDateTime,
    one_of,
)
from schemas.fast import FastLoader

OBSERVATION_KINDS = (
    "peer_observation",
    "team_teaching",
    "lesson_study",
    "learning_walk",
    "coaching",
)
PARTICIPANT_ROLES = ("observer", "observee", "co_teacher", "facilitator")
VISIBILITIES = ("participants", "leads")
OBSERVATION_STATUSES = ("draft", "captured", "reviewed")
NOTE_CATEGORIES = (
    "evidence",
    "pupils",
    "strength",
    "wondering",
    "next_step",
    "prediction",
    "lookfor",
)
# The app's names of the note categories: the one list (the PWA's copy is pwa/js/model.js's
# CATEGORIES; reports print these, README: leads).
NOTE_CATEGORY_LABELS = {
    "evidence": "Saw / heard",
    "pupils": "Pupils did",
    "strength": "Strength",
    "wondering": "Wondering",
    "next_step": "Next step",
    "prediction": "Prediction",
    "lookfor": "Look-for",
}
LOOKFOR_RATINGS = ("seen", "partly", "not_seen")
NEXT_STEP_STATUSES = ("open", "done")
FOCUS_KINDS = ("school", "personal")
# Photos of pupils' work (issue 16): what the phone may send, and the largest it may say.
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PHOTO_BYTES_MAX = 20 * 1024 * 1024
PHOTO_SIDE_MAX = 10_000
CAPTION_MAX = 500
PHOTO_FIXED_FIELDS = (
    "observation_id",
    "note_id",
    "content_type",
    "bytes",
    "sha256",
    "width",
    "height",
)
# Case pupils are pseudonymous labels ("A", "B2"), never full names: kept short on purpose.
CASE_PUPIL_MAX = 20


class RecordSchema(BaseSchema):
    """Fields every synced record accepts: `deleted: false` restores a tombstone."""

    deleted = StrictBoolean()


class ParticipantSchema(BaseSchema):
    user_id = fields.UUID(required=True)
    role = String(required=True, validate=one_of(PARTICIPANT_ROLES))


def _label_list(max_items: int) -> fields.List[str]:
    return fields.List(
        String(validate=validate.Length(min=1, max=CASE_PUPIL_MAX)),
        validate=validate.Length(max=max_items),
    )


class ObservationSchema(RecordSchema):
    kind = String(required=True, validate=one_of(OBSERVATION_KINDS))
    title = Text(max_length=TITLE_MAX, min_length=1, required=True)
    starts_at = UTCDateTime(required=True)
    class_label = Text()
    subject = Text()
    year_group = Text()
    focus_ids = fields.List(fields.UUID(), validate=validate.Length(max=20))
    participants = fields.List(
        fields.Nested(ParticipantSchema), required=True, validate=validate.Length(min=1, max=50)
    )
    visibility = String(validate=one_of(VISIBILITIES))
    status = String(validate=one_of(OBSERVATION_STATUSES))
    focus_question = CoText()
    learning_intention = CoText()
    strengths = CoText()
    wonderings = CoText()
    reflection = CoText()
    case_pupils = _label_list(30)
    lesson_started_at = UTCDateTime(allow_none=True)

    @validates_schema
    def distinct_lists(self, data: dict[str, Any], **_: Any) -> None:
        people = [p["user_id"] for p in data.get("participants") or []]
        if len(set(people)) != len(people):
            raise ValidationError("A person is listed twice; give each one role.", "participants")
        focus_ids = data.get("focus_ids") or []
        if len(set(focus_ids)) != len(focus_ids):
            raise ValidationError("A focus is listed twice.", "focus_ids")
        pupils = data.get("case_pupils") or []
        if len(set(pupils)) != len(pupils):
            raise ValidationError("A case pupil is listed twice.", "case_pupils")


class NoteSchema(RecordSchema):
    observation_id = fields.UUID(required=True)
    at = UTCDateTime(required=True)
    minute = StrictInteger(allow_none=True, validate=validate.Range(min=0, max=24 * 60))
    category = String(required=True, validate=one_of(NOTE_CATEGORIES))
    text = Text(max_length=NOTE_TEXT_MAX, required=True)
    tags = fields.List(
        String(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=20)
    )
    case_pupil = String(validate=validate.Length(max=CASE_PUPIL_MAX))
    lookfor_id = fields.UUID(allow_none=True)
    lookfor_rating = String(allow_none=True, validate=one_of(LOOKFOR_RATINGS))
    visit_id = fields.UUID(allow_none=True)  # a visit of the same walk (README: leads)


class NextStepSchema(RecordSchema):
    observation_id = fields.UUID(allow_none=True)
    owner_id = fields.UUID(required=True)
    text = CoText(min_length=1, required=True)
    due_on = CalendarDate(allow_none=True)
    status = String(validate=one_of(NEXT_STEP_STATUSES))
    focus_id = fields.UUID(allow_none=True)


class FocusSchema(RecordSchema):
    title = Text(max_length=TITLE_MAX, min_length=1, required=True)
    description = Text()
    kind = String(required=True, validate=one_of(FOCUS_KINDS))
    owner_id = fields.UUID(allow_none=True)
    active = StrictBoolean()


class LookforSchema(RecordSchema):
    focus_id = fields.UUID(required=True)
    text = Text(min_length=1, required=True)
    active = StrictBoolean()


class AttachmentSchema(RecordSchema):
    """A photo's record (its bytes go through /api/v1/uploads/, tus 1.0)."""

    observation_id = fields.UUID(required=True)
    note_id = fields.UUID(allow_none=True)
    content_type = String(required=True, validate=one_of(PHOTO_TYPES))
    bytes = StrictInteger(required=True, validate=validate.Range(min=1, max=PHOTO_BYTES_MAX))
    sha256 = String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}\Z"))
    width = StrictInteger(required=True, validate=validate.Range(min=1, max=PHOTO_SIDE_MAX))
    height = StrictInteger(required=True, validate=validate.Range(min=1, max=PHOTO_SIDE_MAX))
    caption = Text(max_length=CAPTION_MAX)


class VisitSchema(RecordSchema):
    """One classroom of a learning walk (an extension; README: leads)."""

    observation_id = fields.UUID(required=True)
    at = UTCDateTime(required=True)
    class_label = Text(max_length=TITLE_MAX)
    year_group = Text(max_length=TITLE_MAX)
    subject = Text(max_length=TITLE_MAX)
    team_id = fields.UUID(allow_none=True)


class UserEntrySchema(BaseSchema):
    """A read-only directory entry as pulled."""

    display_name = String()
    role = String()
    team_ids = fields.List(String())
    active = fields.Boolean()


class TeamEntrySchema(BaseSchema):
    name = String()
    kind = String()


RECORD_SCHEMAS: dict[str, RecordSchema] = {
    "observation": ObservationSchema(),
    "note": NoteSchema(),
    "next_step": NextStepSchema(),
    "focus": FocusSchema(),
    "lookfor": LookforSchema(),
    "attachment": AttachmentSchema(),
    "visit": VisitSchema(),
}

# Every other field defaults to empty when a record is created (PROTOCOL.md).
DEFAULTS: dict[str, dict[str, Any]] = {
    "observation": {
        "class_label": "",
        "subject": "",
        "year_group": "",
        "focus_ids": [],
        "visibility": "participants",
        "status": "draft",
        "focus_question": "",
        "learning_intention": "",
        "strengths": "",
        "wonderings": "",
        "reflection": "",
        "case_pupils": [],
    },
    "note": {
        "minute": None,
        "tags": [],
        "case_pupil": "",
        "lookfor_id": None,
        "lookfor_rating": None,
        "visit_id": None,
    },
    "next_step": {"observation_id": None, "due_on": None, "status": "open", "focus_id": None},
    "focus": {"description": "", "owner_id": None, "active": True},
    "lookfor": {"active": True},
    "attachment": {"note_id": None, "caption": ""},
    "visit": {"class_label": "", "year_group": "", "subject": "", "team_id": None},
}

READ_ONLY_ENTITIES = ("user", "team")
LOADERS = {entity: FastLoader(schema) for entity, schema in RECORD_SCHEMAS.items()}


def load_fields(entity: str, raw: Any, *, create: bool) -> dict[str, Any]:
    """Validate a push's `fields` and return them as canonical JSON values."""
    if not isinstance(raw, dict):
        raise ValidationError({"fields": ["Must be an object of field values."]})
    canonical = LOADERS[entity].load(raw, partial=not create)
    if create:
        return {**DEFAULTS[entity], **canonical}
    return canonical
