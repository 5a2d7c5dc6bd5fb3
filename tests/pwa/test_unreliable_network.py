"""A flapping network and a server that dies mid-sync: nothing lost, nothing doubled."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Route

from tests.pwa.helpers import (
    ApiUser,
    NewContext,
    Person,
    assert_exactly_once,
    capture_page,
    wait_synced,
    write_note,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


def test_typing_200_notes_while_the_network_flaps_sends_each_once(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    """The connection drops and returns every 200 ms while 200 notes are typed."""
    page, network, api, observation_id = capture_page(new_context, live, staff)
    texts = [f"Flapping note {n:03d}" for n in range(1, 201)]
    offline = False
    toggled = time.monotonic()
    toggles = 0
    for text in texts:
        if time.monotonic() - toggled >= 0.2:
            offline = not offline
            network.set_offline(offline)
            toggled = time.monotonic()
            toggles += 1
        write_note(page, text)
    assert toggles >= 4, "the network should have flapped while typing"
    network.set_offline(False)
    wait_synced(page, timeout=90_000)
    assert_exactly_once(api, observation_id, texts)


def test_a_server_killed_and_restarted_mid_sync_loses_and_doubles_nothing(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    """The first batch is applied, then the server dies before its answer reaches the phone."""
    page, network, api, observation_id = capture_page(new_context, live, staff)
    network.set_offline(True)
    texts = [f"Note before the crash {n:03d}" for n in range(1, 151)]
    for text in texts:
        write_note(page, text)
    killed = []

    def crash_after_applying(route: Route) -> None:
        if killed:
            route.fallback()
            return
        route.fetch()  # the server applies the batch ...
        live.kill()  # ... and dies before the phone hears back
        killed.append(True)
        route.abort("connectionreset")

    page.context.route("**/api/v1/sync/push", crash_after_applying)
    network.set_offline(False)
    deadline = time.monotonic() + 30
    while not killed:  # Playwright runs route handlers while the test waits on the page
        assert time.monotonic() < deadline, "the phone never started sending"
        page.wait_for_timeout(100)
    applied = len(api_notes_after_restart(live, api, observation_id))
    assert 0 < applied < len(texts), "the crash should come in the middle of the sync"
    network.resync()
    wait_synced(page, timeout=90_000)
    assert_exactly_once(api, observation_id, texts)


def api_notes_after_restart(live: LiveServer, api: ApiUser, observation_id: str) -> list[dict]:
    """Restart the killed server and read what it had applied."""
    time.sleep(1)
    live.start()
    return api.notes_of(observation_id)
