"""A learning walk's own summary: its tallies per look-for and visit by visit (README: leads).

The walk's notes are grouped into visits: by the `visit` they name, else as reports.walks
groups them (a `visit-N` tag, or the same minute). In each visit a look-for counts once, with
its latest rating; the walk's tally per look-for adds its visits up. The walk's participants
read this (it is their record), so nothing is suppressed here, unlike the focus report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reports.model import NoteItem, ObservationData, VisitItem
from reports.walks import VISIT_TAG, Tally, visit_of


@dataclass
class VisitView:
    """One classroom: its facts (when recorded), its ratings and its written notes."""

    number: int
    at: dt.datetime
    record: VisitItem | None = None
    ratings: dict[str, str] = field(default_factory=dict)  # look-for text -> latest rating
    notes: list[NoteItem] = field(default_factory=list)

    @property
    def facts(self) -> list[str]:
        """Class, year group, subject and team, as recorded."""
        if self.record is None:
            return []
        r = self.record
        return [
            v for v in (r.class_label, r.year_group, r.subject, r.team and f"{r.team} team") if v
        ]


@dataclass(frozen=True)
class WalkView:
    lookfors: list[tuple[str, Tally]]
    visits: list[VisitView]


def shown_tags(tags: tuple[str, ...]) -> list[str]:
    """A note's tags as printed: never the app's own `visit-N` grouping tags."""
    return [tag for tag in tags if not VISIT_TAG.fullmatch(tag.strip())]


def walk_view(data: ObservationData) -> WalkView:
    """The walk's visits, in time order, and its tally per look-for."""
    views: dict[str, VisitView] = {
        v.id: VisitView(0, v.at, v) for v in sorted(data.visits, key=lambda v: (v.at, v.id))
    }
    latest: dict[tuple[str, str], NoteItem] = {}
    for note in sorted(data.notes, key=lambda n: (n.at, n.minute or 0)):
        key = note.visit_id if note.visit_id in views else _legacy_key(note)
        view = views.setdefault(key, VisitView(0, note.at))
        if note.lookfor and note.rating:
            latest[(key, note.lookfor)] = note
        if note.text.strip():
            view.notes.append(note)
    for (key, lookfor), note in sorted(latest.items(), key=lambda item: item[0][1].casefold()):
        views[key].ratings[lookfor] = note.rating or ""
    ordered = sorted(views.values(), key=lambda v: v.at)
    for number, view in enumerate(ordered, start=1):
        view.number = number
    return WalkView(_tallies(ordered), ordered)


def _legacy_key(note: NoteItem) -> str:
    return "legacy:" + visit_of("", note.minute, note.tags)[1]


def _tallies(visits: list[VisitView]) -> list[tuple[str, Tally]]:
    tallies: dict[str, Tally] = {}
    for view in visits:
        for lookfor, rating in view.ratings.items():
            tallies[lookfor] = tallies.get(lookfor, Tally()).add(rating)
    return sorted(tallies.items(), key=lambda item: item[0].casefold())
