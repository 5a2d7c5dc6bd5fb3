"""Reports worth printing (README: leads), on the demo school: walks with visits, the focus
report by team and by year group, the walk summary, the observation summary's order, and an
action plan whose focuses flow. Every report's pages are kept as PNGs in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from sqlalchemy import select

from schemas.records import NOTE_CATEGORY_LABELS
from server.demo import DEMO_PASSWORD
from server.extensions import db
from server.models import Focus, Note, Observation, User
from tests.reports.helpers import assert_pdf_download, in_order, pdf_pages, pdf_text
from tests.support.factories import new_id
from tests.support.sync import SyncClient, iso, note_fields, observation_fields

PERIOD = {"from": "2026-09-01", "to": "2026-12-31"}
QUARTER = 0.25


@pytest.fixture
def demo(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output

    def session(email: str) -> dict[str, str]:
        login = client.post(
            "/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}
        ).get_json()
        return {"Authorization": f"Bearer {login['token']}"}

    return session


def _lead(demo) -> dict[str, str]:
    return demo("tom.reilly@riverside.example")


def _first(app, query):
    with app.app_context():
        return db.session.execute(query).scalars().first()


def test_the_focus_report_slices_walks_by_team_and_by_year_group(app, client, demo, keep_pages):
    focus_id = _first(app, select(Focus.id).where(Focus.kind == "school").order_by(Focus.title))
    response = client.get(
        f"/api/v1/reports/focuses/{focus_id}.pdf", headers=_lead(demo), query_string=PERIOD
    )
    content = assert_pdf_download(response, r"focus-report-.*\.pdf")
    keep_pages(content, "leads-focus-report")
    text = pdf_text(content)
    by_team = text.split("By team Teams of the classrooms")[1].split("By year group Year")[0]
    by_year = text.split("By year group Year groups of")[1].split("Themes from notes Notes")[0]
    assert "Team not recorded" not in by_team  # every demo visit names its team
    assert in_order(by_team, "English", "Maths", "Science")
    assert in_order(by_year, "Year 7", "Year 8", "Year 9", "Year 10")
    assert "Year group not recorded" not in by_year


def test_a_walk_summary_prints_its_tallies_and_visit_by_visit(app, client, demo, keep_pages):
    walk_id = _first(
        app,
        select(Observation.id)
        .where(Observation.kind == "learning_walk")
        .order_by(Observation.starts_at),
    )
    response = client.get(f"/api/v1/reports/observations/{walk_id}.pdf", headers=_lead(demo))
    content = assert_pdf_download(response, r"observation-.*\.pdf")
    keep_pages(content, "leads-walk-summary")
    text = pdf_text(content)
    assert in_order(text, "The walk", "Look-fors across this walk", "Visit by visit")
    assert "Walked by" in text
    assert in_order(text, "Visit 1", "Year", "team", "Visit 2")
    assert not re.search(r"visit-\d", text)
    assert "observed teacher" not in text.casefold()
    assert "Seen Partly Not seen Visits" in text


def test_the_observation_summary_opens_with_what_was_agreed(app, client, demo, keep_pages):
    obs = _first(
        app,
        select(Observation)
        .where(Observation.kind == "peer_observation", Observation.strengths != "")
        .order_by(Observation.starts_at),
    )
    headers = demo(_email_of_creator(app, obs.created_by))
    response = client.get(f"/api/v1/reports/observations/{obs.id}.pdf", headers=headers)
    content = assert_pdf_download(response, r"observation-.*\.pdf")
    keep_pages(content, "leads-observation-summary")
    text = pdf_text(content)
    assert in_order(
        text,
        "What was agreed",
        "Strengths",
        "Wonderings",
        "Agreed next steps",
        "Reflection",
        "Notes",
    )
    first_page = pdf_pages(content)[0]
    assert "Strengths" in first_page
    assert "Agreed next steps" in first_page
    categories = {
        c for (c,) in _rows(app, select(Note.category).where(Note.observation_id == obs.id))
    }
    for category in categories:
        assert NOTE_CATEGORY_LABELS[category] in text, category
    assert "Evidence" not in text.split("Notes")[-1]


def _rows(app, query):
    with app.app_context():
        return list(db.session.execute(query).all())


def _email_of_creator(app, user_id) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_no_page_of_the_demo_action_plan_is_less_than_a_quarter_full(client, demo, keep_pages):
    response = client.get(
        "/api/v1/reports/action-plan.pdf", headers=_lead(demo), query_string=PERIOD
    )
    content = assert_pdf_download(response, r"action-plan-.*\.pdf")
    pages = keep_pages(content, "leads-action-plan")
    fullness = [_fullness(page) for page in pages]
    assert len(pages) >= 2
    assert all(f >= QUARTER for f in fullness[:-1]), fullness


def _fullness(png) -> float:
    """How far down the page's body its ink goes: the fraction of pixel rows between the top
    and bottom margins (the running header and footer left out) that hold any dark pixel."""
    image = Image.open(png).convert("L")
    width, height = image.size
    top, bottom = int(height * 0.08), int(height * 0.92)
    body = image.crop((0, top, width, bottom))
    pixels = body.load()
    inked = [y for y in range(body.height) if any(pixels[x, y] < 160 for x in range(0, width, 2))]
    return (inked[-1] + 1) / body.height if inked else 0.0


def test_slices_from_fewer_than_three_visits_are_suppressed_by_team_and_year(
    factory, client, keep_pages
):
    """Teams of 4, 3 and 2 visits: the 2 is hidden, and so the 3 (else it could be worked out
    from the total); year groups of 5, 2 and 2: both 2s hidden."""
    school = factory.school()
    teams = {name: str(factory.team(school, name).id) for name in ("Arts", "Humanities", "STEM")}
    lead = SyncClient(factory.session(school, role="lead"))
    focus_id, lookfor_id, walk_id = new_id(), new_id(), new_id()
    lead.put("focus", focus_id, {"title": "Questioning", "kind": "school"})
    lead.put("lookfor", lookfor_id, {"focus_id": focus_id, "text": "Wait time"})
    cast = [(lead.user_id, "observer")]
    lead.put(
        "observation",
        walk_id,
        observation_fields(cast, kind="learning_walk", title="Walk", focus_ids=[focus_id]),
    )
    plan = [("Arts", "Year 7")] * 4 + [("Humanities", "Year 7"), ("Humanities", "Year 8")]
    plan += [("Humanities", "Year 9"), ("STEM", "Year 8"), ("STEM", "Year 9")]
    for minute, (team, year) in enumerate(plan):
        visit_id = new_id()
        visit = {"observation_id": walk_id, "at": iso(minute), "team_id": teams[team]}
        lead.put("visit", visit_id, visit | {"year_group": year})
        tick = note_fields(walk_id, text="", minute=minute, category="lookfor")
        tick |= {"lookfor_id": lookfor_id, "lookfor_rating": "seen", "visit_id": visit_id}
        assert lead.put("note", new_id(), tick)["status"] == "applied"
    response = lead.session.get(
        f"/api/v1/reports/focuses/{focus_id}.pdf",
        query_string={"from": "2026-11-01", "to": "2026-11-30"},
    )
    content = assert_pdf_download(response, r"focus-report-.*\.pdf")
    keep_pages(content, "leads-focus-report-suppressed")
    text = pdf_text(content)
    by_team = text.split("By team Teams of the classrooms")[1].split("By year group Year")[0]
    by_year = text.split("By year group Year groups of")[1].split("Themes from notes Notes")[0]
    assert in_order(by_team, "Wait time", "Arts", "4", "Humanities", "hidden", "STEM", "hidden")
    assert in_order(by_year, "Wait time", "Year 7", "5", "Year 8", "hidden", "Year 9", "hidden")
    assert in_order(text, "Look-fors across all visits", "Wait time", "9")
