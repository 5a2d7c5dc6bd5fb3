"""Reminders in Chromium: turning them on and off, the messages the service worker shows, clicks.

What is real here: Chromium's Push API (its own subscription and keys, registered through
`LocalGcm`, a loopback stand-in for Google's GCM), the server's subscription and preference
endpoints, the push messages the server queues (read from its job table), Chromium's
notifications and their clicks (through a desktop notification server on a private D-Bus).
What is not: the trip from our worker through Google's push service to the browser, which
needs the internet; DevTools' `ServiceWorker.deliverPushMessage` hands the message to the
service worker instead, as the push service would once it has decrypted it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright

from server.reminders.events import due_message
from tests.pwa.helpers import (
    ApiUser,
    Person,
    Shots,
    prepare_instance,
    sign_in,
    wait_for_service_worker,
    wait_until,
)
from tests.pwa.reminders_support import (
    LocalGcm,
    NotificationArea,
    ServerDb,
    WorkerControl,
    launch_phone,
)
from tests.support.live import LiveServer
from tests.support.sync import note_fields

pytestmark = pytest.mark.browser
REMINDERS = "section[data-reminders]"
# Counts the two calls that must wait for a tap (and lets them through unchanged).
COUNT_ASKS = """
  window.__asks = {permission: 0, subscribe: 0};
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...a) => { window.__asks.permission += 1; return ask(...a); };
  const subscribe = PushManager.prototype.subscribe;
  PushManager.prototype.subscribe = function (...a) {
    window.__asks.subscribe += 1;
    return subscribe.apply(this, a);
  };
"""


@pytest.fixture
def live(database_file: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The server as tests/pwa/reminders_app.py configures it (Google's push host on loopback)."""
    instance = prepare_instance(tmp_path / "instance")
    server = LiveServer(database_file, instance, app="tests.pwa.reminders_app:app")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def gcm() -> Iterator[LocalGcm]:
    local = LocalGcm().start()
    yield local
    local.stop()


@pytest.fixture
def area(tmp_path: Path) -> Iterator[NotificationArea]:
    notifications = NotificationArea(tmp_path / "bus").start()
    yield notifications
    notifications.stop()


@pytest.fixture
def phone(
    playwright: Playwright, tmp_path: Path, gcm: LocalGcm, area: NotificationArea
) -> Iterator[BrowserContext]:
    context = launch_phone(playwright, tmp_path / "profile", gcm, area)
    yield context
    context.close()


@pytest.fixture
def server_db(database_file: str, tmp_path: Path) -> ServerDb:
    return ServerDb(database_file, tmp_path / "reader")


@pytest.fixture
def shots() -> Iterator[Shots]:
    taken = Shots()
    yield taken
    assert not taken.problems, f"axe found serious or critical problems: {taken.problems}"


def settings(page: Page, state: str) -> None:
    """Open Settings and wait until its Reminders section says `state`."""
    page.click("a.tab[href='#/settings']")
    page.wait_for_selector("main[data-ready=settings]")
    page.wait_for_selector(f"{REMINDERS}[data-reminders={state}]")


def turn_on(phone: BrowserContext, live: LiveServer, person: Person) -> Page:
    """Sign in, allow notifications, and tap Turn on reminders in Settings."""
    phone.grant_permissions(["notifications"], origin=live.url)
    page = phone.pages[0] if phone.pages else phone.new_page()
    sign_in(page, live.url, person)
    wait_for_service_worker(page)
    settings(page, "off")
    page.get_by_role("button", name="Turn on reminders").click()
    page.wait_for_selector(f"{REMINDERS}[data-reminders=on]")
    return page


def browser_endpoint(page: Page) -> str | None:
    """The endpoint of the browser's own push subscription, if it has one."""
    endpoint: str | None = page.evaluate(
        """async () => {
             const reg = await navigator.serviceWorker.ready;
             const subscription = await reg.pushManager.getSubscription();
             return subscription && subscription.endpoint;
           }"""
    )
    return endpoint


