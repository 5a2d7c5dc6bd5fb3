"""Scheduled reminders: next steps falling due and the weekly reflection, queued by the worker.

The worker calls `scan` every few minutes. It offers every reminder that is due by now; each
row's unique dedupe_key (per record, date or week, and subscription) makes a reminder queued
once, however many scans or workers there are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server import policy
from server.extensions import db
from server.models import Focus, Job, NextStep, PushSubscription, School, User
from server.policy import Reader, focus_readable, next_step_readable
from server.reminders import jobs
from server.reminders.events import Recipient, due_message, job_row, reflection_message
from server.reminders.preferences import Preferences
from server.school import school_zone

DUE_REMINDER_AT = dt.time(8, 0)  # school time, the day before (or the Friday before Monday)
REFLECTION_AT = dt.time(15, 30)  # school time, Fridays


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
        tz = school_zone(tz_name)
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
    focuses = SchoolFocuses.of(school_id) if wanted else None
    rows = []
    for key, _role, recipient in candidates:
        if focuses is not None and key in wanted:
            message = reflection_message(focuses.own(recipient.user_id, week), year, week)
            subject = {"entity": "user", "id": str(recipient.user_id)}
            run_at = _local(friday, REFLECTION_AT, tz, now)
            rows.append(job_row(school_id, recipient, message, subject, key, run_at))
    return rows


@dataclass
class SchoolFocuses:
    """Every teacher's own focuses in one school, read in one query (the Friday scan of 5,000
    teachers asked once per teacher before); `own` chooses exactly as `own_focus` does."""

    personal: dict[str, list[tuple[str, str]]]
    school: list[tuple[str, str]]

    @classmethod
    def of(cls, school_id: uuid.UUID) -> SchoolFocuses:
        query = (
            select(Focus.id, Focus.title, Focus.kind, Focus.owner_id)
            .where(policy.own_focuses(school_id), Focus.active.is_(True), Focus.deleted.is_(False))
            .order_by(Focus.created_at, Focus.id)
        )
        personal: dict[str, list[tuple[str, str]]] = {}
        school: list[tuple[str, str]] = []
        for focus_id, title, kind, owner in db.session.execute(query):
            chosen = school if kind == "school" else personal.setdefault(str(owner), [])
            chosen.append((str(focus_id), title))
        return cls(personal, school)

    def own(self, user_id: uuid.UUID, week: int) -> tuple[str, str] | None:
        found = self.personal.get(str(user_id)) or self.school
        return found[week % len(found)] if found else None


def own_focus(reader: Reader, week: int) -> tuple[str, str] | None:
    """The teacher's own focus (a personal one, else a school focus), rotating by week
    (one teacher's; the Friday scan reads a whole school's with SchoolFocuses)."""
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
