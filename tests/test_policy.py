"""The permission rules of PROTOCOL.md as one table, tried through pull, push and reports.

Roles: the observation's creator (not a participant), its observer, observee and co-teacher,
another teacher, a lead, an admin, and a lead of another school (the stranger). The read rows
drive pull and the report downloads alike; the write rows drive push.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from schemas.common import ErrorSchema
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields

ROLES = ["creator", "observer", "observee", "co_teacher", "other", "lead", "admin", "stranger"]
PARTICIPANTS = {"observer", "observee", "co_teacher"}
INVOLVED = PARTICIPANTS | {"creator"}
LEADS = {"lead", "admin"}
SCHOOL = set(ROLES) - {"stranger"}


@dataclass
class World:
    clients: dict[str, SyncClient]
    observation: str
    note: str
    next_step: str
    school_focus: str
    lookfor: str
    personal_focus: str


def _clients(factory) -> dict[str, SyncClient]:
    """One signed-in device per role; the stranger leads a school of their own."""
    school = factory.school()
    role_of = {"lead": "lead", "admin": "admin", "stranger": "lead"}
    return {
        name: SyncClient(
            factory.session(
                school if name != "stranger" else factory.school(),
                role=role_of.get(name, "teacher"),
                name=name,
            )
        )
        for name in ROLES
    }


def build_world(factory, visibility="participants") -> World:
    c = _clients(factory)
    school_focus, lookfor, personal = new_id(), new_id(), new_id()
    c["lead"].put("focus", school_focus, {"title": "Questioning", "kind": "school"})
    c["lead"].put("lookfor", lookfor, {"focus_id": school_focus, "text": "Wait time"})
    c["observee"].put("focus", personal, {"title": "My wait time", "kind": "personal"})
    observation = new_id()
    fields = observation_fields(
        [(c[role].user_id, role) for role in ("observer", "observee", "co_teacher")],
        focus_ids=[school_focus],
    )
    assert c["creator"].put("observation", observation, fields)["status"] == "applied"
    c["observee"].put(
        "observation", observation, {"focus_ids": [school_focus, personal]}, base=10**6
    )
    if visibility == "leads":
        shared = c["observee"].put("observation", observation, {"visibility": "leads"}, base=10**6)
        assert shared["status"] == "applied"
    note = new_id()
    assert c["observer"].put("note", note, note_fields(observation))["status"] == "applied"
    step = new_id()
    owner = c["observee"].user_id
    step_fields = {"observation_id": observation, "owner_id": owner, "text": "Try a hinge question"}
    assert c["observee"].put("next_step", step, step_fields)["status"] == "applied"
    return World(c, observation, note, step, school_focus, lookfor, personal)


# who sees what: (entity, attribute of World) -> roles that see it. A note, a next step and a
# personal focus go with the observation they belong to (or that uses them).
READ_TABLE = {
    "participants": {
        ("observation", "observation"): INVOLVED,
        ("note", "note"): INVOLVED,
        ("next_step", "next_step"): INVOLVED,
        ("focus", "personal_focus"): INVOLVED,
        ("focus", "school_focus"): SCHOOL,
        ("lookfor", "lookfor"): SCHOOL,
    },
    "leads": {
        ("observation", "observation"): INVOLVED | LEADS,
        ("note", "note"): INVOLVED | LEADS,
        ("next_step", "next_step"): INVOLVED | LEADS,
        ("focus", "personal_focus"): INVOLVED | LEADS,
        ("focus", "school_focus"): SCHOOL,
        ("lookfor", "lookfor"): SCHOOL,
    },
}


def _answers(ok: set[str], others: int = 403, stranger: int = 404) -> dict[str, int]:
    """200 for the roles in `ok`; `stranger` for the other school's lead, `others` for the rest."""
    return {
        role: 200 if role in ok else stranger if role == "stranger" else others for role in ROLES
    }


def report_table(visibility: str) -> dict[str, tuple[str, dict[str, int]]]:
    """Report -> (url template, status per role). The summary goes to exactly the observation's
    readers (404 to the rest: it does not say whether it exists); 403 means "this exists, but
    is not for you". The stranger's action plan is their own school's (empty) one."""
    readers = READ_TABLE[visibility][("observation", "observation")]
    return {
        "observation summary": (
            "/api/v1/reports/observations/{w.observation}.pdf",
            _answers(readers, others=404),
        ),
        "observee's learning record": (
            "/api/v1/reports/teachers/{w.clients[observee].user_id}.pdf",
            _answers({"observee"} | LEADS),
        ),
        "school focus report": ("/api/v1/reports/focuses/{w.school_focus}.pdf", _answers(LEADS)),
        "action plan": ("/api/v1/reports/action-plan.pdf", _answers(LEADS, stranger=200)),
    }


