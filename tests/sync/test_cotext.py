"""Co-written text over real HTTP, on both databases (README: "Co-written text").

A co-written field may be pushed as {"yjs": update}: edits merge into the field's document and
never conflict; a plain string keeps PROTOCOL.md's rules and moves the document to its text;
pull carries each record's documents; limits apply to the merged text; a bad update is
rejected and changes nothing.
"""

from __future__ import annotations

import base64

import pycrdt
import pytest

from server.sync.cotext import FIELDS
from tests.support.cotext import Replica, b64, edit, text_of_state
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields

OBS = "observation"
START = "We noticed careful questioning."


@pytest.fixture
def pair(factory):
    """Two participants who both pulled an observation whose strengths hold START."""
    school = factory.school()
    a, b = SyncClient(factory.session(school)), SyncClient(factory.session(school))
    obs_id = new_id()
    people = [(a.user_id, "observer"), (b.user_id, "observee")]
    assert a.put(OBS, obs_id, observation_fields(people, strengths=START))["status"] == "applied"
    a.pull_all()
    b.pull_all()
    return a, b, obs_id


def _pulled(client: SyncClient, obs_id: str) -> dict:
    client.pull_all()
    record = client.record(OBS, obs_id)
    assert record is not None
    return record


def test_pull_carries_every_co_written_fields_document(pair):
    a, _, obs_id = pair
    record = a.record(OBS, obs_id)
    assert set(record["yjs"]) == set(FIELDS["observation"])
    for name in FIELDS["observation"]:
        assert text_of_state(record["yjs"][name]) == record["fields"][name]
    assert record["fields"]["strengths"] == START


def test_concurrent_edits_merge_in_place_with_no_conflict(pair):
    a, b, obs_id = pair
    mine, theirs = Replica.pulled(a.record(OBS, obs_id), "strengths"), None
    theirs = Replica.pulled(b.record(OBS, obs_id), "strengths")
    first = a.put(OBS, obs_id, {"strengths": edit(mine.insert(0, "Calm start. "))})
    second = b.put(OBS, obs_id, {"strengths": edit(theirs.insert(len(START), " Good pace."))})
    assert (first["status"], second["status"]) == ("applied", "applied")
    assert "conflicts" not in second
    record = _pulled(b, obs_id)
    assert record["fields"]["strengths"] == "Calm start. " + START + " Good pace."
    assert record["conflicts"] == []
    assert text_of_state(record["yjs"]["strengths"]) == record["fields"]["strengths"]


def test_the_same_update_sent_again_changes_nothing(pair):
    a, _, obs_id = pair
    update = Replica.pulled(a.record(OBS, obs_id), "wonderings").insert(0, "Why groups?")
    first = a.put(OBS, obs_id, {"wonderings": edit(update)})
    again = a.put(OBS, obs_id, {"wonderings": edit(update)})  # a new seq: not a duplicate
    assert again["status"] == "applied"
    assert again["version"] == first["version"]
    assert _pulled(a, obs_id)["fields"]["wonderings"] == "Why groups?"


def test_an_update_ahead_of_one_it_needs_waits_for_it(pair):
    a, b, obs_id = pair
    mine = Replica.pulled(a.record(OBS, obs_id), "strengths")
    first = mine.insert(0, "One. ")
    second = mine.insert(len("One. "), "Two. ")  # placed after "One. ": it needs the first
    assert a.put(OBS, obs_id, {"strengths": edit(second)})["status"] == "applied"
    assert _pulled(b, obs_id)["fields"]["strengths"] == START  # held back, not lost
    assert a.put(OBS, obs_id, {"strengths": edit(first)})["status"] == "applied"
    record = _pulled(b, obs_id)
    assert record["fields"]["strengths"] == "One. Two. " + START
    assert text_of_state(record["yjs"]["strengths"]) == record["fields"]["strengths"]


def test_a_plain_string_still_conflicts_and_moves_the_document(pair):
    a, b, obs_id = pair
    base = a.record(OBS, obs_id)["version"]
    a.put(
        OBS,
        obs_id,
        {"strengths": edit(Replica.pulled(a.record(OBS, obs_id), "strengths").insert(0, "Yjs: "))},
    )
    result = b.put(OBS, obs_id, {"strengths": "A plain rewrite."}, base=base)
    assert result["status"] == "merged"  # concurrent: the later stamp wins, the other is kept
    (conflict,) = result["conflicts"]
    assert conflict["value"] == "Yjs: " + START
    record = _pulled(a, obs_id)
    assert record["fields"]["strengths"] == "A plain rewrite."
    assert text_of_state(record["yjs"]["strengths"]) == "A plain rewrite."
    later = Replica.pulled(record, "strengths").insert(len("A plain rewrite."), " More.")
    assert a.put(OBS, obs_id, {"strengths": edit(later)})["status"] == "applied"
    assert _pulled(b, obs_id)["fields"]["strengths"] == "A plain rewrite. More."


