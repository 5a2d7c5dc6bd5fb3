"""Reminders: which events make a message, who receives it, what it says, and its job rows.

One job is one message to one push subscription (one device). Events from sync are queued in
the sync transaction (`on_sync`); scheduled reminders are queued by the worker's periodic
`scan`, with a dedupe_key so that each is queued once. The job's `payload` holds the
subscription, the record it is about, and the notification; the worker adds the job id when it
sends (see `wire_message`). Who may receive a message about a record is decided by the read
rules of server.policy, at queue time and again at send time (`check_before_send`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from server.extensions import db
from server.models import (
    Focus,
    Job,
    NextStep,
    Observation,
    ObservationParticipant,
    PushSubscription,
    School,
    User,
    utcnow,
)
from server.policy import (
    LEAD_ROLES,
    Reader,
    focus_readable,
    next_step_readable,
    observation_readable,
)
from server.services import jobs
from server.services.preferences import Preferences, next_allowed, zone

JOB_KIND_PREFIX = "push."
# How long a push service keeps a message for a device that is offline, and how urgent it is.
TTL_SECONDS = {
    "partner_notes": 2 * 86400,
    "review_requested": 3 * 86400,
    "next_step_due": 86400,
    "weekly_reflection": 3 * 86400,
}
URGENCY = {
    "partner_notes": "normal",
    "review_requested": "normal",
    "next_step_due": "normal",
    "weekly_reflection": "low",
}
DUE_REMINDER_AT = dt.time(8, 0)  # school time, the day before (or the Friday before Monday)
REFLECTION_AT = dt.time(15, 30)  # school time, Fridays
REFLECTION_QUESTIONS = (
    "What did you try this week for “{focus}”?",
    "What did your pupils do or say that showed it working, or not yet?",
    "What is one small step you will take next week for “{focus}”?",
    "Whose lesson could you watch to learn more about “{focus}”?",
    "What surprised you this week about “{focus}”?",
    "What would you like a colleague to look for when they next watch you teach?",
)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---- what each message says --------------------------------------------------------------


def partner_notes_message(author: str, observation_id: str, title: str) -> dict[str, Any]:
    """A partner's notes arrived on an observation you take part in."""
    return {
        "kind": "partner_notes",
        "title": f"New notes from {_clip(author, 60)}",
        "body": f"{_clip(author, 60)} added notes to “{_clip(title, 80)}”. "
        "Have a look while the lesson is fresh.",
        "url": f"/#/observations/{observation_id}",
        "tag": f"notes-{observation_id}",
    }


def review_message(author: str, observation_id: str, title: str) -> dict[str, Any]:
    """A partner marked an observation captured: it is ready to review together."""
    return {
        "kind": "review_requested",
        "title": "Ready for your review",
        "body": f"{_clip(author, 60)} marked “{_clip(title, 80)}” as captured. "
        "Add your thoughts and agree next steps together.",
        "url": f"/#/observations/{observation_id}",
        "tag": f"review-{observation_id}",
    }


def due_message(step_id: str, text: str, due_on: dt.date) -> dict[str, Any]:
    """A next step falls due on the next school day."""
    return {
        "kind": "next_step_due",
        "title": f"Next step due {due_on:%A}",
        "body": _clip(text, 140) or "One of your next steps is due.",
        "url": f"/#/next-steps/{step_id}",
        "tag": f"due-{step_id}",
    }