def _check_pull(world: World, role: str, visibility: str) -> None:
    client = world.clients[role]
    client.pull_all()
    for (entity, attribute), readers in READ_TABLE[visibility].items():
        seen = client.record(entity, getattr(world, attribute)) is not None
        assert seen == (role in readers), (
            f"{role} {'sees' if seen else 'misses'} {attribute} ({visibility})"
        )
    others = {c["entity"] for c in client.replica.values()} - {
        "observation",
        "note",
        "next_step",
        "focus",
        "lookfor",
    }
    assert others <= {"user", "team"}
    if role == "stranger":
        assert {k[0] for k in client.replica} == {"user"}


def _check_reports(world: World, role: str, visibility: str) -> None:
    codes = {403: "forbidden", 404: "not_found"}
    for report, (url, expected) in report_table(visibility).items():
        response = world.clients[role].session.get(url.format(w=world))
        what = f"{role} downloading the {report} ({visibility})"
        assert response.status_code == expected[role], (what, response.get_json())
        if expected[role] == 200:
            assert response.headers["Content-Type"] == "application/pdf", what
            assert response.data.startswith(b"%PDF-"), what
        else:
            body = ErrorSchema().load(response.get_json())
            assert body["error"]["code"] == codes[expected[role]], what


@pytest.mark.parametrize("visibility", ["participants", "leads"])
def test_each_role_reads_exactly_what_the_table_says_in_pulls_and_reports(factory, visibility):
    world = build_world(factory, visibility)
    for role in ROLES:
        _check_pull(world, role, visibility)
        _check_reports(world, role, visibility)


def _title(world, client):
    return client.mutation("observation", world.observation, {"title": "Renamed"}, base=10**6)


def _visibility(world, client):
    return client.mutation("observation", world.observation, {"visibility": "leads"}, base=10**6)


def _delete_observation(world, client):
    return client.mutation("observation", world.observation, op="delete", base=10**6)


def _new_note(world, client):
    return client.mutation("note", new_id(), note_fields(world.observation))


def _edit_note(world, client):
    return client.mutation("note", world.note, {"text": "edited"}, base=10**6)


def _delete_note(world, client):
    return client.mutation("note", world.note, op="delete", base=10**6)


def _edit_next_step(world, client):
    return client.mutation("next_step", world.next_step, {"status": "done"}, base=10**6)


def _new_next_step_for_observee(world, client):
    owner = world.clients["observee"].user_id
    return client.mutation(
        "next_step",
        new_id(),
        {"observation_id": world.observation, "owner_id": owner, "text": "Plan"},
    )


def _own_next_step(world, client):
    return client.mutation(
        "next_step", new_id(), {"owner_id": client.user_id, "text": "Read about retrieval"}
    )


def _new_school_focus(world, client):
    return client.mutation("focus", new_id(), {"title": "Feedback", "kind": "school"})


def _edit_school_focus(world, client):
    return client.mutation("focus", world.school_focus, {"description": "Updated"}, base=10**6)


def _own_personal_focus(world, client):
    return client.mutation("focus", new_id(), {"title": "Mine", "kind": "personal"})


def _someone_elses_personal_focus(world, client):
    return client.mutation(
        "focus",
        new_id(),
        {"title": "Theirs", "kind": "personal", "owner_id": world.clients["observee"].user_id},
    )


def _edit_personal_focus(world, client):
    return client.mutation("focus", world.personal_focus, {"title": "Changed"}, base=10**6)


def _new_lookfor(world, client):
    return client.mutation(
        "lookfor", new_id(), {"focus_id": world.school_focus, "text": "Cold calling"}
    )


def _edit_lookfor(world, client):
    return client.mutation("lookfor", world.lookfor, {"active": False}, base=10**6)


def _participants(world, **roles):
    """The world's participants, with some roles changed (role name -> new role)."""
    c = world.clients
    return [
        {"user_id": c[r].user_id, "role": roles.get(r, r)}
        for r in ("observer", "observee", "co_teacher")
    ]


def _add_observee(world, client):
    people = [
        *_participants(world),
        {"user_id": world.clients["other"].user_id, "role": "observee"},
    ]
    return client.mutation("observation", world.observation, {"participants": people}, base=10**6)


def _drop_observee(world, client):
    people = _participants(world, observee="co_teacher")
    return client.mutation("observation", world.observation, {"participants": people}, base=10**6)


def _link_own_step(world, client):
    fields = {"owner_id": client.user_id, "text": "Mine", "observation_id": world.observation}
    return client.mutation("next_step", new_id(), fields)


WRITE_TABLE = [
    (_title, INVOLVED),
    (_visibility, {"observee"}),
    (_delete_observation, INVOLVED),
    (_new_note, PARTICIPANTS),
    (_edit_note, {"observer"}),
    (_delete_note, {"observer"}),
    (_edit_next_step, PARTICIPANTS),
    (_new_next_step_for_observee, PARTICIPANTS),
    (_own_next_step, set(ROLES)),  # in the user's own school, whichever it is
    (_new_school_focus, LEADS | {"stranger"}),  # the stranger's in their own school
    (_edit_school_focus, LEADS),
    (_own_personal_focus, set(ROLES)),
    (_someone_elses_personal_focus, {"observee"}),
    (_edit_personal_focus, {"observee"}),
    (_new_lookfor, LEADS),
    (_edit_lookfor, LEADS),
    # consent: only the observed teacher changes who is observed
    (_add_observee, {"observee"}),
    (_drop_observee, {"observee"}),
    # a next step goes only on an observation its author can read (PARTICIPANTS and creator)
    (_link_own_step, INVOLVED),
]
# Refusals that must not tell the record exists: answered as if it did not.
HIDDEN = {_link_own_step, _new_next_step_for_observee}


