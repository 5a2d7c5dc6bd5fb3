"""The action plan: for each school focus, where we are going, where we are now (walk tallies,
observations and quotes shared with leads), and next steps by owner."""

from __future__ import annotations

from tests.reports import world as school
from tests.reports.helpers import assert_pdf_download, in_order, pdf_text

URL = "/api/v1/reports/action-plan.pdf"


def test_action_plan_answers_the_three_questions_per_focus(factory, keep_pages):
    world = school.build(factory)
    response = world.get("lead", URL, query_string=school.PERIOD)
    content = assert_pdf_download(response, r"action-plan-2026-09-01-to-2026-11-30\.pdf")
    text = pdf_text(content)
    focus = text.split("Questioning that makes every pupil think Where are we going?")[1]
    assert in_order(
        focus,
        "Every pupil thinks before anyone answers.",
        "Look-fors: Wait time of three seconds · No hands up · Probing follow-up questions",
        "Where are we now?",
        "8 learning walks",
        "9 classroom visits",
        "1 observation shared with leads",
        "From shared notes",
        "What are our next steps?",
        "1 of 2 done",
        "Ben Okafor",
        "Try a hinge question before the task.",
        "Lena Morris",
        "Plan a staff meeting on wait time.",
        "Done",
    )
    assert "Calm start with clear routines." in focus
    keep_pages(content, "action-plan")


def test_action_plan_leaves_out_what_was_not_shared(factory):
    world = school.build(factory)
    text = pdf_text(world.get("lead", URL, query_string=school.PERIOD).data)
    for hidden in ("PRIVATE-NOTE", "PRIVATE-STEP", "PRIVATE-STRENGTH", "ANA-OWN-STEP"):
        assert hidden not in text, hidden
    assert school.RARE_NOTE not in text


def test_a_focus_with_no_evidence_yet_still_appears(factory):
    world = school.build(factory)
    text = pdf_text(world.get("lead", URL, query_string=school.PERIOD).data)
    other = text.split("Feedback pupils act on Where are we going?")[1]
    assert in_order(other, "0 learning walks", "No next steps on this focus in the period.")


def test_open_steps_due_before_the_range_are_carried_over(factory):
    world = school.build(factory)
    text = pdf_text(
        world.get("lead", URL, query_string={"from": "2026-11-26", "to": "2026-11-30"}).data
    )
    assert "Try a hinge question before the task." in text  # open, due 25 November
    assert "Plan a staff meeting on wait time." not in text  # done, due 20 November


def test_action_plan_refuses_bad_ranges(factory):
    world = school.build(factory)
    response = world.get("lead", URL, query_string={"from": "2026-11-30", "to": "2026-11-01"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_range"
