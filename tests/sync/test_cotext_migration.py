"""Migration 0004 gives every existing observation and next step its co-written documents,
seeded from the text it holds, on both databases (then pulls carry them and edits merge)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade

from server.extensions import db
from tests.support.cotext import Replica, edit, text_of_state
from tests.support.sync import SyncClient, new_id, observation_fields


def test_existing_records_get_documents_seeded_from_their_text(app, factory):
    school = factory.school()
    a = SyncClient(factory.session(school))
    obs_id, step_id = new_id(), new_id()
    fields = observation_fields([(a.user_id, "observer")], strengths="Calm start.")
    a.put("observation", obs_id, fields)
    a.put("next_step", step_id, {"owner_id": a.user_id, "text": "Try exit tickets"})
    with app.app_context():
        downgrade(revision="0003")  # as the records were before co-written text
        upgrade()
        db.session.remove()
    a.pull_all()
    record = a.record("observation", obs_id)
    assert {name: text_of_state(state) for name, state in record["yjs"].items()} == {
        "focus_question": "",
        "learning_intention": "",
        "strengths": "Calm start.",
        "wonderings": "",
        "reflection": "",
    }
    assert text_of_state(a.record("next_step", step_id)["yjs"]["text"]) == "Try exit tickets"
    update = Replica.pulled(record, "strengths").insert(len("Calm start."), " Good pace.")
    assert a.put("observation", obs_id, {"strengths": edit(update)})["status"] == "applied"
    a.pull_all()
    assert a.record("observation", obs_id)["fields"]["strengths"] == "Calm start. Good pace."
