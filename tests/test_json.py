"""Request bodies are decoded within bounds (server/json.py) before anything else sees them:
depth, integer size, finite numbers, valid keys. Each refusal is `400 invalid_json` in the one
error shape and changes nothing; /api itself and any unknown path under it is the JSON 404."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.json import MAX_DEPTH, InvalidJSON, _loads_standard, loads_body
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields
from tests.test_errors import assert_error_shape

PUSH = "/api/v1/sync/push"


@pytest.fixture
def phone(factory):
    school = factory.school()
    phone = SyncClient(factory.session(school))
    obs_id = new_id()
    phone.put("observation", obs_id, observation_fields([(phone.user_id, "observer")]))
    phone.pull_all()
    return phone, obs_id


def _raw_push(phone: SyncClient, body: str):
    return phone.session.post(PUSH, data=body, content_type="application/json")


def _assert_nothing_changed(phone: SyncClient, obs_id: str) -> None:
    assert phone.pull_all() == []
    # the device's seq did not move: the next mutation is still seq 2
    note = phone.mutation("note", new_id(), note_fields(obs_id))
    assert note["seq"] == 2
    assert phone.push_ok([note])[0]["status"] == "applied"


def _mutation_text(phone: SyncClient, obs_id: str, minute: str) -> str:
    m = phone.mutation("note", new_id(), note_fields(obs_id))
    phone.seq -= 1  # the raw body below is refused; the seq is not spent
    return (
        f'{{"client_id": "{phone.session.client_id}", "mutations": [{{"seq": {m["seq"]}, '
        f'"entity": "note", "id": "{m["id"]}", "op": "put", "hlc": "{m["hlc"]}", "fields": '
        f'{{"observation_id": "{obs_id}", "at": "2026-11-20T09:05:00+00:00", "minute": {minute},'
        f' "category": "evidence", "text": "x"}}}}]}}'
    )


@pytest.mark.parametrize(
    "minute",
    ["1" + "0" * 5000, str(2**64), str(2**63), str(-(2**63) - 1), "1e400", "NaN", "-Infinity"],
    ids=["5000-digits", "2^64", "2^63", "-2^63-1", "1e400", "NaN", "-Infinity"],
)
def test_a_number_beyond_64_bits_or_not_finite_is_invalid_json(phone, minute):
    phone, obs_id = phone
    response = _raw_push(phone, _mutation_text(phone, obs_id, minute))
    error = assert_error_shape(response, 400, "invalid_json")
    assert error["details"]["json"]
    _assert_nothing_changed(phone, obs_id)


@pytest.mark.parametrize("seq", [2**64, 2**70, 10**30])
def test_a_huge_seq_is_refused_before_it_reaches_the_answer(phone, seq):
    phone, obs_id = phone
    body = _mutation_text(phone, obs_id, "5").replace('"seq": 2,', f'"seq": {seq},')
    assert_error_shape(_raw_push(phone, body), 400, "invalid_json")
    _assert_nothing_changed(phone, obs_id)


def test_the_largest_seq_is_answered_out_of_order(phone):
    phone, obs_id = phone
    body = _mutation_text(phone, obs_id, "5").replace('"seq": 2,', f'"seq": {2**63 - 1},')
    response = _raw_push(phone, body)
    assert response.status_code == 200, response.get_json()
    (result,) = response.get_json()["results"]
    assert result == {"seq": 2**63 - 1, "status": "out_of_order"}
    _assert_nothing_changed(phone, obs_id)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_a_body_nested_too_deep_is_invalid_json(phone, depth):
    phone, obs_id = phone
    response = _raw_push(phone, "[" * depth + "]" * depth)
    assert_error_shape(response, 400, "invalid_json")
    unclosed = _raw_push(phone, "[" * depth)
    assert_error_shape(unclosed, 400, "invalid_json")
    _assert_nothing_changed(phone, obs_id)


def test_nesting_within_the_limit_reaches_validation(phone):
    phone, _ = phone
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert_error_shape(_raw_push(phone, body), 400, "validation_error")


def test_an_object_key_with_a_lone_surrogate_is_invalid_json(phone):
    phone, obs_id = phone
    body = _mutation_text(phone, obs_id, "5").replace('"minute"', '"min\\ud800ute"')
    assert_error_shape(_raw_push(phone, body), 400, "invalid_json")
    _assert_nothing_changed(phone, obs_id)


def test_escaped_surrogate_pairs_are_text():
    assert loads_body('{"t\\ud83d\\ude00": "\\ud83d\\ude00"}') == {"t😀": "😀"}


@pytest.mark.parametrize(
    "body", [b"\xff\xfe{}", "{", '{"a": 1,}', "[1] [2]", '{"a": Infinity}', "0" * 30]
)
def test_the_decoder_refuses_what_is_not_json(body):
    with pytest.raises(InvalidJSON):
        loads_body(body)


def test_login_refuses_a_deep_body_too(client):
    response = client.post("/api/v1/auth/login", data="{" * 50_000, content_type="application/json")
    assert_error_shape(response, 400, "invalid_json")


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v1", "/api/v1/", "/api/nothing/"])
def test_api_itself_and_unknown_paths_under_it_are_the_json_404(client, path):
    assert_error_shape(client.get(path), 404, "not_found")


# orjson reads bodies first (server.json.loads_body); the standard library's bounded decoder
# is the judge: on any JSON text both give the same value or both refuse it.
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def _decoded(text: str) -> object:
    try:
        return ("value", loads_body(text))
    except InvalidJSON:
        return ("refused",)


def _standard(text: str) -> object:
    try:
        return ("value", _loads_standard(text))
    except InvalidJSON:
        return ("refused",)


@settings(max_examples=300, deadline=None)
@given(_json_values, st.booleans())
def test_the_fast_decoder_agrees_with_the_bounded_one(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert repr(_decoded(text)) == repr(_standard(text))
    assert repr(_decoded(text.encode("utf-8", "surrogatepass"))) == repr(_standard(text))


@pytest.mark.parametrize(
    "text",
    [
        "18446744073709551616",
        "[18446744073709551615]",
        "[-9223372036854775809]",
        '{"a": 1e400}',
        "[1.8446744073709552e19]",
        '"\\ud800"',
        '{"\\udc00": 1}',
        "\ufeff{}",
        "[" * 40 + "]" * 40,
        "NaN",
        "[0.1, -0, 1E5, 9223372036854775807, -9223372036854775808]",
    ],
)
def test_the_fast_decoder_agrees_at_the_limits(text):
    assert repr(_decoded(text)) == repr(_standard(text))
