"""Consent rules of server/policy.py, attacked step by step through real pushes and pulls:

1. Once an observation has an observee, only an observee may add, remove or change an
   `observee` role (policy.may_change_observees), so nobody else can become "the observed
   teacher" and share the observation with leads (the two-step attack of issue 18).
2. A next step may name an observation only if its creator, and whoever sets the link, can
   read it (policy.may_link_next_step), so no one can make their text show on an observation
   they cannot see.
"""

from __future__ import annotations

import uuid

import pytest

from server import policy
from tests.support.sync import SyncClient, new_id, observation_fields


@pytest.fixture
def people(factory):
    school = factory.school()
    names = ("observer", "observee", "colleague", "outsider")
    clients = {n: SyncClient(factory.session(school, name=n)) for n in names}
    clients["lead"] = SyncClient(factory.session(school, role="lead", name="lead"))
    return clients


@pytest.fixture
def lesson(people):
    """The observer's record of the observee's lesson, kept among participants."""
    obs_id = new_id()
    fields = observation_fields(
        [(people["observer"].user_id, "observer"), (people["observee"].user_id, "observee")]
    )
    assert people["observer"].put("observation", obs_id, fields)["status"] == "applied"
    for client in people.values():
        client.pull_all()
    return obs_id


def _roles(people, **roles: str) -> list[dict[str, str]]:
    return [{"user_id": people[name].user_id, "role": role} for name, role in roles.items()]


def _lead_sees(people, obs_id: str) -> bool:
    people["lead"].pull_all()
    return people["lead"].record("observation", obs_id) is not None


def _refused(result: dict, code: str = "forbidden") -> bool:
    return result["status"] == "rejected" and result["error"]["code"] == code


def test_the_two_step_attack_is_refused_at_its_first_step(people, lesson):
    observer = people["observer"]
    swap = _roles(people, observer="observee", observee="observer")
    assert _refused(observer.put("observation", lesson, {"participants": swap}, base=10**6))
    assert _refused(observer.put("observation", lesson, {"visibility": "leads"}, base=10**6))
    assert not _lead_sees(people, lesson)
    people["observee"].pull_all()
    fields = people["observee"].record("observation", lesson)["fields"]
    assert (fields["participants"], fields["visibility"]) == (
        _roles(people, observer="observer", observee="observee"),
        "participants",
    )


@pytest.mark.parametrize(
    "roles",
    [
        {"observer": "observer"},  # the observee removed
        {"observer": "observer", "observee": "co_teacher"},  # demoted
        {"observer": "observee", "observee": "observee"},  # a second observee added
        {"observer": "observer", "observee": "observee", "colleague": "observee"},
        {"observer": "observer", "colleague": "observee"},  # someone else observed instead
    ],
)
def test_only_the_observee_changes_who_is_observed(people, lesson, roles):
    observer = people["observer"]
    new = {"participants": _roles(people, **roles)}
    assert _refused(observer.put("observation", lesson, new, base=10**6))
    both = {**new, "visibility": "leads"}  # in one mutation: refused just the same
    assert _refused(observer.put("observation", lesson, both, base=10**6))
    # and with no observee left, nobody could then share it: the record is as it was
    assert _refused(observer.put("observation", lesson, {"visibility": "leads"}, base=10**6))
    assert not _lead_sees(people, lesson)
    # the observee may make the very same change
    assert people["observee"].put("observation", lesson, new, base=10**6)["status"] == "applied"


def test_others_may_still_change_the_rest_of_the_participants(people, lesson):
    observer = people["observer"]
    more = _roles(people, observer="observer", observee="observee", colleague="co_teacher")
    assert observer.put("observation", lesson, {"participants": more}, base=10**6)["status"] == (
        "applied"
    )
    changed = _roles(people, observer="facilitator", observee="observee", colleague="observer")
    assert observer.put("observation", lesson, {"participants": changed}, base=10**6)["status"] == (
        "applied"
    )


def test_an_observation_without_an_observee_may_be_given_one_once(people):
    observer, obs_id = people["observer"], new_id()
    observer.put("observation", obs_id, observation_fields([(observer.user_id, "observer")]))
    first = _roles(people, observer="observer", observee="observee")
    assert observer.put("observation", obs_id, {"participants": first}, base=10**6)["status"] == (
        "applied"
    )
    again = _roles(people, observer="observer", colleague="observee")
    assert _refused(observer.put("observation", obs_id, {"participants": again}, base=10**6))


