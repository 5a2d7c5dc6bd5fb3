"""A learning walk is a walk (issue 13): its form asks for the focus and a route, capture goes
classroom by classroom (a `visit` each, with its year group and team), any earlier classroom
is reopened and corrected offline, and the server ends up with exactly what the lead meant."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import (
    ADMIN_EMAIL,
    PHONE,
    SCREENS,
    ApiUser,
    Network,
    NewContext,
    Person,
    open_app,
    sign_in,
    sync_and_wait,
    wait_synced,
    wait_until,
    write_note,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
LOOKFORS = ["Pupils explain their thinking", "Every pupil answers"]


def school_focus(live: LiveServer, staff: dict[str, Person]) -> tuple[str, dict[str, str]]:
    """Two teams (made by the admin) and a school focus with two look-fors (by the lead)."""
    admin = ApiUser.login(live, ADMIN_EMAIL, "admin password 1")
    teams = {}
    for name in ("Maths", "English"):
        status, body = live.request(
            "POST", "/api/v1/admin/teams", {"name": name, "kind": "subject"}, token=admin.token
        )
        assert status == 201, body
        teams[name] = body["id"]
    lead = ApiUser.login(live, staff["lead"].email)
    focus_id = str(uuid.uuid4())
    lead.put("focus", focus_id, {"title": "Talk for learning", "kind": "school", "active": True})
    for text in LOOKFORS:
        lead.put("lookfor", str(uuid.uuid4()), {"focus_id": focus_id, "text": text, "active": True})
    return focus_id, teams


def tap_rating(page: Page, lookfor: str, rating: str) -> None:
    group = page.get_by_role("group", name=lookfor)
    group.get_by_role("button", name=rating, exact=True).click()
    expect(group.get_by_role("button", name=rating, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )


def open_classroom(page: Page, year: str, team: str) -> None:
    """One tap each for the year group and the team of the classroom now open."""
    page.locator("fieldset.chips", has_text="Year group").locator(".chip", has_text=year).click()
    page.locator("fieldset.chips", has_text="Team").locator(".chip", has_text=team).click()
    expect(page.locator(".visit-row.open")).to_contain_text(f"{year} · {team}")


def start_walk(page: Page, url: str) -> None:
    """The walk's form: the focus and a route, none of a lesson's fields."""
    open_app(page, url, "new")
    page.locator(".chip", has_text="Learning walk").click()
    for hidden in ("class_label", "subject", "year_group", "focus_question", "learning_intention"):
        expect(page.locator(f"[name={hidden}]")).to_be_hidden()
    assert "observed teacher" not in page.locator("main").inner_text().lower()  # shown text only
    page.select_option("select[name=focus]", label="Talk for learning")
    page.fill("input[name=route]", "Year 3 corridor, then the English block")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=capture]")


def server_walk(api: ApiUser) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    records = api.pull_all()
    walk = next(
        c
        for (entity, _), c in records.items()
        if entity == "observation" and c["fields"]["kind"] == "learning_walk"
    )
    visits = sorted(
        (c for (entity, _), c in records.items() if entity == "visit" and not c.get("deleted")),
        key=lambda c: c["fields"]["at"],
    )
    notes = [c for (entity, _), c in records.items() if entity == "note" and not c.get("deleted")]
    return walk, visits, notes


def test_a_walk_goes_classroom_by_classroom_and_an_earlier_one_is_corrected_offline(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    _, teams = school_focus(live, staff)
    context = new_context(viewport=PHONE)
    network = Network(context)
    page = context.new_page()
    sign_in(page, live.url, staff["lead"])
    start_walk(page, live.url)
    expect(page.locator(".walk-focus")).to_contain_text("Year 3 corridor")

    page.get_by_role("button", name="Next classroom").click()
    open_classroom(page, "Year 3", "Maths")
    tap_rating(page, LOOKFORS[0], "Seen")
    tap_rating(page, LOOKFORS[1], "Not seen")
    write_note(page, "Pairs explained methods to each other.")
    page.screenshot(path=str(SCREENS / "walk-capture-390.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(SCREENS / "walk-capture-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Next classroom").click()
    expect(page.locator(".visit-heading")).to_contain_text("Classroom 2")
    open_classroom(page, "Year 5", "English")
    tap_rating(page, LOOKFORS[0], "Partly")
    wait_synced(page)

    network.set_offline(True)
    page.get_by_role("button", name="Reopen classroom 1").click()
    expect(page.locator(".visit-heading")).to_contain_text("Classroom 1")
    expect(
        page.get_by_role("group", name=LOOKFORS[0]).get_by_role("button", name="Seen", exact=True)
    ).to_have_attribute("aria-pressed", "true")
    open_classroom(page, "Year 4", "English")  # it was Year 4 with the English team after all
    tap_rating(page, LOOKFORS[0], "Partly")
    write_note(page, "Sentence stems on every table.")
    expect(page.locator(".visit-row").nth(0)).to_contain_text("Year 4 · English · 2 ticks, 2 notes")
    sync_and_wait(page, network)

    api = ApiUser.login(live, staff["lead"].email)
    wait_until(lambda: len(server_walk(api)[2]) == 5, "the walk's notes did not all arrive")
    walk, visits, notes = server_walk(api)
    assert walk["fields"]["class_label"] == "Year 3 corridor, then the English block"
    assert [(v["fields"]["year_group"], v["fields"]["team_id"]) for v in visits] == [
        ("Year 4", teams["English"]),
        ("Year 5", teams["English"]),
    ]
    assert all(v["fields"]["observation_id"] == walk["id"] for v in visits)
    by_visit = {
        v["id"]: sorted(
            (n["fields"]["category"], n["fields"].get("lookfor_rating") or n["fields"]["text"])
            for n in notes
            if n["fields"].get("visit_id") == v["id"]
        )
        for v in visits
    }
    assert by_visit[visits[0]["id"]] == [
        ("evidence", "Pairs explained methods to each other."),
        ("evidence", "Sentence stems on every table."),
        ("lookfor", "not_seen"),
        ("lookfor", "partly"),
    ]
    assert by_visit[visits[1]["id"]] == [("lookfor", "partly")]

    page.locator(".bar-action").click()  # Done: on to the walk's review
    page.wait_for_selector("main[data-ready=review]")
    review = page.locator("main")
    assert "observed teacher" not in review.inner_text().lower()
    expect(review.locator(".visit-tally .visit-row")).to_have_count(2)
    expect(review.locator(".visit-tally .visit-row").nth(0)).to_contain_text("Year 4 · English")
    expect(review.locator(".visit-tally .visit-row").nth(0)).to_contain_text(
        "0 seen · 1 partly · 1 not seen"
    )
    headers = review.locator(".walk-tally thead th")
    expect(headers).to_have_text(["Look-for", "Seen", "Partly", "Not seen"])
    page.wait_for_selector('ol.notes[data-complete="true"]', state="attached")  # drawn in full
    spacing = page.evaluate(
        "() => [...document.querySelectorAll('.walk-tally thead th')]"
        ".map((th) => getComputedStyle(th).whiteSpace)"
    )
    assert spacing == ["nowrap"] * 4, "no header breaks, inside a word or anywhere"
    width = review.locator(".walk-tally").evaluate("(table) => table.getBoundingClientRect().right")
    assert width <= PHONE["width"], "the tally fits the phone's width"
    page.evaluate("() => document.querySelector('.walk-tallies').scrollIntoView()")  # redrawn often
    page.screenshot(path=str(SCREENS / "walk-review-tally-390.png"))
