"""The four PDF reports: who may download which, the limits, and the data behind each.

Read rules come only from server.policy (through queries, teacher and walks), so a report never
shows what a pull would not. On top of them: a teacher's record downloaded by a lead holds
only what the teacher shared with leads (and no learning walk that visited them); the focus
report and action plan are for leads and name no one on learning-walk data.

Limits keep a report to a size a person can use and a server can render in seconds: a range
of at most access.MAX_RANGE_DAYS, and counts of notes, observations, walks and next steps below the
MAX_* figures; past them the reader is asked to narrow the request (413 report_too_large). The
layout itself is stopped after REPORT_RENDER_SECONDS (503 report_timeout, Retry-After).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from reports import builders, model
from reports.builders import Pdf
from reports.render import RenderTimeout, ReportTooLarge
from server import policy
from server.errors import ApiError, NotFoundError
from server.extensions import db
from server.models import Focus, School, User
from server.policy import Reader
from server.reports import access, cache, queries, walks
from server.reports.photos import observation_photos
from server.reports.queries import Scope, too_large
from server.reports.teacher import teacher_data
from server.school import school_zone

MAX_NOTES = 1_000
MAX_NOTE_CHARACTERS = 150_000
MAX_WALKS = 2_000
MAX_WALK_NOTES = 5_000
MAX_FOCUSES = 40
QUOTES_PER_FOCUS = 5
QUOTE_CATEGORIES = ("strength", "evidence", "pupils")
READ_IN_THE_APP = "Read this observation in the app instead."


def _school(user: User) -> tuple[School, ZoneInfo]:
    school = db.session.get(School, user.school_id)
    assert school is not None  # a signed-in user always belongs to a school
    return school, school_zone(school.timezone)


def _meta(school: School, zone: ZoneInfo) -> model.Meta:
    return model.Meta(school.name, dt.datetime.now(zone))


def _scope(user: User, zone: ZoneInfo, days: model.Period | None = None) -> Scope:
    if days is None:
        return Scope(Reader.of(user), zone, dt.datetime.min.replace(tzinfo=dt.UTC), _far())
    low = dt.datetime.combine(days.start, dt.time(), zone)
    high = dt.datetime.combine(days.end + dt.timedelta(days=1), dt.time(), zone)
    return Scope(Reader.of(user), zone, low, high)


def _far() -> dt.datetime:
    return dt.datetime.max.replace(tzinfo=dt.UTC)


RETRY_AFTER_SECONDS = 60


def _render(build: partial[Pdf], advice: str = "Choose a shorter date range.") -> Pdf:
    """The report from the cache of what reports show (server.reports.cache), else laid out
    within REPORT_RENDER_SECONDS; too long (413) or too slow to lay out (503, stopped)."""
    return cache.rendered(build, partial(_lay_out, build, advice))


def _lay_out(build: Callable[[float], Pdf], advice: str) -> Pdf:
    seconds = float(current_app.config["REPORT_RENDER_SECONDS"])
    try:
        return build(seconds)
    except ReportTooLarge as exc:
        raise too_large(str(exc), advice) from exc
    except RenderTimeout as exc:
        raise ApiError(
            503,
            "report_timeout",
            f"This report took longer than {seconds:g} seconds to lay out and was "
            f"stopped. Try again later. {advice}",
            {"limit_seconds": seconds},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from exc


# ---- observation summary ---------------------------------------------------------------------


def observation_pdf(user: User, raw_id: str) -> Pdf:
    """One observation, as the user may see it; 404 when they may not (existence is not told)."""
    observation_id = access.parse_id(raw_id, "observation")
    school, zone = _school(user)
    scope = _scope(user, zone)
    obs = queries.readable_observation(scope.reader, observation_id)
    if obs is None:
        raise NotFoundError("There is no observation with this id that you may see.")
    notes, characters = queries.note_volume(scope.reader, observation_id)
    if notes > MAX_NOTES or characters > MAX_NOTE_CHARACTERS:
        raise too_large(f"{notes} notes, {characters} characters", READ_IN_THE_APP)
    content = queries.observation_data(scope, obs)
    content = replace(content, photos=observation_photos(scope.reader, obs.id))  # issue 16
    meta = _meta(school, zone)
    return _render(partial(builders.build_observation, meta, content), READ_IN_THE_APP)


# ---- a teacher's professional learning record ------------------------------------------------


def teacher_pdf(user: User, raw_id: str, start: dt.date | None, end: dt.date | None) -> Pdf:
    """The teacher's own record, or for a lead what the teacher shared with leads (403 else)."""
    teacher_id = access.parse_id(raw_id, "user")
    school, zone = _school(user)
    reader = Reader.of(user)
    teacher = db.session.execute(
        select(User).where(User.id == teacher_id, policy.school_wide(User, reader))
    ).scalar_one_or_none()
    if teacher is None:
        raise NotFoundError("There is no one with this id in your school.")
    access.require_learning_record(user, teacher.id)
    lead_copy = teacher.id != user.id
    meta = _meta(school, zone)
    days = access.period(start, end, meta.generated_at.date())
    scope = _scope(user, zone, days)
    content = teacher_data(scope, teacher, days, lead_copy, meta.generated_at.date())
    return _render(partial(builders.build_teacher, meta, content))


