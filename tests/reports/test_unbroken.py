"""Reports are bounded in time: unbroken runs of characters wrap on every report (soft breaks
and `overflow-wrap: anywhere`), and a layout past REPORT_RENDER_SECONDS is stopped and
answered `503 report_timeout` with Retry-After, in the one error shape. The worst cases are
timed by `make bench` (bench/report_limits.py), not here."""

from __future__ import annotations

import io
import itertools
import multiprocessing
import re

import pytest
from pypdf import PdfReader

from reports import render
from reports.render import RENDER_SECONDS, RenderTimeout, ReportTooLarge, pdf_within
from reports.text import LONG_RUN, SOFT_BREAK, soft_breaks
from tests.support.sync import SyncClient, iso, new_id, note_fields
from tests.test_errors import assert_error_shape

RUN = 3_000  # long enough to run off any page unless it wraps
LONG_FIELDS = ("focus_question", "learning_intention", "strengths", "wonderings", "reflection")


@pytest.fixture
def world(factory):
    """A focus whose look-for is one unbroken run, and a shared observation made of runs."""
    school = factory.school()
    lead = SyncClient(factory.session(school, role="lead"))
    teacher = SyncClient(factory.session(school))
    focus, obs = new_id(), new_id()
    school_focus = {"title": "Q" * 200, "description": "D" * RUN, "kind": "school"}
    applied = lead.push_ok(
        [
            lead.mutation("focus", focus, school_focus),
            lead.mutation("lookfor", new_id(), {"focus_id": focus, "text": "L" * RUN}),
        ]
    )
    fields = {
        "kind": "peer_observation",
        "title": "T" * 200,
        "starts_at": iso(),
        "focus_ids": [focus],
        "participants": [{"user_id": teacher.user_id, "role": "observee"}],
        "visibility": "leads",
        **{name: name[0].upper() * RUN for name in LONG_FIELDS},
    }
    step = {"owner_id": teacher.user_id, "text": "S" * RUN, "focus_id": focus}
    applied += teacher.push_ok(
        [
            teacher.mutation("observation", obs, fields),
            teacher.mutation(
                "note", new_id(), note_fields(obs, text="N" * RUN, category="strength")
            ),
            teacher.mutation("next_step", new_id(), dict(step, observation_id=obs)),
        ]
    )
    assert {r["status"] for r in applied} == {"applied"}
    return {
        "lead": lead.session,
        "teacher": teacher.session,
        "urls": {
            "observation": ("teacher", f"/api/v1/reports/observations/{obs}.pdf"),
            "teacher record": ("teacher", f"/api/v1/reports/teachers/{teacher.user_id}.pdf"),
            "focus report": ("lead", f"/api/v1/reports/focuses/{focus}.pdf"),
            "action plan": ("lead", "/api/v1/reports/action-plan.pdf"),
        },
    }


def _longest_run_on_a_line(content: bytes) -> int:
    lines = [
        line
        for page in PdfReader(io.BytesIO(content)).pages
        for line in (page.extract_text() or "").replace(SOFT_BREAK, "").splitlines()
    ]
    return max(len(m.group(0)) for line in lines for m in re.finditer(r"(\S)\1*", line))


@pytest.mark.parametrize("report", ["observation", "teacher record", "focus report", "action plan"])
def test_unbroken_runs_wrap_on_every_report(world, report):
    who, url = world["urls"][report]
    response = world[who].get(url)
    assert response.status_code == 200, response.get_json()
    # an A4 line holds about a hundred characters: a run that did not wrap would be 3,000 long
    assert 10 < _longest_run_on_a_line(response.data) < 150


@pytest.mark.parametrize("report", ["observation", "teacher record", "focus report", "action plan"])
def test_a_layout_past_the_limit_is_503_with_retry_after(app, world, report):
    app.config["REPORT_RENDER_SECONDS"] = 0.001  # no layout finishes within a millisecond
    who, url = world["urls"][report]
    response = world[who].get(url)
    error = assert_error_shape(response, 503, "report_timeout")
    assert int(response.headers["Retry-After"]) > 0
    assert error["details"] == {"limit_seconds": 0.001}
    assert not multiprocessing.active_children()  # the stopped layout is gone
    app.config["REPORT_RENDER_SECONDS"] = RENDER_SECONDS
    assert world[who].get(url).status_code == 200


def test_the_limit_is_well_under_gunicorns_worker_timeout(app):
    assert app.config["REPORT_RENDER_SECONDS"] == RENDER_SECONDS == 10


def test_the_layout_child_reports_its_outcomes():
    html = "<p>x</p>" * 10
    assert pdf_within(html, RENDER_SECONDS).startswith(b"%PDF-")
    long = '<p style="break-after: page">x</p>' * 5
    with pytest.raises(ReportTooLarge, match="5 pages"):
        pdf_within(long, RENDER_SECONDS, max_pages=2)
    with pytest.raises(RenderTimeout):
        pdf_within(long, 0.001)
    assert not multiprocessing.active_children()


def test_the_stylesheet_wraps_anywhere_and_nothing_overrides_it():
    css = (render.STATIC / "report.css").read_text()
    declarations = re.findall(r"overflow-wrap\s*:\s*([^;}]+)", css)
    assert [d.strip() for d in declarations] == ["anywhere"]
    assert re.search(r"(?m)^body\s*\{[^}]*overflow-wrap:\s*anywhere", css)
    assert "word-break" not in css


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ordinary words of a note, each shorter than thirty letters", None),
        ("x" * 31, ["x" * 30, "x"]),
        ("see https://example.org/" + "a" * 40 + " please", None),
        ("e\u0301" * 20, None),  # a combining mark is never cut from its letter
        ("👍🏽" * 20, None),  # nor a skin tone from its emoji
    ],
)
def test_soft_breaks_only_cut_long_runs_between_whole_characters(text, expected):
    broken = soft_breaks(text)
    assert broken.replace(SOFT_BREAK, "") == text
    if expected is not None:
        assert broken.split(SOFT_BREAK) == expected
    for piece in broken.split():
        for part in piece.split(SOFT_BREAK):
            assert len(part) <= LONG_RUN + 1 or SOFT_BREAK not in piece
    for before, after in itertools.pairwise(broken):
        if after == SOFT_BREAK:
            assert before not in "\u200d"
        if before == SOFT_BREAK:
            assert not "\u0300" <= after <= "\u036f"
            assert not "\U0001f3fb" <= after <= "\U0001f3ff"
