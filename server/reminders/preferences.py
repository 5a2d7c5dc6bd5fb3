"""Notification preferences per user: which kinds of reminder arrive, and quiet hours.

Stored in `User.notify_prefs` as only what the user changed; defaults fill the rest. Quiet
hours are wall-clock times in the school's time zone (`School.timezone`); a message due inside
them is delayed to their end, never dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from schemas.reminders import KINDS
from server.extensions import db, sqlite_immediate
from server.models import PushSubscription, School, User
from server.school import school_zone

log = logging.getLogger("lessonloop.push")

DEFAULT_QUIET = {"start": "19:00", "end": "07:00"}


@dataclass(frozen=True)
class Preferences:
    """A user's settings with the defaults filled in."""

    kinds: dict[str, bool]
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    quiet_weekends: bool

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> Preferences:
        """Read `User.notify_prefs` (missing or unknown entries take the defaults)."""
        stored = stored or {}
        kinds = {kind: bool((stored.get("kinds") or {}).get(kind, True)) for kind in KINDS}
        quiet = stored.get("quiet_hours", DEFAULT_QUIET)
        start = _time(quiet["start"]) if quiet else None
        end = _time(quiet["end"]) if quiet else None
        return cls(kinds, start, end, bool(stored.get("quiet_weekends", True)))

    def wants(self, kind: str) -> bool:
        """Whether this kind of reminder is switched on."""
        return self.kinds.get(kind, False)

    def to_wire(self) -> dict[str, Any]:
        """The settings as the API shows them."""
        quiet = None
        if self.quiet_start is not None and self.quiet_end is not None:
            quiet = {"start": f"{self.quiet_start:%H:%M}", "end": f"{self.quiet_end:%H:%M}"}
        return {
            "kinds": dict(self.kinds),
            "quiet_hours": quiet,
            "quiet_weekends": self.quiet_weekends,
        }


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _in_window(t: dt.time, start: dt.time, end: dt.time) -> bool:
    if start < end:
        return start <= t < end
    return t >= start or t < end  # the window wraps past midnight


def _after_window(local: dt.datetime, start: dt.time, end: dt.time, tz: ZoneInfo) -> dt.datetime:
    day = local.date()
    if start > end and local.time() >= start:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz)


def next_allowed(when: dt.datetime, prefs: Preferences, tz: ZoneInfo) -> dt.datetime:
    """The first moment at or after `when` outside the user's quiet hours and weekends (UTC)."""
    local = when.astimezone(tz)
    for _ in range(4):  # weekend -> Monday 00:00 -> end of the night window: settles in three
        moved = False
        if prefs.quiet_weekends and local.weekday() >= 5:
            monday = local.date() + dt.timedelta(days=7 - local.weekday())
            local, moved = dt.datetime.combine(monday, dt.time(0), tzinfo=tz), True
        start, end = prefs.quiet_start, prefs.quiet_end
        if start is not None and end is not None and _in_window(local.time(), start, end):
            local, moved = _after_window(local, start, end, tz), True
        if not moved:
            break
    return local.astimezone(dt.UTC)


# ---- the settings API ------------------------------------------------------------------------


def settings(user: User, device_id: Any) -> dict[str, Any]:
    """What GET /me/notifications shows: the settings, the school's zone, this device's state."""
    zone_name = db.session.execute(
        select(School.timezone).where(School.id == user.school_id)
    ).scalar_one()
    subscribed = db.session.execute(
        select(PushSubscription.id).where(PushSubscription.device_id == device_id)
    ).first()
    return {
        **Preferences.from_stored(user.notify_prefs).to_wire(),
        "timezone": school_zone(zone_name).key,
        "device_subscribed": subscribed is not None,
    }


def update(user: User, device_id: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a PATCH: kinds merge one by one; quiet hours and weekends replace."""
    db.session.commit()
    token = sqlite_immediate.set(True)
    try:
        row = db.session.execute(
            select(User)
            .where(User.id == user.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
    finally:
        sqlite_immediate.reset(token)
    stored = dict(row.notify_prefs or {})
    if "kinds" in changes:
        stored["kinds"] = {**(stored.get("kinds") or {}), **changes["kinds"]}
    for key in ("quiet_hours", "quiet_weekends"):
        if key in changes:
            stored[key] = changes[key]
    row.notify_prefs = stored
    db.session.commit()
    return settings(row, device_id)
