"""The look-for trend of a school focus for the Lead screen, as SVG (PWA: js/trend.js).

The same data (server.reports.walks, the read rules of pull) and the same drawing
(reports.charts.rating_columns, with small slices suppressed) as the focus report, so the
screen and the PDF cannot disagree and no suppression rule is re-implemented in the browser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reports import charts
from reports import walks as tallies
from reports.model import Period
from server.errors import NotFoundError
from server.extensions import db
from server.models import School, User
from server.policy import Reader
from server.reports import access, walks
from server.reports.queries import Scope, too_large
from server.school import school_zone

MAX_WALKS = 2_000


def focus_trend(
    user: User, raw_id: str, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    """Each look-for of the focus with its chart over the period (leads only)."""
    access.require_school_report(user)
    focus_id = access.parse_id(raw_id, "focus")
    scope, days = _scope(user, start, end)
    focus = walks.readable_focus(scope.reader, focus_id)
    if focus is None:
        raise NotFoundError("There is no focus with this id that you may see.")
    count = walks.count_walks(scope, focus_id)
    if count > MAX_WALKS:
        raise too_large(f"{count} learning walks")
    summary = tallies.summarise(walks.walk_data(scope, focus_id, 0), days)
    return {
        "focus_id": str(focus_id),
        "title": focus.title,
        "from_": days.start.isoformat(),
        "to": days.end.isoformat(),
        "walks": summary.walks,
        "visits": summary.visits,
        "lookfors": [
            {
                "lookfor_id": look.lookfor_id,
                "text": look.text,
                "active": look.active,
                "svg": str(
                    charts.rating_columns(
                        [(b.label, look.by_bucket[b.start]) for b in summary.buckets]
                    )
                ),
            }
            for look in summary.lookfors
        ],
    }


def _scope(user: User, start: dt.date | None, end: dt.date | None) -> tuple[Scope, Period]:
    """The reader and the requested days in the school's time zone (the reports' range rules)."""
    school = db.session.get(School, user.school_id)
    assert school is not None  # a signed-in user always belongs to a school
    zone = school_zone(school.timezone)
    days = access.period(start, end, dt.datetime.now(zone).date())
    low = dt.datetime.combine(days.start, dt.time(), zone)
    high = dt.datetime.combine(days.end + dt.timedelta(days=1), dt.time(), zone)
    return Scope(Reader.of(user), zone, low, high), days
