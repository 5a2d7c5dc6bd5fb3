"""Retention with a frozen clock: records past the school's limit go at the run, not before."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server.audit import AuditEvent
from server.extensions import db
from server.models import Note, Observation, School
from server.reminders.worker import Worker
from server.rights import retention
from tests.support.sync import SyncClient, new_id, note_fields

LONDON = dt.timezone(dt.timedelta(hours=1))  # British Summer Time, as on 1 September


def moment(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def school(factory):
    school = factory.school("Retention Primary")
    ana = SyncClient(factory.session(school, name="Ana"))
    lead = SyncClient(factory.session(school, role="lead", name="Lena"))
    admin = factory.session(school, role="admin", name="Adam")
    ids = {"old": new_id(), "new": new_id(), "old_note": new_id(), "new_note": new_id()}
    for key, starts in (("old", "2025-08-29T10:00:00+01:00"), ("new", "2025-09-02T10:00:00+01:00")):
        fields = {
            "kind": "peer_observation",
            "title": f"{key.upper()}-LESSON",
            "starts_at": starts,
            "visibility": "leads",
            "participants": [{"user_id": ana.user_id, "role": "observee"}],
        }
        ana.put("observation", ids[key], fields)
        ana.put("note", ids[f"{key}_note"], note_fields(ids[key], text=f"{key.upper()}-NOTE"))
        step = {"owner_id": ana.user_id, "text": f"{key} step", "observation_id": ids[key]}
        ana.put("next_step", new_id(), step)
    with factory.app.app_context():
        for day in (moment(2025, 6, 1), moment(2025, 9, 3)):
            row = AuditEvent(
                school_id=school.id, at=day, action="report.downloaded", record_type="observation"
            )
            db.session.add(row)
        db.session.commit()
    lead.pull_all()
    return {"school": school, "ana": ana, "lead": lead, "admin": admin, "ids": ids}


def _school(app, school):
    return db.session.get(School, school.id)


def test_the_cutoff_is_six_school_years_after_the_year_ends(app, school):
    with app.app_context():
        s = _school(app, school["school"])
        assert (s.retention_years, s.year_end) == (6, "08-31")
        assert retention.cutoff(s, moment(2031, 8, 31, 23, 59)) == moment(2024, 9, 1)
        assert retention.cutoff(s, moment(2031, 9, 1, 0, 1)) == moment(2025, 9, 1)


def test_records_past_the_limit_go_at_the_run_and_not_before(app, school):
    ids = school["ids"]
    with app.app_context():
        s = _school(app, school["school"])
        before = moment(2031, 8, 31, 23, 59)
        assert retention.preview(s, before)["would_delete"] == {
            "observations": 0, "notes": 0, "next_steps": 0, "audit_events": 0,
        }  # fmt: skip
        assert retention.run(s.id, before) == retention.preview(s, before)["would_delete"]
        at = moment(2031, 9, 1, 0, 30)
        expected = {"observations": 1, "notes": 1, "next_steps": 1, "audit_events": 1}
        assert retention.preview(s, at)["would_delete"] == expected
        Worker(None, clock=lambda: at).housekeeping()  # the worker's daily run
        assert retention.preview(s, at)["would_delete"] == dict.fromkeys(expected, 0)
        old = db.session.get(Observation, ids["old"])
        assert (old.deleted, old.title) == (True, "")
        assert db.session.get(Note, ids["old_note"]).text == ""
        assert db.session.get(Observation, ids["new"]).deleted is False
        assert db.session.get(Note, ids["new_note"]).text == "NEW-NOTE"
        left = db.session.execute(select(AuditEvent.at, AuditEvent.action)).all()
        downloads = [at for at, action in left if action == "report.downloaded"]
        assert downloads == [moment(2025, 9, 3)]  # the one before the cutoff went
        assert [a for _, a in left].count("retention.run") == 1
    changes = {(c["entity"], c["id"]): c for c in school["lead"].pull_all()}
    assert changes[("observation", ids["old"])]["deleted"] is True
    assert changes[("note", ids["old_note"])]["deleted"] is True
    assert ("observation", ids["new"]) not in changes


def test_admins_see_and_change_the_setting(school):
    admin = school["admin"]
    preview = admin.get("/api/v1/admin/retention").get_json()
    assert preview["retention_years"] == 6
    assert preview["year_end"] == "08-31"
    assert set(preview["would_delete"]) == {"observations", "notes", "next_steps", "audit_events"}
    changed = admin.patch("/api/v1/admin/retention", json={"retention_years": 1})
    assert changed.status_code == 200
    assert changed.get_json()["would_delete"]["observations"] == 1  # 2024-25 ended over a year ago
    bad_days = ({"year_end": "13-01"}, {"year_end": "02-30"}, {"year_end": "04-31"})
    for bad in (*bad_days, {"retention_years": 0}, {"retention_years": "6"}):
        response = admin.patch("/api/v1/admin/retention", json=bad)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "validation_error"
    after = admin.get("/api/v1/admin/retention").get_json()
    assert (after["retention_years"], after["year_end"]) == (1, "08-31")
    teacher = school["ana"].session
    assert teacher.get("/api/v1/admin/retention").status_code == 403


def test_the_command_line_previews_and_runs(runner, school):
    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Retention Primary" in dry.output
    assert '"would_delete"' in dry.output
    done = runner.invoke(args=["retention", "--school", "Retention Primary"])
    assert done.exit_code == 0, done.output
    assert "deleted" in done.output
    missing = runner.invoke(args=["retention", "--school", "Nowhere"])
    assert missing.exit_code != 0
    assert "no school called" in missing.output
