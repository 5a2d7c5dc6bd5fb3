"""Pull extensions of issue 12: `remaining` on every page, and the cheap "nothing new" pull."""

from __future__ import annotations

import uuid

from itsdangerous import URLSafeSerializer
from sqlalchemy import event

from server.extensions import db
from server.sync.cursor import CURSOR_SALT
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields


def _pages(client: SyncClient, limit: int) -> list[dict]:
    pages = []
    while True:
        page = client.pull_page(limit)
        pages.append(page)
        client.cursor = page["cursor"]
        if not page["has_more"]:
            return pages


def test_a_first_pull_over_several_pages_counts_down_to_zero(pair, factory, school):
    observer, observee, obs_id = pair
    outsider = SyncClient(factory.session(school, name="Otto Outsider"))
    hidden = new_id()
    outsider.put("observation", hidden, observation_fields([(outsider.user_id, "observer")]))
    outsider.push_ok([outsider.mutation("note", new_id(), note_fields(hidden)) for _ in range(4)])
    observer.push_ok([observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(9)])
    pages = _pages(observee, limit=3)
    total = sum(len(page["changes"]) for page in pages)
    assert len(pages) >= 4
    remaining = [page["remaining"] for page in pages]
    assert remaining[-1] == 0
    assert remaining == sorted(remaining, reverse=True)
    assert len(set(remaining)) == len(remaining)
    # What it says is still to come is what the later pages carried (nothing else changed):
    # the outsider's hidden observation and notes are not counted.
    for index, page in enumerate(pages):
        assert page["remaining"] == sum(len(p["changes"]) for p in pages[index + 1 :])
    assert total == len(pages[0]["changes"]) + pages[0]["remaining"]


def test_changes_committed_between_pages_are_counted_on_the_next(pair, factory, school):
    observer, observee, obs_id = pair
    observer.push_ok([observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(6)])
    first = observee.pull_page(limit=3)
    observee.cursor = first["cursor"]
    outsider = SyncClient(factory.session(school, name="Otto Outsider"))  # a visible user
    hidden = new_id()
    outsider.put("observation", hidden, observation_fields([(outsider.user_id, "observer")]))
    observer.push_ok([observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(2)])
    pages = _pages(observee, limit=3)
    assert pages[0]["remaining"] == sum(len(p["changes"]) for p in pages[1:])
    assert first["remaining"] + 3 == sum(len(p["changes"]) for p in pages)
    assert pages[-1]["remaining"] == 0


def test_a_cursor_of_four_items_from_before_remaining_still_works(app, pair, school):
    observer, observee, obs_id = pair
    observee.pull_all()
    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt=CURSOR_SALT)
    owner = [uuid.UUID(observee.user_id).hex, school.id.hex]
    note = new_id()
    observer.push_ok([observer.mutation("note", note, note_fields(obs_id))])
    page = observee.pull_page(cursor=serializer.dumps([*owner, 0, 0]))
    assert ("note", note) in {(c["entity"], c["id"]) for c in page["changes"]}
    assert page["remaining"] == 0
    assert observee.pull(cursor=serializer.dumps([*owner, 0, 0, 5])).status_code == 400
    assert observee.pull(cursor=serializer.dumps([*owner, 0, 0, 5, -1])).status_code == 400


def test_one_page_only_gives_zero(pair):
    observer, observee, obs_id = pair
    observer.push_ok([observer.mutation("note", new_id(), note_fields(obs_id))])
    page = observee.pull_page()
    assert page["has_more"] is False
    assert page["changes"]
    assert page["remaining"] == 0


def test_a_later_pull_counts_only_what_is_new(pair):
    observer, observee, obs_id = pair
    observee.pull_all()
    observer.push_ok([observer.mutation("note", new_id(), note_fields(obs_id)) for _ in range(5)])
    first = observee.pull_page(limit=2)
    assert (len(first["changes"]), first["remaining"]) == (2, 3)


class Statements:
    """Every SQL statement the app runs while counting."""

    def __init__(self, app):
        self.app, self.seen = app, []

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def _record(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_nothing_new_answers_exactly_as_before_without_the_page_query(app, pair, factory, school):
    observer, observee, obs_id = pair
    observee.pull_all()
    before = observee.pull_page()  # the full answer of an up-to-date cursor
    assert before["changes"] == []
    assert before["has_more"] is False
    with Statements(app) as statements:
        again = observee.pull_page()
    assert again == before
    assert again["cursor"] == observee.cursor == before["cursor"]
    assert not any("UNION" in s.upper() for s in statements.seen), statements.seen
    # And the cursor still carries on: a new note comes on the next pull.
    note = new_id()
    observer.push_ok([observer.mutation("note", note, note_fields(obs_id))])
    with Statements(app) as statements:
        changes = observee.pull_all()
    assert [(c["entity"], c["id"]) for c in changes] == [("note", note)]
    assert any("UNION" in s.upper() for s in statements.seen)


def test_an_invisible_change_still_gets_the_same_empty_answer(pair, factory, school):
    _, observee, _ = pair
    observee.pull_all()
    outsider = SyncClient(factory.session(school, name="Otto Outsider"))
    observee.pull_all()  # the outsider's user record
    outsider.put("observation", new_id(), observation_fields([(outsider.user_id, "observer")]))
    page = observee.pull_page()
    assert (page["changes"], page["has_more"], page["remaining"]) == ([], False, 0)
    assert observee.pull_page() == page


def test_the_openapi_document_has_remaining(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    pull = schemas["PullResponse"]
    assert "remaining" in pull["required"]
    assert pull["properties"]["remaining"]["type"] == "integer"
