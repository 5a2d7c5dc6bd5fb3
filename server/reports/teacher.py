"""A teacher's professional learning record, read through server.policy's rules.

The teacher's own copy holds every observation they took part in that they may read. A lead's
copy holds only what the teacher shared with leads, and never a learning walk that visited
them: walks describe the school's practice, not a teacher.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

from sqlalchemy import Select, func, or_, select

from reports import model, text
from server import policy
from server.extensions import db
from server.models import Focus, NextStep, Note, Observation, ObservationParticipant, User
from server.policy import people
from server.reports import queries
from server.reports.queries import Scope

MAX_RECORD_OBSERVATIONS = 200


def _record_rows(scope: Scope, teacher: User, lead_copy: bool) -> Select[Observation, str]:
    role = ObservationParticipant.role
    query = (
        select(Observation, role)
        .join(ObservationParticipant, ObservationParticipant.observation_id == Observation.id)
        .where(
            ObservationParticipant.user_id == teacher.id,
            ~Observation.deleted,
            policy.observation_readable(scope.reader),
            Observation.starts_at >= scope.low,
            Observation.starts_at < scope.high,
        )
    )
    if lead_copy:
        visited_on_walk = (Observation.kind == queries.WALK) & people.role_was_visited_sql(role)
        query = query.where(Observation.visibility == "leads", ~visited_on_walk)
    return query.order_by(Observation.starts_at, Observation.id)


def teacher_data(
    scope: Scope, teacher: User, days: model.Period, lead_copy: bool, today: dt.date
) -> model.TeacherData:
    query = _record_rows(scope, teacher, lead_copy)
    count = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if count > MAX_RECORD_OBSERVATIONS:
        raise queries.too_large(f"{count} observations")
    rows = [(row[0], row[1]) for row in db.session.execute(query)]
    names = queries.people(scope.reader)
    focuses = queries.focus_titles(
        scope.reader, {f for obs, _ in rows for f in obs.focus_ids or []}
    )
    entries = tuple(_entry(scope, obs, role, teacher, names, focuses) for obs, role in rows)
    about_me = [obs for obs, role in rows if people.role_was_visited(role)]
    return model.TeacherData(
        teacher=teacher.display_name,
        teams=tuple(queries.user_teams(scope.reader, [teacher.id]).get(teacher.id, [])),
        period=days,
        lead_copy=lead_copy,
        today=today,
        entries=entries,
        focuses=_focus_uses(scope, teacher, [obs for obs, _ in rows], lead_copy),
        strengths=_quotes(scope, about_me, "strength", focuses),
        wonderings=_quotes(scope, about_me, "wondering", focuses),
        reflections=tuple(
            model.Quote(obs.reflection, scope.local(obs.starts_at), obs.title)
            for obs in about_me
            if obs.reflection.strip()
        ),
        next_steps=_record_steps(scope, teacher, days, lead_copy, names),
    )


def _entry(
    scope: Scope,
    obs: Observation,
    role: str,
    teacher: User,
    names: dict[uuid.UUID, str],
    focuses: dict[str, str],
) -> model.RecordEntry:
    others = [p for p in obs.participants if p["user_id"] != str(teacher.id)]
    return model.RecordEntry(
        starts_at=scope.local(obs.starts_at),
        kind=obs.kind,
        title=obs.title,
        role=role,
        others=tuple(queries.name_of(names, p["user_id"]) for p in others),
        focuses=tuple(focuses[str(f)] for f in obs.focus_ids or [] if str(f) in focuses),
        shared_with_leads=obs.visibility == "leads",
        class_label=obs.class_label,
        subject=obs.subject,
    )


def _focus_uses(
    scope: Scope, teacher: User, observations: list[Observation], lead_copy: bool
) -> tuple[model.FocusUse, ...]:
    """The focuses of the record's observations (and, in the teacher's copy, their own)."""
    used = Counter(uuid.UUID(str(f)) for obs in observations for f in set(obs.focus_ids or []))
    own = (Focus.kind == "personal") & (Focus.owner_id == teacher.id) & (not lead_copy)
    query = select(Focus).where(
        ~Focus.deleted, policy.focus_readable(scope.reader), or_(Focus.id.in_(list(used)), own)
    )
    focuses = sorted(db.session.execute(query).scalars(), key=lambda f: (-used[f.id], f.title))
    return tuple(model.FocusUse(f.title, f.kind, f.description, used[f.id]) for f in focuses)


def _quotes(
    scope: Scope, observations: list[Observation], category: str, focuses: dict[str, str]
) -> tuple[model.Quote, ...]:
    """Strengths or wonderings about the teacher's lessons: the summary field and the notes."""
    field = "strengths" if category == "strength" else "wonderings"
    group = {obs.id: _first_focus(obs, focuses) for obs in observations}
    quotes = [
        model.Quote(sentence, scope.local(obs.starts_at), group[obs.id])
        for obs in observations
        for sentence in text.sentences(getattr(obs, field))
    ]
    if observations:
        notes = db.session.execute(
            select(Note.observation_id, Note.text, Note.at).where(
                Note.observation_id.in_(list(group)),
                Note.category == category,
                ~Note.deleted,
                policy.note_readable(scope.reader),
            )
        )
        quotes += [model.Quote(n.text, scope.local(n.at), group[n.observation_id]) for n in notes]
    return tuple(quotes)


def _first_focus(obs: Observation, focuses: dict[str, str]) -> str:
    titles = [focuses[str(f)] for f in obs.focus_ids or [] if str(f) in focuses]
    return titles[0] if titles else "No focus chosen"


def _record_steps(
    scope: Scope,
    teacher: User,
    days: model.Period,
    lead_copy: bool,
    names: dict[uuid.UUID, str],
) -> tuple[model.StepItem, ...]:
    in_record = _record_rows(scope, teacher, lead_copy).with_only_columns(Observation.id)
    query = select(NextStep).where(
        NextStep.owner_id == teacher.id,
        ~NextStep.deleted,
        policy.next_step_readable(scope.reader),
        or_(NextStep.observation_id.in_(in_record), queries.in_period(days, scope)),
    )
    if lead_copy:
        shared = select(Observation.id).where(Observation.visibility == "leads")
        query = query.where(NextStep.observation_id.in_(shared))
    steps = queries.bounded_steps(query)
    focuses = queries.focus_titles(scope.reader, {s.focus_id for s in steps if s.focus_id})
    origin = queries.sources(scope.reader, scope, steps)
    return queries.step_items(steps, names, focuses, origin)
