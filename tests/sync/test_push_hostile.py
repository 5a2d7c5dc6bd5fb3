"""Hostile values inside a push: each bad mutation is `rejected` on its own (one date rule for
every timestamp and date, one text rule for every text field) while the rest of the batch
applies, and nothing of the rejected one is stored. On both databases."""

from __future__ import annotations

import pytest

from tests.support.sync import SyncClient, new_id, note_fields, observation_fields

LONE = ["a\ud800b", "\udfff", "tail \ud83d"]  # a lone surrogate, as a cut emoji leaves
OUTSIDE = [
    "0001-01-01T00:00:00+01:00",  # before the first day in UTC: astimezone() overflows
    "9999-12-31T23:59:59-01:00",  # after the last
    "0001-01-01T12:00:00+00:00",  # the first day itself: no day left to show it in a time zone
    "9999-12-31T00:00:00Z",
]


@pytest.fixture
def phone(factory):
    school = factory.school()
    phone = SyncClient(factory.session(school))
    obs_id = new_id()
    phone.put("observation", obs_id, observation_fields([(phone.user_id, "observee")]))
    phone.pull_all()
    return phone, obs_id


def _batch_with(phone: SyncClient, obs_id: str, entity: str, fields: dict) -> list[dict]:
    """A good note, the bad mutation, a good note."""
    return [
        phone.mutation("note", new_id(), note_fields(obs_id, text="before")),
        phone.mutation(entity, new_id(), fields),
        phone.mutation("note", new_id(), note_fields(obs_id, text="after")),
    ]


