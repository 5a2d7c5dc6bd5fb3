"""The worker against the local push service: delivery, retries, removal, quiet hours, claims."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from server.extensions import db
from server.models import Job, PushSubscription
from server.reminders import jobs as queue
from server.reminders.delivery import Sender
from server.reminders.worker import Settings, Worker
from tests.reminders.conftest import all_jobs, another_device, quiet, subscribe
from tests.support.postgres import free_port
from tests.support.sync import new_id, note_fields, observation_fields

LONDON = ZoneInfo("Europe/London")


def next_weekday(weekday: int, hour: int, minute: int = 0) -> dt.datetime:
    """The next such weekday (0 = Monday) at that London time, at least a day from now."""
    day = dt.datetime.now(LONDON).date() + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def a_note(pair, observation_id=None):
    pair.a_sync.put("note", new_id(), note_fields(observation_id or pair.observation_id))


def only_job(app) -> Job:
    (job,) = all_jobs(app)
    return job


def test_429_waits_for_retry_after_then_delivers_once(pair, push_service, run_worker, clock, app):
    push_service.answer(pair.b_phone, (429, {"Retry-After": "120"}))
    a_note(pair)
    assert run_worker() == 1
    job = only_job(app)
    assert (job.status, job.attempts, pair.b_phone.posts) == ("queued", 1, 1)
    assert "429" in job.last_error
    assert abs((job.run_at - clock()).total_seconds() - 120) < 5
    assert run_worker() == 0  # not before Retry-After
    clock.advance(121)
    assert run_worker() == 1
    assert len(pair.b_phone.received) == 1
    assert (only_job(app).status, only_job(app).attempts) == ("sent", 2)
    assert push_service.errors == []


def test_a_retry_after_of_a_year_waits_a_day(pair, push_service, run_worker, clock, app):
    push_service.answer(pair.b_phone, (429, {"Retry-After": str(365 * 86400)}))
    a_note(pair)
    run_worker()
    assert abs((only_job(app).run_at - clock()).total_seconds() - 86400) < 5


def test_retry_after_may_be_an_http_date(pair, push_service, run_worker, clock, app):
    when = email.utils.format_datetime(
        dt.datetime.now(dt.UTC) + dt.timedelta(seconds=600), usegmt=True
    )
    push_service.answer(pair.b_phone, (503, {"Retry-After": when}))
    a_note(pair)
    run_worker()
    assert 590 < (only_job(app).run_at - clock()).total_seconds() < 605


def test_5xx_is_retried_with_exponential_backoff(pair, push_service, run_worker, clock, app):
    push_service.answer(pair.b_phone, 500, 502, 503)
    a_note(pair)
    for expected in (30, 60, 120):
        run_worker()
        job = only_job(app)
        assert job.status == "queued"
        delay = (job.run_at - clock()).total_seconds()
        assert expected * 0.89 < delay < expected * 1.11
        clock.advance(delay + 1)
    run_worker()
    assert (only_job(app).status, only_job(app).attempts) == ("sent", 4)
    assert len(pair.b_phone.received) == 1


def test_retries_give_up_after_the_last_attempt(pair, push_service, run_worker, clock, app):
    push_service.answer(pair.b_phone, 500, 500, 500)
    a_note(pair)
    for _ in range(3):
        run_worker(max_attempts=3)
        clock.advance(3600)
    job = only_job(app)
    assert (job.status, job.attempts) == ("failed", 3)
    assert "500" in job.last_error
    assert run_worker(max_attempts=3) == 0


def test_a_network_error_is_retried(pair, push_service, run_worker, clock, app):
    with app.app_context():
        db.session.execute(
            update(PushSubscription).values(endpoint=f"http://127.0.0.1:{free_port()}/push/gone")
        )
        db.session.commit()
    a_note(pair)
    run_worker()
    job = only_job(app)
    assert job.status == "queued"
    assert job.last_error.startswith("network error: ConnectionError")


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_remove_the_subscription(pair, push_service, run_worker, status, app):
    push_service.answer(pair.b_phone, status)
    a_note(pair)
    pair.b_sync.pull_all()
    pair.b_sync.put("observation", pair.observation_id, {"status": "captured"})  # B asks: no job
    a_note(pair)  # coalesced with the first
    other = new_id()
    pair.a_sync.put("observation", other, _obs(pair))
    a_note(pair, other)
    assert len(all_jobs(app)) == 2
    run_worker()
    first, second = all_jobs(app)
    assert first.status == "failed"
    assert f"answered {status}" in first.last_error
    assert "subscription removed" in first.last_error
    assert (second.status, second.attempts) == ("cancelled", 0)
    assert pair.b_phone.posts == 1
    assert pair.b.get("/api/v1/me/notifications").get_json()["device_subscribed"] is False


def _obs(pair):
    return observation_fields([(pair.a.user["id"], "observee"), (pair.b.user["id"], "observer")])


def test_quiet_hours_delay_the_message_and_never_drop_it(
    pair, push_service, run_worker, clock, app
):
    a_note(pair)
    quiet(pair.b, quiet_hours={"start": "19:00", "end": "07:00"}, quiet_weekends=True)
    clock.fixed = next_weekday(2, 20, 0).astimezone(dt.UTC)  # a Wednesday, 20:00 London
    assert run_worker() == 1
    job = only_job(app)
    thursday_7 = clock.fixed.astimezone(LONDON).replace(hour=7) + dt.timedelta(days=1)
    assert (job.status, job.attempts, job.run_at) == ("queued", 0, thursday_7)
    assert pair.b_phone.posts == 0
    clock.fixed = thursday_7 - dt.timedelta(minutes=1)
    assert run_worker() == 0
    clock.fixed = thursday_7
    assert run_worker() == 1
    assert len(pair.b_phone.received) == 1


def test_weekends_are_quiet_until_monday_morning(pair, push_service, run_worker, clock, app):
    a_note(pair)
    quiet(pair.b, quiet_hours={"start": "19:00", "end": "07:00"}, quiet_weekends=True)
    clock.fixed = next_weekday(5, 10, 0)  # a Saturday morning
    run_worker()
    monday_7 = (clock.fixed + dt.timedelta(days=2)).replace(hour=7)
    assert only_job(app).run_at == monday_7
    assert pair.b_phone.posts == 0


def test_a_kind_switched_off_after_queueing_is_not_sent(pair, push_service, run_worker, app):
    a_note(pair)
    quiet(pair.b, kinds={"partner_notes": False})
    run_worker()
    assert only_job(app).status == "cancelled"
    assert "switched off" in only_job(app).last_error
    assert pair.b_phone.posts == 0


def test_a_partner_removed_before_sending_is_not_told(pair, push_service, run_worker, app):
    a_note(pair)
    pair.a_sync.pull_all()
    pair.a_sync.put(
        "observation",
        pair.observation_id,
        {"participants": [{"user_id": pair.a.user["id"], "role": "observee"}]},
    )
    run_worker()
    assert only_job(app).status == "cancelled"
    assert pair.b_phone.posts == 0


def test_queued_messages_do_not_follow_an_endpoint_to_another_account(
    pair, push_service, run_worker, factory, app
):
    a_note(pair)
    stranger = factory.session(pair.school)
    subscribe(stranger, pair.b_phone)  # the same browser, now signed in as someone else
    run_worker()
    assert only_job(app).status == "cancelled"
    assert pair.b_phone.posts == 0


def test_the_send_time_check_refuses_an_endpoint_that_is_now_internal(
    pair, push_service, app, clock
):
    """The subscription passed when it was made; at send time (default config) it is refused."""
    a_note(pair)
    sender = Sender(app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_SUBJECT"], False)
    with app.app_context():
        Worker(sender, clock=clock).run_once()
    sender.close()
    job = only_job(app)
    assert job.status == "failed"
    assert job.last_error.startswith("endpoint refused:")
    assert pair.b_phone.posts == 0


# ---- scheduled reminders -------------------------------------------------------------------


def step(pair, due_on: dt.date, text="Try cold-calling with wait time") -> str:
    step_id = new_id()
    fields = {"owner_id": pair.b.user["id"], "text": text, "due_on": due_on.isoformat()}
    assert pair.b_sync.put("next_step", step_id, fields)["status"] == "applied"
    return step_id


def test_a_next_step_due_tomorrow_is_reminded_once(pair, push_service, run_worker, clock, app):
    wednesday = next_weekday(2, 9, 30)
    clock.fixed = wednesday
    step_id = step(pair, wednesday.date() + dt.timedelta(days=1))
    step(pair, wednesday.date() + dt.timedelta(days=2))  # Friday: not yet
    assert run_worker() == 1
    (message,) = pair.b_phone.received
    assert message.payload == {
        "id": only_job(app).id,
        "kind": "next_step_due",
        "title": "Next step due Thursday",
        "body": "Try cold-calling with wait time",
        "url": f"/#/next-steps/{step_id}",
        "tag": f"due-{step_id}",
    }
    assert message.headers["ttl"] == "86400"
    clock.advance(600)
    assert run_worker() == 0
    assert len(pair.b_phone.received) == 1


def test_on_friday_steps_due_over_the_weekend_and_on_monday_are_reminded(
    pair, push_service, run_worker, clock
):
    friday = next_weekday(4, 12, 0)
    clock.fixed = friday
    for days in (1, 2, 3, 4):  # Saturday, Sunday, Monday, Tuesday
        step(pair, friday.date() + dt.timedelta(days=days), text=f"Step {days}")
    quiet(pair.b, kinds={"weekly_reflection": False})
    run_worker()
    assert sorted(p["body"] for p in pair.b_phone.payloads()) == ["Step 1", "Step 2", "Step 3"]


def test_a_due_date_moved_before_the_reminder_cancels_it(
    pair, push_service, run_worker, clock, app
):
    early = next_weekday(2, 6, 0)  # Wednesday 06:00: reminders for Thursday wait for 08:00
    clock.fixed = early
    step_id = step(pair, early.date() + dt.timedelta(days=1))
    run_worker()
    assert only_job(app).run_at == early.replace(hour=8)
    pair.b_sync.pull_all()
    pair.b_sync.put(
        "next_step", step_id, {"due_on": (early.date() + dt.timedelta(days=7)).isoformat()}
    )
    clock.fixed = early.replace(hour=8)
    run_worker()
    assert only_job(app).status == "cancelled"
    assert pair.b_phone.posts == 0


def test_the_weekly_reflection_asks_two_questions_about_my_own_focus(
    pair, push_service, run_worker, clock, app
):
    focus_id = new_id()
    pair.b_sync.put(
        "focus", focus_id, {"title": "Questioning for deeper thinking", "kind": "personal"}
    )
    friday = next_weekday(4, 16, 0)
    clock.fixed = friday
    assert run_worker() == 1
    (message,) = pair.b_phone.received
    year, week, _ = friday.isocalendar()
    payload = message.payload
    assert (payload["kind"], payload["title"]) == ("weekly_reflection", "Your weekly reflection")
    assert payload["url"] == f"/#/focuses/{focus_id}"
    assert payload["tag"] == f"reflection-{year}-W{week:02d}"
    questions = payload["body"].split("\n")
    assert len(questions) == 2
    assert all(q.endswith("?") for q in questions)
    assert "“Questioning for deeper thinking”" in payload["body"]
    assert message.headers["urgency"] == "low"
    clock.advance(3600)
    run_worker()
    assert len(pair.b_phone.received) == 1  # once a week


def test_the_weekly_reflection_waits_for_friday_afternoon(
    pair, push_service, run_worker, clock, app
):
    clock.fixed = next_weekday(3, 16, 0)  # Thursday: nothing
    run_worker()
    assert all_jobs(app) == []
    clock.fixed = next_weekday(4, 9, 0)  # Friday morning: queued for 15:30
    run_worker()
    job = only_job(app)
    assert job.run_at == clock.fixed.replace(hour=15, minute=30)
    assert "What went well in your teaching this week?" in job.payload["notification"]["body"]


# ---- claims and leases -----------------------------------------------------------------------


def _many_jobs(pair, app, count: int) -> None:
    observations = [new_id() for _ in range(count)]
    for observation_id in observations:
        pair.a_sync.put("observation", observation_id, _obs(pair))
    pair.a_sync.push_ok(
        [pair.a_sync.mutation("note", new_id(), note_fields(o)) for o in observations]
    )
    assert len(all_jobs(app)) == count


def test_concurrent_claims_never_share_a_job(pair, app):
    _many_jobs(pair, app, 30)
    claimed: dict[str, list[int]] = {"one": [], "two": []}
    now = dt.datetime.now(dt.UTC)

    def claim_all(name: str) -> None:
        with app.app_context():
            while batch := queue.claim(name, now, dt.timedelta(seconds=60), 4):
                claimed[name] += [job.id for job in batch]
            db.session.remove()

    threads = [threading.Thread(target=claim_all, args=(n,)) for n in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(claimed["one"]) & set(claimed["two"])
    assert sorted(claimed["one"] + claimed["two"]) == [j.id for j in all_jobs(app)]


def test_a_lapsed_claim_is_taken_over_and_the_first_worker_can_no_longer_send(pair, app):
    a_note(pair)
    now = dt.datetime.now(dt.UTC)
    lease = dt.timedelta(seconds=10)
    with app.app_context():
        (job,) = queue.claim("first", now, lease, 5)
        assert queue.claim("second", now + dt.timedelta(seconds=5), lease, 5) == []
        (again,) = queue.claim("second", now + dt.timedelta(seconds=11), lease, 5)
        assert again.id == job.id
        with queue.write():
            assert queue.begin_sending(job, "first", now + lease) is False
        with queue.write():
            assert queue.begin_sending(again, "second", now + lease) is True
        assert db.session.get(Job, job.id).locked_by == "second"


def test_a_send_interrupted_by_a_crash_is_never_sent_again(pair, push_service, app, clock):
    a_note(pair)
    now = clock()
    with app.app_context():
        (job,) = queue.claim("crashed", now, dt.timedelta(seconds=30), 5)
        with queue.write():
            assert queue.begin_sending(job, "crashed", now + dt.timedelta(seconds=30))
    sender = Sender.from_config({**app.config, "PUSH_ALLOW_PRIVATE_ENDPOINTS": True})
    with app.app_context():
        worker = Worker(sender, Settings(), clock=clock)
        assert worker.run_once() == 0  # lease not over: left alone
        clock.advance(31)
        assert worker.run_once() == 0
    sender.close()
    job = only_job(app)
    assert job.status == "unknown"
    assert "not sent again" in job.last_error
    assert pair.b_phone.posts == 0


def test_jobs_of_two_devices_of_one_teacher_are_separate(
    pair, push_service, run_worker, factory, app
):
    laptop = push_service.new_device()
    subscribe(another_device(factory, pair.b), laptop)
    push_service.answer(laptop, 410)
    a_note(pair)
    run_worker()
    assert sorted(j.status for j in all_jobs(app)) == ["failed", "sent"]
    assert len(pair.b_phone.received) == 1
    with app.app_context():
        assert [s.endpoint for s in db.session.execute(select(PushSubscription)).scalars()] == [
            pair.b_phone.endpoint
        ]
        db.session.commit()
