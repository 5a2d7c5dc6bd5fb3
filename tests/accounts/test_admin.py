"""The admin API: users, teams, revoke-devices, deactivation, and its permission rules."""

from __future__ import annotations

import pytest

from tests.support.factories import PASSWORD


@pytest.fixture
def school(factory):
    return factory.school()


@pytest.fixture
def admin(factory, school):
    return factory.session(school, role="admin")


def new_user(admin, **overrides):
    body = {
        "email": "new.teacher@example.org",
        "display_name": "New Teacher",
        "role": "teacher",
        "password": "a good password",
    }
    body.update(overrides)
    return admin.post("/api/v1/admin/users", json=body)


def test_admin_creates_a_user_who_can_sign_in(admin, client, school):
    response = new_user(admin)
    assert response.status_code == 201
    user = response.get_json()
    assert user["email"] == "new.teacher@example.org"
    assert user["role"] == "teacher"
    assert user["school_id"] == str(school.id)
    assert user["team_ids"] == []
    login = client.post(
        "/api/v1/auth/login", json={"email": user["email"], "password": "a good password"}
    )
    assert login.status_code == 200


def test_duplicate_email_is_409_in_any_case_and_any_school(admin, factory):
    assert new_user(admin).status_code == 201
    again = new_user(admin, email="New.Teacher@Example.org")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "email_taken"
    other_admin = factory.session(factory.school(), role="admin")
    assert new_user(other_admin).status_code == 409


def test_created_user_carries_teams(admin, factory, school):
    maths = admin.post(
        "/api/v1/admin/teams", json={"name": "Maths", "kind": "department"}
    ).get_json()
    user = new_user(admin, team_ids=[maths["id"]]).get_json()
    assert user["team_ids"] == [maths["id"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"role": "headteacher"}, "role"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"password": "short"}, "password"),
        ({"team_ids": ["not-a-uuid"]}, "team_ids"),
        ({"team_ids": ["6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11"]}, "team_ids"),
        ({"unexpected": True}, "unexpected"),
    ],
)
def test_bad_user_bodies_are_refused_and_change_nothing(admin, overrides, field):
    response = new_user(admin, **overrides)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]
    emails = [u["email"] for u in admin.get("/api/v1/admin/users").get_json()]
    assert "new.teacher@example.org" not in emails


def test_missing_password_is_a_validation_error(admin):
    body = {"email": "a@example.org", "display_name": "A", "role": "teacher"}
    response = admin.post("/api/v1/admin/users", json=body)
    assert response.status_code == 400
    assert "password" in response.get_json()["error"]["details"]


@pytest.mark.parametrize("role", ["teacher", "lead"])
def test_only_admins_use_the_admin_api(factory, school, role):
    session = factory.session(school, role=role)
    target = factory.user(school)
    calls = [
        (
            "post",
            "/api/v1/admin/users",
            {
                "email": "x@example.org",
                "display_name": "X",
                "role": "teacher",
                "password": PASSWORD,
            },
        ),
        ("get", "/api/v1/admin/users", None),
        ("patch", f"/api/v1/admin/users/{target.id}", {"role": "admin"}),
        ("post", f"/api/v1/admin/users/{target.id}/revoke-devices", None),
        ("post", "/api/v1/admin/teams", {"name": "T", "kind": "plt"}),
        ("get", "/api/v1/admin/teams", None),
    ]
    for method, url, body in calls:
        response = (
            getattr(session, method)(url, json=body) if body else getattr(session, method)(url)
        )
        assert response.status_code == 403, (method, url)
        assert response.get_json()["error"]["code"] == "forbidden"


def test_admin_lists_only_own_school(admin, factory, school):
    mine = factory.user(school, name="Mine")
    factory.user(factory.school(), name="Theirs")
    names = {u["display_name"] for u in admin.get("/api/v1/admin/users").get_json()}
    assert "Mine" in names
    assert "Theirs" not in names
    assert mine.email in {u["email"] for u in admin.get("/api/v1/admin/users").get_json()}


