"""Reading what a report may show: queries through server.policy's read rules, into reports.model.

Every query here carries the reader's read rule for its entity (`observation_readable`,
`note_readable`, `next_step_readable`, `focus_readable`, `school_wide`), so a report never
shows what a pull would not. Some reports narrow further (only what was shared with leads);
none ever widens. Times come out in the school's local time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from reports import model
from reports.text import short_date
from server import policy
from server.errors import ApiError
from server.extensions import db
from server.models import (
    Focus,
    Lookfor,
    NextStep,
    Note,
    Observation,
    Team,
    User,
    UserTeam,
)
from server.policy import Reader
from server.visits import Visit

MAX_NEXT_STEPS = 1_000
WALK = "learning_walk"
FIELD_LABELS = {
    "focus_ids": "Focus",
    "case_pupils": "Case pupils",
    "starts_at": "Date and time",
    "class_label": "Class",
    "deleted": "Deleted",
    "lookfor_rating": "Look-for rating",
}


@dataclass(frozen=True)
class Scope:
    """Who is reading, in which school time zone, over which UTC interval."""

    reader: Reader
    zone: ZoneInfo
    low: dt.datetime
    high: dt.datetime

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)


def people(reader: Reader) -> dict[uuid.UUID, str]:
    """Display names of the reader's school (the directory every user pulls)."""
    rows = db.session.execute(
        select(User.id, User.display_name).where(policy.school_wide(User, reader))
    )
    return {row.id: row.display_name for row in rows}


