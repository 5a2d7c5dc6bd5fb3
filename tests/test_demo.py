"""`flask --app wsgi demo`: a believable school, loaded through the push service."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from server.demo import DEMO_PASSWORD
from server.extensions import db
from server.models import Focus, Lookfor, NextStep, Note, Observation, School, Team, User


def test_demo_loads_a_school_and_prints_logins_that_work(runner, app, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    emails = [
        line.split()[1] for line in result.output.splitlines() if "@riverside.example" in line
    ]
    assert len(emails) == 12
    for email in (emails[0], emails[-1]):
        response = client.post(
            "/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200
    with app.app_context():

        def count(model):
            return db.session.execute(select(func.count()).select_from(model)).scalar_one()

        assert count(User) == 12
        assert count(Team) == 3
        assert (
            db.session.execute(select(func.count()).where(Focus.kind == "school")).scalar_one() == 3
        )
        assert count(Lookfor) == 9
        kinds = Counter(db.session.execute(select(Observation.kind)).scalars())
        assert set(kinds) == {
            "peer_observation",
            "team_teaching",
            "lesson_study",
            "learning_walk",
            "coaching",
        }
        assert 25 <= sum(kinds.values()) <= 35
        assert count(Note) > 200
        assert count(NextStep) >= 10
        starts = sorted(db.session.execute(select(Observation.starts_at)).scalars())
        assert (starts[-1] - starts[0]).days > 50  # spread over a term
        assert all(c == [] for c in db.session.execute(select(Observation.conflicts)).scalars())


def test_a_demo_teacher_pulls_their_own_observations(runner, client):
    runner.invoke(args=["demo"])
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "ana.silva@riverside.example", "password": DEMO_PASSWORD},
    ).get_json()
    headers = {"Authorization": f"Bearer {login['token']}"}
    page = client.get("/api/v1/sync/pull", query_string={"limit": 2000}, headers=headers).get_json()
    observations = [c for c in page["changes"] if c["entity"] == "observation"]
    me = login["user"]["id"]
    assert observations
    for change in observations:
        people = {p["user_id"] for p in change["fields"]["participants"]}
        assert me in people or change["created_by"] == me


def test_demo_if_empty_leaves_other_data_alone(runner, app, factory):
    factory.school("Someone Else's School")
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(School)).scalar_one() == 1


def test_demo_twice_loads_once_and_prints_logins_again(runner, app):
    assert runner.invoke(args=["demo"]).exit_code == 0
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "priya.shah@riverside.example" in again.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(School)).scalar_one() == 1
