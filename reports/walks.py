"""Learning-walk tallies: visits, look-for ratings per slice, and suppression of small slices.

A *visit* is one classroom in a walk: a `visit` record (README: leads) and the notes naming
it; notes naming none fall back to the ticks of one walk that share a `visit-N` tag, or
without one the same `minute`; a walk whose notes carry neither is one visit. In each visit a
look-for counts once, with its latest rating. Every tally printed is a *slice* (a look-for
overall, in one week or month, in one team or in one year group: a visit's own team and year
group, else the teams of the walk's visited teachers) and a slice drawn from fewer than
`MIN_VISITS` visits is suppressed, so no one can be singled out. When exactly one slice of a
breakdown is suppressed, the next smallest is suppressed too: otherwise it could be worked
out by subtracting the others from the total.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from reports.model import Period, Tick, Walk, WalkData, WalkNote, WalkVisit
from schemas.records import LOOKFOR_RATINGS

MIN_VISITS = 3
NO_TEAM = "Team not recorded"
NO_YEAR = "Year group not recorded"
YEAR_NUMBER = re.compile(r"(\d+)")
VISIT_TAG = re.compile(r"visit[-_ ]?(\d+)", re.IGNORECASE)
WEEKLY_UP_TO_DAYS = 98

Visit = tuple[str, str]
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Tally:
    """Ratings of one look-for in one slice; `visits` is the number of visits it comes from."""

    seen: int = 0
    partly: int = 0
    not_seen: int = 0
    suppressed: bool = False

    @property
    def visits(self) -> int:
        return self.seen + self.partly + self.not_seen

    def count(self, rating: str) -> int:
        """How many visits gave this rating."""
        value: int = getattr(self, rating)
        return value

    def share(self, rating: str) -> float:
        """The fraction of visits with this rating (0 for an empty tally)."""
        return self.count(rating) / self.visits if self.visits else 0.0

    def add(self, rating: str) -> Tally:
        """This tally with one more visit giving `rating`."""
        counts = {r: self.count(r) + (r == rating) for r in LOOKFOR_RATINGS}
        return Tally(counts["seen"], counts["partly"], counts["not_seen"], self.suppressed)


def visit_of(walk_id: str, minute: int | None, tags: Iterable[str], visit_id: str = "") -> Visit:
    """The visit a tick or note belongs to (see the module docstring)."""
    if visit_id:
        return walk_id, visit_id
    for tag in tags:
        match = VISIT_TAG.fullmatch(tag.strip())
        if match:
            return walk_id, f"visit-{int(match.group(1))}"
    return walk_id, "" if minute is None else f"minute-{minute}"


def latest_ratings(ticks: Iterable[Tick]) -> dict[tuple[Visit, str], str]:
    """(visit, look-for id) -> the rating written last in that visit."""
    latest: dict[tuple[Visit, str], Tick] = {}
    for tick in ticks:
        key = (visit_of(tick.walk_id, tick.minute, tick.tags, tick.visit_id), tick.lookfor_id)
        if key not in latest or tick.at >= latest[key].at:
            latest[key] = tick
    return {key: tick.rating for key, tick in latest.items()}


def suppress(slices: dict[K, Tally]) -> dict[K, Tally]:
    """Mark slices under MIN_VISITS; if only one is hidden, hide the next smallest too."""
    marked = {k: replace(t, suppressed=0 < t.visits < MIN_VISITS) for k, t in slices.items()}
    hidden = [k for k, t in marked.items() if t.suppressed]
    shown = sorted(
        (t.visits, str(k), k) for k, t in marked.items() if t.visits and not t.suppressed
    )
    if len(hidden) == 1 and shown:
        smallest = shown[0][2]
        marked[smallest] = replace(marked[smallest], suppressed=True)
    return marked


def overall(ratings: dict[tuple[Visit, str], str], lookfor_id: str) -> Tally:
    """One look-for across every visit."""
    tally = Tally()
    for (_, look), rating in ratings.items():
        if look == lookfor_id:
            tally = tally.add(rating)
    return replace(tally, suppressed=0 < tally.visits < MIN_VISITS)


def breakdown(
    ratings: dict[tuple[Visit, str], str],
    lookfor_id: str,
    slices_of: Callable[[Visit], Iterable[K]],
    keys: Iterable[K],
) -> dict[K, Tally]:
    """One look-for split into slices (a visit may fall in several), suppressed."""
    slices: dict[K, Tally] = {key: Tally() for key in keys}
    for (visit, look), rating in ratings.items():
        if look != lookfor_id:
            continue
        for key in slices_of(visit):
            slices[key] = slices.get(key, Tally()).add(rating)
    return suppress(slices)


@dataclass(frozen=True)
class Bucket:
    """A week or month of the period."""

    start: dt.date
    label: str


def buckets(period: Period) -> list[Bucket]:
    """Weeks (Monday first) for up to 14 weeks, otherwise calendar months."""
    if period.days <= WEEKLY_UP_TO_DAYS:
        day = period.start - dt.timedelta(days=period.start.weekday())
        weeks = []
        while day <= period.end:
            weeks.append(Bucket(day, f"{day.day} {day:%b}"))
            day += dt.timedelta(days=7)
        return weeks
    month = period.start.replace(day=1)
    months = []
    while month <= period.end:
        months.append(Bucket(month, f"{month:%b} {month:%y}"))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def bucket_of(day: dt.date, all_buckets: list[Bucket]) -> dt.date:
    """The start of the bucket a day falls in."""
    start = all_buckets[0].start
    for bucket in all_buckets:
        if bucket.start <= day:
            start = bucket.start
    return start


@dataclass(frozen=True)
class LookforSummary:
    """Every slice of one look-for, ready to chart."""

    lookfor_id: str
    text: str
    active: bool
    overall: Tally
    by_bucket: dict[dt.date, Tally]
    by_team: dict[str, Tally]
    by_year: dict[str, Tally] = field(default_factory=dict)


@dataclass(frozen=True)
class WalkSummary:
    walks: int
    visits: int
    buckets: list[Bucket]
    teams: list[str]
    lookfors: list[LookforSummary]
    year_groups: list[str] = field(default_factory=list)


def summarise(data: WalkData, period: Period) -> WalkSummary:
    """Tally every look-for overall, by week or month, by team and by year group."""
    ratings = latest_ratings(data.ticks)
    walks = {walk.id: walk for walk in data.walks}
    all_buckets = buckets(period)
    visits = {visit for visit, _ in ratings}
    slicer = Slicer(walks, {(v.walk_id, v.id): v for v in data.visits})
    teams = sorted({t for visit in visits for t in slicer.teams(visit)}, key=_team_order)
    years = sorted({slicer.year(visit) for visit in visits}, key=_year_order)

    def bucket_slices(visit: Visit) -> list[dt.date]:
        return [bucket_of(walks[visit[0]].day, all_buckets)]

    summaries = [
        LookforSummary(
            look.id,
            look.text,
            look.active,
            overall(ratings, look.id),
            breakdown(ratings, look.id, bucket_slices, [b.start for b in all_buckets]),
            breakdown(ratings, look.id, slicer.teams, teams),
            breakdown(ratings, look.id, lambda visit: (slicer.year(visit),), years),
        )
        for look in data.lookfors
    ]
    return WalkSummary(len(walks), len(visits), all_buckets, teams, summaries, years)


@dataclass(frozen=True)
class Slicer:
    """Which team and year group slices a visit falls in."""

    walks: dict[str, Walk]
    records: dict[Visit, WalkVisit]

    def teams(self, visit: Visit) -> tuple[str, ...]:
        """The visit's own team, else the teams of the walk's visited teachers."""
        record = self.records.get(visit)
        if record is not None and record.team:
            return (record.team,)
        return _teams(self.walks[visit[0]])

    def year(self, visit: Visit) -> str:
        record = self.records.get(visit)
        return record.year_group.strip() if record and record.year_group.strip() else NO_YEAR


def _year_order(year: str) -> tuple[bool, int, str]:
    number = YEAR_NUMBER.search(year)
    return year == NO_YEAR, int(number.group(1)) if number else 0, year.casefold()


def _teams(walk: Walk) -> tuple[str, ...]:
    return walk.teams or (NO_TEAM,)


def _team_order(team: str) -> tuple[bool, str]:
    return team == NO_TEAM, team.casefold()


def notes_from_enough_visits(notes: Iterable[WalkNote]) -> dict[str, list[WalkNote]]:
    """Walk notes grouped by category, keeping only groups drawn from MIN_VISITS visits or more."""
    groups: dict[str, list[WalkNote]] = defaultdict(list)
    for note in notes:
        groups[note.category].append(note)
    return {
        category: group
        for category, group in groups.items()
        if len({visit_of(n.walk_id, n.minute, n.tags, n.visit_id) for n in group}) >= MIN_VISITS
    }
