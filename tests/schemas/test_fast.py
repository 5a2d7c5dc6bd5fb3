"""The fast loader agrees with marshmallow on every input, valid or not.

Invariant: for any input and either partial mode, FastLoader.load(x) and the schema's own
load (with canonical values) either both succeed with equal results or both raise with equal
messages. The generated inputs are near misses on purpose: odd types, UUIDs in other spellings,
timestamps in formats marshmallow and datetime.fromisoformat disagree on, missing and unknown
keys, and plain valid values (so the fast path itself is exercised, not only the fallback).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas.fast import FastLoader, Unsure, canonical
from schemas.records import RECORD_SCHEMAS
from schemas.sync import MutationSchema

SOME_UUID = "0b6c1d5e-2f3a-4b5c-8d9e-0f1a2b3c4d5e"
TIMESTAMPS = [
    "2026-11-20T09:00:00+00:00",
    "2026-11-20T09:00:00Z",
    "2026-11-20T09:00:00.5+01:00",
    "2026-11-20T09:00:00.123456-05:30",
    "2026-11-20T09:00:00.1234567+00:00",
    "2026-11-20T09:00Z",
    "2026-11-20 09:00:00+00:00",
    "2026-11-20T09:00:00",
    "20261120T090000Z",
    "2026-11-20T09:00:00+0100",
    "2026-11-20T24:00:00+00:00",
    "2026-02-30T09:00:00+00:00",
    "2026-11-20T09:00:00+25:00",
    "2026-11-20T09:00:00z",
    "2026-11-20",
    "",
    # the edges of the calendar: before the first UTC day, after the last, and just inside
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T12:00:00+00:00",
    "0001-01-02T00:00:00+00:00",
    "9999-12-30T23:59:59.999999+00:00",
    "9999-12-31T00:00:00+00:00",
]
UUIDS = [
    SOME_UUID,
    SOME_UUID.upper(),
    SOME_UUID.replace("-", ""),
    "{" + SOME_UUID + "}",
    "not-a-uuid",
    "",
]
DATES = [
    "2026-12-01",
    "2026-02-30",
    "2026-1-1",
    "20261201",
    "2026-12-01T00:00:00",
    "0001-01-01",
    "0001-01-02",
    "9999-12-30",
    "9999-12-31",
]
# Text that is not Unicode scalar values (lone surrogates) beside text that is.
ODD_TEXT = ["a\ud800b", "\udfff", "\ud83d", "\ud83d\ude00", "😀", "Ärzte"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 2000),
    st.floats(allow_nan=False, width=32),
    st.text(max_size=30),
    st.sampled_from(TIMESTAMPS + UUIDS + DATES + ODD_TEXT),
    st.sampled_from(
        ["evidence", "pupils", "seen", "partly", "put", "delete", "note", "school", "open"]
    ),
)
# A co-written text (CoText) may be {"yjs": "<base64>"}: the form and its near misses.
YJS_FORMS = [{"yjs": "AAA="}, {"yjs": ""}, {"yjs": 5}, {"yjs": None}, {"yjs": "AAA=", "x": 1}, {}]
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=5), st.sampled_from(ODD_TEXT)), scalars, max_size=3),
    st.sampled_from(YJS_FORMS),
)


def _reference(schema: Any, data: Any, partial: bool) -> tuple[str, Any]:
    try:
        return "ok", {k: canonical(v) for k, v in schema.load(data, partial=partial).items()}
    except ValidationError as exc:
        return "error", exc.messages


def _fast(loader: FastLoader, data: Any, partial: bool) -> tuple[str, Any]:
    try:
        loader.fast(data, partial)
        event("fast path took it")
    except Unsure:
        event("handed to marshmallow")
    try:
        return "ok", loader.load(data, partial=partial)
    except ValidationError as exc:
        return "error", exc.messages


VALID: dict[str, dict[str, Any]] = {
    "note": {
        "observation_id": SOME_UUID,
        "at": "2026-11-20T09:00:00.5+01:00",
        "minute": 5,
        "category": "evidence",
        "text": "Pupils paired up.",
        "tags": ["a"],
        "case_pupil": "A",
        "lookfor_id": None,
        "lookfor_rating": None,
        "visit_id": None,
    },
    "next_step": {
        "observation_id": SOME_UUID,
        "owner_id": SOME_UUID,
        "text": "Try it",
        "due_on": "2026-12-01",
        "status": "open",
        "focus_id": None,
    },
    "focus": {
        "title": "Questioning",
        "description": "",
        "kind": "school",
        "owner_id": None,
        "active": True,
    },
    "lookfor": {"focus_id": SOME_UUID, "text": "Wait time", "active": False},
    "attachment": {
        "observation_id": SOME_UUID,
        "note_id": None,
        "content_type": "image/jpeg",
        "bytes": 412_000,
        "sha256": "0" * 64,
        "width": 2048,
        "height": 1536,
        "caption": "Page 12",
    },
    "visit": {
        "observation_id": SOME_UUID,
        "at": "2026-11-20T09:08:00+01:00",
        "class_label": "8B",
        "year_group": "Year 8",
        "subject": "Maths",
        "team_id": None,
    },
    "observation": {
        "kind": "coaching",
        "title": "T",
        "starts_at": "2026-11-20T09:00:00Z",
        "participants": [{"user_id": SOME_UUID, "role": "observer"}],
        "focus_ids": [SOME_UUID],
    },
    "mutation": {
        "seq": 3,
        "entity": "note",
        "id": SOME_UUID,
        "op": "put",
        "base_version": 2,
        "hlc": "001732273000123:0000:c",
        "fields": {"text": "x"},
        "resolves": [SOME_UUID],
    },
}


@st.composite
def inputs_for(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """A valid input with a few keys dropped, replaced by near misses, or added."""
    data = dict(VALID[name])
    keys = [f.data_key or n for n, f in SCHEMAS[name].fields.items()]
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*keys, "unknown"]))
        if draw(st.booleans()) and key in data:
            del data[key]
        else:
            data[key] = draw(values)
    return data


SCHEMAS = {**RECORD_SCHEMAS, "mutation": MutationSchema()}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), partial=st.booleans())
def test_fast_loader_agrees_with_marshmallow(name: str, data: st.DataObject, partial: bool) -> None:
    schema = SCHEMAS[name]
    raw = data.draw(inputs_for(name))
    assert _fast(FastLoader(schema), raw, partial) == _reference(schema, raw, partial)


def valid_note() -> dict[str, Any]:
    return {
        "observation_id": SOME_UUID,
        "at": "2026-11-20T09:00:00.5+01:00",
        "minute": 5,
        "category": "evidence",
        "text": "Pupils paired up.",
        "tags": ["a"],
        "case_pupil": "A",
        "lookfor_id": None,
        "lookfor_rating": None,
    }


def test_the_text_and_calendar_rules_keep_the_fast_path() -> None:
    # observation has a schema hook (distinct lists), so marshmallow always loads it
    supported = {name for name, schema in SCHEMAS.items() if FastLoader(schema).supported}
    assert supported == set(SCHEMAS) - {"observation"}


def test_plain_valid_input_takes_the_fast_path_with_canonical_values() -> None:
    loader = FastLoader(RECORD_SCHEMAS["note"])
    assert loader.supported
    fast = loader.fast(valid_note())
    assert fast["at"] == "2026-11-20T08:00:00.500000+00:00"
    assert fast == {k: canonical(v) for k, v in RECORD_SCHEMAS["note"].load(valid_note()).items()}
    mutation = {
        "seq": 1,
        "entity": "note",
        "id": str(uuid.uuid4()),
        "op": "put",
        "hlc": "x",
        "fields": {},
    }
    assert FastLoader(MutationSchema()).fast(mutation)["base_version"] == 0


def test_schemas_with_their_own_hooks_always_use_marshmallow() -> None:
    loader = FastLoader(RECORD_SCHEMAS["observation"])
    assert not loader.supported
    with pytest.raises(Unsure):
        loader.fast({})


@pytest.mark.parametrize("form", YJS_FORMS)
def test_a_co_written_text_as_a_yjs_edit_loads_alike_on_both_paths(form: dict[str, Any]) -> None:
    schema = RECORD_SCHEMAS["next_step"]
    raw = {**VALID["next_step"], "text": form}
    try:
        fast: tuple[str, Any] = ("ok", FastLoader(schema).load(raw))
    except ValidationError as exc:
        fast = ("error", exc.messages)
    assert fast == _reference(schema, raw, False)
    assert FastLoader(schema).supported


def test_the_fast_path_takes_a_yjs_edit_as_it_is() -> None:
    loaded = FastLoader(RECORD_SCHEMAS["next_step"]).fast({"text": {"yjs": "AAA="}}, True)
    assert loaded == {"text": {"yjs": "AAA="}}
