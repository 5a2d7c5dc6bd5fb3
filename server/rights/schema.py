"""The export's JSON Schema (schemas/export.schema.json), written from the tables.

`python -m server.rights.schema` rewrites the committed file; tests/rights check it is current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.rights.entities import FORMAT, MODELS, entity_schema

PATH = Path(__file__).resolve().parents[2] / "schemas" / "export.schema.json"
# The lists of each kind of export: key -> entity.
PERSONAL_LISTS = {
    "teams": "team",
    "people": "user",
    "observations": "observation",
    "notes": "note",
    "photos": "attachment",
    "visits": "visit",
    "next_steps": "next_step",
    "focuses": "focus",
    "devices": "device",
    "audit_events": "audit_event",
}
SCHOOL_LISTS = {
    "teams": "team",
    "users": "user",
    "user_teams": "user_team",
    "focuses": "focus",
    "lookfors": "lookfor",
    "observations": "observation",
    "visits": "visit",
    "next_steps": "next_step",
    "notes": "note",
    "photos": "attachment",
    "audit_events": "audit_event",
}


def _ref(entity: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{entity}"}


def _document(kind: str, single: tuple[str, str], lists: dict[str, str], about: str) -> Any:
    props: dict[str, Any] = {
        "format": {"const": FORMAT},
        "kind": {"const": kind},
        single[0]: _ref(single[1]),
    }
    props.update({key: {"type": "array", "items": _ref(e)} for key, e in lists.items()})
    return {
        "description": about,
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def schema_document() -> dict[str, Any]:
    """The whole JSON Schema: a personal export or a school's export, entities in $defs."""
    personal = _document(
        "personal",
        ("person", "user"),
        PERSONAL_LISTS,
        "GET /api/v1/me/export: everything held about one person that they may see.",
    )
    school = _document(
        "school",
        ("school", "school"),
        SCHOOL_LISTS,
        "flask --app wsgi export-school: a whole school, restorable by import-school.",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://lessonloop.invalid/schemas/export.schema.json",
        "title": "Lesson Loop export (data.json of an export ZIP)",
        "description": "Every list is sorted by id (audit events by time). Times are ISO 8601 "
        "in UTC; ids are UUIDs. Entities have one key per stored column (see $defs).",
        "oneOf": [personal, school],
        "$defs": {entity: entity_schema(entity) for entity in MODELS},
    }


def text() -> str:
    """The committed file's text."""
    return json.dumps(schema_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    PATH.write_text(text(), encoding="utf-8")
