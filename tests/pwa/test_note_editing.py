"""Notes are editable by their author, on capture and on review, offline too: the text, the
kind of note and the lesson minute; a delete can be undone for 10 seconds. Other people's
notes have no edit control (and the server refuses a crafted edit: tests/test_policy.py)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.pwa.drafts_support import School, goto, school, wait_for_server
from tests.pwa.helpers import (
    PHONE,
    Network,
    NewContext,
    Shots,
    expect_pending,
    sign_in,
    sync_and_wait,
    wait_synced,
    write_note,
)

pytestmark = pytest.mark.browser
__all__ = ["school"]  # the module's live school (a fixture)
LAPTOP = {"width": 1280, "height": 800}


def note_row(page: Page, text: str) -> Locator:
    return page.locator("li.note", has_text=text)


def edit(page: Page, text: str, new_text: str, category: str | None, minute: str) -> None:
    """Open a note's editor, change it, and save."""
    note_row(page, text).locator(".note-edit").click()
    editor = page.locator(".note-editor")
    editor.locator("textarea").fill(new_text)
    if category:
        editor.get_by_label("Kind of note").select_option(label=category)
    editor.get_by_label("Lesson minute").fill(minute)
    editor.get_by_role("button", name="Save changes").click()
    expect(note_row(page, new_text)).to_be_visible()
    expect(page.locator(".note-editor")).to_have_count(0)


def notes_on_server(school: School, observation_id: str) -> dict[str, dict[str, Any]]:
    """The observation's notes on the server by text, deleted ones included."""
    return {
        change["fields"]["text"]: change
        for (entity, _), change in school.api.pull_all().items()
        if entity == "note" and change["fields"]["observation_id"] == observation_id
    }


def test_the_author_edits_and_deletes_notes_offline_on_capture_with_undo(school: School) -> None:
    """Offline on capture: change one note's text, kind and minute; delete a second and undo;
    delete a third and let the 10 s pass. Online: the server has exactly that."""
    page, network = school.page, school.network
    observation_id = school.observation(title="Editing notes")
    sync_and_wait(page, network)
    goto(page, school.live.url, f"capture/{observation_id}")
    for text in ("First note", "Second note", "Third note"):
        write_note(page, text)
    wait_synced(page)
    network.set_offline(True)

    edit(page, "First note", "First note, reworded", "Strength", "7")
    note_row(page, "Second note").locator(".note-edit").click()
    page.get_by_role("button", name="Delete note").click()
    expect(note_row(page, "Second note")).to_have_count(0)
    Shots().take(page, "note-deleted-undo-390x844")
    page.locator(".undo-bar").get_by_role("button", name="Undo").click()
    expect(note_row(page, "Second note")).to_be_visible()
    note_row(page, "Third note").locator(".note-edit").click()
    page.get_by_role("button", name="Delete note").click()
    expect(page.locator(".undo-bar")).to_have_count(0, timeout=20_000)  # its 10 s are over
    expect(note_row(page, "Third note")).to_have_count(0)
    expect_pending(page, 2)  # the edit and the delete; the undone delete never queued

    network.set_offline(False)
    wait_synced(page)
    wait_for_server(page, lambda: "First note, reworded" in notes_on_server(school, observation_id))
    on_server = notes_on_server(school, observation_id)
    first = on_server["First note, reworded"]["fields"]
    assert (first["category"], first["minute"]) == ("strength", 7)
    assert not on_server["Second note"]["deleted"]
    # a full pull leaves deleted records out (PROTOCOL.md), or carries them as tombstones
    assert on_server.get("Third note", {"deleted": True})["deleted"]
    assert "First note" not in on_server


def test_on_review_only_my_notes_have_an_edit_control_and_edits_sync(
    school: School, new_context: NewContext
) -> None:
    """Online on review: the author edits a note (screenshots of the editor at phone and
    laptop size); the observed teacher's phone shows no edit control on it, only on their own."""
    page, network = school.page, school.network
    observation_id = school.observation(title="Editing on review")
    school.api.put(
        "note",
        "6f1c9c39-7a8b-4d0e-9c52-8f3b1f0a9e11",
        {
            "observation_id": observation_id,
            "at": "2026-11-20T09:05:00+00:00",
            "category": "evidence",
            "text": "Mine to change",
            "minute": 4,
        },
    )
    school.partner_note(observation_id, "The observed teacher's own note")
    sync_and_wait(page, network)
    goto(page, school.live.url, f"review/{observation_id}")
    expect(note_row(page, "own note").locator(".note-edit")).to_have_count(0)
    note_row(page, "Mine to change").locator(".note-edit").click()
    page.locator(".note-editor textarea").fill("Mine, changed on review")
    shots = Shots()
    shots.take(page, "note-editing-390x844", at=".note-editor")
    page.set_viewport_size(LAPTOP)
    shots.take(page, "note-editing-1280x800", at=".note-editor")
    page.set_viewport_size(PHONE)
    assert not shots.problems, shots.problems
    page.get_by_role("button", name="Save changes").click()
    expect(note_row(page, "Mine, changed on review")).to_be_visible()
    wait_synced(page)
    wait_for_server(
        page, lambda: "Mine, changed on review" in notes_on_server(school, observation_id)
    )

    partner = new_context(viewport=PHONE)
    partner_network = Network(partner)
    partner_page = partner.new_page()
    sign_in(partner_page, school.live.url, school.staff["observee"])
    sync_and_wait(partner_page, partner_network)
    goto(partner_page, school.live.url, f"review/{observation_id}")
    expect(note_row(partner_page, "Mine, changed on review")).to_be_visible()
    expect(note_row(partner_page, "Mine, changed on review").locator(".note-edit")).to_have_count(0)
    expect(note_row(partner_page, "own note").locator(".note-edit")).to_have_count(1)
    expect(partner_page.locator(".note-edit")).to_have_count(1)
