"""Who may download which report, and which date ranges a report accepts.

The rules themselves are server.policy's; this module turns a refusal into the right answer
(403: "this exists but is not for you"; 400 for an id or range that cannot be).
"""

from __future__ import annotations

import datetime as dt
import uuid

from reports import model
from server import policy
from server.errors import ApiError, ForbiddenError, ValidationApiError
from server.models import User

MAX_RANGE_DAYS = 731
DEFAULT_RANGE_DAYS = 365
# Reports step days, weeks and months around their range and turn days into times in the
# school's zone: a year to spare at each end of the calendar keeps all of that representable.
FIRST_DAY = dt.date(2, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def parse_id(raw: str, what: str) -> uuid.UUID:
    """A UUID from the URL, or 400 invalid_id."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise ApiError(400, "invalid_id", f"That is not a valid {what} id.") from exc


def period(start: dt.date | None, end: dt.date | None, today: dt.date) -> model.Period:
    """The requested days: `to` defaults to today, `from` to a year before `to`; a day outside
    FIRST_DAY..LAST_DAY, a backwards or an over-long range is refused (400)."""
    _check_day("from", start)
    _check_day("to", end)
    if end is None:
        end = max(today, start) if start else today
    if start is None:
        start = max(end - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1), FIRST_DAY)
    if start > end:
        raise ApiError(400, "invalid_range", "`from` must be on or before `to`.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ApiError(
            400,
            "range_too_long",
            f"Choose a range of at most {MAX_RANGE_DAYS} days (two school years).",
            {"max_days": MAX_RANGE_DAYS},
        )
    return model.Period(start, end)


def _check_day(name: str, day: dt.date | None) -> None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationApiError({name: [f"Choose a day from {FIRST_DAY} to {LAST_DAY}."]})


def require_school_report(user: User) -> None:
    """The focus report and the action plan (policy.may_download_school_report), or 403."""
    if not policy.may_download_school_report(user):
        raise ForbiddenError("Only school leaders can download this report.")


def require_learning_record(user: User, teacher_id: uuid.UUID) -> None:
    """A teacher's learning record (policy.may_download_learning_record), or 403."""
    if not policy.may_download_learning_record(user, teacher_id):
        raise ForbiddenError("Only the teacher themselves or a school leader can download this.")
