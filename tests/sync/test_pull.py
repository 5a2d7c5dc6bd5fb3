"""GET /api/v1/sync/pull: every statement of PROTOCOL.md's pull section, on both databases."""

from __future__ import annotations

import pytest

from tests.support.sync import SyncClient, new_id, note_fields


def test_a_first_pull_brings_the_whole_visible_state(pair):
    observer, observee, obs_id = pair
    notes = [new_id() for _ in range(3)]
    observer.push_ok([observer.mutation("note", n, note_fields(obs_id)) for n in notes])
    changes = observee.pull_all()
    kinds = {(c["entity"], c["id"]) for c in changes}
    assert ("observation", obs_id) in kinds
    assert {("note", n) for n in notes} <= kinds
    assert ("user", observer.user_id) in kinds
    assert ("user", observee.user_id) in kinds
    change = observee.record("note", notes[0])
    assert set(change) == {
        "entity",
        "id",
        "version",
        "deleted",
        "fields",
        "created_by",
        "conflicts",
        "can",
    }
    assert change["can"] == {"edit": False, "delete": False}  # the observer wrote it
    assert change["created_by"] == observer.user_id
    assert change["fields"]["text"] == "Pupils paired up quickly."
    assert set(change["fields"]) == {
        "observation_id",
        "at",
        "minute",
        "category",
        "text",
        "tags",
        "case_pupil",
        "lookfor_id",
        "lookfor_rating",
        "visit_id",  # a learning walk's visit (README: leads)
    }


def test_directory_entries_are_read_only_user_and_team_records(factory, school):
    team = factory.team(school, "Science", kind="department")
    admin = factory.session(school, role="admin")
    member = factory.user(school, name="Sam Science")
    admin.patch(f"/api/v1/admin/users/{member.id}", json={"team_ids": [str(team.id)]})
    client = SyncClient(factory.session(school))
    client.pull_all()
    user = client.record("user", str(member.id))
    assert user["fields"] == {
        "display_name": "Sam Science",
        "role": "teacher",
        "team_ids": [str(team.id)],
        "active": True,
    }
    assert "email" not in user["fields"]
    assert client.record("user", admin.user["id"])["fields"]["team_ids"] == []
    assert client.record("team", str(team.id))["fields"] == {
        "name": "Science",
        "kind": "department",
    }


def test_each_user_entry_lists_only_its_own_teams_in_id_order(factory, school):
    teams = sorted((factory.team(school, name) for name in ("Maths", "Art", "Year 7")), key=str_id)
    admin = factory.session(school, role="admin")
    both, one, none = (factory.user(school, name=n) for n in ("Both", "One", "None"))
    for member, chosen in ((both, teams), (one, teams[1:2])):
        ids = [str(t.id) for t in chosen]
        assert (
            admin.patch(f"/api/v1/admin/users/{member.id}", json={"team_ids": ids}).status_code
            == 200
        )
    client = SyncClient(factory.session(school))
    client.pull_all()
    assert client.record("user", str(both.id))["fields"]["team_ids"] == [str_id(t) for t in teams]
    assert client.record("user", str(one.id))["fields"]["team_ids"] == [str(teams[1].id)]
    assert client.record("user", str(none.id))["fields"]["team_ids"] == []


def str_id(record):
    return str(record.id)


def test_changes_come_oldest_first_above_the_cursor(pair):
    observer, observee, obs_id = pair
    observee.pull_all()
    ids = [new_id() for _ in range(5)]
    for note_id in ids:
        observer.put("note", note_id, note_fields(obs_id))
    changes = observee.pull_all()
    assert [c["id"] for c in changes] == ids
    versions = [c["version"] for c in changes]
    assert versions == sorted(versions)
    assert observee.pull_all() == []


def test_a_record_changed_many_times_comes_once_in_its_latest_state(pair):
    observer, observee, obs_id = pair
    observee.pull_all()
    note_id = new_id()
    version = observer.put("note", note_id, note_fields(obs_id, text="v1"))["version"]
    for n in range(2, 6):
        version = observer.put("note", note_id, {"text": f"v{n}"}, base=version)["version"]
    changes = observee.pull_all()
    assert [(c["id"], c["fields"]["text"]) for c in changes] == [(note_id, "v5")]