def reflection_message(focus: tuple[str, str] | None, week: int) -> dict[str, Any]:
    """Two short questions about the teacher's own focus, different each week."""
    if focus is None:
        questions = ["What went well in your teaching this week?", "What will you try next week?"]
    else:
        pair = week % (len(REFLECTION_QUESTIONS) // 2)
        name = _clip(focus[1], 60)
        questions = [q.format(focus=name) for q in REFLECTION_QUESTIONS[2 * pair : 2 * pair + 2]]
    return {
        "kind": "weekly_reflection",
        "title": "Your weekly reflection",
        "body": "\n".join(questions),
        "url": f"/#/focuses/{focus[0]}" if focus else "/#/",
        "tag": f"reflection-{week}",
    }


def wire_message(job: Job) -> dict[str, Any]:
    """What the service worker receives: the job id (to drop a repeat) and the notification."""
    return {"id": job.id, **job.payload["notification"]}


# ---- job rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """One subscription of a user who may receive a message."""

    subscription_id: int
    device_id: uuid.UUID
    user_id: uuid.UUID
    prefs: Preferences
    tz: ZoneInfo


def job_row(
    school_id: uuid.UUID,
    recipient: Recipient,
    message: dict[str, Any],
    subject: dict[str, str],
    dedupe_key: str,
    run_at: dt.datetime,
) -> dict[str, Any]:
    """A `job` row carrying one message to one subscription."""
    return {
        "school_id": school_id,
        "kind": JOB_KIND_PREFIX + message["kind"],
        "payload": {
            "subscription_id": recipient.subscription_id,
            "device_id": str(recipient.device_id),
            "user_id": str(recipient.user_id),
            "subject": subject,
            "notification": message,
        },
        "dedupe_key": dedupe_key,
        "status": "queued",
        "run_at": next_allowed(run_at, recipient.prefs, recipient.tz),
        "attempts": 0,
        "created_at": utcnow(),
    }


# ---- events from sync -----------------------------------------------------------------------


def on_sync(pusher: User, noted: set[str], review_requested: set[str]) -> None:
    """Queue messages for a push's events, inside its transaction (one per observation)."""
    if not noted and not review_requested:
        return
    now = utcnow()
    rows = []
    for row in _observation_recipients(pusher, noted | review_requested):
        observation_id, title, recipient = row
        for ids, kind, build in (
            (noted, "partner_notes", partner_notes_message),
            (review_requested, "review_requested", review_message),
        ):
            if observation_id in ids and recipient.prefs.wants(kind):
                message = build(pusher.display_name, observation_id, title)
                key = f"{jobs.OPEN_KEY_PREFIX}{kind}:{recipient.subscription_id}:{observation_id}"
                subject = {"entity": "observation", "id": observation_id}
                rows.append(job_row(pusher.school_id, recipient, message, subject, key, now))
    jobs.enqueue(rows)


def _observation_recipients(
    pusher: User, observation_ids: set[str]
) -> list[tuple[str, str, Recipient]]:
    """Subscriptions of the other participants who may read each observation."""
    query = (
        select(
            Observation.id,
            Observation.title,
            PushSubscription.id,
            PushSubscription.device_id,
            User.id,
            User.notify_prefs,
            School.timezone,
        )
        .select_from(ObservationParticipant)
        .join(Observation, Observation.id == ObservationParticipant.observation_id)
        .join(User, User.id == ObservationParticipant.user_id)
        .join(PushSubscription, PushSubscription.user_id == User.id)
        .join(School, School.id == Observation.school_id)
        .where(
            ObservationParticipant.observation_id.in_([uuid.UUID(i) for i in observation_ids]),
            User.id != pusher.id,
            User.active.is_(True),
            Observation.deleted.is_(False),
            observation_readable(Reader.any_user()),
        )
    )
    return [
        (str(obs_id), title, Recipient(sub, device, user, Preferences.from_stored(prefs), zone(tz)))
        for obs_id, title, sub, device, user, prefs, tz in db.session.execute(query)
    ]


# ---- scheduled reminders (the worker's scan) ------------------------------------------------


def due_dates(today: dt.date) -> list[dt.date]:
    """The days up to and including the next school day (Friday: Saturday to Monday)."""
    days = [today + dt.timedelta(days=1)]
    while days[-1].weekday() >= 5:
        days.append(days[-1] + dt.timedelta(days=1))
    return days


def scan(now: dt.datetime) -> int:
    """Queue next-step and weekly-reflection reminders that are due; returns rows offered."""
    offered = 0
    schools = db.session.execute(select(School.id, School.timezone)).all()
    for school_id, tz_name in schools:
        tz = zone(tz_name)
        today = now.astimezone(tz).date()
        rows = _due_step_rows(school_id, tz, today, now)
        if today.weekday() == 4:
            rows += _reflection_rows(school_id, tz, today, now)
        with jobs.write():
            jobs.enqueue(rows)
        offered += len(rows)
    return offered


def _local(day: dt.date, at: dt.time, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    return max(now, dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC))


def _due_step_rows(
    school_id: uuid.UUID, tz: ZoneInfo, today: dt.date, now: dt.datetime
) -> list[dict[str, Any]]:
    query = (
        select(
            NextStep.id,
            NextStep.text,
            NextStep.due_on,
            PushSubscription.id,
            PushSubscription.device_id,
            User.id,
            User.notify_prefs,
        )
        .join(User, User.id == NextStep.owner_id)
        .join(PushSubscription, PushSubscription.user_id == User.id)
        .where(
            NextStep.school_id == school_id,
            NextStep.due_on.in_(due_dates(today)),
            NextStep.status == "open",
            NextStep.deleted.is_(False),
            User.active.is_(True),
            next_step_readable(Reader.any_user()),
        )
    )
    rows = []
    for step_id, text, due_on, sub_id, device_id, user_id, prefs in db.session.execute(query):
        recipient = Recipient(sub_id, device_id, user_id, Preferences.from_stored(prefs), tz)
        if recipient.prefs.wants("next_step_due"):
            message = due_message(str(step_id), text, due_on)
            subject = {"entity": "next_step", "id": str(step_id), "due_on": due_on.isoformat()}
            key = f"next_step_due:{step_id}:{due_on.isoformat()}:{sub_id}"
            run_at = _local(today, DUE_REMINDER_AT, tz, now)
            rows.append(job_row(school_id, recipient, message, subject, key, run_at))
    return _not_queued_yet(rows)


def _not_queued_yet(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = [row["dedupe_key"] for row in rows]
    if not keys:
        return rows
    query = select(Job.dedupe_key).where(Job.dedupe_key.in_(keys))
    taken = set(db.session.execute(query).scalars())
    return [row for row in rows if row["dedupe_key"] not in taken]


def _reflection_rows(
    school_id: uuid.UUID, tz: ZoneInfo, friday: dt.date, now: dt.datetime
) -> list[dict[str, Any]]:
    year, week, _ = friday.isocalendar()
    query = (
        select(
            User.id, User.role, User.notify_prefs, PushSubscription.id, PushSubscription.device_id
        )
        .join(PushSubscription, PushSubscription.user_id == User.id)
        .where(User.school_id == school_id, User.active.is_(True))
    )
    candidates = []
    for user_id, role, prefs, sub_id, device_id in db.session.execute(query).all():
        recipient = Recipient(sub_id, device_id, user_id, Preferences.from_stored(prefs), tz)
        if recipient.prefs.wants("weekly_reflection"):
            key = f"weekly_reflection:{user_id}:{year}-W{week:02d}:{sub_id}"
            candidates.append((key, role, recipient))
    fresh = _not_queued_yet([{"dedupe_key": key} for key, _, _ in candidates])
    wanted = {row["dedupe_key"] for row in fresh}
    rows = []
    for key, role, recipient in candidates:
        if key in wanted:
            reader = Reader(recipient.user_id, school_id, role in LEAD_ROLES)
            message = reflection_message(own_focus(reader, week), week)
            subject = {"entity": "user", "id": str(recipient.user_id)}
            run_at = _local(friday, REFLECTION_AT, tz, now)
            rows.append(job_row(school_id, recipient, message, subject, key, run_at))
    return rows


def own_focus(reader: Reader, week: int) -> tuple[str, str] | None:
    """The teacher's own focus (a personal one, else a school focus), rotating by week."""
    for kind, owner in (("personal", reader.user_id), ("school", None)):
        query = (
            select(Focus.id, Focus.title)
            .where(
                Focus.kind == kind,
                Focus.owner_id == owner if owner else Focus.owner_id.is_(None),
                Focus.active.is_(True),
                Focus.deleted.is_(False),
                focus_readable(reader),
            )
            .order_by(Focus.created_at, Focus.id)
        )
        found = db.session.execute(query).all()
        if found:
            focus_id, title = found[week % len(found)]
            return str(focus_id), title
    return None


# ---- at send time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What to do with a claimed job now: send it, defer it, or cancel it (with why)."""

    action: str
    reason: str = ""
    run_at: dt.datetime | None = None
    subscription: PushSubscription | None = None


def check_before_send(job: Job, now: dt.datetime) -> Verdict:
    """Is the message still wanted, may its reader still see its record, is it quiet time?"""
    payload = job.payload
    subscription = db.session.get(PushSubscription, payload["subscription_id"])
    # Ids may be reused (SQLite); the same device and user means the same sign-in.
    if subscription is None or (str(subscription.device_id), str(subscription.user_id)) != (
        payload["device_id"],
        payload["user_id"],
    ):
        return Verdict("cancel", "The device turned reminders off or signed out.")
    user = db.session.get(User, subscription.user_id)
    kind = payload["notification"]["kind"]
    if user is None or not user.active:
        return Verdict("cancel", "The account is no longer active.")
    prefs = Preferences.from_stored(user.notify_prefs)
    if not prefs.wants(kind):
        return Verdict("cancel", f"The teacher switched off {kind} reminders.")
    if not _subject_still_relevant(user, payload["subject"]):
        return Verdict("cancel", "The record is gone or no longer visible to this teacher.")
    school_tz = db.session.execute(
        select(School.timezone).where(School.id == user.school_id)
    ).scalar_one()
    allowed = next_allowed(now, prefs, zone(school_tz))
    if allowed > now:
        return Verdict("defer", run_at=allowed)
    return Verdict("send", subscription=subscription)


def _subject_still_relevant(user: User, subject: dict[str, str]) -> bool:
    reader = Reader.of(user)
    entity = subject["entity"]
    if entity == "observation":
        return _exists(
            Observation.id == uuid.UUID(subject["id"]),
            Observation.deleted.is_(False),
            observation_readable(reader),
        )
    if entity == "next_step":
        return _exists(
            NextStep.id == uuid.UUID(subject["id"]),
            NextStep.deleted.is_(False),
            NextStep.status == "open",
            NextStep.due_on == dt.date.fromisoformat(subject["due_on"]),
            next_step_readable(reader),
        )
    return entity == "user" and subject["id"] == str(user.id)


def _exists(*conditions: Any) -> bool:
    return bool(db.session.execute(select(exists().where(*conditions))).scalar())
