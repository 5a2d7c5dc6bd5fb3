"""Learning-walk evidence and the action plan's pieces, read through server.policy's rules.

Walk data leaves here as team names and look-for ratings: the people taking part in a walk
are never read into a report.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select

from reports import model
from server import policy
from server.extensions import db
from server.models import (
    Focus,
    Lookfor,
    NextStep,
    Note,
    Observation,
    ObservationFocus,
    ObservationParticipant,
    Team,
    UserTeam,
)
from server.policy import Reader
from server.policy import people as policy_people
from server.reports.queries import WALK, Scope, in_period, people
from server.visits import Visit

# ---- learning walks on one focus ------------------------------------------------------------


def _walk_ids(scope: Scope, focus_id: uuid.UUID) -> Select[uuid.UUID]:
    using_focus = select(ObservationFocus.observation_id).where(
        ObservationFocus.focus_id == focus_id
    )
    return select(Observation.id).where(
        Observation.kind == WALK,
        ~Observation.deleted,
        policy.observation_readable(scope.reader),
        Observation.id.in_(using_focus),
        Observation.starts_at >= scope.low,
        Observation.starts_at < scope.high,
    )


def count_walks(scope: Scope, focus_id: uuid.UUID) -> int:
    """How many learning walks on the focus fall in the period."""
    query = select(func.count()).select_from(_walk_ids(scope, focus_id).subquery())
    return int(db.session.execute(query).scalar_one())


def lookfors(reader: Reader, focus_id: uuid.UUID) -> tuple[model.Lookfor, ...]:
    """The focus's look-fors, oldest first."""
    query = (
        select(Lookfor.id, Lookfor.text, Lookfor.active)
        .where(Lookfor.focus_id == focus_id, ~Lookfor.deleted, policy.school_wide(Lookfor, reader))
        .order_by(Lookfor.created_at, Lookfor.id)
    )
    return tuple(model.Lookfor(str(r.id), r.text, r.active) for r in db.session.execute(query))


def walk_data(scope: Scope, focus_id: uuid.UUID, note_limit: int) -> model.WalkData:
    """Walks, ticks and notes on the focus in the period; team names, never people."""
    ids = _walk_ids(scope, focus_id)
    looks = lookfors(scope.reader, focus_id)
    walks = [
        model.Walk(str(row.id), scope.local(row.starts_at).date(), teams)
        for row, teams in _walks_with_teams(scope, ids)
    ]
    notes = select(Note).where(
        Note.observation_id.in_(ids), ~Note.deleted, policy.note_readable(scope.reader)
    )
    ticks, texts = _ticks(notes, looks), _walk_notes(notes, note_limit)
    return model.WalkData(looks, tuple(walks), ticks, texts, walk_visits(scope.reader, ids))


def walk_visits(reader: Reader, walk_ids: Select[uuid.UUID]) -> tuple[model.WalkVisit, ...]:
    """The walks' visits with their team's name and year group (README: leads)."""
    query = (
        select(Visit.id, Visit.observation_id, Team.name, Visit.year_group)
        .outerjoin(Team, (Team.id == Visit.team_id) & policy.school_wide(Team, reader))
        .where(Visit.observation_id.in_(walk_ids), ~Visit.deleted, policy.visit_readable(reader))
    )
    return tuple(
        model.WalkVisit(str(r.id), str(r.observation_id), r.name or "", r.year_group)
        for r in db.session.execute(query)
    )


def _ticks(notes: Select[Any], looks: tuple[model.Lookfor, ...]) -> tuple[model.Tick, ...]:
    """The look-for ratings among the walks' notes."""
    tick_rows = db.session.execute(
        notes.with_only_columns(
            Note.observation_id,
            Note.lookfor_id,
            Note.lookfor_rating,
            Note.at,
            Note.minute,
            Note.tags,
            Note.visit_id,
        ).where(
            Note.category == "lookfor",
            Note.lookfor_id.in_([uuid.UUID(look.id) for look in looks]),
            Note.lookfor_rating.is_not(None),
        )
    )
    return tuple(
        model.Tick(str(r[0]), str(r[1]), str(r[2]), r[3], r[4], tuple(r[5] or []), _id(r[6]))
        for r in tick_rows
    )


def _walk_notes(notes: Select[Any], note_limit: int) -> tuple[model.WalkNote, ...]:
    """The walks' written notes, oldest first, at most `note_limit`."""
    text_rows = db.session.execute(
        notes.with_only_columns(
            Note.observation_id,
            Note.category,
            Note.text,
            Note.at,
            Note.minute,
            Note.tags,
            Note.visit_id,
        )
        .where(Note.text != "")
        .order_by(Note.at)
        .limit(note_limit)
    )
    return tuple(
        model.WalkNote(str(r[0]), r[1], r[2], r[3], r[4], tuple(r[5] or []), _id(r[6]))
        for r in text_rows
    )


