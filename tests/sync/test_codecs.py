"""The database-built JSON of a pull page equals the Python wire form, on both databases."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from server.extensions import db
from server.sync.codecs import CODECS
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields

AWKWARD = 'Quotes " and \\\\ backslash, a tab\\t, a newline\\n, é, 中文, عربى, emoji 🎉 </script>'


def test_pulled_fields_equal_the_python_wire_form(app, factory):
    school = factory.school()
    lead = SyncClient(factory.session(school, role="lead"))
    teacher = SyncClient(factory.session(school))
    focus, lookfor, obs, note, step = new_id(), new_id(), new_id(), new_id(), new_id()
    lead.put("focus", focus, {"title": AWKWARD, "kind": "school", "active": False})
    lead.put("lookfor", lookfor, {"focus_id": focus, "text": "Wait time"})
    lead.put(
        "observation",
        obs,
        observation_fields(
            [(lead.user_id, "observer"), (teacher.user_id, "observee")],
            focus_ids=[focus],
            starts_at="2026-11-20T09:00:00.123456+02:00",
            case_pupils=["A", "B"],
            reflection=AWKWARD,
        ),
    )
    fields = note_fields(
        obs,
        text=AWKWARD,
        tags=["x", "ü"],
        at="2026-11-20T09:05:07.5Z",
        lookfor_id=lookfor,
        lookfor_rating="partly",
    )
    fields["minute"] = None
    lead.put("note", note, fields)
    lead.put(
        "next_step",
        step,
        {
            "observation_id": obs,
            "owner_id": teacher.user_id,
            "text": AWKWARD,
            "due_on": "2026-12-01",
        },
    )
    plain = new_id()
    lead.put("note", plain, note_fields(obs, at="2026-11-20T09:06:00+00:00"))
    lead.pull_all()
    with app.app_context():
        for entity, record_id in [
            ("focus", focus),
            ("lookfor", lookfor),
            ("observation", obs),
            ("note", note),
            ("note", plain),
            ("next_step", step),
        ]:
            codec = CODECS[entity]
            row = (
                db.session.execute(
                    select(codec.table).where(codec.table.c.id == uuid.UUID(record_id))
                )
                .mappings()
                .one()
            )
            assert lead.record(entity, record_id)["fields"] == codec.wire_fields(row), entity
    assert lead.record("note", note)["fields"]["at"] == "2026-11-20T09:05:07.500000+00:00"
    assert lead.record("note", plain)["fields"]["at"] == "2026-11-20T09:06:00+00:00"
    assert (
        lead.record("observation", obs)["fields"]["starts_at"] == "2026-11-20T07:00:00.123456+00:00"
    )
    assert lead.record("focus", focus)["fields"]["active"] is False
    assert lead.record("note", note)["fields"]["minute"] is None
    assert lead.record("user", teacher.user_id)["fields"]["active"] is True
