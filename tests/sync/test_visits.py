"""The `visit` entity (README: leads): a learning walk's classrooms, synced like the others.

Written by whoever may add notes to the walk, read by whoever may read it; notes may name a
visit of their own walk. Every bad input is `rejected` with the one error shape and changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from server.extensions import db
from server.models import School, User
from tests.support.factories import new_id
from tests.support.sync import SyncClient, iso, note_fields, observation_fields


@pytest.fixture
def walk(factory) -> dict[str, Any]:
    """A school with teams, a lead's learning walk (shared with leads) and a lesson."""
    school = factory.school()
    lead = SyncClient(factory.session(school, role="lead"))
    partner = SyncClient(factory.session(school, role="lead"))
    teacher = SyncClient(factory.session(school))
    other_school = factory.school()
    far = SyncClient(factory.session(other_school))
    teams = {
        "maths": str(factory.team(school, "Maths").id),
        "far": str(factory.team(other_school, "Far maths").id),
    }
    walk_id, lesson_id = new_id(), new_id()
    cast = [(lead.user_id, "observer"), (partner.user_id, "observer")]
    fields = observation_fields(cast, kind="learning_walk", title="Questioning walk")
    lead.put("observation", walk_id, fields)
    lesson = observation_fields([(teacher.user_id, "observer"), (lead.user_id, "co_teacher")])
    teacher.put("observation", lesson_id, lesson)
    far_walk = new_id()
    far.put("observation", far_walk, observation_fields([(far.user_id, "observer")]))
    return {
        "lead": lead,
        "partner": partner,
        "teacher": teacher,
        "far": far,
        "teams": teams,
        "walk": walk_id,
        "lesson": lesson_id,
        "far_walk": far_walk,
    }


def visit_fields(walk_id: str, minute: int = 0, **extra: Any) -> dict[str, Any]:
    fields = {"observation_id": walk_id, "at": iso(minute), "class_label": "8B"}
    return fields | extra


def test_a_walk_goes_classroom_by_classroom_and_an_earlier_visit_is_corrected(walk):
    lead, partner = walk["lead"], walk["partner"]
    first, second = new_id(), new_id()
    made = lead.push_ok(
        [
            lead.mutation(
                "visit", first, visit_fields(walk["walk"], year_group="Year 8", subject="Maths")
            ),
            lead.mutation(
                "visit", second, visit_fields(walk["walk"], 10, team_id=walk["teams"]["maths"])
            ),
        ]
    )
    assert [r["status"] for r in made] == ["applied", "applied"]
    note = note_fields(
        walk["walk"], category="lookfor", lookfor_rating="seen", visit_id=second, text="Wait time"
    )
    assert lead.put("note", new_id(), note)["status"] == "applied"
    assert lead.put("visit", first, {"year_group": "Year 9"})["status"] == "applied"
    partner.pull_all()
    visit = partner.record("visit", first)
    assert visit["fields"] == {
        "observation_id": walk["walk"],
        "at": iso(0),
        "class_label": "8B",
        "year_group": "Year 9",
        "subject": "Maths",
        "team_id": None,
    }
    assert visit["can"] == {"edit": True}
    assert partner.record("visit", second)["fields"]["team_id"] == walk["teams"]["maths"]
    # The other participant may correct it too.
    assert partner.put("visit", first, {"subject": "Science"})["status"] == "applied"


def test_readers_of_the_walk_see_its_visits_and_only_its_participants_may_write(walk, factory):
    lead, teacher = walk["lead"], walk["teacher"]
    visit_id = new_id()
    lead.put("visit", visit_id, visit_fields(walk["walk"]))
    teacher.pull_all()
    assert teacher.record("visit", visit_id) is None  # not shared: the walk is its walkers'
    lead.put("observation", walk["walk"], {"visibility": "leads"})
    reader = SyncClient(factory.login(_user(factory, teacher, "lead")))
    reader.pull_all()
    assert reader.record("visit", visit_id)["can"] == {"edit": False}
    refused = reader.put("visit", visit_id, {"class_label": "9C"})
    assert refused["status"] == "rejected"
    assert refused["error"]["code"] == "forbidden"
    refused = reader.put("visit", new_id(), visit_fields(walk["walk"]))
    assert refused["error"]["code"] == "forbidden"


def _user(factory, client: SyncClient, role: str) -> Any:
    """Another user of the client's school with this role."""
    with factory.app.app_context():
        school = db.session.get(User, client.session.user["id"]).school_id
        return factory.user(db.session.get(School, school), role=role)


BAD = {
    "unknown team": lambda w: ("visit", visit_fields(w["walk"], team_id=new_id()), "team_id"),
    "another school's team": lambda w: (
        "visit",
        visit_fields(w["walk"], team_id=w["teams"]["far"]),
        "team_id",
    ),
    "a visit on a lesson, not a walk": lambda w: (
        "visit",
        visit_fields(w["lesson"]),
        "observation_id",
    ),
    "another school's walk": lambda w: ("visit", visit_fields(w["far_walk"]), "observation_id"),
    "an unknown walk": lambda w: ("visit", visit_fields(new_id()), "observation_id"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_references_are_rejected_and_change_nothing(walk, case):
    lead = walk["lead"]
    lead.pull_all()
    entity, fields, name = BAD[case](walk)
    result = lead.put(entity, new_id(), fields)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "unknown_reference"
    assert set(result["error"]["details"]) == {name}
    assert lead.pull_all() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"observation_id": "walk", "class_label": "8B"}, "at"),
        ({"at": "2026-11-20T09:00:00+00:00"}, "observation_id"),
        ({"observation_id": "walk", "at": "2026-11-20T09:00:00"}, "at"),
        ({"observation_id": "walk", "at": "yesterday"}, "at"),
        ({"observation_id": "walk", "at": iso(), "year_group": 8}, "year_group"),
        ({"observation_id": "walk", "at": iso(), "class_label": "x" * 201}, "class_label"),
        ({"observation_id": "walk", "at": iso(), "team_id": "maths"}, "team_id"),
        ({"observation_id": "walk", "at": iso(), "rating": "seen"}, "rating"),
    ],
)
def test_malformed_visits_are_rejected_and_change_nothing(walk, fields, field):
    lead = walk["lead"]
    lead.pull_all()
    if fields.get("observation_id") == "walk":
        fields = {**fields, "observation_id": walk["walk"]}
    result = lead.put("visit", new_id(), fields)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "validation_error"
    assert field in result["error"]["details"]["fields"]
    assert lead.pull_all() == []


