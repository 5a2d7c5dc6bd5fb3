"""Conflicts that remain show at the field itself, with both versions and who wrote each; a
choice can be undone for 10 seconds and only then is it sent, exactly once. And the case that
was reported: typing a combined text while the partner's note arrives loses nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.pwa.drafts_support import (
    School,
    expect_kept,
    goto,
    school,
    type_with_caret,
    wait_for_server,
)
from tests.pwa.helpers import (
    PHONE,
    Network,
    NewContext,
    Shots,
    expect_pending,
    sign_in,
    sync_and_wait,
    wait_synced,
)

pytestmark = pytest.mark.browser
__all__ = ["school"]  # the module's live school (a fixture)
LAPTOP = {"width": 1280, "height": 800}
# Both texts have reached the phone: as a conflict at the field, or merged into the box.
SETTLED = """() => document.querySelector('.field-conflict[data-field=strengths]')
  || ['Ben Okafor', 'Ana Silva'].every((name) =>
    document.querySelector('textarea[name=strengths]').value.includes(name))"""


def both_sizes(shots: Shots, page: Page, name: str, at: str) -> None:
    """Save a screen at phone size and at laptop size."""
    shots.take(page, f"{name}-390x844", at=at)
    page.set_viewport_size(LAPTOP)
    shots.take(page, f"{name}-1280x800", at=at)
    page.set_viewport_size(PHONE)


def resolutions(sent: list[dict[str, Any]]) -> list[list[str]]:
    """The `resolves` lists of the mutations a phone pushed."""
    return [m["resolves"] for m in sent if m.get("resolves")]


def record_pushes(page: Page) -> list[dict[str, Any]]:
    """Every mutation the page pushes from now on."""
    sent: list[dict[str, Any]] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/sync/push"):
            sent.extend(json.loads(request.post_data or "{}").get("mutations", []))

    page.on("request", seen)
    return sent


def server_record(school: School, entity: str, record_id: str) -> dict[str, Any]:
    return school.api.pull_all()[(entity, record_id)]


def test_a_value_conflict_shows_at_the_field_and_one_undoable_choice_is_sent_once(
    school: School,
) -> None:
    """Both change the title at once (two devices, over HTTP). The phone marks the title with
    both versions and their writers; Keep mine, Undo, Keep mine again: one resolution is sent,
    after its 10 seconds, and the server keeps that value with no conflict left."""
    page = school.page
    observation_id = school.observation(title="Fractions with 8R")
    school.partner.pull_all()
    school.api.put("observation", observation_id, {"title": "Fractions: equivalence"})
    school.partner.put("observation", observation_id, {"title": "Fractions on a number line"})
    sync_and_wait(page, school.network)
    sent = record_pushes(page)
    goto(page, school.live.url, f"review/{observation_id}")
    block = page.locator(".field-conflict[data-field=title]")
    expect(block).to_contain_text("Two versions")
    expect(block.locator(".version")).to_have_count(2)
    expect(block.locator(".version", has_text="Ben Okafor\u2019s version")).to_contain_text(
        "Fractions on a number line"
    )
    expect(block.locator(".version", has_text="Your version")).to_contain_text(
        "Fractions: equivalence"
    )
    both_sizes(Shots(), page, "conflict-at-field-title", ".value-field.has-conflict")

    block.get_by_role("button", name="Keep mine").click()
    expect(block).to_contain_text("Keeping your version")
    page.locator(".undo-bar").get_by_role("button", name="Undo").click()
    expect(page.locator(".undo-bar")).to_have_count(0)
    expect(block.locator(".version")).to_have_count(2)
    block.get_by_role("button", name="Keep mine").click()
    expect(block).to_have_count(0, timeout=20_000)  # queued once its 10 s are over
    wait_synced(page)
    on_server = server_record(school, "observation", observation_id)
    assert on_server["fields"]["title"] == "Fractions: equivalence"
    assert on_server["conflicts"] == []
    assert len(resolutions(sent)) == 1


def offline_strengths(pages: dict[str, tuple[Page, Network]], school: School) -> None:
    """Both phones write Strengths offline, then reconnect one after the other."""
    for key, (page, network) in pages.items():
        network.set_offline(True)
        page.fill("textarea[name=strengths]", f"Strengths seen by {school.staff[key].name}")
        page.locator("textarea[name=strengths]").blur()
        expect_pending(page, 1)
    for page, network in pages.values():
        network.set_offline(False)
        wait_synced(page)
    sync_and_wait(*pages["observer"])  # the first to reconnect now receives the other's text


def test_typing_a_combined_text_while_the_partners_note_arrives_loses_nothing(
    school: School, new_context: NewContext
) -> None:
    """The reported case: two phones edit Strengths offline and reconnect; one types the
    combined text while the partner's new note arrives. The words stay, with the caret, and
    reach the server once. (With co-written Strengths there is no conflict to combine: the
    words typed into the Strengths box itself must then survive the same way.)"""
    observation_id = school.observation(title="Reported case")
    partner = new_context(viewport=PHONE, bypass_csp=True)
    partner_network = Network(partner)
    partner_page = partner.new_page()
    sign_in(partner_page, school.live.url, school.staff["observee"])
    sync_and_wait(school.page, school.network)
    pages = {"observer": (school.page, school.network), "observee": (partner_page, partner_network)}
    for page, _ in pages.values():
        goto(page, school.live.url, f"review/{observation_id}")
    offline_strengths(pages, school)

    page = school.page
    block = page.locator(".field-conflict[data-field=strengths]")
    words = "and we agreed: the wait time let every table answer"
    page.wait_for_function(SETTLED)
    conflicted = block.count() > 0
    if conflicted:
        both_sizes(Shots(), page, "conflict-at-field-strengths", ".field.has-conflict")
        block.locator("summary", has_text="Edit a combined text").click()
        selector = f'[data-draft="observation/{observation_id}/strengths/combined"]'
        text = f"{page.locator(selector).input_value()} {words}"
    else:
        selector = "textarea[name=strengths]"
        text = f"{page.locator(selector).input_value()} {words}"
    caret = type_with_caret(page, selector, text)
    school.partner_note(observation_id, "Partner: the exit tickets were all complete")
    sync_and_wait(page, school.network)
    expect(page.locator("li.note", has_text="exit tickets")).to_be_visible()
    expect_kept(page, selector, text, caret, focused=True)

    if conflicted:
        block.get_by_role("button", name="Save combined text").click()
        expect(block).to_have_count(0, timeout=20_000)
    else:
        page.locator(selector).blur()
    wait_synced(page)
    record = lambda: server_record(school, "observation", observation_id)  # noqa: E731
    wait_for_server(page, lambda: words in record()["fields"]["strengths"])
    assert record()["fields"]["strengths"].count(words) == 1
    assert record()["conflicts"] == []
    sync_and_wait(partner_page, partner_network)
    expect(partner_page.locator("textarea[name=strengths]")).to_have_value(
        record()["fields"]["strengths"]
    )
    expect(partner_page.locator(".field-conflict")).to_have_count(0)