@pytest.mark.parametrize(
    ("action", "allowed"), WRITE_TABLE, ids=[a.__name__.strip("_") for a, _ in WRITE_TABLE]
)
def test_push_lets_each_role_do_exactly_what_it_may(factory, action, allowed):
    world = build_world(factory)
    for role in ROLES:
        client = world.clients[role]
        (result,) = client.push_ok([action(world, client)])
        if role in allowed:
            assert result["status"] in {"applied", "merged"}, (role, result)
        else:
            assert result["status"] == "rejected", (role, result)
            # Another school's records do not exist for the stranger: nothing to leak.
            hidden = role == "stranger" or action in HIDDEN
            codes = {"forbidden", "unknown_reference"} if hidden else {"forbidden"}
            assert result["error"]["code"] in codes, (role, result)
        if role in allowed:
            _undo(world, action, client)


def _undo(world, action, client):
    """Put the world back after an allowed write, so the next role meets the same world."""
    if action is _visibility:
        client.put("observation", world.observation, {"visibility": "participants"}, base=10**6)
    if action in (_delete_observation, _delete_note):
        entity = "observation" if action is _delete_observation else "note"
        record = world.observation if entity == "observation" else world.note
        client.put(entity, record, {"deleted": False}, base=10**6)
    if action in (_add_observee, _drop_observee):
        people = {"participants": _participants(world)}
        assert client.put("observation", world.observation, people, base=10**6)["status"] in {
            "applied",
            "merged",
        }


def test_rejected_writes_change_nothing(factory):
    world = build_world(factory)
    other = world.clients["other"]
    other.push_ok([_title(world, other), _edit_note(world, other), _new_note(world, other)])
    observer = world.clients["observer"]
    observer.pull_all()
    assert observer.record("observation", world.observation)["fields"]["title"] == "Year 8 maths"
    assert observer.record("note", world.note)["fields"]["text"] == "Pupils paired up quickly."
    assert len([k for k in observer.replica if k[0] == "note"]) == 1


def test_only_a_notes_author_may_recategorise_retime_or_delete_it(factory):
    """The PWA shows no edit control on someone else's note; a crafted push is refused too,
    for each field the note editor changes and for a delete, and changes nothing."""
    world = build_world(factory)
    observee = world.clients["observee"]
    crafted = [
        observee.mutation("note", world.note, {"category": "wondering"}, base=10**6),
        observee.mutation("note", world.note, {"minute": 44}, base=10**6),
        observee.mutation("note", world.note, {"text": "not mine"}, base=10**6),
        observee.mutation("note", world.note, op="delete", base=10**6),
    ]
    results = observee.push_ok(crafted)
    assert [(r["status"], r["error"]["code"]) for r in results] == [("rejected", "forbidden")] * 4
    observer = world.clients["observer"]
    observer.pull_all()
    note = observer.record("note", world.note)
    assert note is not None
    assert not note["deleted"]
    assert note["fields"]["text"] == "Pupils paired up quickly."
    assert (note["fields"]["category"], note["fields"]["minute"]) == ("evidence", 5)


def test_references_to_other_schools_are_refused(factory):
    world = build_world(factory)
    stranger = world.clients["stranger"]
    mine = new_id()
    stranger.put("observation", mine, observation_fields([(stranger.user_id, "observer")]))
    results = stranger.push_ok(
        [
            stranger.mutation("note", new_id(), note_fields(world.observation)),
            stranger.mutation(
                "observation",
                mine,
                {
                    "participants": [
                        {"user_id": stranger.user_id, "role": "observer"},
                        {"user_id": world.clients["observee"].user_id, "role": "observee"},
                    ]
                },
                base=10**6,
            ),
            stranger.mutation("observation", mine, {"focus_ids": [world.school_focus]}, base=10**6),
            stranger.mutation(
                "next_step", new_id(), {"owner_id": world.clients["observee"].user_id, "text": "x"}
            ),
        ]
    )
    assert [r["status"] for r in results] == ["rejected"] * 4
    assert [r["error"]["code"] for r in results] == ["unknown_reference"] * 4


def test_a_personal_focus_belongs_to_its_owners_observations_only(factory):
    world = build_world(factory)
    other = world.clients["other"]
    mine = new_id()
    result = other.put(
        "observation",
        mine,
        observation_fields([(other.user_id, "observer")], focus_ids=[world.personal_focus]),
    )
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "unknown_reference"