def user_teams(reader: Reader, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Team names per user."""
    query = (
        select(UserTeam.user_id, Team.name)
        .join(Team, Team.id == UserTeam.team_id)
        .where(UserTeam.user_id.in_(list(user_ids)), policy.school_wide(Team, reader))
        .order_by(Team.name)
    )
    teams: dict[uuid.UUID, list[str]] = {}
    for row in db.session.execute(query):
        teams.setdefault(row.user_id, []).append(row.name)
    return teams


def focus_titles(reader: Reader, ids: Iterable[Any]) -> dict[str, str]:
    """Titles of the focuses among `ids` the reader may see (by id as a string)."""
    wanted = [uuid.UUID(str(i)) for i in ids]
    if not wanted:
        return {}
    query = select(Focus.id, Focus.title).where(
        Focus.id.in_(wanted), ~Focus.deleted, policy.focus_readable(reader)
    )
    return {str(row.id): row.title for row in db.session.execute(query)}


def _text(value: Any, names: dict[uuid.UUID, str], focuses: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_list_item(v, names, focuses) for v in value)
    return str(value)


def _list_item(value: Any, names: dict[uuid.UUID, str], focuses: dict[str, str]) -> str:
    if isinstance(value, dict) and "user_id" in value:
        name = name_of(names, value["user_id"])
        return f"{name} ({model.ROLE_LABELS.get(value.get('role', ''), value.get('role', ''))})"
    return focuses.get(str(value), str(value))


def name_of(names: dict[uuid.UUID, str], user_id: Any) -> str:
    try:
        return names.get(uuid.UUID(str(user_id)), "Someone")
    except ValueError:
        return "Someone"


def conflicts(
    row: Any, names: dict[uuid.UUID, str], focuses: dict[str, str]
) -> tuple[model.Conflict, ...]:
    """A record's kept conflicting values beside its current ones."""
    result = []
    for kept in row.conflicts or []:
        field = str(kept.get("field", ""))
        current = getattr(row, field, None)
        if isinstance(current, uuid.UUID):
            current = str(current)
        result.append(
            model.Conflict(
                FIELD_LABELS.get(field, field.replace("_", " ").capitalize()),
                _text(current, names, focuses),
                _text(kept.get("value"), names, focuses),
                name_of(names, kept.get("author_id")),
            )
        )
    return tuple(result)


# ---- one observation --------------------------------------------------------------------------


def readable_observation(reader: Reader, observation_id: uuid.UUID) -> Observation | None:
    """The observation, if it exists, is not deleted and the reader may see it."""
    query = select(Observation).where(
        Observation.id == observation_id, ~Observation.deleted, policy.observation_readable(reader)
    )
    return db.session.execute(query).scalar_one_or_none()


def _note_filter(reader: Reader, observation_id: uuid.UUID) -> list[ColumnElement[bool]]:
    return [Note.observation_id == observation_id, ~Note.deleted, policy.note_readable(reader)]


def note_volume(reader: Reader, observation_id: uuid.UUID) -> tuple[int, int]:
    """How many notes and characters of note text the summary would print."""
    query = select(func.count(), func.coalesce(func.sum(func.length(Note.text)), 0)).where(
        *_note_filter(reader, observation_id)
    )
    count, chars = db.session.execute(query).one()
    return int(count), int(chars)


def observation_data(scope: Scope, obs: Observation) -> model.ObservationData:
    """Everything the observation summary prints."""
    reader = scope.reader
    names, focuses = people(reader), focus_titles(reader, obs.focus_ids or [])
    notes = list(
        db.session.execute(
            select(Note).where(*_note_filter(reader, obs.id)).order_by(Note.at, Note.id)
        ).scalars()
    )
    lookfors = _lookfor_texts(reader, {n.lookfor_id for n in notes if n.lookfor_id})
    steps = db.session.execute(
        select(NextStep)
        .where(NextStep.observation_id == obs.id, ~NextStep.deleted)
        .where(policy.next_step_readable(reader))
        .order_by(NextStep.due_on, NextStep.created_at)
    ).scalars()
    return model.ObservationData(
        title=obs.title,
        kind=obs.kind,
        starts_at=scope.local(obs.starts_at),
        status=obs.status,
        shared_with_leads=obs.visibility == "leads",
        class_label=obs.class_label,
        subject=obs.subject,
        year_group=obs.year_group,
        participants=tuple(
            model.Participant(name_of(names, p["user_id"]), p["role"]) for p in obs.participants
        ),
        focuses=tuple(focuses[str(f)] for f in obs.focus_ids or [] if str(f) in focuses),
        focus_question=obs.focus_question,
        learning_intention=obs.learning_intention,
        strengths=obs.strengths,
        wonderings=obs.wonderings,
        reflection=obs.reflection,
        case_pupils=tuple(obs.case_pupils or []),
        notes=tuple(_note_item(scope, n, names, focuses, lookfors) for n in notes),
        next_steps=step_items(steps, names, focuses),
        conflicts=conflicts(obs, names, focuses),
        visits=visit_items(scope, obs),
    )


def visit_items(scope: Scope, obs: Observation) -> tuple[model.VisitItem, ...]:
    """A learning walk's visits, in time order, with their team's name (README: leads)."""
    query = (
        select(Visit, Team.name)
        .outerjoin(Team, (Team.id == Visit.team_id) & policy.school_wide(Team, scope.reader))
        .where(Visit.observation_id == obs.id, ~Visit.deleted)
        .where(policy.visit_readable(scope.reader))
        .order_by(Visit.at, Visit.id)
    )
    return tuple(
        model.VisitItem(
            str(v.id), scope.local(v.at), v.class_label, v.year_group, v.subject, team or ""
        )
        for v, team in db.session.execute(query)
    )


def _lookfor_texts(reader: Reader, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(Lookfor.id, Lookfor.text).where(
        Lookfor.id.in_(ids), policy.school_wide(Lookfor, reader)
    )
    return {row.id: row.text for row in db.session.execute(query)}


def _note_item(
    scope: Scope,
    note: Note,
    names: dict[uuid.UUID, str],
    focuses: dict[str, str],
    lookfors: dict[uuid.UUID, str],
) -> model.NoteItem:
    return model.NoteItem(
        at=scope.local(note.at),
        minute=note.minute,
        author=names.get(note.created_by, "Someone"),
        category=note.category,
        text=note.text,
        tags=tuple(note.tags or []),
        case_pupil=note.case_pupil,
        lookfor=lookfors.get(note.lookfor_id, "") if note.lookfor_id else "",
        rating=note.lookfor_rating,
        conflicts=conflicts(note, names, focuses),
        visit_id=str(note.visit_id) if note.visit_id else "",
    )


def step_items(
    steps: Iterable[NextStep],
    names: dict[uuid.UUID, str],
    focuses: dict[str, str],
    origins: dict[uuid.UUID, str] | None = None,
) -> tuple[model.StepItem, ...]:
    """Next steps as printed, each with the observation it came from when known."""
    origins = origins or {}
    return tuple(
        model.StepItem(
            text=step.text,
            owner=names.get(step.owner_id, "Someone"),
            status=step.status,
            due_on=step.due_on,
            focus=focuses.get(str(step.focus_id), "") if step.focus_id else "",
            source=origins.get(step.observation_id, "") if step.observation_id else "",
        )
        for step in steps
    )


def too_large(what: str, advice: str = "Choose a shorter date range.") -> ApiError:
    """413 in the one error shape, saying how to get a report that fits."""
    return ApiError(
        413, "report_too_large", f"This report would be too long to print ({what}). {advice}"
    )


def in_period(period: model.Period, scope: Scope, carry_open: bool = False) -> ColumnElement[bool]:
    """A next step belongs to the period when due in it, or without a due date when created in
    it; `carry_open` adds steps still open that fell due before it."""
    clauses = [
        and_(NextStep.due_on >= period.start, NextStep.due_on <= period.end),
        and_(
            NextStep.due_on.is_(None),
            NextStep.created_at >= scope.low,
            NextStep.created_at < scope.high,
        ),
    ]
    if carry_open:
        clauses.append(and_(NextStep.status == "open", NextStep.due_on < period.start))
    return or_(*clauses)


def sources(reader: Reader, scope: Scope, steps: Sequence[NextStep]) -> dict[uuid.UUID, str]:
    """'Title, 20 Nov 2026' of the observations the steps came from."""
    ids = {s.observation_id for s in steps if s.observation_id}
    if not ids:
        return {}
    query = select(Observation.id, Observation.title, Observation.starts_at).where(
        Observation.id.in_(ids), policy.observation_readable(reader)
    )
    return {
        row.id: f"{row.title}, {short_date(scope.local(row.starts_at).date())}"
        for row in db.session.execute(query)
    }


def bounded_steps(query: Select[NextStep]) -> list[NextStep]:
    """The next steps, open before done, earliest due first; 413 past MAX_NEXT_STEPS."""
    count = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if count > MAX_NEXT_STEPS:
        raise too_large(f"{count} next steps")
    far = dt.date.max
    steps = list(db.session.execute(query).scalars())
    return sorted(steps, key=lambda s: (s.status == "done", s.due_on or far, s.created_at))