def _id(value: Any) -> str:
    return "" if value is None else str(value)


def _walks_with_teams(scope: Scope, ids: Select[uuid.UUID]) -> list[tuple[Any, tuple[str, ...]]]:
    walks = db.session.execute(
        select(Observation.id, Observation.starts_at).where(Observation.id.in_(ids))
    ).all()
    team_rows = db.session.execute(
        select(ObservationParticipant.observation_id, Team.name)
        .join(UserTeam, UserTeam.user_id == ObservationParticipant.user_id)
        .join(Team, Team.id == UserTeam.team_id)
        .where(
            ObservationParticipant.observation_id.in_(ids),
            policy_people.role_was_visited_sql(ObservationParticipant.role),
            policy.school_wide(Team, scope.reader),
        )
    )
    teams: dict[uuid.UUID, set[str]] = {}
    for row in team_rows:
        teams.setdefault(row.observation_id, set()).add(row.name)
    return [(walk, tuple(sorted(teams.get(walk.id, ())))) for walk in walks]


def shared_observations(scope: Scope, focus_id: uuid.UUID) -> Select[uuid.UUID]:
    """Observations (not walks) on the focus in the period that were shared with leads."""
    using_focus = select(ObservationFocus.observation_id).where(
        ObservationFocus.focus_id == focus_id
    )
    return select(Observation.id).where(
        Observation.kind != WALK,
        ~Observation.deleted,
        Observation.visibility == "leads",
        policy.observation_readable(scope.reader),
        Observation.id.in_(using_focus),
        Observation.starts_at >= scope.low,
        Observation.starts_at < scope.high,
    )


def kinds_of(ids: Select[uuid.UUID]) -> dict[str, int]:
    """How many of these observations there are of each kind."""
    query = (
        select(Observation.kind, func.count())
        .where(Observation.id.in_(ids))
        .group_by(Observation.kind)
        .order_by(Observation.kind)
    )
    return {row[0]: int(row[1]) for row in db.session.execute(query)}


def staff_names(reader: Reader) -> tuple[str, ...]:
    """Every display name of the school, to keep them out of quoted walk notes."""
    return tuple(people(reader).values())


# ---- focuses and the action plan ------------------------------------------------------------


def readable_focus(reader: Reader, focus_id: uuid.UUID) -> Focus | None:
    """The focus, if it exists, is not deleted and the reader may see it."""
    query = select(Focus).where(Focus.id == focus_id, ~Focus.deleted, policy.focus_readable(reader))
    return db.session.execute(query).scalar_one_or_none()


def school_focuses(reader: Reader) -> list[Focus]:
    """The school's focuses, active first, oldest first."""
    query = (
        select(Focus)
        .where(Focus.kind == "school", ~Focus.deleted, policy.focus_readable(reader))
        .order_by(Focus.active.desc(), Focus.created_at, Focus.title)
    )
    return list(db.session.execute(query).scalars())


def plan_steps(scope: Scope, period: model.Period, focus_id: uuid.UUID) -> Select[NextStep]:
    """Next steps on a focus (by their own focus, or their observation's) in the period, from
    observations shared with leads or from no observation; open ones carried over."""
    using_focus = select(ObservationFocus.observation_id).where(
        ObservationFocus.focus_id == focus_id
    )
    shared = select(Observation.id).where(Observation.visibility == "leads")
    return select(NextStep).where(
        ~NextStep.deleted,
        policy.next_step_readable(scope.reader),
        or_(
            NextStep.focus_id == focus_id,
            NextStep.focus_id.is_(None) & NextStep.observation_id.in_(using_focus),
        ),
        or_(NextStep.observation_id.is_(None), NextStep.observation_id.in_(shared)),
        in_period(period, scope, carry_open=True),
    )


def quotes(
    scope: Scope, observations: Select[uuid.UUID], categories: Sequence[str], limit: int
) -> tuple[model.Quote, ...]:
    """The latest distinct notes of these categories on these observations."""
    query = (
        select(Note.text, Note.at, Note.category)
        .where(
            Note.observation_id.in_(observations),
            Note.category.in_(categories),
            Note.text != "",
            ~Note.deleted,
            policy.note_readable(scope.reader),
        )
        .order_by(Note.at.desc(), Note.id)
        .limit(limit * 10)
    )
    picked: dict[str, model.Quote] = {}
    for row in db.session.execute(query):
        key = " ".join(row.text.casefold().split())
        if key not in picked and len(picked) < limit:
            picked[key] = model.Quote(row.text, scope.local(row.at), row.category)
    return tuple(picked.values())
