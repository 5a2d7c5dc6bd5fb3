"""Hostile input to the accounts API: team names that differ only in non-ASCII case are one
name (409, on both databases), and text that is not Unicode scalar values is a 400
validation_error anywhere. Each refusal changes nothing."""

from __future__ import annotations

import pytest

from tests.test_errors import assert_error_shape

TEAMS = "/api/v1/admin/teams"


@pytest.fixture
def admin(factory):
    return factory.session(factory.school(), role="admin")


def _team_names(admin) -> list[str]:
    return [t["name"] for t in admin.get(TEAMS).get_json()]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ärzte", "Ärzte"),
        ("Ärzte", "ärzte"),
        ("ärzte", "ÄRZTE"),
        ("Ärzte", "A\u0308rzte"),  # the same letter, decomposed
        ("Straße", "STRASSE"),
        ("Σίσυφος", "ΣΊΣΥΦΟΣ"),
    ],
)
def test_a_team_name_taken_in_another_case_is_409(admin, first, second):
    assert admin.post(TEAMS, json={"name": first, "kind": "department"}).status_code == 201
    response = admin.post(TEAMS, json={"name": second, "kind": "plt"})
    assert_error_shape(response, 409, "team_exists")
    assert _team_names(admin) == [first]


def test_renaming_onto_a_taken_name_in_another_case_is_409(admin):
    admin.post(TEAMS, json={"name": "Ärzte", "kind": "department"})
    other = admin.post(TEAMS, json={"name": "Pflege", "kind": "department"}).get_json()
    for name in ("Ärzte", "ÄRZTE", "ärzte"):
        response = admin.patch(f"{TEAMS}/{other['id']}", json={"name": name})
        assert_error_shape(response, 409, "team_exists")
    assert sorted(_team_names(admin)) == ["Pflege", "Ärzte"]


def test_a_team_may_change_the_case_of_its_own_name(admin):
    team = admin.post(TEAMS, json={"name": "ärzte", "kind": "department"}).get_json()
    response = admin.patch(f"{TEAMS}/{team['id']}", json={"name": "Ärzte"})
    assert response.status_code == 200, response.get_json()
    assert _team_names(admin) == ["Ärzte"]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (TEAMS, {"name": "a\ud800", "kind": "plt"}, "name"),
        (TEAMS, {"name": "Maths", "kind": "\udc00"}, "kind"),
        (
            "/api/v1/admin/users",
            {
                "email": "new\ud800@example.org",
                "display_name": "N",
                "role": "teacher",
                "password": "a good password",
            },
            "email",
        ),
        (
            "/api/v1/admin/users",
            {
                "email": "new@example.org",
                "display_name": "N\ud800",
                "role": "teacher",
                "password": "a good password",
            },
            "display_name",
        ),
    ],
)
def test_a_lone_surrogate_in_admin_text_is_a_validation_error(admin, url, body, field):
    response = admin.post(url, json=body)
    error = assert_error_shape(response, 400, "validation_error")
    assert field in error["details"]
    assert _team_names(admin) == []
    emails = [u["email"] for u in admin.get("/api/v1/admin/users").get_json()]
    assert len(emails) == 1  # only the admin


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x\ud800@example.org", "password": "whatever1", "device_name": "p"},
        {"email": "x@example.org", "password": "what\udfffever", "device_name": "p"},
        {"email": "x@example.org", "password": "whatever1", "device_name": "\ud800"},
    ],
)
def test_a_lone_surrogate_at_login_is_a_validation_error(client, body):
    assert_error_shape(client.post("/api/v1/auth/login", json=body), 400, "validation_error")
