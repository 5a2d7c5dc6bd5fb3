"""Retention: a school keeps observations `retention_years` after the end of their school year.

The school year ends on `year_end` (MM-DD, default 08-31) in the school's time zone; the default
is 6 years (a common schedule for staff development records: the rest of employment is not
assumed; a school sets its own). On a day D the last school year past the limit is the one
ending on the latest `year_end` E with E + N years before D: every observation that started
on or before E goes for good (with its notes and next steps), as do next steps on no
observation created by then and audit rows older than that. Records become tombstones
(server.rights.tombstones); audit rows are deleted. The worker runs this daily (`run_all`);
`preview` says what the next run would delete.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, not_, or_, select

from server import audit
from server.extensions import db
from server.models import Attachment, NextStep, Note, Observation, School, utcnow
from server.rights.tombstones import tombstone, tombstone_photos
from server.school import school_zone
from server.sync.versions import write_transaction
from server.visits import Visit


@dataclass(frozen=True)
class Due:
    """What a run would delete in one school."""

    cutoff: dt.datetime
    observations: list[uuid.UUID]
    notes: list[uuid.UUID]
    next_steps: list[uuid.UUID]
    audit_events: int

    def counts(self) -> dict[str, int]:
        return {
            "observations": len(self.observations),
            "notes": len(self.notes),
            "next_steps": len(self.next_steps),
            "audit_events": self.audit_events,
        }


def _year_end(year: int, month_day: str) -> dt.date:
    month, day = (int(part) for part in month_day.split("-"))
    if (month, day) == (2, 29):
        day = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return dt.date(year, month, day)


def cutoff(school: School, now: dt.datetime) -> dt.datetime:
    """Records that started before this moment are past the school's retention."""
    zone = school_zone(school.timezone)
    today = now.astimezone(zone).date()
    latest = _year_end(today.year, school.year_end)
    if latest >= today:
        latest = _year_end(today.year - 1, school.year_end)
    ended = _year_end(latest.year - school.retention_years, school.year_end)
    return dt.datetime.combine(ended + dt.timedelta(days=1), dt.time(), zone)


def _not_yet_purged(model: Any, text: Any) -> ColumnElement[bool]:
    """Live records, and deleted ones that still hold their text."""
    return or_(not_(model.deleted), text != "")


def due(school: School, now: dt.datetime) -> Due:
    """What the run at `now` deletes."""
    limit = cutoff(school, now)
    past = and_(Observation.school_id == school.id, Observation.starts_at < limit)
    old = select(Observation.id).where(past)
    observations = _ids(Observation, past, _not_yet_purged(Observation, Observation.title))
    notes = _ids(Note, Note.observation_id.in_(old), _not_yet_purged(Note, Note.text))
    steps = _ids(
        NextStep,
        NextStep.school_id == school.id,
        or_(
            NextStep.observation_id.in_(old),
            and_(NextStep.observation_id.is_(None), NextStep.created_at < limit),
        ),
        _not_yet_purged(NextStep, NextStep.text),
    )
    events = db.session.execute(
        select(func.count()).where(
            audit.AuditEvent.school_id == school.id, audit.AuditEvent.at < limit
        )
    ).scalar_one()
    return Due(limit, observations, notes, steps, int(events))


def _ids(model: Any, *where: Any) -> list[uuid.UUID]:
    return list(db.session.execute(select(model.id).where(*where).order_by(model.id)).scalars())


def preview(school: School, now: dt.datetime | None = None) -> dict[str, Any]:
    """The setting and what the next run would delete."""
    found = due(school, now or utcnow())
    return {
        "retention_years": school.retention_years,
        "year_end": school.year_end,
        "cutoff": found.cutoff.isoformat(),
        "would_delete": found.counts(),
    }


def run(school_id: uuid.UUID, now: dt.datetime) -> dict[str, int]:
    """Delete what is past the school's retention, for good; returns the counts."""
    with write_transaction(school_id) as versions:
        school = db.session.get(School, school_id)
        assert school is not None
        found = due(school, now)
        tombstone(Observation, found.observations, versions)
        walks = Visit.observation_id.in_(found.observations)  # their visits go too (README: leads)
        tombstone(Visit, _ids(Visit, walks, _not_yet_purged(Visit, Visit.class_label)), versions)
        photos = Attachment.observation_id.in_(found.observations)  # bytes too (issue 16)
        tombstone_photos(_ids(Attachment, photos, not_(Attachment.deleted)), versions)
        tombstone(Note, found.notes, versions)
        tombstone(NextStep, found.next_steps, versions)
        db.session.execute(
            delete(audit.AuditEvent).where(
                audit.AuditEvent.school_id == school_id, audit.AuditEvent.at < found.cutoff
            )
        )
        counts = found.counts()
        if any(counts.values()):
            detail = {**counts, "cutoff": found.cutoff.isoformat()}
            row = audit.event(
                None, None, audit.RETENTION, "school", school_id, school_id=school_id, at=now,
                detail=detail,
            )  # fmt: skip
            audit.append([row])
    return counts


def run_all(now: dt.datetime) -> dict[str, dict[str, int]]:
    """Apply retention in every school (the worker, daily)."""
    schools = list(db.session.execute(select(School.id, School.name)).all())
    db.session.commit()
    return {name: run(school_id, now) for school_id, name in schools}
