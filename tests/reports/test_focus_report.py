"""The focus report: look-for tallies over time and by team, themes from walk notes and visit
counts; never a teacher's name, and nothing drawn from fewer than 3 visits.

The world's walks on the focus: Maths 4 visits, Science 3, English 2 (one walk, two visits).
"""

from __future__ import annotations

from tests.reports import world as school
from tests.reports.helpers import assert_pdf_download, in_order, pdf_text

URL = "/api/v1/reports/focuses/{}.pdf"


def _report(world, reader="lead", **query):
    return world.get(reader, URL.format(world.ids["focus"]), query_string=query or school.PERIOD)


def test_focus_report_never_names_a_teacher(factory, keep_pages):
    world = school.build(factory)
    content = assert_pdf_download(
        _report(world),
        r"focus-report-questioning-that-makes-every-pupil-think-2026-09-01-to-2026-11-30\.pdf",
    )
    text = pdf_text(content)
    for name in [*school.NAMES, "Okafor", "Silva", "Martin", "Patel", "Morris"]:
        assert name not in text, name
    # The walk note that named Ben is quoted with the name taken out.
    assert "[name removed]'s class used mini whiteboards for every answer." in text
    keep_pages(content, "focus")


def test_counts_tallies_and_teams(factory):
    world = school.build(factory)
    text = pdf_text(_report(world).data)
    assert in_order(text, "8 learning walks", "9 classroom visits", "3 look-fors")
    assert in_order(
        text,
        "Look-fors across all visits",
        "Wait time of three seconds",
        "9",
        "No hands up",
        "9",
        "Probing follow-up questions",
        "Fewer than 3 visits: not shown",
    )
    by_team = text.split("By team Teams of the classrooms visited")[1].split("Themes from notes")[0]
    # English (2 visits) is hidden, and so is the next smallest, Science (3): otherwise
    # English could be worked out by subtracting Maths and Science from the total.
    assert in_order(by_team, "Wait time of three seconds", "English", "hidden", "Maths", "4")
    assert in_order(by_team, "Maths", "4", "Science", "hidden")
    assert "Some figures are not shown because they come from fewer than 3 visits." in text


def test_themes_from_fewer_than_three_visits_are_left_out(factory):
    world = school.build(factory)
    text = pdf_text(_report(world).data)
    themes = text.split("Themes from notes Notes written on the walks")[1]
    assert in_order(themes, "Saw / heard", "used mini whiteboards for every answer.", "\u00d7 4")
    assert school.RARE_NOTE not in text
    assert "Some notes are not shown because they come from fewer than 3 visits." in text


def test_a_period_with_too_few_visits_shows_no_figures(factory, keep_pages):
    world = school.build(factory)
    content = _report(world, **{"from": "2026-11-20", "to": "2026-11-20"}).data
    text = pdf_text(content)
    assert in_order(text, "1 learning walk", "2 classroom visits")
    assert "fewer than 3 classroom visits in this period, so no look-for figures are shown" in text
    for count in ("Seen 1", "Seen 2"):
        assert count not in text
    keep_pages(content, "focus-few-visits")


def test_focus_ids_and_readers(factory):
    world = school.build(factory)
    assert world.get("lead", URL.format("nope")).status_code == 400
    missing = world.get("lead", URL.format("00000000-0000-4000-8000-000000000000"))
    assert missing.status_code == 404
    teacher = world.get("ana", URL.format(world.ids["focus"]))
    assert teacher.status_code == 403
    assert "leaders" in teacher.get_json()["error"]["message"]
