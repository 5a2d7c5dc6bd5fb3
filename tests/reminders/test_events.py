"""Events from sync become jobs in the same transaction: one message per observation per sync."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from server.extensions import db
from server.models import Job, Note
from server.reminders.delivery import topic
from server.reminders.preferences import Preferences, next_allowed
from tests.reminders.conftest import NO_QUIET, all_jobs, another_device, quiet, subscribe
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields


def notes(sync: SyncClient, observation_id: str, count: int) -> list[dict]:
    return [
        sync.mutation("note", new_id(), note_fields(observation_id, f"Note {i}", minute=i))
        for i in range(count)
    ]


def test_a_50_note_push_sends_one_message_per_observation_and_device(
    pair, push_service, run_worker, loopback_app, factory
):
    laptop = push_service.new_device()
    subscribe(another_device(factory, pair.b), laptop)
    second = new_id()
    fields = observation_fields(
        [(pair.a.user["id"], "co_teacher"), (pair.b.user["id"], "co_teacher")]
    )
    pair.a_sync.put("observation", second, {**fields, "title": "Team-taught science"})

    results = pair.a_sync.push_ok(
        notes(pair.a_sync, pair.observation_id, 50) + notes(pair.a_sync, second, 3)
    )
    assert {r["status"] for r in results} == {"applied"}
    jobs = all_jobs(loopback_app)
    assert len(jobs) == 4  # two observations x two devices, not 53 x 2
    assert {j.kind for j in jobs} == {"push.partner_notes"}

    assert run_worker() == 4
    assert push_service.errors == []
    for device in (pair.b_phone, laptop):
        assert sorted(p["url"] for p in device.payloads()) == sorted(
            [f"/#/observations/{pair.observation_id}", f"/#/observations/{second}"]
        )
    message = next(m for m in pair.b_phone.received if pair.observation_id in m.payload["url"])
    job = next(
        j
        for j in jobs
        if j.payload["subject"]["id"] == pair.observation_id
        and j.payload["device_id"] == pair.b.client_id
    )
    assert message.payload == {
        "id": job.id,
        "kind": "partner_notes",
        "title": "New notes from Ana Teach",
        "body": "Ana Teach added notes to “Year 8 fractions”. "
        "Have a look while the lesson is fresh.",
        "url": f"/#/observations/{pair.observation_id}",
        "tag": f"notes-{pair.observation_id}",
    }
    assert message.headers["ttl"] == str(2 * 86400)
    assert message.headers["urgency"] == "normal"
    assert message.headers["topic"] == topic(f"notes-{pair.observation_id}")
    assert message.claims["sub"] == loopback_app.config["VAPID_SUBJECT"]
    assert {j.status for j in all_jobs(loopback_app)} == {"sent"}


def test_nobody_hears_about_their_own_notes_and_outsiders_hear_nothing(
    pair, push_service, run_worker, factory, loopback_app
):
    a_phone = push_service.new_device()
    subscribe(pair.a, a_phone)
    lead = factory.session(pair.school, role="lead")
    lead_phone = push_service.new_device()
    subscribe(lead, lead_phone)
    quiet(pair.a, **NO_QUIET)
    quiet(lead, **NO_QUIET)
    pair.a_sync.put("observation", pair.observation_id, {"visibility": "leads"})

    pair.a_sync.push_ok(notes(pair.a_sync, pair.observation_id, 2))
    run_worker()
    assert [p["kind"] for p in pair.b_phone.payloads()] == ["partner_notes"]
    assert a_phone.received == []
    assert lead_phone.received == []  # sees the observation, but does not take part in it


def test_notes_waiting_to_be_sent_are_one_message_until_it_is_sent(
    pair, push_service, run_worker, loopback_app
):
    pair.a_sync.push_ok(notes(pair.a_sync, pair.observation_id, 1))
    pair.a_sync.push_ok(notes(pair.a_sync, pair.observation_id, 1))
    assert len(all_jobs(loopback_app)) == 1
    run_worker()
    pair.a_sync.push_ok(notes(pair.a_sync, pair.observation_id, 1))
    assert len(all_jobs(loopback_app)) == 2
    run_worker()
    assert [p["kind"] for p in pair.b_phone.payloads()] == ["partner_notes"] * 2


def test_a_resent_batch_queues_nothing_new(pair, loopback_app):
    batch = notes(pair.a_sync, pair.observation_id, 3)
    pair.a_sync.push_ok(batch)
    with loopback_app.app_context():
        db.session.execute(Job.__table__.delete())
        db.session.commit()
    assert {r["status"] for r in pair.a_sync.push_ok(batch)} == {"duplicate"}
    assert all_jobs(loopback_app) == []


def test_marking_an_observation_captured_asks_the_partner_to_review(
    pair, push_service, run_worker, loopback_app
):
    a_phone = push_service.new_device()
    subscribe(pair.a, a_phone)
    quiet(pair.a, **NO_QUIET)
    pair.b_sync.pull_all()
    pair.b_sync.put("observation", pair.observation_id, {"status": "captured"})
    pair.b_sync.pull_all()
    pair.b_sync.put("observation", pair.observation_id, {"reflection": "Good pace."})
    assert [j.kind for j in all_jobs(loopback_app)] == ["push.review_requested"]
    run_worker()
    (message,) = a_phone.received
    assert message.payload == {
        "id": all_jobs(loopback_app)[0].id,
        "kind": "review_requested",
        "title": "Ready for your review",
        "body": "Ben Watch marked “Year 8 fractions” as captured. "
        "Add your thoughts and agree next steps together.",
        "url": f"/#/observations/{pair.observation_id}",
        "tag": f"review-{pair.observation_id}",
    }
    assert pair.b_phone.received == []  # the one who asked is not asked
    pair.b_sync.pull_all()
    pair.b_sync.put("observation", pair.observation_id, {"status": "draft"})
    pair.b_sync.pull_all()
    pair.b_sync.put("observation", pair.observation_id, {"status": "captured"})
    run_worker()
    assert [p["kind"] for p in a_phone.payloads()] == ["review_requested"] * 2


def test_a_new_observation_pushed_already_captured_asks_for_review(pair, loopback_app):
    fields = observation_fields(
        [(pair.a.user["id"], "observer"), (pair.b.user["id"], "observee")], status="captured"
    )
    pair.a_sync.put("observation", new_id(), fields)
    (job,) = all_jobs(loopback_app)
    assert job.kind == "push.review_requested"
    assert job.payload["user_id"] == pair.b.user["id"]


def test_kinds_switched_off_queue_nothing(pair, loopback_app):
    quiet(pair.b, kinds={"partner_notes": False})
    pair.a_sync.push_ok(notes(pair.a_sync, pair.observation_id, 2))
    assert all_jobs(loopback_app) == []


def test_quiet_hours_set_when_the_job_may_run(pair, loopback_app):
    quiet(pair.b, quiet_hours={"start": "19:00", "end": "07:00"}, quiet_weekends=True)
    pair.a_sync.push_ok(notes(pair.a_sync, pair.observation_id, 1))
    (job,) = all_jobs(loopback_app)
    expected = next_allowed(job.created_at, Preferences.from_stored({}), ZoneInfo("Europe/London"))
    assert abs(job.run_at - expected) < dt.timedelta(seconds=5)


def test_jobs_are_written_in_the_sync_transaction(pair, loopback_app):
    """A push that fails after its notes and jobs were written leaves neither behind."""

    def fail_on_seq_update(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE device SET last_seq"):
            raise RuntimeError("the database went away")

    with loopback_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail_on_seq_update)
    try:
        response = pair.a_sync.push(notes(pair.a_sync, pair.observation_id, 5))
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_seq_update)
    assert response.status_code == 500
    with loopback_app.app_context():
        assert db.session.execute(select(func.count(Note.id))).scalar() == 0
        assert db.session.execute(select(func.count(Job.id))).scalar() == 0
        db.session.commit()


@pytest.mark.parametrize("count", [1, 200])
def test_notes_from_the_partner_on_their_own_phone_reach_the_other(
    pair, push_service, run_worker, count
):
    """Either partner's notes reach the other (here B writes, A is subscribed)."""
    a_phone = push_service.new_device()
    subscribe(pair.a, a_phone)
    quiet(pair.a, **NO_QUIET)
    pair.b_sync.push_ok(notes(pair.b_sync, pair.observation_id, count))
    run_worker()
    assert [p["title"] for p in a_phone.payloads()] == ["New notes from Ben Watch"]