def test_reminders_ask_only_when_tapped_and_register_the_browser_subscription(
    phone: BrowserContext,
    live: LiveServer,
    staff: dict[str, Person],
    gcm: LocalGcm,
    server_db: ServerDb,
    shots: Shots,
) -> None:
    """Nothing asks on load; the tap asks once, subscribes with the server's key, registers it;
    the choices saved reach the server; Turn off forgets it in the browser and on the server."""
    ana = staff["observer"]
    phone.add_init_script(COUNT_ASKS)
    phone.grant_permissions(["notifications"], origin=live.url)
    page = phone.pages[0]
    sign_in(page, live.url, ana)
    wait_for_service_worker(page)
    settings(page, "off")
    assert page.evaluate("() => window.__asks") == {"permission": 0, "subscribe": 0}
    shots.take(page, "reminders-off", at=REMINDERS)

    page.get_by_role("button", name="Turn on reminders").click()
    page.wait_for_selector(f"{REMINDERS}[data-reminders=on]")
    assert page.evaluate("() => window.__asks") == {"permission": 1, "subscribe": 1}
    endpoint = browser_endpoint(page)
    assert endpoint
    assert endpoint.startswith("https://")
    assert server_db.endpoints(ana.id) == [endpoint]
    api = ApiUser.login(live, ana.email)
    _, key = live.request("GET", "/api/v1/push/public-key", token=api.token)
    assert [r["sender"] for r in gcm.registrations if "X-subtype" in r] == [[key["public_key"]]]

    page.locator("label.switch", has_text="Friday afternoon").click()  # where a thumb taps
    assert not page.get_by_role("switch", name="Friday afternoon").is_checked()
    page.wait_for_selector(f"{REMINDERS} .save-state:text-is('Saved.')")
    page.get_by_label("From").fill("20:30")
    page.get_by_label("From").dispatch_event("change")
    page.wait_for_selector(f"{REMINDERS} .save-state:text-is('Saved.')")
    shots.take(page, "reminders-on", at=REMINDERS)
    _, prefs = live.request("GET", "/api/v1/me/notifications", token=api.token)
    assert prefs["kinds"]["weekly_reflection"] is False
    assert prefs["kinds"]["partner_notes"] is True
    assert prefs["quiet_hours"] == {"start": "20:30", "end": "07:00"}

    page.get_by_role("button", name="Turn off reminders").click()
    page.wait_for_selector(f"{REMINDERS}[data-reminders=off]")
    assert browser_endpoint(page) is None
    assert server_db.endpoints(ana.id) == []


def partner_notes(live: LiveServer, staff: dict[str, Person]) -> str:
    """Ben writes a note on his observation with Ana, then asks her to review it."""
    ben = ApiUser.login(live, staff["observee"].email)
    observation_id = ben.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")],
        starts_at="2026-11-02T09:00:00+00:00",
    )
    ben.put("note", str(uuid.uuid4()), note_fields(observation_id, "Quick start, pairs talking."))
    ben.put("observation", observation_id, {"status": "captured"})
    return observation_id


def test_a_message_shows_once_and_its_click_opens_the_observation_in_the_open_window(
    phone: BrowserContext,
    live: LiveServer,
    staff: dict[str, Person],
    area: NotificationArea,
    server_db: ServerDb,
    shots: Shots,
) -> None:
    """The server's own messages for Ana's device: shown with their title and body, each id
    once (a second delivery of the same id shows nothing); a click focuses Ana's open window
    and opens the observation there, without opening another."""
    page = turn_on(phone, live, staff["observer"])
    page.click("a.tab[href='#/today']")
    observation_id = partner_notes(live, staff)
    [notes] = server_db.messages("partner_notes")
    [review] = server_db.messages("review_requested")
    assert notes["url"] == f"/#/observations/{observation_id}"

    worker = WorkerControl(phone, page, live.url)
    worker.deliver(notes)
    shown_notes = area.wait_for(notes["title"])
    worker.deliver(notes)  # a push service may deliver a message twice
    worker.deliver(review)
    area.wait_for(review["title"])
    assert [n["summary"] for n in area.shown] == [notes["title"], review["title"]]
    assert shown_notes["body"].endswith(notes["body"])
    listed = {n["tag"]: n for n in worker.notifications()}
    assert set(listed) == {notes["tag"], review["tag"]}
    assert listed[notes["tag"]]["title"] == notes["title"]
    assert listed[notes["tag"]]["body"] == notes["body"]
    assert listed[notes["tag"]]["data"] == {"url": notes["url"], "id": notes["id"]}
    assert listed[notes["tag"]]["badge"].endswith("/icons/badge-96.png")

    area.click(shown_notes)
    page.wait_for_url(f"**/#/review/{observation_id}")
    page.wait_for_selector("main[data-ready=review]")
    assert len(phone.pages) == 1
    wait_until(
        lambda: [n["tag"] for n in worker.notifications()] == [review["tag"]],
        "the clicked notification was not closed",
    )
    shots.take(page, "reminders-opened-observation")


