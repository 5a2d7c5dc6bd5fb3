"""Themes from repeated points, staff-name redaction, dates and file names."""

from __future__ import annotations

import datetime as dt

from reports.model import Quote
from reports.text import (
    REDACTED,
    collapse,
    direction,
    name_pattern,
    redact,
    sentences,
    slug,
    themes,
)

T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.UTC)


def q(text, minutes=0, group=""):
    return Quote(text, T0 + dt.timedelta(minutes=minutes), group)


def test_the_same_point_made_again_is_counted_once():
    points = collapse([q("Calm start."), q("Great questions", 5), q("calm  START", 9)])
    assert [(p.text, p.count) for p in points] == [("Calm start.", 2), ("Great questions", 1)]
    assert points[0].first == T0
    assert points[0].last == T0 + dt.timedelta(minutes=9)


def test_themes_are_grouped_largest_first_and_capped():
    quotes = [q(f"Point {i}", i, "Feedback") for i in range(12)] + [q("One", 0, "Talk")]
    feedback, talk = themes(quotes, limit=8)
    assert (feedback.label, feedback.total, len(feedback.points), feedback.more) == (
        "Feedback",
        12,
        8,
        4,
    )
    assert talk.label == "Talk"


def test_fields_split_into_sentences_and_lines():
    assert sentences("Clear modelling. Calm start!\nGood pace") == [
        "Clear modelling.",
        "Calm start!",
        "Good pace",
    ]


def test_staff_names_are_removed_from_quoted_notes():
    pattern = name_pattern(["Ben Okafor", "Ana Silva", "王小明", "Li"])
    text = "ben okafor's class; Mr Okafor asked; Ana helped; 王小明 smiled; Li said; an analysis"
    assert redact(text, pattern) == (
        f"{REDACTED}'s class; Mr {REDACTED} asked; {REDACTED} helped; {REDACTED} smiled; "
        f"{REDACTED} said; an analysis"
    )
    assert redact("No names here.", name_pattern([])) == "No names here."


def test_file_names_are_plain_ascii():
    assert slug("Café Zoë: Year 8 / ratio!") == "cafe-zoe-year-8-ratio"
    assert slug("学生们") == "report"
    assert len(slug("x" * 500)) <= 60


def test_direction_follows_the_first_strong_character_like_dir_auto():
    assert direction("الطلاب يعملون في مجموعات") == "rtl"
    assert direction("תלמידים עובדים בקבוצות") == "rtl"
    assert direction("12, 13: الطلاب") == "rtl"  # digits and punctuation are not strong
    assert direction("Year 8: الطلاب") == "ltr"
    assert direction("学生们积极参与讨论") == "ltr"
    assert direction("") == "ltr"
    assert direction(None) == "ltr"
