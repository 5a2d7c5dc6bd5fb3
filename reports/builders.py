"""The four reports: plain data (reports.model) -> template context -> PDF bytes.

Each `build_*` returns the PDF and a dated, ASCII file name. Nothing here reads the database
or decides who may see what: the data arrives already filtered by the read rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reports import charts, text, walk_summary, walks
from reports.model import (
    CATEGORY_LABELS,
    KIND_LABELS,
    RATING_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    ActionPlanData,
    FocusData,
    FocusPlan,
    Meta,
    NoteItem,
    ObservationData,
    Period,
    Quote,
    StepItem,
    TeacherData,
)
from reports.render import RENDER_SECONDS, ReportTooLarge, render_pdf

# Page estimates in lines of text (about 50 a page): past about two pages a report gets a
# table of contents; past MAX_LINES it is refused before layout, which bounds render time
# (WeasyPrint lays out roughly four pages a second and cannot be interrupted mid-layout).
LONG_REPORT_LINES = 110
KEEP_WHOLE_LINES = 30  # an action plan's focus this short is kept on one page
MAX_LINES = 2_500
CHARACTERS_PER_LINE = 90
GIVEN_ROLES = ("observer", "facilitator")
WALK = "learning_walk"
RECORD_SERIES = (
    charts.Series("received", "Observed by colleagues", "#1d6b52", "#ffffff"),
    charts.Series("together", "Taught together", "#e6a73c", "#1f2933"),
    charts.Series("given", "Observing colleagues", "#5b7fa6", "#ffffff"),
)
LABELS = {
    "kinds": KIND_LABELS,
    "roles": ROLE_LABELS,
    "categories": CATEGORY_LABELS,
    "ratings": RATING_LABELS,
    "statuses": STATUS_LABELS,
}


@dataclass(frozen=True)
class Pdf:
    filename: str
    content: bytes


def _context(meta: Meta, title: str, **values: Any) -> dict[str, Any]:
    return {
        "meta": meta,
        "title": title,
        "labels": LABELS,
        "min_visits": walks.MIN_VISITS,
        **values,
    }


def _within_budget(lines: int) -> bool:
    """Whether the report needs a table of contents; ReportTooLarge past MAX_LINES."""
    if lines > MAX_LINES:
        raise ReportTooLarge(f"about {lines // 50} pages")
    return lines > LONG_REPORT_LINES


def _text_lines(*texts: str) -> int:
    return sum(1 + len(t) // CHARACTERS_PER_LINE for t in texts)


def _period_name(period: Period) -> str:
    return f"{period.start.isoformat()}-to-{period.end.isoformat()}"


# ---- observation summary -------------------------------------------------------------------


@dataclass(frozen=True)
class CasePupil:
    label: str
    predicted: list[NoteItem]
    did: list[NoteItem]


def case_pupils(data: ObservationData) -> list[CasePupil]:
    """Lesson study: each case pupil's predictions beside what they did, in time order."""
    labels = list(data.case_pupils)
    labels += sorted({n.case_pupil for n in data.notes if n.case_pupil} - set(labels))
    rows = []
    for label in labels:
        mine = [n for n in data.notes if n.case_pupil == label]
        predicted = [n for n in mine if n.category == "prediction"]
        did = [n for n in mine if n.category != "prediction"]
        if predicted or did or data.kind == "lesson_study":
            rows.append(CasePupil(label, predicted, did))
    return rows


def build_observation(meta: Meta, data: ObservationData, seconds: float = RENDER_SECONDS) -> Pdf:
    """The observation summary."""
    notes = sorted(data.notes, key=lambda n: (n.at, n.minute or 0))
    lines = 30 + len(notes) + _text_lines(*(n.text for n in notes)) + 2 * len(data.next_steps)
    lines += 3 * len(data.visits) + 30 * len(data.photos)
    lines += _text_lines(data.strengths, data.wonderings, data.reflection)
    context = _context(
        meta,
        data.title,
        obs=data,
        notes=notes,
        pupils=case_pupils(data),
        walk=walk_summary.walk_view(data) if data.kind == WALK else None,
        shown_tags=walk_summary.shown_tags,
        toc=_within_budget(lines),
    )
    name = f"observation-{data.starts_at.date().isoformat()}-{text.slug(data.title)}.pdf"
    photos = tuple((p.content_type, p.data) for p in data.photos)
    return Pdf(name, render_pdf("observation.html", context, seconds, photos))


# ---- teacher's professional learning record ------------------------------------------------


def _role_group(role: str) -> str:
    if role in GIVEN_ROLES:
        return "given"
    return "together" if role == "co_teacher" else "received"


def record_timeline(data: TeacherData) -> Markup:
    """Observations per week or month of the period, stacked by the teacher's role."""
    all_buckets = walks.buckets(data.period)
    counts: dict[dt.date, Counter[str]] = {b.start: Counter() for b in all_buckets}
    for entry in data.entries:
        start = walks.bucket_of(entry.starts_at.date(), all_buckets)
        counts[start][_role_group(entry.role)] += 1
    columns = [(b.label, dict(counts[b.start])) for b in all_buckets]
    return charts.count_columns(columns, RECORD_SERIES)


def step_progress(steps: tuple[StepItem, ...], today: dt.date) -> dict[str, int]:
    """Done, open and overdue next steps."""
    done = sum(1 for s in steps if s.status == "done")
    overdue = sum(1 for s in steps if s.status != "done" and s.due_on and s.due_on < today)
    return {
        "done": done,
        "open": len(steps) - done - overdue,
        "overdue": overdue,
        "all": len(steps),
    }


