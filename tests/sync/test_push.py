"""POST /api/v1/sync/push: every statement of PROTOCOL.md's push section, on both databases."""

from __future__ import annotations

import time

import pytest

from tests.support.sync import SyncClient, hlc, new_id, note_fields, observation_fields


@pytest.fixture
def pair(pair):
    """The shared observation (tests/sync/conftest.py), pulled by both phones."""
    observer, observee, _ = pair
    observer.pull_all()
    observee.pull_all()
    return pair


def test_applied_mutations_get_a_version_and_last_seq(pair):
    observer, _, obs_id = pair
    results = observer.push_ok(
        [observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(3)]
    )
    assert [r["status"] for r in results] == ["applied"] * 3
    versions = [r["version"] for r in results]
    assert versions == sorted(versions)
    assert len(set(versions)) == 3
    assert [r["seq"] for r in results] == [2, 3, 4]


def test_response_has_one_result_per_mutation_in_order(pair):
    observer, _, obs_id = pair
    batch = [
        observer.mutation("note", new_id(), note_fields(obs_id)),
        observer.mutation("note", new_id(), {"text": "missing fields"}),
        observer.mutation("note", new_id(), note_fields(obs_id)),
    ]
    body = observer.push(batch).get_json()
    assert [r["seq"] for r in body["results"]] == [m["seq"] for m in batch]
    assert [r["status"] for r in body["results"]] == ["applied", "rejected", "applied"]
    assert body["last_seq"] == batch[-1]["seq"]


def test_a_resent_batch_is_answered_duplicate_with_current_versions(pair):
    observer, _, obs_id = pair
    note_id = new_id()
    batch = [observer.mutation("note", note_id, note_fields(obs_id, text="first"))]
    first = observer.push_ok(batch)[0]
    observer.put("note", note_id, {"text": "second"}, base=first["version"])
    again = observer.push(batch).get_json()  # the phone lost the first response
    (result,) = again["results"]
    assert result["status"] == "duplicate"
    assert result["version"] == first["version"] + 1
    assert again["last_seq"] == observer.seq
    observer.pull_all()
    assert observer.record("note", note_id)["fields"]["text"] == "second"


def test_a_gap_answers_out_of_order_for_it_and_everything_after(pair):
    observer, _, obs_id = pair
    ids = [new_id() for _ in range(3)]
    observer.seq += 1  # skip one
    batch = [observer.mutation("note", i, note_fields(obs_id)) for i in ids]
    body = observer.push(batch).get_json()
    assert [r["status"] for r in body["results"]] == ["out_of_order"] * 3
    assert body["last_seq"] == 1
    observer.pull_all()
    assert all(observer.record("note", i) is None for i in ids)
    # resend from last+1
    for offset, m in enumerate(batch):
        m["seq"] = 2 + offset
    assert [r["status"] for r in observer.push_ok(batch)] == ["applied"] * 3


def test_a_gap_in_the_middle_keeps_what_came_before(pair):
    observer, _, obs_id = pair
    first = observer.mutation("note", new_id(), note_fields(obs_id))
    observer.seq += 5
    later = observer.mutation("note", new_id(), note_fields(obs_id))
    fits = dict(observer.mutation("note", new_id(), note_fields(obs_id)), seq=first["seq"] + 1)
    body = observer.push([first, later, fits]).get_json()
    assert [r["status"] for r in body["results"]] == ["applied", "out_of_order", "out_of_order"]
    assert body["last_seq"] == first["seq"]


