"""Builders: shaping plain data for the templates, and refusing reports too long to lay out."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.builders import build_observation, case_pupils, step_progress, steps_by_owner
from reports.model import Meta, NoteItem, ObservationData, StepItem
from reports.render import ReportTooLarge

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
META = Meta("Hillside Primary", T0)


def obs(*notes: NoteItem, **extra) -> ObservationData:
    return ObservationData("Lesson", "lesson_study", T0, "captured", False, notes=notes, **extra)


def test_a_report_too_long_is_refused_before_layout():
    notes = tuple(NoteItem(T0, i % 60, "Ana", "evidence", "word " * 2000) for i in range(300))
    # "about N pages" is the estimate's message: the page cap after layout says "would run to".
    with pytest.raises(ReportTooLarge, match="about"):
        build_observation(META, obs(*notes))


def test_case_pupils_pair_predictions_with_what_happened():
    notes = (
        NoteItem(T0, None, "Ana", "prediction", "A will use cubes", case_pupil="A"),
        NoteItem(T0, 5, "Ben", "pupils", "A drew a model", case_pupil="A"),
        NoteItem(T0, 6, "Ben", "pupils", "C joined in", case_pupil="C"),
        NoteItem(T0, 7, "Ben", "evidence", "Whole class on task"),
    )
    pupils = case_pupils(obs(*notes, case_pupils=("A", "B")))
    assert [p.label for p in pupils] == ["A", "B", "C"]
    assert [n.text for n in pupils[0].predicted] == ["A will use cubes"]
    assert [n.text for n in pupils[0].did] == ["A drew a model"]
    assert (pupils[1].predicted, pupils[1].did) == ([], [])


def test_step_progress_and_owners():
    today = dt.date(2026, 11, 22)
    steps = (
        StepItem("b", "Ben", "open", dt.date(2026, 11, 30)),
        StepItem("a", "Ana", "done", dt.date(2026, 11, 1)),
        StepItem("c", "Ben", "open", dt.date(2026, 11, 2)),
        StepItem("d", "ben", "done"),
    )
    assert step_progress(steps, today) == {"done": 2, "open": 1, "overdue": 1, "all": 4}
    owners = steps_by_owner(steps)
    assert [(o, [s.text for s in items]) for o, items in owners] == [
        ("Ana", ["a"]),
        ("Ben", ["c", "b"]),
        ("ben", ["d"]),
    ]