def test_a_click_with_no_window_open_opens_the_app_at_the_next_step(
    phone: BrowserContext,
    live: LiveServer,
    staff: dict[str, Person],
    area: NotificationArea,
    shots: Shots,
) -> None:
    """A next step falling due: the click opens a new window on My learning with it picked out."""
    ana = staff["observer"]
    page = turn_on(phone, live, ana)
    step_id = str(uuid.uuid4())
    due = dt.date(2026, 11, 26)
    ApiUser.login(live, ana.email).put(
        "next_step",
        step_id,
        {"owner_id": ana.id, "text": "Try mini whiteboards", "due_on": str(due)},
    )
    worker = WorkerControl(phone, page, live.url)
    page.goto("about:blank")  # the app's window is gone; the browser still runs
    message: dict[str, Any] = {"id": 9001, **due_message(step_id, "Try mini whiteboards", due)}
    worker.deliver(message)
    shown = area.wait_for(message["title"])
    with phone.expect_page() as new_window:
        area.click(shown)
    opened = new_window.value
    opened.wait_for_selector("main[data-ready=learning]")
    assert opened.url.endswith(f"/#/next-steps/{step_id}")
    picked = opened.locator(".picked")
    assert picked.get_attribute("data-id") == step_id
    assert picked.get_attribute("aria-current") == "true"
    # The window opened before Playwright could lift its CSP (axe needs that): load it again.
    opened.reload()
    opened.wait_for_selector("main[data-ready=learning] .picked")
    shots.take(opened, "reminders-opened-next-step", at=".picked")


def test_blocked_notifications_say_how_to_unblock_them(
    phone: BrowserContext, live: LiveServer, staff: dict[str, Person], shots: Shots
) -> None:
    """Notifications blocked for the site: no button that cannot work, and the way out; once
    they are allowed again, Settings offers to turn reminders on (no reload needed)."""
    page = phone.pages[0]
    sign_in(page, live.url, staff["observer"])
    settings(page, "off")
    cdp = phone.new_cdp_session(page)
    permission = {"permission": {"name": "notifications"}, "origin": live.url}
    cdp.send("Browser.setPermission", {**permission, "setting": "denied"})
    page.wait_for_selector(f"{REMINDERS}[data-reminders=blocked]")
    section = page.locator(REMINDERS)
    assert "browser is blocking notifications" in section.inner_text()
    assert "allow notifications for this site" in section.inner_text()
    assert section.get_by_role("button", name="Turn on reminders").count() == 0
    shots.take(page, "reminders-blocked", at=REMINDERS)

    cdp.send("Browser.setPermission", {**permission, "setting": "granted"})
    page.wait_for_selector(f"{REMINDERS}[data-reminders=off]")
    assert section.get_by_role("button", name="Turn on reminders").is_enabled()


def test_signing_out_ends_reminders_in_the_browser_and_on_the_server(
    phone: BrowserContext, live: LiveServer, staff: dict[str, Person], server_db: ServerDb
) -> None:
    ana = staff["observer"]
    page = turn_on(phone, live, ana)
    assert server_db.endpoints(ana.id)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("main[data-ready=signin]")
    assert browser_endpoint(page) is None
    assert server_db.endpoints(ana.id) == []


@pytest.mark.parametrize(
    ("user_agent", "state", "says"),
    [
        (None, "unsupported", "This browser cannot show reminders"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "needs_install",
            "Add to Home Screen",
        ),
    ],
)
def test_a_browser_without_web_push_says_so_and_offers_no_button(
    phone: BrowserContext,
    live: LiveServer,
    staff: dict[str, Person],
    user_agent: str | None,
    state: str,
    says: str,
) -> None:
    """Safari in a tab (no Push API until the app is on the Home Screen) and other browsers
    without it: a plain sentence instead of a button that could never work."""
    agent = f"Object.defineProperty(navigator, 'userAgent', {{get: () => {user_agent!r}}});"
    phone.add_init_script(f"delete window.PushManager; {agent if user_agent else ''}")
    page = phone.pages[0]
    sign_in(page, live.url, staff["observer"])
    settings(page, state)
    section = page.locator(REMINDERS)
    assert says in section.inner_text()
    assert section.get_by_role("button", name="Turn on reminders").count() == 0
    assert page.evaluate("Notification.permission") == "default"  # nothing was asked