def test_a_rejected_mutation_consumes_its_seq_and_blocks_nothing(pair):
    observer, _, obs_id = pair
    bad = observer.mutation("note", new_id(), note_fields(obs_id, category="gossip"))
    good = observer.mutation("note", new_id(), note_fields(obs_id))
    results = observer.push_ok([bad, good])
    assert results[0]["status"] == "rejected"
    error = results[0]["error"]
    assert error["code"] == "validation_error"
    assert "category" in error["details"]["fields"]
    assert error["message"]
    assert results[1]["status"] == "applied"
    assert observer.push_ok([bad])[0]["status"] == "duplicate"


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"text": "no observation"}, "observation_id"),
        ({"observation_id": "not-a-uuid"}, "observation_id"),
        ({"text": "x" * 10_001}, "text"),
        ({"minute": "five"}, "minute"),
        ({"at": "2026-11-20T09:00:00"}, "at"),
        ({"color": "red"}, "color"),
        ({"lookfor_rating": "great"}, "lookfor_rating"),
    ],
)
def test_bad_note_fields_are_rejected_and_change_nothing(pair, fields, bad_field):
    observer, _, obs_id = pair
    note_id = new_id()
    full = note_fields(obs_id)
    full.update(fields)
    if bad_field == "observation_id" and "observation_id" not in fields:
        del full["observation_id"]
    (result,) = observer.push_ok([observer.mutation("note", note_id, full)])
    assert result["status"] == "rejected"
    assert bad_field in result["error"]["details"]["fields"]
    observer.pull_all()
    assert observer.record("note", note_id) is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"entity": "pupil"}, "validation_error"),
        ({"op": "upsert"}, "validation_error"),
        ({"id": "12345"}, "validation_error"),
        ({"hlc": "yesterday"}, "invalid_hlc"),
        ({"hlc": "001732273000123:0000:"}, "invalid_hlc"),
        ({"hlc": "001732273000123:0000:another-device"}, "invalid_hlc"),
        ({"base_version": -1}, "validation_error"),
        ({"extra": True}, "validation_error"),
        ({"entity": "user"}, "read_only"),
        ({"entity": "team"}, "read_only"),
    ],
)
def test_malformed_mutations_are_rejected_one_by_one(pair, change, code):
    observer, _, obs_id = pair
    m = observer.mutation("note", new_id(), note_fields(obs_id))
    m.update(change)
    follow = observer.mutation("note", new_id(), note_fields(obs_id))
    results = observer.push_ok([m, follow])
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == code
    assert results[1]["status"] == "applied"


def test_create_needs_required_fields_and_defaults_the_rest(pair):
    observer, _, obs_id = pair
    note_id = new_id()
    assert observer.put("note", note_id, {"text": "only text"})["status"] == "rejected"
    assert observer.put("note", note_id, note_fields(obs_id))["status"] == "applied"
    observer.pull_all()
    fields = observer.record("note", note_id)["fields"]
    assert fields["tags"] == []
    assert fields["case_pupil"] == ""
    assert fields["lookfor_id"] is None
    new_obs = new_id()
    observer.put("observation", new_obs, observation_fields([(observer.user_id, "observer")]))
    observer.pull_all()
    obs = observer.record("observation", new_obs)["fields"]
    assert (obs["visibility"], obs["status"], obs["strengths"], obs["focus_ids"]) == (
        "participants",
        "draft",
        "",
        [],
    )


def test_a_partial_put_changes_only_its_fields(pair):
    observer, observee, obs_id = pair
    version = observer.record("observation", obs_id)["version"]
    observer.put("observation", obs_id, {"strengths": "Calm start."}, base=version)
    observee.pull_all()
    fields = observee.record("observation", obs_id)["fields"]
    assert fields["strengths"] == "Calm start."
    assert fields["title"] == "Year 8 maths"


def test_a_field_changed_at_or_below_base_version_takes_the_new_value(pair):
    observer, observee, obs_id = pair
    observer.put("observation", obs_id, {"wonderings": "first"})
    observee.pull_all()
    # the observee saw "first" and overwrites it, even with an older clock
    result = observee.put(
        "observation", obs_id, {"wonderings": "second"}, hlc=hlc(observee.session.client_id, 1000)
    )
    assert result["status"] == "applied"
    assert "conflicts" not in result
    observer.pull_all()
    assert observer.record("observation", obs_id)["fields"]["wonderings"] == "second"


def _both_write_strengths(pair, first: str, second: str, later_by_ms: int) -> dict:
    """The observer, then the observee from the same base, each write `strengths`; the
    observee's stamp is `later_by_ms` after the observer's (negative: before). The second
    push's result."""
    observer, observee, obs_id = pair
    base = observer.record("observation", obs_id)["version"]
    now = int(time.time() * 1000)
    stamp = hlc(observer.session.client_id, now)
    observer.put("observation", obs_id, {"strengths": first}, base=base, hlc=stamp)
    stamp = hlc(observee.session.client_id, now + later_by_ms)
    return observee.put("observation", obs_id, {"strengths": second}, base=base, hlc=stamp)