def test_paging_sees_every_record_exactly_once(pair):
    observer, observee, obs_id = pair
    ids = [new_id() for _ in range(57)]
    observer.push_ok([observer.mutation("note", n, note_fields(obs_id)) for n in ids])
    pages = []
    while True:
        page = observee.pull_page(limit=10)
        pages.append(page)
        observee.cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert all(len(p["changes"]) <= 10 for p in pages)
    got = [c["id"] for p in pages for c in p["changes"] if c["entity"] == "note"]
    assert sorted(got) == sorted(ids)
    assert len(got) == len(set(got))


def test_limit_defaults_to_500_and_stops_at_2000(pair):
    observer, observee, obs_id = pair
    observer.push_ok([observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(600)])
    page = observee.pull_page()
    assert len(page["changes"]) == 500
    assert page["has_more"] is True
    for bad in ("0", "2001", "-1", "ten"):
        response = observee.pull(limit=bad)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "validation_error"
    assert len(observee.pull_page(limit=2000)["changes"]) >= 600


def test_a_first_pull_may_leave_out_deleted_records_but_a_cursor_pull_carries_tombstones(pair):
    observer, observee, obs_id = pair
    gone, kept = new_id(), new_id()
    observer.put("note", gone, note_fields(obs_id))
    observer.put("note", kept, note_fields(obs_id))
    observer.delete("note", gone)
    observee.pull_all()
    assert observee.record("note", gone) is None
    assert observee.record("note", kept) is not None
    observer.pull_all()
    observer.delete("note", kept)
    changes = observee.pull_all()
    assert [(c["id"], c["deleted"]) for c in changes] == [(kept, True)]
    assert observee.record("note", kept)["fields"]["text"]


def test_a_participant_removed_gets_an_eviction_once(pair):
    observer, observee, obs_id = pair
    note_id = new_id()
    observer.put("note", note_id, note_fields(obs_id))
    observee.pull_all()
    assert observee.record("observation", obs_id)
    assert observee.record("note", note_id)
    # the observee leaves (only an observee may change who is observed: tests/test_consent.py)
    observee.put(
        "observation", obs_id, {"participants": [{"user_id": observer.user_id, "role": "observer"}]}
    )
    changes = observee.pull_all()
    evicted = {(c["entity"], c["id"]) for c in changes if c.get("evicted")}
    assert evicted == {("observation", obs_id), ("note", note_id)}
    assert all(set(c) == {"entity", "id", "evicted"} for c in changes if c.get("evicted"))
    assert observee.record("observation", obs_id) is None
    assert observee.pull_all() == []


def test_visibility_narrowed_evicts_for_leads(factory, school, pair):
    _observer, observee, obs_id = pair
    lead = SyncClient(factory.session(school, role="lead"))
    observee.pull_all()
    version = observee.record("observation", obs_id)["version"]
    observee.put("observation", obs_id, {"visibility": "leads"}, base=version)
    lead.pull_all()
    assert lead.record("observation", obs_id) is not None
    observee.pull_all()
    observee.put("observation", obs_id, {"visibility": "participants"})
    changes = lead.pull_all()
    assert [
        (c["entity"], c["id"], c.get("evicted")) for c in changes if c["entity"] == "observation"
    ] == [("observation", obs_id, True)]
    assert lead.record("observation", obs_id) is None


def test_a_participant_added_later_receives_the_earlier_notes(factory, school, pair):
    observer, _observee, obs_id = pair
    newcomer = SyncClient(factory.session(school, name="Late Joiner"))
    newcomer.pull_all()
    note_id = new_id()
    observer.put("note", note_id, note_fields(obs_id, text="said before you joined"))
    observer.pull_all()
    people = observer.record("observation", obs_id)["fields"]["participants"]
    observer.put(
        "observation",
        obs_id,
        {"participants": [*people, {"user_id": newcomer.user_id, "role": "observer"}]},
    )
    newcomer.pull_all()
    assert newcomer.record("observation", obs_id) is not None
    assert newcomer.record("note", note_id)["fields"]["text"] == "said before you joined"


