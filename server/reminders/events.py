"""Reminders: which events make a message, who receives it, what it says, and its job rows.

One job is one message to one push subscription (one device). Events from sync are queued in
the sync transaction (`on_sync`); scheduled reminders are queued by the worker's periodic scan
(server.reminders.schedule), with a dedupe_key so that each is queued once. The job's `payload`
holds the subscription, the record it is about, and the notification; the worker adds the job
id when it sends (see `wire_message`). Who may receive a message about a record is decided by
the read rules of server.policy, at queue time and again at send time (`check_before_send`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, bindparam, exists, select

from server import policy
from server.extensions import db
from server.models import (
    UUID,
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
    Reader,
    next_step_readable,
    observation_readable,
)
from server.reminders import jobs
from server.reminders.delivery import Target
from server.reminders.preferences import Preferences, next_allowed
from server.school import school_zone

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


def reflection_message(focus: tuple[str, str] | None, year: int, week: int) -> dict[str, Any]:
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
        "tag": f"reflection-{year}-W{week:02d}",
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


# Built once, with parameters: it runs inside every sync push that adds notes.
RECIPIENTS_QUERY = (
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
        ObservationParticipant.observation_id.in_(bindparam("observation_ids", expanding=True)),
        User.id != bindparam("pusher_id", type_=UUID()),
        User.active.is_(True),
        Observation.deleted.is_(False),
        observation_readable(Reader.any_user()),
    )
)


def _observation_recipients(
    pusher: User, observation_ids: set[str]
) -> list[tuple[str, str, Recipient]]:
    """Subscriptions of the other participants who may read each observation."""
    params = {"observation_ids": [uuid.UUID(i) for i in observation_ids], "pusher_id": pusher.id}
    return [
        (
            str(obs_id),
            title,
            Recipient(sub, device, user, Preferences.from_stored(prefs), school_zone(tz)),
        )
        for obs_id, title, sub, device, user, prefs, tz in db.session.execute(
            RECIPIENTS_QUERY, params
        )
    ]


# ---- at send time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What to do with a claimed job now: send it, defer it, or cancel it (with why)."""

    action: str
    reason: str = ""
    run_at: dt.datetime | None = None
    target: Target | None = None


# The send-time queries are built once, with parameters, because the worker runs them for
# every message (building the read rules' expressions costs more than running them).
TARGET_QUERY = (
    select(
        PushSubscription.endpoint,
        PushSubscription.p256dh,
        PushSubscription.auth,
        PushSubscription.device_id,
        User.id,
        User.school_id,
        User.role,
        User.active,
        User.notify_prefs,
        School.timezone,
    )
    .join(User, User.id == PushSubscription.user_id)
    .join(School, School.id == User.school_id)
    .where(PushSubscription.id == bindparam("subscription_id"))
)
_READER = Reader(
    bindparam("user_id", type_=UUID()),
    bindparam("school_id", type_=UUID()),
    bindparam("is_lead", type_=Boolean),
)
SUBJECT_QUERIES = {
    "observation": select(
        exists().where(
            Observation.id == bindparam("record_id", type_=UUID()),
            Observation.deleted.is_(False),
            observation_readable(_READER),
        )
    ),
    "next_step": select(
        exists().where(
            NextStep.id == bindparam("record_id", type_=UUID()),
            NextStep.deleted.is_(False),
            NextStep.status == "open",
            NextStep.due_on == bindparam("due_on", type_=Date),
            next_step_readable(_READER),
        )
    ),
}


def check_before_send(job: Job, now: dt.datetime) -> Verdict:
    """Is the message still wanted, may its reader still see its record, is it quiet time?"""
    payload = job.payload
    row = db.session.execute(
        TARGET_QUERY, {"subscription_id": payload["subscription_id"]}
    ).one_or_none()
    # Ids may be reused (SQLite); the same device and user means the same sign-in.
    if row is None or (str(row.device_id), str(row.id)) != (
        payload["device_id"],
        payload["user_id"],
    ):
        return Verdict("cancel", "The device turned reminders off or signed out.")
    if not row.active:
        return Verdict("cancel", "The account is no longer active.")
    kind = payload["notification"]["kind"]
    prefs = Preferences.from_stored(row.notify_prefs)
    if not prefs.wants(kind):
        return Verdict("cancel", f"The teacher switched off {kind} reminders.")
    reader = {
        "user_id": row.id,
        "school_id": row.school_id,
        "is_lead": policy.role_is_lead(row.role),
    }
    if not _subject_still_relevant(reader, payload["subject"]):
        return Verdict("cancel", "The record is gone or no longer visible to this teacher.")
    allowed = next_allowed(now, prefs, school_zone(row.timezone))
    if allowed > now:
        return Verdict("defer", run_at=allowed)
    target = Target(payload["subscription_id"], row.endpoint, row.p256dh, row.auth)
    return Verdict("send", target=target)


def _subject_still_relevant(reader: dict[str, Any], subject: dict[str, str]) -> bool:
    """The record still exists, is still current, and the reader may still see it."""
    entity = subject["entity"]
    if entity == "user":
        return subject["id"] == str(reader["user_id"])
    params = {**reader, "record_id": uuid.UUID(subject["id"])}
    if "due_on" in subject:
        params["due_on"] = dt.date.fromisoformat(subject["due_on"])
    return bool(db.session.execute(SUBJECT_QUERIES[entity], params).scalar())