def test_a_new_observation_cannot_be_shared_for_its_observee(people):
    observer = people["observer"]
    fields = observation_fields(
        [(observer.user_id, "observer"), (people["observee"].user_id, "observee")],
        visibility="leads",
    )
    assert _refused(observer.put("observation", new_id(), fields))


def _step(client: SyncClient, obs_id: str | None, **extra) -> dict:
    fields = {"owner_id": client.user_id, "text": "OUTSIDER-STEP", **extra}
    if obs_id is not None:
        fields["observation_id"] = obs_id
    return fields


def test_a_next_step_cannot_be_put_on_an_observation_its_author_cannot_see(people, lesson):
    outsider = people["outsider"]
    result = outsider.put("next_step", new_id(), _step(outsider, lesson))
    assert _refused(result, "unknown_reference")  # as for one that does not exist
    missing = outsider.put("next_step", new_id(), _step(outsider, new_id()))
    assert result["error"] == dict(missing["error"], details=result["error"]["details"])
    people["observee"].pull_all()
    texts = [
        r["fields"]["text"] for (e, _), r in people["observee"].replica.items() if e == "next_step"
    ]
    assert "OUTSIDER-STEP" not in texts


def test_a_next_step_cannot_be_moved_onto_an_unseen_observation_later(people, lesson):
    outsider, step_id = people["outsider"], new_id()
    assert outsider.put("next_step", step_id, _step(outsider, None))["status"] == "applied"
    moved = outsider.put("next_step", step_id, {"observation_id": lesson}, base=10**6)
    assert _refused(moved, "unknown_reference")
    mine = new_id()
    outsider.put("observation", mine, observation_fields([(outsider.user_id, "observer")]))
    assert outsider.put("next_step", step_id, {"observation_id": mine}, base=10**6)["status"] == (
        "applied"
    )
    assert _refused(
        outsider.put("next_step", step_id, {"observation_id": lesson}, base=10**6),
        "unknown_reference",
    )
    people["observee"].pull_all()
    assert people["observee"].record("next_step", step_id) is None


def test_a_participant_cannot_move_someone_elses_step_where_its_author_cannot_see(people, lesson):
    """The colleague writes a step on a lesson shared with the observer; the observer, who
    may edit it there, tries to move it onto the observee's lesson the colleague cannot see."""
    colleague, observer = people["colleague"], people["observer"]
    theirs = new_id()
    fields = observation_fields([(colleague.user_id, "observee"), (observer.user_id, "observer")])
    colleague.put("observation", theirs, fields)
    step_id = new_id()
    assert colleague.put("next_step", step_id, _step(colleague, theirs))["status"] == "applied"
    observer.pull_all()
    moved = observer.put("next_step", step_id, {"observation_id": lesson}, base=10**6)
    assert _refused(moved, "forbidden")
    people["observee"].pull_all()
    assert people["observee"].record("next_step", step_id) is None


def test_steps_on_observations_their_authors_see_are_fine(people, lesson):
    observee, lead = people["observee"], people["lead"]
    assert observee.put("next_step", new_id(), _step(observee, lesson))["status"] == "applied"
    observee.put("observation", lesson, {"visibility": "leads"}, base=10**6)
    assert lead.put("next_step", new_id(), _step(lead, lesson))["status"] == "applied"


# ---- the rules themselves, as plain functions -------------------------------------------


class _User:
    def __init__(self) -> None:
        self.id = uuid.uuid4()


def _fields(*pairs: tuple[_User, str]) -> dict:
    return {"participants": [{"user_id": str(u.id), "role": r} for u, r in pairs]}


def test_may_change_observees_table():
    a, b, c = _User(), _User(), _User()
    current = _fields((a, "observer"), (b, "observee"))
    same = _fields((a, "co_teacher"), (b, "observee"), (c, "observer"))["participants"]
    swapped = _fields((a, "observee"), (b, "observer"))["participants"]
    assert policy.may_change_observees(current, same, a)  # the observee set is unchanged
    assert not policy.may_change_observees(current, swapped, a)
    assert not policy.may_change_observees(current, swapped, c)
    assert policy.may_change_observees(current, swapped, b)  # the observee may
    assert policy.may_change_observees(_fields((a, "observer")), swapped, a)  # none yet


def test_may_link_next_step_table():
    author, writer = _User(), _User()
    assert policy.may_link_next_step(author.id, author, {author.id})
    assert not policy.may_link_next_step(author.id, writer, {writer.id})
    assert not policy.may_link_next_step(author.id, writer, {author.id})
    assert policy.may_link_next_step(author.id, writer, {author.id, writer.id})