def test_a_plain_string_seen_replaces_the_text_and_its_document(pair):
    a, b, obs_id = pair
    assert a.put(OBS, obs_id, {"reflection": "Next time: exit tickets."})["status"] == "applied"
    record = _pulled(b, obs_id)
    assert text_of_state(record["yjs"]["reflection"]) == "Next time: exit tickets."
    update = Replica.pulled(record, "reflection").insert(len("Next time: "), "short ")
    assert b.put(OBS, obs_id, {"reflection": edit(update)})["status"] == "applied"
    assert _pulled(a, obs_id)["fields"]["reflection"] == "Next time: short exit tickets."


def _unchanged(client: SyncClient, obs_id: str, before: dict) -> None:
    client.pull_all()
    after = client.record(OBS, obs_id)
    assert (after["version"], after["fields"], after["yjs"]) == (
        before["version"],
        before["fields"],
        before["yjs"],
    )


def test_an_update_taking_the_merged_text_over_its_limit_is_rejected(pair):
    a, b, obs_id = pair
    long_text = "x" * 19_990
    a.put(OBS, obs_id, {"reflection": long_text})
    mine = Replica.pulled(_pulled(a, obs_id), "reflection")
    theirs = Replica.pulled(_pulled(b, obs_id), "reflection")
    ok = a.put(OBS, obs_id, {"reflection": edit(mine.insert(0, "a" * 10))})  # 20,000: fits
    assert ok["status"] == "applied"
    before = _pulled(a, obs_id)
    over = b.put(OBS, obs_id, {"reflection": edit(theirs.insert(0, "b"))})  # merged: 20,001
    assert over["status"] == "rejected"
    assert over["error"]["code"] == "text_too_long"
    _unchanged(a, obs_id, before)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"yjs": "not base64!"}, "invalid_yjs"),
        ({"yjs": b64(b"\x01\x02\x03garbage")}, "invalid_yjs"),
        ({"yjs": ""}, "invalid_yjs"),
        ({"yjs": 5}, "validation_error"),
        ({"yjs": "AAA=", "more": 1}, "validation_error"),
        ({"json": "AAA="}, "validation_error"),
    ],
)
def test_a_malformed_update_is_rejected_and_changes_nothing(pair, value, code):
    a, _, obs_id = pair
    before = a.record(OBS, obs_id)
    result = a.put(OBS, obs_id, {"strengths": value, "title": "Changed?"})
    assert result["status"] == "rejected"
    assert result["error"]["code"] == code
    assert set(result["error"]) <= {"code", "message", "details"}
    _unchanged(a, obs_id, before)


def test_an_update_to_another_root_is_rejected(pair):
    a, _, obs_id = pair
    stray = Replica()
    stray.doc.get("other", type=pycrdt.Text).insert(0, "hidden")
    update = base64.b64encode(stray.doc.get_update()).decode()
    before = a.record(OBS, obs_id)
    result = a.put(OBS, obs_id, {"strengths": edit(update)})
    assert (result["status"], result["error"]["code"]) == ("rejected", "invalid_yjs")
    _unchanged(a, obs_id, before)


def test_a_next_step_is_created_and_co_written_through_yjs(pair):
    a, b, obs_id = pair
    step_id, draft = new_id(), Replica()
    fields = {"owner_id": b.user_id, "observation_id": obs_id, "text": edit(draft.insert(0, "Try"))}
    assert a.put("next_step", step_id, fields)["status"] == "applied"
    b.pull_all()
    step = b.record("next_step", step_id)
    assert step["fields"]["text"] == "Try"
    theirs = Replica.pulled(step, "text")
    b.put("next_step", step_id, {"text": edit(theirs.insert(3, " mini whiteboards"))})
    a.pull_all()
    assert a.record("next_step", step_id)["fields"]["text"] == "Try mini whiteboards"
    emptied = b.put("next_step", step_id, {"text": edit(theirs.delete(0, len(theirs.text)))})
    assert (emptied["status"], emptied["error"]["code"]) == ("rejected", "validation_error")


def test_notes_carry_no_documents(pair):
    a, _, obs_id = pair
    note_id = new_id()
    a.put("note", note_id, note_fields(obs_id))
    a.pull_all()
    assert "yjs" not in a.record("note", note_id)
