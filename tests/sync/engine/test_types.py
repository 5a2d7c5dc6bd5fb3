"""The data types: wire shapes and the JSON-column helpers round-trip."""

import json

import pytest

from server.sync.engine.types import (
    Conflict,
    FieldMeta,
    conflicts_from_json,
    conflicts_to_json,
    meta_from_json,
    meta_to_json,
)

CONFLICT = Conflict("c-1", "title", ["a", {"b": None}], "001732273000123:0000:phone", "user-1")


def test_conflict_to_json_has_exactly_the_wire_keys() -> None:
    assert CONFLICT.to_json() == {
        "id": "c-1",
        "field": "title",
        "value": ["a", {"b": None}],
        "hlc": "001732273000123:0000:phone",
        "author_id": "user-1",
    }


def test_conflict_round_trips_through_json_text() -> None:
    assert Conflict.from_json(json.loads(json.dumps(CONFLICT.to_json()))) == CONFLICT


def test_conflict_from_json_names_a_missing_key() -> None:
    data = CONFLICT.to_json()
    del data["hlc"]
    with pytest.raises(KeyError, match="hlc"):
        Conflict.from_json(data)


def test_conflicts_list_round_trips() -> None:
    assert conflicts_from_json(json.loads(json.dumps(conflicts_to_json([CONFLICT])))) == (CONFLICT,)


def test_meta_to_json_is_compact() -> None:
    meta = {"title": FieldMeta(4, "001732273000123:0000:phone", "user-1")}
    assert meta_to_json(meta) == {
        "title": {"v": 4, "h": "001732273000123:0000:phone", "a": "user-1"}
    }


def test_meta_round_trips_through_json_text() -> None:
    meta = {
        "title": FieldMeta(4, "001732273000123:0000:phone", "user-1"),
        "deleted": FieldMeta(9, "001732273000999:0002:laptop", "user-2"),
    }
    assert meta_from_json(json.loads(json.dumps(meta_to_json(meta)))) == meta


def test_types_are_frozen() -> None:
    with pytest.raises(AttributeError):
        CONFLICT.value = "changed"  # type: ignore[misc]