def test_admin_cannot_touch_another_schools_user(admin, factory):
    stranger = factory.user(factory.school())
    for method, url, body in [
        ("patch", f"/api/v1/admin/users/{stranger.id}", {"display_name": "Hacked"}),
        ("post", f"/api/v1/admin/users/{stranger.id}/revoke-devices", None),
    ]:
        response = getattr(admin, method)(url, json=body)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_patch_changes_role_name_and_teams(admin, factory, school):
    user = factory.user(school)
    team = admin.post(
        "/api/v1/admin/teams", json={"name": "Year 4", "kind": "year_group"}
    ).get_json()
    response = admin.patch(
        f"/api/v1/admin/users/{user.id}",
        json={"role": "lead", "display_name": "Renamed", "team_ids": [team["id"]]},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["role"], body["display_name"], body["team_ids"]) == (
        "lead",
        "Renamed",
        [team["id"]],
    )


def test_deactivated_users_tokens_get_401_at_once(admin, factory, school, client):
    user = factory.user(school)
    session = factory.login(user)
    assert admin.patch(f"/api/v1/admin/users/{user.id}", json={"active": False}).status_code == 200
    assert session.get("/api/v1/me").status_code == 401
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 401
    assert admin.patch(f"/api/v1/admin/users/{user.id}", json={"active": True}).status_code == 200
    assert session.get("/api/v1/me").status_code == 401  # old devices stay revoked
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_revoke_devices_ends_every_token(admin, factory, school):
    user = factory.user(school)
    phone, laptop = factory.login(user), factory.login(user)
    assert admin.post(f"/api/v1/admin/users/{user.id}/revoke-devices").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401
    assert admin.get("/api/v1/me").status_code == 200


def test_the_last_admin_cannot_be_removed(admin):
    me = admin.user["id"]
    for body in ({"role": "teacher"}, {"active": False}):
        response = admin.patch(f"/api/v1/admin/users/{me}", json=body)
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "last_admin"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"active": "no"}, "active"),
        ({"role": "king"}, "role"),
        ({"team_ids": "x"}, "team_ids"),
        ({"email": "a@b.org"}, "email"),
    ],
)
def test_bad_patches_change_nothing(admin, factory, school, body, field):
    user = factory.user(school, name="Unchanged")
    response = admin.patch(f"/api/v1/admin/users/{user.id}", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["details"]
    listed = {u["id"]: u for u in admin.get("/api/v1/admin/users").get_json()}
    assert listed[str(user.id)]["display_name"] == "Unchanged"
    assert listed[str(user.id)]["role"] == "teacher"


def test_patch_with_a_bad_uuid_in_the_path_is_404(admin):
    response = admin.patch("/api/v1/admin/users/not-a-uuid", json={"display_name": "X"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_teams_are_created_listed_and_unique_per_school(admin, factory):
    response = admin.post("/api/v1/admin/teams", json={"name": "Science", "kind": "department"})
    assert response.status_code == 201
    team = response.get_json()
    assert set(team) == {"id", "name", "kind"}
    assert (team["name"], team["kind"]) == ("Science", "department")
    clash = admin.post("/api/v1/admin/teams", json={"name": "science", "kind": "plt"})
    assert clash.status_code == 409
    other = factory.session(factory.school(), role="admin")
    assert (
        other.post(
            "/api/v1/admin/teams", json={"name": "Science", "kind": "department"}
        ).status_code
        == 201
    )
    assert [t["name"] for t in admin.get("/api/v1/admin/teams").get_json()] == ["Science"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X"},
        {"kind": "plt"},
        {"name": "", "kind": "plt"},
        {"name": "X" * 101, "kind": "plt"},
        {"name": "X", "kind": "plt", "id": "1"},
    ],
)
def test_bad_team_bodies_are_refused(admin, body):
    response = admin.post("/api/v1/admin/teams", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
    assert admin.get("/api/v1/admin/teams").get_json() == []


def test_team_can_be_renamed(admin):
    team = admin.post("/api/v1/admin/teams", json={"name": "Y3", "kind": "year_group"}).get_json()
    response = admin.patch(f"/api/v1/admin/teams/{team['id']}", json={"name": "Year 3"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Year 3"
