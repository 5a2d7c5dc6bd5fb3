"""The offline scenarios that matter most (issue 19), each written once and run in Chromium
and in WebKit (Safari's engine; docs/browsers.md).

WebKit's WebDriver has no network emulation, so "no network" is made the same way in both
engines: the real server is stopped (the browser's connections are refused), or a small proxy
in front of it drops the connections of one kind of request (tests/browsers/proxy.py).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.browsers.app import App, poll, wait_text
from tests.browsers.conftest import Phones
from tests.browsers.flows import (
    count,
    expect_pending,
    new_observation_with,
    note_texts,
    open_screen,
    sign_in,
    value_of,
    wait_for_service_worker,
    wait_synced,
    write_note,
)
from tests.browsers.proxy import DroppingProxy
from tests.pwa.helpers import SCREENS, ApiUser, Person, assert_exactly_once
from tests.pwa.test_photos import fetch, phone_photo, stored_photos
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
PAIR = ("observer", "observee")
PUSH = "/api/v1/sync/push"
VERSION = "const m = document.querySelector('meta[name=app-version]'); return m && m.content;"


def test_the_app_starts_with_the_server_unreachable_and_says_so(
    phones: Phones, live: LiveServer, staff: dict[str, Person]
) -> None:
    """Sign in, stop the server, reload: the shell comes from the service worker, Today is
    drawn from the device, and the sync line says the server cannot be reached."""
    app = phones()
    sign_in(app, live.url, staff["observer"])
    wait_for_service_worker(app)
    live.stop()
    app.reload()
    app.wait_for("main[data-ready=today]")
    wait_text(app, "#sync-line", "Cannot reach the server")


def test_twenty_notes_written_with_the_server_down_survive_a_reopen_and_arrive_once(
    phones: Phones, live: LiveServer, staff: dict[str, Person]
) -> None:
    """Plan an observation with a colleague; the server goes down; 20 notes; close and reopen
    the app (Chromium: the whole browser; WebKit: the app's window, see WebKitApp); the
    server comes back: every note is delivered once, with no Background Sync in either."""
    app = phones()
    sign_in(app, live.url, staff["observer"])
    wait_for_service_worker(app)
    app.screenshot(SCREENS / f"{app.engine}-today.png")
    observation_id = new_observation_with(app, live.url, "Ben")
    wait_synced(app)
    live.stop()
    texts = [f"Note {n:02d}: pupils explained their méthode" for n in range(1, 21)]
    for text in texts:
        write_note(app, text)
    app.wait_for('ol.notes[data-count="20"]')
    poll(lambda: count(app, "ol.notes .delivery-local") == 20, "the notes are not all listed")
    app.screenshot(SCREENS / f"{app.engine}-capture.png")

    app.reopen(f"{live.url}/#/capture/{observation_id}")
    app.wait_for("main[data-ready=capture]")
    assert sorted(note_texts(app)) == texts
    poll(lambda: count(app, "ol.notes .delivery-local") == 20, "the notes are not all kept")
    live.start()
    wait_synced(app)
    poll(lambda: count(app, "ol.notes .delivery-delivered") == 20, "not all shown as sent")
    assert_exactly_once(ApiUser.login(live, staff["observer"].email), observation_id, texts)


def test_two_teachers_edit_and_review_one_observation_and_both_end_with_the_merge(
    phones: Phones, live: LiveServer, staff: dict[str, Person]
) -> None:
    """Observer and observed teacher each write notes in capture, then each writes a different
    text in review: after syncing, both phones show every note in time order and both texts."""
    api = ApiUser.login(live, staff["observer"].email)
    observation_id = api.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")]
    )
    pair = {key: phones() for key in PAIR}
    for key, app in pair.items():
        sign_in(app, live.url, staff[key])
        open_screen(app, live.url, f"capture/{observation_id}", "capture")
    written = []
    for n in (1, 2):
        for key, app in pair.items():
            written.append(f"{staff[key].name}, note {n}")
            write_note(app, written[-1])
    fields = {"observer": "strengths", "observee": "wonderings"}
    wanted = {name: f"Seen by {staff[key].name}" for key, name in fields.items()}
    for key, app in pair.items():
        open_screen(app, live.url, f"review/{observation_id}", "review")
        app.fill(f"textarea[name={fields[key]}]", wanted[fields[key]])
        app.blur()  # a text area saves when left
    poll(lambda: len(api.notes_of(observation_id)) == 4, "the notes did not all arrive", 60)
    poll(lambda: server_fields(api, observation_id) == wanted, "the texts did not arrive", 60)
    for app in pair.values():
        app.reload()  # the app syncs when it starts
        app.wait_for("main[data-ready=review]")
        poll(lambda a=app: review_texts(a) == wanted, f"{app.engine} lacks the merge", 45)
        wait_synced(app)
        assert note_texts(app) == written


def server_fields(api: ApiUser, observation_id: str) -> dict[str, str]:
    fields = api.pull_all()[("observation", observation_id)]["fields"]
    return {name: fields.get(name) or "" for name in ("strengths", "wonderings")}


def review_texts(app: App) -> dict[str, str]:
    return {name: value_of(app, f"textarea[name={name}]") for name in ("strengths", "wonderings")}


def test_an_update_with_unsent_notes_keeps_them_and_then_sends_them(
    phones: Phones, live: LiveServer, staff: dict[str, Person]
) -> None:
    """Through a proxy that drops every sync push (Playwright's route abort has no WebDriver
    equivalent), 20 notes cannot be sent; the server announces a new version; it waits
    behind a banner; "Update now" takes it with the outbox intact; pushes pass again: each
    note arrives once."""
    proxy = DroppingProxy(live.port)
    try:
        api = ApiUser.login(live, staff["observer"].email)
        observation_id = api.observation(
            [(staff["observer"], "observer"), (staff["observee"], "observee")]
        )
        app = phones()
        sign_in(app, proxy.url, staff["observer"])
        open_screen(app, proxy.url, f"capture/{observation_id}", "capture")
        wait_for_service_worker(app)
        old = app.evaluate(VERSION)
        proxy.block(PUSH)
        texts = [f"Written before the update {n:02d}" for n in range(1, 21)]
        for text in texts:
            write_note(app, text)
        poll(lambda: proxy.dropped > 0, "no push was tried")

        live.env["LESSONLOOP_APP_VERSION_SALT"] = "the next version"
        live.restart()
        app.reload()
        app.wait_for("main[data-ready=capture]")
        wait_text(app, ".banner", "A new version of Lesson Loop is ready", timeout=45)
        wait_text(app, ".banner", "once your")
        assert app.evaluate(VERSION) == old
        app.click(".banner button")
        app.wait_for(f'meta[name=app-version]:not([content="{old}"])', timeout=45)  # reloads
        app.wait_for("main[data-ready=capture]")
        new = app.evaluate(VERSION)
        assert app.evaluate("return caches.keys();") == [f"lessonloop-{new}"]
        app.wait_for('ol.notes[data-count="20"]')
        poll(lambda: count(app, "ol.notes .delivery-local") == 20, "the notes are not all here")
        assert api.notes_of(observation_id) == [], "a note was sent through the proxy"

        proxy.unblock(PUSH)
        app.reload()  # the app sends its queue when it starts
        app.wait_for("main[data-ready=capture]")
        wait_synced(app)
        assert_exactly_once(api, observation_id, texts)
    finally:
        proxy.stop()


def test_a_photo_taken_with_the_server_down_is_shrunk_stripped_and_delivered_once(
    phones: Phones, live: LiveServer, staff: dict[str, Person], tmp_path: Path
) -> None:
    """The photos issue's capture: a 3,000 x 2,000 phone photo with EXIF GPS tags, picked in
    the file input with the server down, kept through a reopen, delivered once the server is
    back: 2,048 px wide, with no metadata."""
    api = ApiUser.login(live, staff["observer"].email)
    observation_id = api.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")]
    )
    photo = phone_photo(tmp_path / "book.jpg")
    app = phones()
    sign_in(app, live.url, staff["observer"])
    wait_for_service_worker(app)
    live.stop()
    open_screen(app, live.url, f"capture/{observation_id}", "capture")
    wait_text(app, ".photo-reminder", "no faces, no names")
    app.fill(".photo-controls input[type=text]", "Fractions, page 12")
    app.set_file("input[type=file][capture=environment]", photo)
    app.wait_for(".notes li.note .note-photos li", timeout=30)  # under the note holding it
    expect_pending(app, 3)  # the lesson clock's start, the note holding the photo, the photo

    app.reopen(f"{live.url}/#/capture/{observation_id}")
    app.wait_for("main[data-ready=capture]")
    app.wait_for(".notes li.note .note-photos li img")
    wait_text(app, ".notes li.note .note-text", "Fractions, page 12")  # the caption is the note
    expect_pending(app, 3)
    live.start()
    wait_synced(app)
    records = api.pull_all()
    photos = [c for (entity, _), c in records.items() if entity == "attachment"]
    assert len(photos) == 1
    fields = photos[0]["fields"]
    assert (fields["width"], fields["height"]) == (2048, 1365)  # shrunk on the phone
    assert fields["caption"] == "Fractions, page 12"
    served = fetch(live, f"/api/v1/attachments/{photos[0]['id']}/content", api.token)
    assert hashlib.sha256(served).hexdigest() == fields["sha256"]
    image = Image.open(io.BytesIO(served))
    assert image.size == (2048, 1365)
    assert not image.getexif()
    assert b"PhoneMaker" not in served
    instance = Path(live.env["LESSONLOOP_INSTANCE_PATH"])
    poll(lambda: len(stored_photos(instance)) == 1, "the photo is not stored")
    sent = "return document.querySelectorAll('.note-photos .delivery-local').length === 0;"
    poll(lambda: bool(app.evaluate(sent)), "the photo under its note does not say it is sent")
    app.evaluate("document.querySelector('.note-photos').scrollIntoView(); return true;")
    app.screenshot(SCREENS / f"{app.engine}-photos-capture.png")


# What the app uses, asked of the engine in the signed-in app (a secure context: loopback).
FEATURES = """return {
  serviceWorker: 'serviceWorker' in navigator, indexedDB: 'indexedDB' in window,
  caches: 'caches' in window, streamingFetch: typeof ReadableStream === 'function',
  subtleCrypto: Boolean(crypto.subtle), offscreenCanvas: typeof OffscreenCanvas === 'function',
  createImageBitmap: typeof createImageBitmap === 'function',
  dialog: typeof HTMLDialogElement === 'function',
  locks: Boolean(navigator.locks), broadcastChannel: typeof BroadcastChannel === 'function',
  randomUUID: Boolean(crypto.randomUUID),
  persist: Boolean(navigator.storage && navigator.storage.persist),
  backgroundSync: typeof SyncManager === 'function', push: 'PushManager' in window,
  notification: 'Notification' in window, requestIdleCallback: 'requestIdleCallback' in window,
};"""
PERSISTED = "return navigator.storage.persisted();"
NEEDED = ["serviceWorker", "indexedDB", "caches", "streamingFetch", "subtleCrypto",
          "offscreenCanvas", "createImageBitmap", "dialog"]  # fmt: skip


def test_the_engine_has_what_the_app_needs_and_webkit_has_no_background_sync(
    phones: Phones, live: LiveServer, staff: dict[str, Person]
) -> None:
    """The features the app relies on are there in both engines; the ones it does without
    (docs/browsers.md) are written to test-artifacts for the record. WebKit has no
    Background Sync: the scenarios above show the queue moves without it."""
    app = phones()
    sign_in(app, live.url, staff["observer"])
    features = app.evaluate(FEATURES)
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS.parent / f"{app.engine}-features.json").write_text(json.dumps(features, indent=1))
    assert [name for name in NEEDED if not features[name]] == []
    assert features["backgroundSync"] is (app.engine == "chromium")
    # Settings offers to ask for persistent storage only where the browser can be asked.
    open_screen(app, live.url, "settings", "settings")
    app.wait_for(".storage-no-ask" if not features["persist"] else "main[data-ready=settings]")
    if not features["persist"]:
        wait_text(app, ".storage-no-ask", "add Lesson Loop to the Home Screen")
    asks = "Ask the browser to keep it safe" in app.evaluate("return document.body.innerText;")
    assert asks is (features["persist"] and not app.evaluate(PERSISTED))
    if not features["push"]:  # no Web Push (WebKitGTK; Safari outside the Home Screen app)
        wait_text(app, "main", "This browser cannot show reminders")
    app.screenshot(SCREENS / f"{app.engine}-settings.png")
