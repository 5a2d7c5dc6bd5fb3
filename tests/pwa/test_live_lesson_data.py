"""The live lesson (issue 12), screens over much data, in Chromium against a live server:
first-sync progress with a total from the first page (a lead, several pages; a teacher, one);
search offline among 5,000 notes, highlighted as text; quick notes put into the box, never sent.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    NewContext,
    Person,
    open_app,
    sign_in,
    stamp,
    wait_synced,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
GETTING = "Getting your school\u2019s notes"
# Every text the sync line shows, in order, from the first load of the page on.
RECORD_SYNC_LINE = """
(() => {
  window.__syncLines = [];
  const watch = () => {
    const line = document.getElementById('sync-line');
    if (!line) return void requestAnimationFrame(watch);
    const keep = () => {
      const text = line.hidden ? '' : line.textContent.trim();
      const lines = window.__syncLines;
      if (text && lines[lines.length - 1] !== text) lines.push(text);
    };
    new MutationObserver(keep).observe(line, {childList: true, subtree: true, characterData: true});
    keep();
  };
  watch();
})();
"""


def push_many(api: ApiUser, mutations: list[dict[str, Any]]) -> None:
    """Push in batches of 1,000 (the most one push takes)."""
    for start in range(0, len(mutations), 1000):
        batch = []
        for fields in mutations[start : start + 1000]:
            api.seq += 1
            batch.append(
                {"seq": api.seq, "entity": fields.pop("entity"), "id": fields.pop("id"),
                 "op": "put", "base_version": 0, "hlc": stamp(api.client_id), "fields": fields}
            )  # fmt: skip
        status, body = api.live.request(
            "POST", "/api/v1/sync/push", {"client_id": api.client_id, "mutations": batch},
            token=api.token,
        )  # fmt: skip
        assert status == 200, body
        assert {r["status"] for r in body["results"]} == {"applied"}, body["results"][:3]


def notes(observation_id: str, texts: list[str]) -> list[dict[str, Any]]:
    return [
        {"entity": "note", "id": str(uuid.uuid4()), "observation_id": observation_id,
         "at": f"2026-11-20T09:{n % 60:02d}:00+00:00", "minute": n % 60, "category": "evidence",
         "text": text}
        for n, text in enumerate(texts)
    ]  # fmt: skip


def fresh_phone(new_context: NewContext) -> Page:
    context = new_context(viewport=PHONE)
    context.add_init_script(RECORD_SYNC_LINE)
    return context.new_page()


def progress_lines(page: Page) -> list[str]:
    lines: list[str] = page.evaluate("() => window.__syncLines")
    return lines


@pytest.mark.parametrize("who", ["lead", "colleague"], ids=["several-pages", "one-page"])
def test_a_first_sync_shows_its_total_from_the_first_page(
    who: str, new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    ben = ApiUser.login(live, staff["observee"].email)
    shared = ben.observation(
        [(staff["observee"], "observee"), (staff["observer"], "observer")], visibility="leads"
    )
    push_many(ben, notes(shared, [f"Shared note {n}" for n in range(1_150)]))
    person = ApiUser.login(live, staff[who].email)
    total = len(person.pull_all())  # what this person's first sync brings
    assert (total > 1_000) == (who == "lead")

    page = fresh_phone(new_context)
    sign_in(page, live.url, staff[who])
    lines = progress_lines(page)
    determinate = [line for line in lines if " of " in line and line.startswith("Getting")]
    first_page = min(total, 500)
    assert determinate[0] == f"{GETTING}: {first_page:,} of {total:,}", lines
    assert determinate[-1] == f"{GETTING}: {total:,} of {total:,}", lines
    # Before the total is known it says it is getting them; never "All changes sent" meanwhile.
    last_progress = max(i for i, line in enumerate(lines) if line.startswith("Getting"))
    assert not [line for line in lines[:last_progress] if line.startswith("All changes sent")], (
        lines
    )
    assert lines[-1].startswith("All changes sent")


def test_search_finds_a_note_among_5000_offline_highlighted_and_opens_it_at_the_note(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    ana = ApiUser.login(live, staff["observer"].email)
    pair = [(staff["observer"], "observer"), (staff["observee"], "observee")]
    observations = [ana.observation(pair, title=f"Lesson {n}") for n in range(5)]
    texts = [f"Pupils worked on task {n}, then compared answers" for n in range(5_000)]
    target = 3_217
    texts[target] = "Good <em>hinge</em> questions at the end of the starter"
    mutations = []
    for n, obs in enumerate(observations):
        mutations += notes(obs, texts[n * 1000 : (n + 1) * 1000])
    target_id = mutations[target]["id"]
    push_many(ana, mutations)

    page = fresh_phone(new_context)
    sign_in(page, live.url, staff["observer"])
    page.context.set_offline(True)
    open_app(page, live.url, "today")
    page.click("a.search-link")
    page.wait_for_selector("main[data-ready=search]")
    page.locator("#search-box").press_sequentially("hinge qu")
    results = page.locator("ol.results li.result")
    expect(results).to_have_count(1)
    expect(page.locator(".result-count")).to_have_text("1 found")
    expect(results.locator("mark")).to_have_text(["hinge", "qu"])
    # The note's markup is shown as the text it is, never as HTML.
    expect(results.locator(".result-text")).to_have_text(
        "Good <em>hinge</em> questions at the end of the starter"
    )
    assert results.locator("em").count() == 0
    results.locator("button").click()
    page.wait_for_selector("main[data-ready=capture]")
    page.wait_for_selector('ol.notes[data-complete="true"]', state="attached")  # all drawn
    found = page.locator(f'li.note.found[data-id="{target_id}"]')
    expect(found).to_be_visible(timeout=20_000)  # a 1,000-note list on a loaded machine
    expect(found).to_be_in_viewport()


def test_quick_notes_put_a_phrase_into_the_box_for_editing_and_send_nothing(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    lead = ApiUser.login(live, staff["lead"].email)
    focus_id, lookfor_id = str(uuid.uuid4()), str(uuid.uuid4())
    lead.put("focus", focus_id, {"title": "Questioning", "kind": "school"})
    lead.put("lookfor", lookfor_id, {"focus_id": focus_id, "text": "Wait time after questions"})
    ana = ApiUser.login(live, staff["observer"].email)
    observation_id = ana.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")],
        focus_ids=[focus_id], focus_question="Do all pupils get to answer?",
    )  # fmt: skip
    page = fresh_phone(new_context)
    sign_in(page, live.url, staff["observer"])

    open_app(page, live.url, "settings")
    page.fill("#new-phrase", "Cold call used")
    page.locator("form.phrase-add").get_by_role("button", name="Add").click()
    expect(page.locator(".phrase-list .phrase")).to_have_text(["Cold call used"])
    status, body = live.request("GET", "/api/v1/me/phrases", token=ana.token)
    assert (status, body) == (200, {"phrases": ["Cold call used"]})

    open_app(page, live.url, f"capture/{observation_id}")
    page.wait_for_selector("main[data-ready=capture]")
    chips = page.locator(".quick-notes button.quick-note")
    expect(chips).to_have_text(
        [
            "Questioning",
            "Do all pupils get to answer?",
            "Wait time after questions",
            "Cold call used",
        ]
    )
    wait_synced(page)
    page.fill("#note-text", "Saw  in the plenary")
    page.evaluate("() => document.getElementById('note-text').setSelectionRange(4, 4)")
    chips.filter(has_text="Wait time").click()
    box = page.locator("#note-text")
    expect(box).to_have_value("Saw Wait time after questions in the plenary")
    assert page.evaluate(
        """() => { const b = document.getElementById('note-text');
        return [document.activeElement === b, b.selectionStart]; }"""
    ) == [True, len("Saw Wait time after questions")]
    chips.filter(has_text="Cold call").click()
    expect(box).to_have_value("Saw Wait time after questions Cold call used in the plenary")
    # Nothing was saved or sent: no note, nothing waiting; the words are the box's draft.
    expect(page.locator("ol.notes")).to_have_attribute("data-count", "0")
    expect(page.locator("#sync-line")).to_have_attribute("data-pending", "0")
    assert ana.notes_of(observation_id) == []
    page.press("#note-text", "Enter")
    expect(page.locator("ol.notes li.note .note-text")).to_have_text(
        ["Saw Wait time after questions Cold call used in the plenary"]
    )
