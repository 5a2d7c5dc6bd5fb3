"""Capture with no network survives closing the browser, and reaches the server exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserType, expect

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    Network,
    Person,
    deny_background_sync,
    expect_pending,
    note_texts,
    open_app,
    sign_in,
    wait_for_service_worker,
    wait_synced,
    wait_until,
    write_note,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


def test_fifty_notes_written_offline_survive_a_closed_browser_and_arrive_once(
    browser_type: BrowserType,
    browser_type_launch_args: dict[str, Any],
    live: LiveServer,
    staff: dict[str, Person],
    tmp_path: Path,
) -> None:
    """Sign in online; offline, reload and plan an observation and write 50 notes; close the
    browser before anything is sent; reopen offline: all 50 are there; online: each arrives once."""
    profile = tmp_path / "phone-profile"
    deny_background_sync(profile)
    context = browser_type.launch_persistent_context(
        profile, **browser_type_launch_args, viewport=PHONE
    )
    network = Network(context)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, live.url, staff["observer"])
    wait_for_service_worker(page)

    network.set_offline(True)
    page.reload()
    page.wait_for_selector("main[data-ready=today]")
    open_app(page, live.url, "new")
    page.fill("input[type=search]", "Ben")
    page.click(".person-add")
    page.fill("input[name=class_label]", "8R")
    page.fill("input[name=subject]", "Maths")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=capture]")
    observation_id = page.url.rsplit("/", 1)[1]
    texts = [f"Offline note {n:02d}: pupils explained their méthode ✓" for n in range(1, 51)]
    for text in texts:
        write_note(page, text)
    expect_pending(page, 51)  # the observation and its 50 notes
    expect(page.locator("ol.notes .delivery-local")).to_have_count(50)
    context.close()

    api = ApiUser.login(live, staff["observer"].email)
    assert ("observation", observation_id) not in api.pull_all(), "something was sent"

    context = browser_type.launch_persistent_context(
        profile, **browser_type_launch_args, viewport=PHONE, offline=True
    )
    network = Network(context)
    network.offline = True
    page = context.pages[0] if context.pages else context.new_page()
    open_app(page, live.url, f"capture/{observation_id}")
    page.wait_for_selector("main[data-ready=capture]")
    assert sorted(note_texts(page)) == texts
    expect_pending(page, 51)

    network.set_offline(False)
    wait_synced(page)
    expect(page.locator("ol.notes .delivery-delivered")).to_have_count(50)
    wait_until(lambda: len(api.notes_of(observation_id)) >= 50, "the notes did not arrive")
    on_server = Counter(note["fields"]["text"] for note in api.notes_of(observation_id))
    assert on_server == Counter(texts), "each note must be on the server exactly once"
    context.close()