def _assert_only_the_middle_rejected(phone: SyncClient, batch: list[dict], field: str) -> dict:
    results = phone.push_ok(batch)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    error = results[1]["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]["fields"], error
    phone.pull_all()
    assert phone.record(batch[1]["entity"], batch[1]["id"]) is None
    assert phone.record("note", batch[0]["id"])
    assert phone.record("note", batch[2]["id"])
    return error


@pytest.mark.parametrize("at", OUTSIDE)
def test_a_note_time_outside_the_calendar_rejects_that_note_only(phone, at):
    phone, obs_id = phone
    batch = _batch_with(phone, obs_id, "note", note_fields(obs_id, at=at))
    error = _assert_only_the_middle_rejected(phone, batch, "at")
    assert "0001-01-02" in error["details"]["fields"]["at"][0]


@pytest.mark.parametrize("starts_at", OUTSIDE)
def test_an_observation_start_outside_the_calendar_rejects_it_only(phone, starts_at):
    phone, obs_id = phone
    fields = observation_fields([(phone.user_id, "observer")], starts_at=starts_at)
    _assert_only_the_middle_rejected(
        phone, _batch_with(phone, obs_id, "observation", fields), "starts_at"
    )


def test_a_change_of_start_outside_the_calendar_leaves_the_record(phone):
    phone, obs_id = phone
    before = phone.record("observation", obs_id)
    (result,) = phone.push_ok([phone.mutation("observation", obs_id, {"starts_at": OUTSIDE[0]})])
    assert result["status"] == "rejected"
    assert phone.pull_all() == []
    assert phone.record("observation", obs_id) == before


@pytest.mark.parametrize("due_on", ["0001-01-01", "9999-12-31"])
def test_a_due_date_at_the_edge_of_the_calendar_rejects_that_step_only(phone, due_on):
    phone, obs_id = phone
    fields = {"owner_id": phone.user_id, "text": "Try it", "due_on": due_on}
    _assert_only_the_middle_rejected(
        phone, _batch_with(phone, obs_id, "next_step", fields), "due_on"
    )


def test_the_edges_just_inside_the_calendar_are_stored_and_pulled(phone):
    phone, obs_id = phone
    first = phone.mutation("note", new_id(), note_fields(obs_id, at="0001-01-02T00:00:00Z"))
    last = phone.mutation("note", new_id(), note_fields(obs_id, at="9999-12-30T23:59:59+00:00"))
    step = {"owner_id": phone.user_id, "text": "Far off", "due_on": "9999-12-30"}
    batch = [first, last, phone.mutation("next_step", new_id(), step)]
    assert [r["status"] for r in phone.push_ok(batch)] == ["applied"] * 3
    phone.pull_all()
    assert phone.record("note", first["id"])["fields"]["at"].startswith("0001-01-02T00:00:00")
    assert phone.record("note", last["id"])["fields"]["at"].startswith("9999-12-30T23:59:59")


@pytest.mark.parametrize("text", LONE)
def test_a_lone_surrogate_in_note_text_rejects_that_note_only(phone, text):
    phone, obs_id = phone
    batch = _batch_with(phone, obs_id, "note", note_fields(obs_id, text=text))
    _assert_only_the_middle_rejected(phone, batch, "text")


@pytest.mark.parametrize(
    ("entity", "field", "value"),
    [
        ("note", "tags", ["ok", "b\ud800"]),
        ("note", "case_pupil", "\udc00"),
        ("observation", "title", "Year 8 \ud800"),
        ("observation", "reflection", "\ud800"),
        ("observation", "case_pupils", ["A", "\ud800"]),
        ("next_step", "text", "\udfff"),
        ("focus", "title", "\ud800"),
    ],
)
def test_a_lone_surrogate_in_any_text_field_rejects_that_mutation_only(phone, entity, field, value):
    phone, obs_id = phone
    fields = {
        "note": note_fields(obs_id),
        "observation": observation_fields([(phone.user_id, "observer")]),
        "next_step": {"owner_id": phone.user_id, "text": "Try it"},
        "focus": {"title": "Mine", "kind": "personal"},
    }[entity]
    fields[field] = value
    _assert_only_the_middle_rejected(phone, _batch_with(phone, obs_id, entity, fields), field)


def test_a_lone_surrogate_in_the_hlc_rejects_that_mutation_only(phone):
    phone, obs_id = phone
    batch = _batch_with(phone, obs_id, "note", note_fields(obs_id))
    batch[1]["hlc"] = batch[1]["hlc"] + "\ud800"
    results = phone.push_ok(batch)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["error"]["details"]["hlc"]


def test_an_emoji_written_as_a_surrogate_pair_is_text(phone):
    phone, obs_id = phone
    note_id = new_id()
    body = (
        f'{{"client_id": "{phone.session.client_id}", "mutations": [{{"seq": 2, "entity": '
        f'"note", "id": "{note_id}", "op": "put", "hlc": "{phone.stamp()}", "fields": '
        f'{{"observation_id": "{obs_id}", "at": "2026-11-20T09:05:00Z", "category": '
        f'"evidence", "text": "\\ud83d\\ude00"}}}}]}}'
    )
    response = phone.session.post("/api/v1/sync/push", data=body, content_type="application/json")
    assert response.get_json()["results"][0]["status"] == "applied"
    phone.pull_all()
    assert phone.record("note", note_id)["fields"]["text"] == "😀"


def test_a_duplicate_naming_a_record_the_pusher_cannot_read_carries_no_version(factory):
    school = factory.school()
    alice = SyncClient(factory.session(school, name="Alice"))
    mallory = SyncClient(factory.session(school, name="Mallory"))
    private = new_id()
    alice.put("observation", private, observation_fields([(alice.user_id, "observee")]))
    note_id = new_id()
    alice.put("note", note_id, note_fields(private))
    own = new_id()
    first = mallory.mutation(
        "observation", own, observation_fields([(mallory.user_id, "observer")])
    )
    mallory.push_ok([first])
    # Mallory replays seq 1 naming Alice's records: answered duplicate, and nothing about them
    replays = [dict(first, id=private), dict(first, entity="note", id=note_id), first]
    results = mallory.push_ok(replays)
    assert [r["status"] for r in results] == ["duplicate"] * 3
    assert "version" not in results[0]
    assert "version" not in results[1]
    assert results[2]["version"] >= 1  # her own record: its version, as PROTOCOL.md says


def test_a_duplicate_carries_the_version_of_what_the_pusher_may_read(factory):
    school = factory.school()
    observee = SyncClient(factory.session(school))
    lead = SyncClient(factory.session(school, role="lead"))
    shared = new_id()
    fields = observation_fields([(observee.user_id, "observee")], visibility="leads")
    version = observee.put("observation", shared, fields)["version"]
    first = lead.mutation("focus", new_id(), {"title": "Questioning", "kind": "school"})
    lead.push_ok([first])
    (result,) = lead.push_ok([dict(first, entity="observation", id=shared)])
    assert result == {"seq": first["seq"], "status": "duplicate", "version": version}
