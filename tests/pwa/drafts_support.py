"""One live school per test module (a server, its staff, the observer's signed-in phone), and
helpers for what a person types: the caret, the drafts kept in IndexedDB, app updates."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    Network,
    Person,
    open_app,
    prepare_instance,
    seed_staff,
    sign_in,
    sync_and_wait,
    wait_for_service_worker,
)
from tests.support.live import LiveServer

# The typing store of the app's IndexedDB (pwa/js/db.js), read as the page sees it.
READ_DRAFT = """(key) => new Promise((resolve, reject) => {
  const open = indexedDB.open('lessonloop');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const request = db.transaction('typing').objectStore('typing').get(key);
    request.onsuccess = () => { db.close(); resolve(request.result || null); };
    request.onerror = () => { db.close(); reject(request.error); };
  };
})"""
CARET = "(el) => [el.selectionStart, el.selectionEnd, document.activeElement === el]"


@dataclass
class School:
    """A live server with its staff, their API clients, and the observer's phone."""

    live: LiveServer
    staff: dict[str, Person]
    api: ApiUser  # the observer, over HTTP
    partner: ApiUser  # the observed teacher, over HTTP
    page: Page  # the observer's phone
    network: Network
    versions: list[str] = field(default_factory=list)

    def observation(self, **fields: Any) -> str:
        """A new observation of the observer and the observed teacher."""
        pair = [(self.staff["observer"], "observer"), (self.staff["observee"], "observee")]
        return self.api.observation(pair, **fields)

    def partner_note(self, observation_id: str, text: str) -> str:
        """The observed teacher writes a note from their own phone (pushed over HTTP)."""
        note_id = str(uuid.uuid4())
        self.partner.put(
            "note",
            note_id,
            {
                "observation_id": observation_id,
                "at": "2026-11-20T09:10:00+00:00",
                "category": "evidence",
                "text": text,
            },
        )
        return note_id


@pytest.fixture(scope="module")
def school(
    browser: Browser, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[School]:
    """One server, school and signed-in phone for every test of the module (2 cores in CI)."""
    root = tmp_path_factory.mktemp("school")
    database = root / "live.sqlite3"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    live = LiveServer(url, prepare_instance(root / "instance"), workers=2, threads=4)
    live.start()
    try:
        staff = seed_staff(live, url, root / "seed")
        context = browser.new_context(viewport=PHONE, bypass_csp=True)
        network = Network(context)
        page = context.new_page()
        sign_in(page, live.url, staff["observer"])
        wait_for_service_worker(page)
        api = ApiUser.login(live, staff["observer"].email)
        partner = ApiUser.login(live, staff["observee"].email)
        yield School(live, staff, api, partner, page, network)
        context.close()
    finally:
        live.stop()


def goto(page: Page, url: str, route: str) -> None:
    """Open a screen of the app by its route and wait until it is drawn."""
    screen = route.split("/")[0] or "today"
    open_app(page, url, route)
    page.wait_for_selector(f"main[data-ready={screen}]")


def type_with_caret(page: Page, selector: str, text: str) -> tuple[int, int]:
    """Type `text` into a field, then select two characters a few from its end (as a person
    moving the caret back); returns the selection and waits until it is in IndexedDB."""
    box = page.locator(selector)
    box.click()
    box.fill(text)
    for key in ["ArrowLeft"] * 3 + ["Shift+ArrowLeft"] * 2:
        box.press(key)
    start, end = len(text) - 5, len(text) - 3
    assert box.evaluate(CARET)[:2] == [start, end]
    key = box.get_attribute("data-draft")
    expect_draft(page, str(key), text, (start, end))
    return start, end


def expect_draft(page: Page, key: str, text: str, caret: tuple[int, int]) -> None:
    """Wait until IndexedDB holds this draft's caret, and its text unless the field saved it
    already (a field that saves as it is typed keeps only the caret)."""
    deadline_ms = 10_000
    waited = 0
    while True:
        draft = page.evaluate(READ_DRAFT, key)
        if draft and draft["text"] in (text, None) and (draft["start"], draft["end"]) == caret:
            return
        assert waited < deadline_ms, f"draft {key} is {draft}, not {text!r} at {caret}"
        page.wait_for_timeout(100)
        waited += 100


def expect_kept(
    page: Page, selector: str, text: str, caret: tuple[int, int], focused: bool | None
) -> None:
    """The field shows the typed text, with the caret (and the focus, unless None) where they
    were."""
    box = page.locator(selector)
    expect(box).to_have_value(text)
    start, end, has_focus = box.evaluate(CARET)
    assert (start, end) == caret
    assert focused is None or has_focus == focused


def update_app(school: School, route: str) -> None:
    """Publish a new version of the app and take it with the banner's Update now."""
    page = school.page
    old = page.get_attribute("meta[name=app-version]", "content")
    school.versions.append(f"drafts {len(school.versions) + 1}")
    school.live.env["LESSONLOOP_APP_VERSION_SALT"] = school.versions[-1]
    school.live.restart()
    page.reload()
    page.wait_for_selector("main[data-ready]")
    newer = f'meta[name=app-version]:not([content="{old}"])'
    # The banner offers it while someone is typing; with nobody typing it takes over by itself.
    page.wait_for_selector(f".banner, {newer}", state="attached", timeout=30_000)
    button = page.locator(".banner").get_by_role("button", name="Update now")
    if button.count():
        button.click()
    page.wait_for_selector(newer, state="attached", timeout=30_000)
    page.wait_for_selector(f"main[data-ready={route.split('/')[0]}]")
    wait_for_service_worker(page)
    sync_and_wait(page, school.network)  # a first round with the restarted server


def wait_for_server(page: Page, check: Callable[[], bool], timeout_ms: int = 60_000) -> None:
    """Poll the server until `check` holds, letting the page's requests through meanwhile
    (the Network route runs only while Playwright is called, so a bare sleep would hold them)."""
    waited = 0
    while not check():
        assert waited < timeout_ms, "the server did not receive it"
        page.wait_for_timeout(250)
        waited += 250
