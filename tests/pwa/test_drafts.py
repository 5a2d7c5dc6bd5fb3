"""A screen never discards input: on every screen with a text field, the words being typed
survive a sync that redraws the screen, a route change and back, a reload and an update of the
app, with the caret where it was, and reach the server once when submitted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.drafts_support import (
    READ_DRAFT,
    School,
    expect_kept,
    goto,
    school,
    type_with_caret,
    update_app,
    wait_for_server,
)
from tests.pwa.helpers import sync_and_wait, wait_synced

pytestmark = pytest.mark.browser
__all__ = ["school"]  # the module's live school (a fixture)


@dataclass(frozen=True)
class Case:
    """A screen with a text field: where it is, how its words are submitted, and how many
    times the server holds them."""

    route: Callable[[School, str], str]
    field: Callable[[str], str]
    submit: Callable[[Page, str], None]
    on_server: Callable[[School, str, str], int]
    prepare: Callable[[School, str], None] = lambda school, observation_id: None


def records(school: School, entity: str, name: str, text: str) -> int:
    """How many live records of `entity` hold `text` in field `name` on the server."""
    found = [
        change
        for (kind, _), change in school.api.pull_all().items()
        if kind == entity and not change.get("deleted") and change["fields"].get(name) == text
    ]
    return len(found)


def my_note(school: School, observation_id: str) -> None:
    """A note of the observer's, synced to the phone, to be edited."""
    school.api.put(
        "note",
        str(uuid.uuid4()),
        {
            "observation_id": observation_id,
            "at": "2026-11-20T09:05:00+00:00",
            "category": "evidence",
            "text": "A note to change",
            "minute": 5,
        },
    )
    sync_and_wait(school.page, school.network)
    school.page.locator("li.note", has_text="A note to change").locator(".note-edit").click()


def add_focus(page: Page, selector: str) -> None:
    page.get_by_role("button", name="Add focus").click()
    expect(page.locator(selector)).to_have_value("")


def new_observation(page: Page, selector: str) -> None:
    page.fill("input[type=search]", "Ben")
    page.click(".person-add")
    page.get_by_role("button", name="Save for later").click()
    page.wait_for_selector("main[data-ready=today]")


CASES = {
    "capture box": Case(
        route=lambda s, o: f"capture/{o}",
        field=lambda o: f'[data-draft="capture/{o}"]',
        submit=lambda page, selector: page.press(selector, "Enter"),
        on_server=lambda s, o, text: [n["fields"]["text"] for n in s.api.notes_of(o)].count(text),
    ),
    "review strengths": Case(
        route=lambda s, o: f"review/{o}",
        field=lambda o: f'[data-draft="observation/{o}/strengths"]',
        submit=lambda page, selector: page.locator(selector).blur(),
        on_server=lambda s, o, text: int(
            s.api.pull_all()[("observation", o)]["fields"]["strengths"] == text
        ),
    ),
    "next step": Case(
        route=lambda s, o: f"review/{o}",
        field=lambda o: f'[data-draft="review/{o}/new-step"]',
        submit=lambda page, selector: page.get_by_role("button", name="Add next step").click(),
        on_server=lambda s, o, text: records(s, "next_step", "text", text),
    ),
    "note editor": Case(
        route=lambda s, o: f"capture/{o}",
        field=lambda o: ".note-editor textarea",
        prepare=my_note,
        submit=lambda page, selector: page.get_by_role("button", name="Save changes").click(),
        on_server=lambda s, o, text: [n["fields"]["text"] for n in s.api.notes_of(o)].count(text),
    ),
    "new observation": Case(
        route=lambda s, o: "new",
        field=lambda o: '[data-draft="new-observation/title"]',
        submit=new_observation,
        on_server=lambda s, o, text: records(s, "observation", "title", text),
    ),
    "personal focus": Case(
        route=lambda s, o: "learning",
        field=lambda o: '[data-draft="learning/new-focus/title"]',
        prepare=lambda s, o: s.page.locator("details", has_text="Start a personal focus").evaluate(
            "(el) => { el.open = true; }"
        ),
        submit=add_focus,
        on_server=lambda s, o, text: records(s, "focus", "title", text),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_typed_words_survive_sync_route_reload_and_update_and_arrive_once(
    school: School, name: str
) -> None:
    case = CASES[name]
    page, url = school.page, school.live.url
    observation_id = school.observation(title=f"Drafts: {name}")
    sync_and_wait(page, school.network)
    route = case.route(school, observation_id)
    goto(page, url, route)
    case.prepare(school, observation_id)
    selector = case.field(observation_id)
    text = f"Words typed for the {name}: pupils explained"
    caret = type_with_caret(page, selector, text)

    # (a) a sync that brings the partner's note (the review lists it)
    school.partner_note(observation_id, f"Partner's note during the {name}")
    sync_and_wait(page, school.network)
    if route.startswith("review"):
        expect(page.locator("li.note", has_text="Partner's note")).to_be_visible()
    expect_kept(page, selector, text, caret, focused=True)
    # (b) another screen and back: text and caret (the focus is given back too, but not always
    # yet on a loaded machine: see the closing note of issue 11)
    goto(page, url, "today")
    goto(page, url, route)
    expect_kept(page, selector, text, caret, focused=None)
    # (c) a reload
    page.reload()
    page.wait_for_selector(f"main[data-ready={route.split('/')[0]}]")
    expect_kept(page, selector, text, caret, focused=True)
    # (d) a new version of the app (taken with "Update now", which has the focus then)
    update_app(school, route)
    expect_kept(page, selector, text, caret, focused=None)

    key = str(page.locator(selector).get_attribute("data-draft"))
    case.submit(page, selector)
    wait_synced(page)
    wait_for_server(page, lambda: case.on_server(school, observation_id, text) >= 1)
    page.reload()
    page.wait_for_selector("main[data-ready]")
    draft = page.evaluate(READ_DRAFT, key)
    assert draft is None or draft["text"] is None, f"the draft outlived its save: {draft}"
    wait_synced(page)
    assert case.on_server(school, observation_id, text) == 1


# Rebuild this device's database as version 1 had it (see the script).
AS_VERSION_1 = "\n".join(
    line
    for line in (Path(__file__).parent / "as_version_1.js").read_text().splitlines()
    if not line.startswith("//")
)


def test_words_in_a_capture_box_of_version_1_are_there_after_the_upgrade(school: School) -> None:
    """IndexedDB version 2 moved the words of capture boxes to the typing store: a device that
    had words in a box under version 1 finds them in the box, and Today offers to finish them."""
    observation_id = school.observation(title="Typed under version 1")
    sync_and_wait(school.page, school.network)
    context = school.page.context
    surgery = context.new_page()
    surgery.goto(school.live.url + "/manifest.webmanifest")
    school.page.close()
    surgery.evaluate(AS_VERSION_1, {"observationId": observation_id, "text": "Words from v1"})
    school.page = context.new_page()
    surgery.close()
    goto(school.page, school.live.url, "today")
    expect(school.page.locator("main")).to_contain_text("Typed under version 1")
    goto(school.page, school.live.url, f"capture/{observation_id}")
    expect(school.page.locator("#note-text")).to_have_value("Words from v1")
    expect(school.page.locator("input[name=category][value=pupils]")).to_be_checked()
