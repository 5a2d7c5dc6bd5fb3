"""Learning-walk tallies: visits, latest ratings, buckets, and suppression of small slices."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.model import Lookfor, Period, Tick, Walk, WalkData, WalkNote
from reports.walks import (
    MIN_VISITS,
    NO_TEAM,
    Tally,
    buckets,
    latest_ratings,
    notes_from_enough_visits,
    summarise,
    suppress,
    visit_of,
)

T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.UTC)


def tick(walk, look, rating, minute=None, tags=(), later=0):
    return Tick(walk, look, rating, T0 + dt.timedelta(seconds=later), minute, tuple(tags))


@pytest.mark.parametrize(
    ("minute", "tags", "visit"),
    [
        (8, ["visit-2"], ("w", "visit-2")),
        (8, ["Visit 02", "other"], ("w", "visit-2")),
        (8, ["maths"], ("w", "minute-8")),
        (None, [], ("w", "")),
    ],
)
def test_a_visit_is_a_visit_tag_else_a_minute_else_the_whole_walk(minute, tags, visit):
    assert visit_of("w", minute, tags) == visit


def test_the_latest_rating_in_a_visit_counts_once():
    ratings = latest_ratings(
        [
            tick("w", "L", "not_seen", 0),
            tick("w", "L", "seen", 0, later=5),
            tick("w", "L", "partly", 8),
        ]
    )
    assert ratings == {(("w", "minute-0"), "L"): "seen", (("w", "minute-8"), "L"): "partly"}


def test_slices_under_three_visits_are_suppressed_and_so_is_the_next_smallest():
    slices = {"A": Tally(seen=5), "B": Tally(seen=3), "C": Tally(partly=2), "D": Tally()}
    marked = suppress(slices)
    assert [k for k, t in marked.items() if t.suppressed] == ["B", "C"]
    assert not marked["D"].suppressed  # nothing to hide in an empty slice


def test_two_small_slices_hide_each_other_and_nothing_more():
    marked = suppress({"A": Tally(seen=4), "B": Tally(seen=1), "C": Tally(not_seen=2)})
    assert [k for k, t in marked.items() if t.suppressed] == ["B", "C"]


def test_no_small_slice_hides_nothing():
    assert not any(
        t.suppressed for t in suppress({"A": Tally(seen=3), "B": Tally(partly=3)}).values()
    )


def test_weeks_for_a_term_months_for_a_year():
    term = buckets(Period(dt.date(2026, 9, 1), dt.date(2026, 11, 30)))
    assert term[0].start == dt.date(2026, 8, 31)
    assert term[0].label == "31 Aug"
    assert len(term) == 14
    year = buckets(Period(dt.date(2025, 12, 15), dt.date(2026, 11, 30)))
    assert [b.label for b in year[:2]] == ["Dec 25", "Jan 26"]
    assert len(year) == 12


def test_summary_by_team_and_over_time():
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    walks = [Walk(f"m{i}", dt.date(2026, 11, 16), ("Maths",)) for i in range(3)]
    walks.append(Walk("x", dt.date(2026, 11, 3)))
    ticks = [tick(w.id, "L", "seen", 0) for w in walks[:3]] + [tick("x", "L", "partly", 0)]
    summary = summarise(WalkData((Lookfor("L", "Wait time"),), tuple(walks), tuple(ticks)), period)
    (look,) = summary.lookfors
    assert (summary.walks, summary.visits) == (4, 4)
    assert look.overall == Tally(seen=3, partly=1)
    assert summary.teams == ["Maths", NO_TEAM]
    # One visit with no team: hidden, and Maths with it, else 4 - 3 gives it away.
    assert look.by_team["Maths"].suppressed
    assert look.by_team[NO_TEAM].suppressed
    weeks = {b.start: look.by_bucket[b.start] for b in summary.buckets}
    assert weeks[dt.date(2026, 11, 16)].suppressed  # the same subtraction, by week
    assert weeks[dt.date(2026, 11, 2)].suppressed


def test_note_groups_from_too_few_visits_are_held_back():
    notes = [WalkNote(f"w{i}", "evidence", "Seen it", T0) for i in range(MIN_VISITS)]
    notes += [
        WalkNote("w0", "wondering", "Why?", T0, 5),
        WalkNote("w0", "wondering", "Why?", T0, 9),
    ]
    kept = notes_from_enough_visits(notes)
    assert list(kept) == ["evidence"]