def test_a_visit_stays_on_its_walk(walk):
    lead = walk["lead"]
    visit_id, other_walk = new_id(), new_id()
    cast = [(lead.user_id, "observer")]
    lead.put("observation", other_walk, observation_fields(cast, kind="learning_walk"))
    lead.put("visit", visit_id, visit_fields(walk["walk"]))
    lead.pull_all()
    result = lead.put("visit", visit_id, {"observation_id": other_walk})
    assert result["error"]["code"] == "immutable_field"
    assert lead.pull_all() == []


def test_a_note_names_only_a_visit_of_its_own_walk(walk):
    lead = walk["lead"]
    other_walk, visit_id, elsewhere = new_id(), new_id(), new_id()
    cast = [(lead.user_id, "observer")]
    lead.put("observation", other_walk, observation_fields(cast, kind="learning_walk"))
    lead.put("visit", visit_id, visit_fields(walk["walk"]))
    lead.put("visit", elsewhere, visit_fields(other_walk))
    lead.pull_all()
    cases = [elsewhere, new_id()]
    for bad in cases:
        result = lead.put("note", new_id(), note_fields(walk["walk"], visit_id=bad))
        assert result["error"]["code"] == "unknown_reference"
        assert result["error"]["details"] == {"visit_id": [bad]}
    note_id = new_id()
    assert lead.put("note", note_id, note_fields(walk["walk"], visit_id=visit_id))["status"] == (
        "applied"
    )
    moved = lead.put("note", note_id, {"visit_id": elsewhere})
    assert moved["error"]["code"] == "unknown_reference"
    changes = lead.pull_all()
    assert [(c["entity"], c["fields"]["visit_id"]) for c in changes] == [("note", visit_id)]
    far = walk["far"]
    far_note = far.put("note", new_id(), note_fields(walk["far_walk"], visit_id=visit_id))
    assert far_note["error"]["code"] == "unknown_reference"


def test_a_deleted_visit_comes_as_a_tombstone_without_can(walk):
    lead, partner = walk["lead"], walk["partner"]
    visit_id = new_id()
    lead.put("visit", visit_id, visit_fields(walk["walk"]))
    partner.pull_all()
    assert lead.delete("visit", visit_id)["status"] == "applied"
    (change,) = [c for c in partner.pull_all() if c["entity"] == "visit"]
    assert change["deleted"] is True
    assert "can" not in change
    refused = lead.put("note", new_id(), note_fields(walk["walk"], visit_id=visit_id))
    assert refused["error"]["code"] == "unknown_reference"


def test_a_walker_removed_from_the_walk_loses_its_visits(walk):
    lead, partner = walk["lead"], walk["partner"]
    visit_id = new_id()
    lead.put("visit", visit_id, visit_fields(walk["walk"]))
    partner.pull_all()
    lead.pull_all()
    alone = [{"user_id": lead.user_id, "role": "observer"}]
    assert lead.put("observation", walk["walk"], {"participants": alone})["status"] == "applied"
    evicted = {(c["entity"], c["id"]) for c in partner.pull_all() if c.get("evicted")}
    assert ("visit", visit_id) in evicted


def test_retention_takes_a_walks_visits_with_it(walk, factory):
    from server.rights import retention
    from server.visits import Visit

    lead = walk["lead"]
    old_walk, visit_id = new_id(), new_id()
    cast = [(lead.user_id, "observer")]
    long_ago = "2015-01-12T09:00:00+00:00"
    lead.put(
        "observation",
        old_walk,
        observation_fields(cast, kind="learning_walk", starts_at=long_ago),
    )
    lead.put("visit", visit_id, {"observation_id": old_walk, "at": long_ago, "class_label": "8B"})
    lead.pull_all()
    with factory.app.app_context():
        school_id = db.session.get(User, lead.session.user["id"]).school_id
        retention.run(school_id, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        row = db.session.get(Visit, uuid.UUID(visit_id))
        assert (row.deleted, row.class_label) == (True, "")
    gone = {(c["entity"], c["id"]): c for c in lead.pull_all()}
    assert gone[("visit", visit_id)]["deleted"] is True


def test_a_walkers_export_holds_the_walks_visits_and_validates(walk):
    import io
    import json
    import zipfile

    import jsonschema

    from server.rights.schema import PATH

    lead, teacher = walk["lead"], walk["teacher"]
    visit_id = new_id()
    lead.put("visit", visit_id, visit_fields(walk["walk"], team_id=walk["teams"]["maths"]))
    response = lead.session.get("/api/v1/me/export")
    assert response.status_code == 200, response.get_json()
    document = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("data.json"))
    schema = json.loads(PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    (visit,) = document["visits"]
    assert (visit["id"], visit["class_label"]) == (visit_id, "8B")
    other = teacher.session.get("/api/v1/me/export")
    assert json.loads(zipfile.ZipFile(io.BytesIO(other.data)).read("data.json"))["visits"] == []