def build_teacher(meta: Meta, data: TeacherData, seconds: float = RENDER_SECONDS) -> Pdf:
    """The teacher's professional learning record."""
    groups = Counter(_role_group(e.role) for e in data.entries)
    quotes = len(data.strengths) + len(data.wonderings) + len(data.reflections)
    lines = 50 + 2 * len(data.entries) + 2 * len(data.next_steps) + quotes + 2 * len(data.focuses)
    context = _context(
        meta,
        "Professional learning record",
        rec=data,
        groups=groups,
        timeline=record_timeline(data),
        timeline_key=charts.legend(RECORD_SERIES),
        strengths=text.themes(data.strengths),
        wonderings=text.themes(data.wonderings),
        reflections=sorted(data.reflections, key=lambda q: q.at),
        progress=step_progress(data.next_steps, data.today),
        toc=_within_budget(lines),
    )
    name = f"learning-record-{text.slug(data.teacher)}-{_period_name(data.period)}.pdf"
    return Pdf(name, render_pdf("teacher.html", context, seconds))


# ---- focus report ---------------------------------------------------------------------------


def walk_notes_as_themes(
    data: FocusData, names: re.Pattern[str] | None
) -> tuple[list[text.Theme], bool]:
    """Walk notes grouped by category (names removed); whether some groups were held back."""
    kept = walks.notes_from_enough_visits(n for n in data.walks.notes if n.text.strip())
    held_back = any(n.text.strip() for n in data.walks.notes if n.category not in kept)
    quotes = [
        Quote(text.redact(n.text, names), n.at, CATEGORY_LABELS.get(n.category, n.category))
        for group in kept.values()
        for n in group
    ]
    return text.themes(quotes, limit=10), held_back


def build_focus(meta: Meta, data: FocusData, seconds: float = RENDER_SECONDS) -> Pdf:
    """The focus report: learning-walk tallies, themes and visit counts; no names."""
    summary = walks.summarise(data.walks, data.period)
    names = text.name_pattern(data.staff_names)
    notes, held_back = walk_notes_as_themes(data, names)
    hidden = any(
        t.suppressed
        for look in summary.lookfors
        for t in (
            look.overall,
            *look.by_bucket.values(),
            *look.by_team.values(),
            *look.by_year.values(),
        )
    )
    lines = 40 + sum(16 + len(summary.teams) + len(summary.year_groups) for _ in summary.lookfors)
    lines += sum(len(theme.points) + 2 for theme in notes)
    context = _context(
        meta,
        f"Focus report: {data.title}",
        focus=data,
        summary=summary,
        columns={
            look.lookfor_id: charts.rating_columns(
                [(b.label, look.by_bucket[b.start]) for b in summary.buckets]
            )
            for look in summary.lookfors
        },
        bar=charts.rating_bar,
        key=charts.legend(charts.RATING_SERIES, hidden=True),
        any_hidden=hidden,
        themes=notes,
        themes_held_back=held_back,
        other_total=sum(data.other_observations.values()),
        toc=_within_budget(lines),
    )
    name = f"focus-report-{text.slug(data.title)}-{_period_name(data.period)}.pdf"
    return Pdf(name, render_pdf("focus.html", context, seconds))


# ---- action plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSection:
    plan: FocusPlan
    summary: walks.WalkSummary
    quotes: list[Quote]
    owners: list[tuple[str, list[StepItem]]]
    progress: dict[str, int]

    @property
    def lines(self) -> int:
        """About how many lines of text the section takes."""
        plan = self.plan
        return 25 + 2 * len(plan.walks.lookfors) + 3 * len(self.quotes) + 2 * len(plan.next_steps)

    @property
    def keep(self) -> bool:
        """Kept on one page when it takes at most about half of one (so no page is left
        near-empty by moving it): focuses flow, no page break each."""
        return self.lines <= KEEP_WHOLE_LINES


def steps_by_owner(steps: tuple[StepItem, ...]) -> list[tuple[str, list[StepItem]]]:
    """Next steps grouped by owner (by name), open before done, earliest due first."""
    groups: dict[str, list[StepItem]] = defaultdict(list)
    for step in steps:
        groups[step.owner].append(step)
    far = dt.date.max
    return [
        (owner, sorted(items, key=lambda s: (s.status == "done", s.due_on or far, s.text)))
        for owner, items in sorted(groups.items(), key=lambda g: g[0].casefold())
    ]


def build_action_plan(meta: Meta, data: ActionPlanData, seconds: float = RENDER_SECONDS) -> Pdf:
    """The action plan: where are we going, where are we now, next steps."""
    names = text.name_pattern(data.staff_names)
    sections = [
        PlanSection(
            plan,
            walks.summarise(plan.walks, data.period),
            [Quote(text.redact(q.text, names), q.at, q.group) for q in plan.quotes],
            steps_by_owner(plan.next_steps),
            step_progress(plan.next_steps, data.today),
        )
        for plan in data.focuses
    ]
    lines = 30 + sum(s.lines for s in sections)
    context = _context(
        meta,
        "Action plan",
        plan=data,
        sections=sections,
        bar=charts.rating_bar,
        key=charts.legend(charts.RATING_SERIES, hidden=True),
        toc=_within_budget(lines),
    )
    return Pdf(
        f"action-plan-{_period_name(data.period)}.pdf",
        render_pdf("action_plan.html", context, seconds),
    )
