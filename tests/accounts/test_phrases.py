"""GET/PUT /api/v1/me/phrases: a teacher's own quick-note phrases (issue 12), both databases."""

from __future__ import annotations

import pytest


@pytest.fixture
def teacher(factory):
    return factory.session(factory.school(), name="Tia Teacher")


def test_a_teacher_starts_with_none_and_keeps_what_they_save(teacher, factory):
    assert teacher.get("/api/v1/me/phrases").get_json() == {"phrases": []}
    saved = ["  Hinge question asked ", "Wait time: 3 s", "Cold call ✋"]
    response = teacher.client.put(
        "/api/v1/me/phrases", headers=teacher.headers, json={"phrases": saved}
    )
    assert response.status_code == 200
    expected = ["Hinge question asked", "Wait time: 3 s", "Cold call ✋"]
    assert response.get_json() == {"phrases": expected}
    assert teacher.get("/api/v1/me/phrases").get_json() == {"phrases": expected}
    # Another device of the same person sees them; a colleague has their own (none).
    colleague = factory.session(factory.school(), name="Col League")
    assert colleague.get("/api/v1/me/phrases").get_json() == {"phrases": []}


@pytest.mark.parametrize(
    "body",
    [
        {"phrases": ["same", "same"]},
        {"phrases": ["   "]},
        {"phrases": [""]},
        {"phrases": ["x" * 201]},
        {"phrases": [f"p{n}" for n in range(31)]},
        {"phrases": "one"},
        {"phrases": [1]},
        {"phrases": ["a\ud800b"]},
        {},
        {"phrases": ["ok"], "extra": True},
    ],
    ids=["twice", "spaces", "empty", "too-long", "too-many", "not-a-list", "number", "surrogate",
         "missing", "unknown-field"],
)  # fmt: skip
def test_a_bad_list_is_a_validation_error_and_changes_nothing(teacher, body):
    teacher.client.put("/api/v1/me/phrases", headers=teacher.headers, json={"phrases": ["kept"]})
    response = teacher.client.put("/api/v1/me/phrases", headers=teacher.headers, json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert teacher.get("/api/v1/me/phrases").get_json() == {"phrases": ["kept"]}


def test_phrases_need_a_sign_in(client):
    for method in ("GET", "PUT"):
        response = client.open("/api/v1/me/phrases", method=method, json={"phrases": []})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
