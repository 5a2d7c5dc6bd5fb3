"""A new version of the app arrives while notes wait to be sent: it waits, and loses nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.pwa.helpers import (
    NewContext,
    Person,
    assert_exactly_once,
    capture_page,
    expect_pending,
    wait_for_service_worker,
    wait_synced,
    write_note,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
PUSH = "**/api/v1/sync/push"


def test_an_update_waits_for_unsent_notes_and_then_sends_all_of_them(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    """20 notes cannot be sent (the server refuses connections to push); the server then
    announces a new version. It installs and waits; "Update now" takes it; the outbox is
    intact in the new version, and all 20 notes arrive once."""
    page, network, api, observation_id = capture_page(new_context, live, staff)
    wait_for_service_worker(page)
    old_version = page.get_attribute("meta[name=app-version]", "content")
    page.context.route(PUSH, lambda route: route.abort("connectionrefused"))
    texts = [f"Written before the update {n:02d}" for n in range(1, 21)]
    for text in texts:
        write_note(page, text)
    expect_pending(page, 20)

    live.env["LESSONLOOP_APP_VERSION_SALT"] = "the next version"
    live.restart()
    page.reload()
    page.wait_for_selector("main[data-ready=capture]")
    banner = page.locator(".banner")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("once your 20 changes are sent")
    assert page.get_attribute("meta[name=app-version]", "content") == old_version
    expect_pending(page, 20)

    banner.get_by_role("button", name="Update now").click()
    page.wait_for_selector(
        f'meta[name=app-version]:not([content="{old_version}"])', state="attached"
    )
    page.wait_for_selector("main[data-ready=capture]")
    new_version = page.get_attribute("meta[name=app-version]", "content")
    assert page.evaluate("() => caches.keys()") == [f"lessonloop-{new_version}"]
    expect_pending(page, 20)
    expect(page.locator("ol.notes .delivery-local")).to_have_count(20)

    page.context.unroute(PUSH)
    network.resync()
    wait_synced(page)
    assert_exactly_once(api, observation_id, texts)