# ---- focus report ----------------------------------------------------------------------------


def focus_pdf(user: User, raw_id: str, start: dt.date | None, end: dt.date | None) -> Pdf:
    """Learning-walk evidence on one focus, for leads; never a name, small slices suppressed."""
    access.require_school_report(user)
    focus_id = access.parse_id(raw_id, "focus")
    school, zone = _school(user)
    meta = _meta(school, zone)
    days = access.period(start, end, meta.generated_at.date())
    scope = _scope(user, zone, days)
    focus = walks.readable_focus(scope.reader, focus_id)
    if focus is None:
        raise NotFoundError("There is no focus with this id that you may see.")
    evidence = _walk_data(scope, focus_id)
    content = model.FocusData(
        title=focus.title,
        description=focus.description,
        kind=focus.kind,
        period=days,
        walks=evidence,
        other_observations=walks.kinds_of(walks.shared_observations(scope, focus_id)),
        staff_names=walks.staff_names(scope.reader),
    )
    return _render(partial(builders.build_focus, meta, content))


def _walk_data(scope: Scope, focus_id: uuid.UUID) -> model.WalkData:
    count = walks.count_walks(scope, focus_id)
    if count > MAX_WALKS:
        raise too_large(f"{count} learning walks")
    return walks.walk_data(scope, focus_id, MAX_WALK_NOTES)


# ---- action plan -----------------------------------------------------------------------------


def action_plan_pdf(user: User, start: dt.date | None, end: dt.date | None) -> Pdf:
    """For each school focus: where we are going, where we are now, our next steps (leads)."""
    access.require_school_report(user)
    school, zone = _school(user)
    meta = _meta(school, zone)
    days = access.period(start, end, meta.generated_at.date())
    scope = _scope(user, zone, days)
    focuses = walks.school_focuses(scope.reader)
    if len(focuses) > MAX_FOCUSES:
        raise too_large(f"{len(focuses)} focuses")
    names = queries.people(scope.reader)
    titles = {str(f.id): f.title for f in focuses}
    plans = [_focus_plan(scope, days, focus, names, titles) for focus in focuses]
    content = model.ActionPlanData(
        period=days,
        today=meta.generated_at.date(),
        focuses=tuple(p for p in plans if p.active or _has_evidence(p)),
        staff_names=tuple(names.values()),
    )
    return _render(partial(builders.build_action_plan, meta, content))


def _has_evidence(plan: model.FocusPlan) -> bool:
    return bool(plan.walks.walks or plan.observations or plan.next_steps)


def _focus_plan(
    scope: Scope,
    days: model.Period,
    focus: Focus,
    names: dict[uuid.UUID, str],
    titles: dict[str, str],
) -> model.FocusPlan:
    shared = walks.shared_observations(scope, focus.id)
    steps = queries.bounded_steps(walks.plan_steps(scope, days, focus.id))
    origin = queries.sources(scope.reader, scope, steps)
    return model.FocusPlan(
        title=focus.title,
        description=focus.description,
        active=focus.active,
        walks=_walk_data(scope, focus.id),
        observations=walks.kinds_of(shared),
        quotes=walks.quotes(scope, shared, QUOTE_CATEGORIES, QUOTES_PER_FOCUS),
        next_steps=queries.step_items(steps, names, titles, origin),
    )
