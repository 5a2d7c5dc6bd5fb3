"""`can` in pull (README: leads): what each reader may do with each record, cell by cell.

For every role and every record, the `can` pulled for that reader is the table below, and
each action in it is tried through push: push accepts exactly what `can` allows. A record the
reader does not see carries no `can`, and every write to it is refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import new_id
from tests.support.sync import SyncClient, note_fields, observation_fields

ROLES = (
    "creator",
    "observer",
    "observee",
    "co_teacher",
    "other_teacher",
    "lead",
    "admin",
    "other_school",
)
T, F, HIDDEN = True, False, None
# record -> role -> the expected `can` (None: the reader does not see the record).
OBS = {"edit", "share", "delete", "add_notes"}
TABLE: dict[str, dict[str, Any]] = {
    "obs": {
        "creator": dict(edit=T, share=F, delete=T, add_notes=F),
        "observer": dict(edit=T, share=F, delete=T, add_notes=T),
        "observee": dict(edit=T, share=T, delete=T, add_notes=T),
        "co_teacher": dict(edit=T, share=F, delete=T, add_notes=T),
        "other_teacher": HIDDEN,
        "lead": dict(edit=F, share=F, delete=F, add_notes=F),
        "admin": dict(edit=F, share=F, delete=F, add_notes=F),
        "other_school": HIDDEN,
    },
    "note": {
        "creator": dict(edit=F, delete=F),
        "observer": dict(edit=T, delete=T),
        "observee": dict(edit=F, delete=F),
        "co_teacher": dict(edit=F, delete=F),
        "other_teacher": HIDDEN,
        "lead": dict(edit=F, delete=F),
        "admin": dict(edit=F, delete=F),
        "other_school": HIDDEN,
    },
    "step": {
        "creator": dict(edit=F),
        "observer": dict(edit=T),
        "observee": dict(edit=T),
        "co_teacher": dict(edit=T),
        "other_teacher": HIDDEN,
        "lead": dict(edit=F),
        "admin": dict(edit=F),
        "other_school": HIDDEN,
    },
    "own_step": {role: HIDDEN for role in ROLES} | {"other_teacher": dict(edit=T)},
    "school_focus": {role: dict(edit=role in ("lead", "admin")) for role in ROLES}
    | {"other_school": HIDDEN},
    "personal_focus": {
        "creator": dict(edit=F),
        "observer": dict(edit=F),
        "observee": dict(edit=T),
        "co_teacher": dict(edit=F),
        "other_teacher": HIDDEN,
        "lead": dict(edit=F),
        "admin": dict(edit=F),
        "other_school": HIDDEN,
    },
    "lookfor": {role: dict(edit=role in ("lead", "admin")) for role in ROLES}
    | {"other_school": HIDDEN},
    # A visit of a learning walk with the same people: whoever may add notes to the walk.
    "visit": {
        "creator": dict(edit=F),
        "observer": dict(edit=T),
        "observee": dict(edit=T),
        "co_teacher": dict(edit=T),
        "other_teacher": HIDDEN,
        "lead": dict(edit=F),
        "admin": dict(edit=F),
        "other_school": HIDDEN,
    },
}
ENTITY = {
    "obs": "observation",
    "note": "note",
    "step": "next_step",
    "own_step": "next_step",
    "school_focus": "focus",
    "personal_focus": "focus",
    "lookfor": "lookfor",
    "visit": "visit",
}
# The write that tries each action; deletes come last, the observation's very last.
EDITS = {
    "observation": {"title": "Renamed"},
    "note": {"text": "Changed."},
    "next_step": {"status": "done"},
    "focus": {"title": "Renamed"},
    "lookfor": {"text": "Changed."},
    "visit": {"class_label": "9C"},
}
ORDER = ("edit", "share", "add_notes", "delete")


def sync(factory, school, role: str) -> SyncClient:
    return SyncClient(factory.session(school, role=role))


def build_school(factory) -> tuple[dict[str, SyncClient], dict[str, str]]:
    """One school's people and records (and another school's teacher)."""
    school = factory.school()
    roles = {"lead": "lead", "admin": "admin"}
    people = {name: sync(factory, school, roles.get(name, "teacher")) for name in ROLES[:-1]}
    people["other_school"] = sync(factory, factory.school(), "teacher")
    ids = {name: new_id() for name in ENTITY}
    lead, observee, observer = people["lead"], people["observee"], people["observer"]
    lead.put("focus", ids["school_focus"], {"title": "Questioning", "kind": "school"})
    lead.put("lookfor", ids["lookfor"], {"focus_id": ids["school_focus"], "text": "Wait time"})
    observee.put("focus", ids["personal_focus"], {"title": "My pacing", "kind": "personal"})
    cast = [(people[n].user_id, n) for n in ("observer", "observee", "co_teacher")]
    fields = observation_fields(cast, focus_ids=[ids["school_focus"], ids["personal_focus"]])
    people["creator"].put("observation", ids["obs"], fields)
    assert observee.put("observation", ids["obs"], {"visibility": "leads"})["status"] != "rejected"
    observer.put("note", ids["note"], note_fields(ids["obs"]))
    step = {"owner_id": observee.user_id, "observation_id": ids["obs"], "text": "Try pairs"}
    observee.put("next_step", ids["step"], step)
    own = {"owner_id": people["other_teacher"].user_id, "text": "Read a book"}
    people["other_teacher"].put("next_step", ids["own_step"], own)
    walk_id = new_id()
    people["creator"].put("observation", walk_id, {**fields, "kind": "learning_walk"})
    observee.put("observation", walk_id, {"visibility": "leads"})
    visit = {"observation_id": walk_id, "at": fields["starts_at"], "year_group": "Year 8"}
    assert observer.put("visit", ids["visit"], visit)["status"] == "applied"
    return people, ids


def attempt(client: SyncClient, record: str, record_id: str, action: str) -> bool:
    """Try the action through push: whether push accepted it."""
    entity = ENTITY[record]
    if action == "delete":
        result = client.delete(entity, record_id)
    elif action == "add_notes":
        result = client.put("note", new_id(), note_fields(record_id))
    elif action == "share":
        current = client.record(entity, record_id)
        visible = current["fields"]["visibility"] if current else "leads"
        flip = "participants" if visible == "leads" else "leads"
        result = client.put(entity, record_id, {"visibility": flip})
    else:
        result = client.put(entity, record_id, EDITS[entity])
    return result["status"] in ("applied", "merged")


@pytest.mark.parametrize("role", ROLES)
def test_can_in_pull_agrees_with_what_push_accepts(factory, role):
    people, ids = build_school(factory)
    client = people[role]
    client.pull_all()
    pulled = {record: _can(client, record, ids[record]) for record in ENTITY}
    assert pulled == {record: TABLE[record][role] for record in ENTITY}
    # Each cell through push: deletes last, so that every other write meets the record alive.
    cells = [
        (record, action, allowed)
        for action in ORDER
        for record in sorted(ENTITY, key=lambda r: r == "obs")
        for allowed in [(TABLE[record][role] or {}).get(action, F)]
        if TABLE[record][role] is None or action in TABLE[record][role]
        if not (record != "obs" and action in ("share", "add_notes"))
    ]
    outcomes = {(r, a): attempt(client, r, ids[r], a) for r, a, _ in cells}
    assert outcomes == {(r, a): allowed for r, a, allowed in cells}


def _can(client: SyncClient, record: str, record_id: str) -> dict[str, bool] | None:
    change = client.record(ENTITY[record], record_id)
    if change is None:
        return None
    assert not change["deleted"]
    return change["can"]


def test_tombstones_users_and_teams_carry_no_can(factory):
    people, ids = build_school(factory)
    observer = people["observer"]
    observer.delete("note", ids["note"])
    changes = observer.pull_all()
    for change in changes:
        live_record = change["entity"] in EDITS and not change.get("deleted")
        assert ("can" in change) == live_record, change


def test_a_role_change_brings_focuses_and_lookfors_again_with_their_new_can(factory):
    people, ids = build_school(factory)
    teacher = people["other_teacher"]
    teacher.pull_all()
    assert teacher.record("focus", ids["school_focus"])["can"] == {"edit": False}
    response = people["admin"].session.patch(
        f"/api/v1/admin/users/{teacher.user_id}", json={"role": "lead"}
    )
    assert response.status_code == 200, response.get_json()
    changes = {(c["entity"], c["id"]): c for c in teacher.pull_all()}
    assert changes[("focus", ids["school_focus"])]["can"] == {"edit": True}
    assert changes[("lookfor", ids["lookfor"])]["can"] == {"edit": True}
    assert teacher.put("lookfor", ids["lookfor"], {"text": "Now mine"})["status"] == "applied"


def test_a_participant_change_brings_the_next_steps_again_with_their_new_can(factory):
    people, ids = build_school(factory)
    creator, observer = people["creator"], people["observer"]
    creator.pull_all()
    assert creator.record("next_step", ids["step"])["can"] == {"edit": False}
    observer.pull_all()
    current = observer.record("observation", ids["obs"])["fields"]["participants"]
    joined = [*current, {"user_id": creator.user_id, "role": "facilitator"}]
    assert observer.put("observation", ids["obs"], {"participants": joined})["status"] == "applied"
    changes = {(c["entity"], c["id"]): c for c in creator.pull_all()}
    assert changes[("next_step", ids["step"])]["can"] == {"edit": True}
    assert changes[("observation", ids["obs"])]["can"]["add_notes"] is True
    assert creator.put("next_step", ids["step"], {"status": "done"})["status"] == "applied"


def test_sharing_brings_the_observation_to_leads_with_nothing_they_may_change(factory):
    people, ids = build_school(factory)
    lead, observee = people["lead"], people["observee"]
    observee.put("observation", ids["obs"], {"visibility": "participants"})
    lead.pull_all()
    assert lead.record("observation", ids["obs"]) is None
    observee.put("observation", ids["obs"], {"visibility": "leads"})
    changes = {(c["entity"], c["id"]): c for c in lead.pull_all()}
    assert changes[("observation", ids["obs"])]["can"] == dict.fromkeys(OBS, False)
    assert changes[("note", ids["note"])]["can"] == {"edit": False, "delete": False}
    assert changes[("next_step", ids["step"])]["can"] == {"edit": False}
    # The observee, who shared it, still may take it back.
    observee.pull_all()
    assert observee.record("observation", ids["obs"])["can"]["share"] is True