def test_concurrent_edits_keep_both_values(pair):
    observer, observee, obs_id = pair
    result = _both_write_strengths(pair, "Mine: great questioning.", "Theirs: calm routines.", 10)
    assert result["status"] == "merged"
    (conflict,) = result["conflicts"]
    assert set(conflict) == {"id", "field", "value", "hlc", "author_id"}
    assert conflict["field"] == "strengths"
    assert conflict["value"] == "Mine: great questioning."
    assert conflict["author_id"] == observer.user_id
    for client in (observer, observee):
        client.pull_all()
        record = client.record("observation", obs_id)
        assert record["fields"]["strengths"] == "Theirs: calm routines."  # greater hlc wins
        assert record["conflicts"] == [conflict]


def test_the_older_stamp_loses_but_is_kept(pair):
    observer, observee, obs_id = pair
    result = _both_write_strengths(pair, "later", "earlier", -60_000)
    assert result["status"] == "merged"
    assert result["conflicts"][0]["value"] == "earlier"
    assert result["conflicts"][0]["author_id"] == observee.user_id
    observer.pull_all()
    assert observer.record("observation", obs_id)["fields"]["strengths"] == "later"


def test_same_value_edits_are_not_conflicts(pair):
    observer, observee, obs_id = pair
    base = observer.record("observation", obs_id)["version"]
    observer.put("observation", obs_id, {"status": "captured"}, base=base)
    result = observee.put("observation", obs_id, {"status": "captured"}, base=base)
    assert result["status"] == "applied"
    assert "conflicts" not in result


def test_resolves_clears_conflicts_shown_to_a_person(pair):
    observer, observee, obs_id = pair
    base = observer.record("observation", obs_id)["version"]
    observer.put("observation", obs_id, {"strengths": "A"}, base=base)
    conflict = observee.put("observation", obs_id, {"strengths": "B"}, base=base)["conflicts"][0]
    observee.pull_all()
    current = observee.record("observation", obs_id)["version"]
    result = observee.put(
        "observation", obs_id, {"strengths": "A and B"}, base=current, resolves=[conflict["id"]]
    )
    assert result["status"] == "applied"
    assert "conflicts" not in result
    observer.pull_all()
    record = observer.record("observation", obs_id)
    assert record["fields"]["strengths"] == "A and B"
    assert record["conflicts"] == []


def test_a_clock_far_ahead_is_clamped_and_does_not_win_forever(pair):
    observer, observee, obs_id = pair
    base = observer.record("observation", obs_id)["version"]
    a_year_ahead = int(time.time() * 1000) + 365 * 24 * 3600 * 1000
    result = observer.put(
        "observation",
        obs_id,
        {"reflection": "from the future"},
        base=base,
        hlc=hlc(observer.session.client_id, a_year_ahead),
    )
    assert result["clock_clamped"] is True
    time.sleep(0.01)
    later = observee.put(
        "observation",
        obs_id,
        {"reflection": "honest clock"},
        base=base,
        hlc=hlc(observee.session.client_id),
    )
    assert later["status"] == "merged"
    observer.pull_all()
    record = observer.record("observation", obs_id)
    assert record["fields"]["reflection"] == "honest clock"
    assert record["conflicts"][0]["value"] == "from the future"


def test_a_clock_within_five_minutes_is_not_clamped(pair):
    observer, _, obs_id = pair
    ahead = int(time.time() * 1000) + 4 * 60 * 1000
    result = observer.put(
        "note", new_id(), note_fields(obs_id), hlc=hlc(observer.session.client_id, ahead)
    )
    assert result["status"] == "applied"
    assert "clock_clamped" not in result


def test_delete_is_a_tombstone_that_keeps_fields_and_can_be_restored(pair):
    observer, observee, obs_id = pair
    note_id = new_id()
    observer.put("note", note_id, note_fields(obs_id, text="keep me"))
    observee.pull_all()
    deleted = observer.delete("note", note_id)
    assert deleted["status"] == "applied"
    observee.pull_all()
    tombstone = observee.record("note", note_id)
    assert tombstone["deleted"] is True
    assert tombstone["fields"]["text"] == "keep me"
    restored = observer.put("note", note_id, {"deleted": False}, base=deleted["version"])
    assert restored["status"] == "applied"
    observee.pull_all()
    assert observee.record("note", note_id)["deleted"] is False


