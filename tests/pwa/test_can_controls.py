"""Controls only where the server's `can` allows (issue 13): nothing offered that a rule refuses."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import (
    PHONE,
    SCREENS,
    ApiUser,
    Network,
    NewContext,
    Person,
    open_app,
    sign_in,
    wait_synced,
    wait_until,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


def phone(new_context: NewContext, url: str, person: Person, route: str) -> tuple[Page, Network]:
    """A signed-in phone showing one screen."""
    context = new_context(viewport=PHONE)
    network = Network(context)
    page = context.new_page()
    sign_in(page, url, person)
    open_app(page, url, route)
    return page, network


def shared_observation(live: LiveServer, staff: dict[str, Person]) -> tuple[str, ApiUser]:
    """Ana watched Ben; Ben shared it with leads. It has a note, strengths and a next step."""
    observer = ApiUser.login(live, staff["observer"].email)
    observation_id = observer.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")],
        status="captured",
        strengths="Clear modelling of the method",
    )
    observer.put(
        "note",
        str(uuid.uuid4()),
        {
            "observation_id": observation_id,
            "at": "2026-11-20T09:10:00+00:00",
            "category": "evidence",
            "text": "Pupils explained their method to a partner",
        },
    )
    observer.put(
        "next_step",
        str(uuid.uuid4()),
        {
            "observation_id": observation_id,
            "owner_id": staff["observee"].id,
            "text": "Try a hinge question",
            "status": "open",
        },
    )
    observee = ApiUser.login(live, staff["observee"].email)
    observee.pull_all()
    observee.put("observation", observation_id, {"visibility": "leads"})
    return observation_id, observer


def no_edit_control(page: Page) -> None:
    """Nothing on the screen writes: no text box, no switch, no Edit, no tick box, no action."""
    main = page.locator("main")
    expect(main.locator("textarea")).to_have_count(0)
    expect(main.locator("input:not([type=radio])")).to_have_count(0)  # radio chips filter notes
    expect(main.locator("[role=switch]")).to_have_count(0)
    expect(main.locator("button.note-edit")).to_have_count(0)
    for label in ("Add next step", "Mark as reviewed", "Add more notes", "Keep mine"):
        expect(main.get_by_text(label, exact=True)).to_have_count(0)


def test_a_lead_on_a_teachers_shared_observation_is_offered_no_edit_and_makes_no_rejected_change(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    """The teacher owns the record: the lead reads the notes, strengths and next step, and is
    offered no control; capture turns them to the review; nothing is parked in Settings."""
    observation_id, observer = shared_observation(live, staff)
    page, _ = phone(new_context, live.url, staff["lead"], f"review/{observation_id}")
    page.wait_for_selector("main[data-ready=review]")
    expect(page.locator("main")).to_contain_text("Pupils explained their method to a partner")
    expect(page.locator("main")).to_contain_text("Clear modelling of the method")
    expect(page.locator("main")).to_contain_text("Try a hinge question")
    expect(page.locator("main")).to_contain_text(
        "Ben Okafor has shared this with the school\u2019s leads."
    )
    no_edit_control(page)
    page.screenshot(path=str(SCREENS / "lead-reads-a-shared-review-390.png"), full_page=True)
    # The only way left to write: the capture screen's address, typed by hand. It says why not.
    open_app(page, live.url, f"capture/{observation_id}")
    expect(page.locator("main")).to_contain_text("Only the people taking part add notes")
    expect(page.locator("#note-text")).to_have_count(0)
    page.get_by_role("link", name="Read the review").click()
    page.wait_for_selector("main[data-ready=review]")
    # Keys typed anywhere on the page go nowhere.
    page.keyboard.type("A lead's edit\n")
    wait_synced(page)
    open_app(page, live.url, "settings")
    page.wait_for_selector("main[data-ready=settings]")
    expect(page.locator("main")).not_to_contain_text("Needs your attention")
    expect(page.locator(".card.attention")).to_have_count(0)
    expect(page.locator("#sync-line")).to_have_attribute("data-pending", "0")
    record = observer.pull_all()[("observation", observation_id)]
    assert record["fields"]["strengths"] == "Clear modelling of the method"


def test_the_observer_sees_no_share_switch_and_the_observee_does(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    """Only the observed teacher decides whether leads see it: the observer reads who decides,
    the observee switches sharing on and the server holds it."""
    observer = ApiUser.login(live, staff["observer"].email)
    observation_id = observer.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")], status="captured"
    )
    ana, _ = phone(new_context, live.url, staff["observer"], f"review/{observation_id}")
    ana.wait_for_selector("main[data-ready=review]")
    expect(ana.locator("main")).to_contain_text("Ben Okafor decides whether leads see it.")
    expect(ana.locator("[role=switch]")).to_have_count(0)
    # The observer may still write what is theirs to write.
    expect(ana.locator("textarea[name=strengths]")).to_have_count(1)
    expect(ana.get_by_role("button", name="Add next step")).to_have_count(1)

    ben, _ = phone(new_context, live.url, staff["observee"], f"review/{observation_id}")
    ben.wait_for_selector("main[data-ready=review]")
    switch = ben.get_by_role("switch", name="Share with leads")
    expect(switch).to_have_count(1)
    ben.screenshot(path=str(SCREENS / "observee-review-share-switch-390.png"), full_page=True)
    ben.locator("label.switch", has_text="Share with leads").click()  # where a thumb taps
    expect(switch).to_be_checked()
    expect(ben.locator("main")).to_contain_text("Leads can read this observation")
    wait_synced(ben)
    wait_until(
        lambda: (
            observer.pull_all()[("observation", observation_id)]["fields"]["visibility"] == "leads"
        ),
        "the observee's share did not reach the server",
    )
