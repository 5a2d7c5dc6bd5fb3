"""A teacher's professional learning record: the teacher's own copy holds everything they took
part in; a lead's copy holds only what the teacher shared with leads."""

from __future__ import annotations

import pytest

from tests.reports import world as school
from tests.reports.helpers import assert_pdf_download, in_order, pdf_text
from tests.support.sync import new_id

URL = "/api/v1/reports/teachers/{}.pdf"


def _record(world, reader, who="ben", **query):
    return world.get(reader, URL.format(world.user_id(who)), query_string=query)


def test_own_record_holds_everything_in_the_range_in_date_order(factory, keep_pages):
    world = school.build(factory)
    response = _record(world, "ben", **school.PERIOD)
    content = assert_pdf_download(
        response, r"learning-record-ben-okafor-2026-09-01-to-2026-11-30\.pdf"
    )
    text = pdf_text(content)
    assert in_order(
        text,
        "Professional learning record",
        "Ben Okafor",
        "Maths",
        "1 September 2026 to Monday 30 November 2026",
        "Observations",
        "Shared fractions lesson",
        "Private rehearsal lesson",
        "Walk maths16",
    )
    for expected in (
        "PRIVATE-STRENGTH of the rehearsal.",
        "PRIVATE-NOTE about rehearsal",
        "Calm start with clear routines.",
        "Wait time helped the quieter pupils.",
        "Try a hinge question before the task.",
        "PRIVATE-STEP rehearse again.",
    ):
        assert expected in text
    assert "Old summer lesson" not in text  # June: outside the range
    assert "ANA-OWN-STEP" not in text  # someone else's next step
    assert "downloaded by a leader" not in text
    keep_pages(content, "teacher-own")


def test_a_lead_s_copy_holds_only_what_was_shared_with_leads(factory, keep_pages):
    world = school.build(factory)
    content = _record(world, "lead", **school.PERIOD).data
    text = pdf_text(content)
    assert "downloaded by a leader" in text
    assert "Shared fractions lesson" in text
    assert "Try a hinge question before the task." in text
    for hidden in (
        "Private rehearsal lesson",
        "PRIVATE-STRENGTH",
        "PRIVATE-NOTE",
        "PRIVATE-STEP",
        "Walk maths16",  # shared, but a learning walk that visited Ben: never in his record
        "Walk maths17",
    ):
        assert hidden not in text, hidden
    keep_pages(content, "teacher-lead-copy")


def test_the_range_defaults_to_the_year_up_to_today(factory):
    world = school.build(factory)
    text = pdf_text(_record(world, "ben", **{"from": "2026-06-01", "to": "2026-06-30"}).data)
    assert "Old summer lesson" in text
    assert "Shared fractions lesson" not in text
    default = _record(world, "ben")
    assert default.status_code == 200
    assert "-to-" in default.headers["Content-Disposition"]


def test_an_observer_s_record_lists_observations_given(factory):
    world = school.build(factory)
    text = pdf_text(_record(world, "ana", who="ana", **school.PERIOD).data)
    assert in_order(text, "Shared fractions lesson", "Observer", "Ben Okafor")
    assert "Private rehearsal lesson" not in text


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"from": "2026-13-45"}, "validation_error"),
        ({"to": "yesterday"}, "validation_error"),
        ({"from": "2026-11-30", "to": "2026-09-01"}, "invalid_range"),
        ({"from": "2020-01-01", "to": "2026-11-30"}, "range_too_long"),
        ({"since": "2026-01-01"}, "validation_error"),
    ],
)
def test_bad_ranges_are_refused_in_the_error_shape(factory, query, code):
    world = school.build(factory)
    response = _record(world, "ben", **query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_bad_and_unknown_teacher_ids(factory):
    world = school.build(factory)
    response = world.get("lead", URL.format("12345"))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_id"
    response = world.get("lead", URL.format("00000000-0000-4000-8000-000000000000"))
    assert response.status_code == 404
    response = world.get("ben", URL.format(world.user_id("ana")))
    assert response.status_code == 403
    assert "leader" in response.get_json()["error"]["message"]


def test_personal_focuses_are_in_the_teacher_s_own_copy_only(factory):
    world = school.build(factory)
    world.clients["ben"].put(
        "focus", new_id(), {"title": "BEN-PERSONAL wait time", "kind": "personal"}
    )
    own = pdf_text(_record(world, "ben", **school.PERIOD).data)
    assert in_order(
        own,
        "Focuses",
        "Questioning that makes every pupil think",
        "School focus",
        "BEN-PERSONAL wait time",
        "Personal focus",
    )
    assert "BEN-PERSONAL" not in pdf_text(_record(world, "lead", **school.PERIOD).data)


def test_a_record_too_long_to_print_asks_for_a_shorter_range(factory, monkeypatch):
    from server.reports import teacher

    world = school.build(factory)
    monkeypatch.setattr(teacher, "MAX_RECORD_OBSERVATIONS", 1)
    response = _record(world, "ben", **school.PERIOD)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "report_too_large"
    assert error["message"].endswith("Choose a shorter date range.")