def test_a_delete_of_nothing_is_rejected(pair):
    observer, _, _ = pair
    result = observer.delete("note", new_id())
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "not_found"


def test_an_edit_concurrent_with_a_delete_is_not_lost(pair):
    observer, observee, obs_id = pair
    base = observer.record("observation", obs_id)["version"]
    observer.delete("observation", obs_id, base=base)
    result = observee.put("observation", obs_id, {"reflection": "written offline"}, base=base)
    assert result["status"] == "applied"
    observer.pull_all()
    record = observer.record("observation", obs_id)
    assert record["deleted"] is True
    assert record["fields"]["reflection"] == "written offline"


def test_a_token_whose_client_id_is_not_the_bodys_gets_403(pair, factory, school):
    observer, observee, obs_id = pair
    response = observer.session.post(
        "/api/v1/sync/push",
        json={
            "client_id": observee.session.client_id,
            "mutations": [observer.mutation("note", new_id(), note_fields(obs_id))],
        },
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "client_mismatch"


@pytest.mark.parametrize(
    "body",
    [
        {"mutations": []},
        {"client_id": "nope", "mutations": []},
        {"client_id": None},
        {"client_id": "6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11", "mutations": "all of them"},
        {"client_id": "6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11", "mutations": [{"entity": "note"}]},
        {"client_id": "6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11", "mutations": [{"seq": "1"}]},
        {"client_id": "6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11", "mutations": [{"seq": 0}]},
        {"client_id": "6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11", "mutations": [7]},
        {"client_id": "6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11", "mutations": [], "extra": 1},
    ],
)
def test_a_body_that_is_not_the_shape_is_400_and_applies_nothing(pair, body):
    observer, _, obs_id = pair
    if body.get("client_id") == "6f1c0a8e-8a9e-4a53-9e43-0d4a6f7d9a11":
        body = {**body, "client_id": observer.session.client_id}
    good = observer.mutation("note", new_id(), note_fields(obs_id))
    if isinstance(body.get("mutations"), list) and body["mutations"]:
        body = {**body, "mutations": [good, *body["mutations"]]}
    response = observer.session.post("/api/v1/sync/push", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
    observer.pull_all()
    assert observer.record("note", good["id"]) is None


def test_a_body_that_is_not_json_is_400(pair):
    observer, _, _ = pair
    response = observer.session.post(
        "/api/v1/sync/push", data=b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_over_1000_mutations_is_413_and_applies_nothing(pair):
    observer, _, obs_id = pair
    batch = [observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(1001)]
    response = observer.push(batch)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_many_mutations"
    observer.seq = 1
    observer.pull_all()
    assert not [k for k in observer.replica if k[0] == "note"]


def test_a_body_over_5_mb_is_413(pair):
    observer, _, obs_id = pair
    batch = [
        observer.mutation("note", new_id(), note_fields(obs_id, text="x" * 9_000))
        for _ in range(600)
    ]
    response = observer.push(batch)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_1000_mutations_are_accepted(pair):
    observer, _, obs_id = pair
    results = observer.push_ok(
        [observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(1000)]
    )
    assert {r["status"] for r in results} == {"applied"}


def test_created_by_comes_from_the_token_and_never_changes(pair):
    observer, observee, obs_id = pair
    note_id = new_id()
    observer.put("note", note_id, note_fields(obs_id, created_by=observee.user_id))
    observer.put("note", note_id, note_fields(obs_id))
    observee.pull_all()
    assert observee.record("note", note_id)["created_by"] == observer.user_id


def test_an_id_of_another_school_cannot_be_touched(pair, factory):
    observer, _, obs_id = pair
    stranger = SyncClient(factory.session(factory.school()))
    result = stranger.put("observation", obs_id, {"title": "taken over"}, base=99)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "forbidden"
    observer.pull_all()
    assert observer.record("observation", obs_id)["fields"]["title"] == "Year 8 maths"


def test_editing_a_field_twice_before_pulling_is_not_a_conflict_with_yourself(pair):
    observer, _, obs_id = pair
    base = observer.record("observation", obs_id)["version"]
    observer.put("observation", obs_id, {"strengths": "first thought"}, base=base)
    result = observer.put("observation", obs_id, {"strengths": "second thought"}, base=base)
    assert result["status"] == "applied"
    assert "conflicts" not in result