def test_a_lead_promoted_receives_what_was_shared_and_a_demoted_one_loses_it(factory, school, pair):
    observer, observee, obs_id = pair
    admin = factory.session(school, role="admin")
    teacher_user = factory.user(school, name="Soon Lead")
    watcher = SyncClient(factory.login(teacher_user))
    observee.pull_all()
    observee.put("observation", obs_id, {"visibility": "leads"})
    observer.put("note", new_id(), note_fields(obs_id))
    watcher.pull_all()
    assert watcher.record("observation", obs_id) is None
    admin.patch(f"/api/v1/admin/users/{teacher_user.id}", json={"role": "lead"})
    watcher.pull_all()
    assert watcher.record("observation", obs_id) is not None
    assert [k for k in watcher.replica if k[0] == "note"]
    admin.patch(f"/api/v1/admin/users/{teacher_user.id}", json={"role": "teacher"})
    watcher.pull_all()
    assert watcher.record("observation", obs_id) is None
    assert not [k for k in watcher.replica if k[0] == "note"]


@pytest.mark.parametrize("garbage", ["garbage", "", "x" * 300, "eyJ2IjoxfQ.abc"])
def test_a_garbage_cursor_is_400(pair, garbage):
    observer, _, _ = pair
    response = observer.pull(cursor=garbage or ".")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in {"invalid_cursor", "validation_error"}


def test_a_tampered_cursor_is_400(pair):
    observer, _, _ = pair
    cursor = observer.pull_page()["cursor"]
    payload, _, signature = cursor.rpartition(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature
    response = observer.pull(cursor=flipped)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_another_users_cursor_is_400(pair):
    observer, observee, _ = pair
    cursor = observer.pull_page()["cursor"]
    response = observee.pull(cursor=cursor)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_another_schools_cursor_is_400(factory, pair):
    observer, _, _ = pair
    stranger = SyncClient(factory.session(factory.school()))
    cursor = observer.pull_page()["cursor"]
    response = stranger.pull(cursor=cursor)
    assert response.status_code == 400


def test_nothing_crosses_schools(factory, pair):
    observer, _, obs_id = pair
    observer.put("note", new_id(), note_fields(obs_id))
    lead = SyncClient(factory.session(factory.school(), role="admin"))
    changes = lead.pull_all()
    assert {c["entity"] for c in changes} == {"user"}
    assert [c["id"] for c in changes] == [lead.user_id]


def test_a_pull_page_costs_a_fixed_number_of_queries(app, pair):
    """A 500-change page runs the same handful of statements as a 5-change page."""
    from sqlalchemy import event

    observer, observee, obs_id = pair
    counts = []
    with app.app_context():
        from server.extensions import db

        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for size in (5, 500):
            observer.push_ok(
                [observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(size)]
            )
            observee.pull_all()  # catch up first
            statements.clear()
            observee.cursor = None
            page = observee.pull_page(limit=500)
            assert len(page["changes"]) >= min(size, 500) - 1
            counts.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1]
    assert counts[1] <= 15


def _push_mid_page(observer, obs_id, injected):
    """The observer's phone edits the observation and adds a note (its id into `injected`)."""
    injected["note"] = new_id()
    writer = SyncClient(observer.session, seq=observer.seq)
    writer.push_ok(
        [
            writer.mutation("observation", obs_id, {"wonderings": "edited mid-page"}, base=10**6),
            writer.mutation(
                "note", injected["note"], note_fields(obs_id, text="committed mid-page")
            ),
        ]
    )
    observer.seq = writer.seq


def test_a_push_committed_while_a_page_is_being_read_is_not_skipped(app, pair, monkeypatch):
    """Commit an observation edit and a note after the page has read the school's counter but
    before its query runs: the page must not move the cursor past changes it did not carry,
    so the next pull brings both."""
    import threading

    from server.sync import pull as pull_service

    observer, observee, obs_id = pair
    observee.pull_all()
    original = pull_service.committed_version
    injected: dict[str, str] = {}

    def counter_then_commit(school_id):
        high = original(school_id)
        if "note" not in injected:
            thread = threading.Thread(target=_push_mid_page, args=(observer, obs_id, injected))
            thread.start()
            thread.join()
        return high

    monkeypatch.setattr(pull_service, "committed_version", counter_then_commit)
    observee.pull_all()
    monkeypatch.setattr(pull_service, "committed_version", original)
    observee.pull_all()
    assert observee.record("note", injected["note"]) is not None
    wonderings = observee.record("observation", obs_id)["fields"]["wonderings"]
    assert wonderings == "edited mid-page", "the edit committed mid-page was skipped"
