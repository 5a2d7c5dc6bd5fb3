"""What a teacher does in the app, written once against `App` (tests/browsers/app.py)."""

from __future__ import annotations

from tests.browsers.app import App, poll
from tests.pwa.helpers import Person

SYNCED = '#sync-line[data-state=idle][data-pending="0"]'


def sign_in(app: App, url: str, person: Person) -> None:
    """Sign in through the form and wait for the first sync to finish."""
    app.open(url + "/")
    app.wait_for("main[data-ready=signin]")
    app.fill("input[name=email]", person.email)
    app.fill("input[name=password]", person.password)
    app.click("form button[type=submit]")
    app.wait_for("main[data-ready=today]")
    app.wait_for('#sync-line:not([data-synced=""])', timeout=45)
    app.wait_for(SYNCED, timeout=45)


def wait_for_service_worker(app: App) -> None:
    """Wait until a service worker controls the page (the app's shell is cached by then)."""
    app.evaluate("return navigator.serviceWorker.ready.then(() => true);")
    poll(
        lambda: app.evaluate("return Boolean(navigator.serviceWorker.controller);"),
        f"no service worker took control of the page in {app.engine}",
        20,
    )


def count_of(app: App, selector: str, attribute: str) -> int:
    value = app.evaluate(
        "const el = document.querySelector(arguments[0]);"
        "return el ? el.getAttribute(arguments[1]) : null;",
        selector,
        attribute,
    )
    return int(value or 0)


def write_note(app: App, text: str) -> None:
    """Type a note in the capture box and save it with Enter; wait until it is listed (a
    partner's notes may arrive meanwhile, so the list is searched for it, not counted)."""
    app.fill("#note-text", text)
    app.press_enter("#note-text")
    poll(
        lambda: text in [t.strip() for t in app.evaluate(NOTE_TEXTS)],
        f"{text!r} was not listed in {app.engine}",
    )


def note_texts(app: App) -> list[str]:
    """The note texts of the screen's list, top to bottom, once all are drawn."""
    app.wait_for('ol.notes[data-complete="true"]')
    total = app.evaluate("return document.querySelector('ol.notes').dataset.total || null;")
    if total is not None:
        app.wait_for(f'ol.notes[data-count="{total}"]')
    return [t.strip() for t in app.evaluate(NOTE_TEXTS)]


NOTE_TEXTS = (
    "return [...document.querySelectorAll('ol.notes li.note .note-text')]"
    ".map((el) => el.textContent);"
)


def expect_pending(app: App, count: int, timeout: float = 30) -> None:
    """Wait until the sync line says `count` changes are waiting to be sent."""
    app.wait_for(f'#sync-line[data-pending="{count}"]', timeout=timeout)


def wait_synced(app: App, timeout: float = 60) -> None:
    """Wait until nothing waits to be sent and the last sync finished."""
    app.wait_for(SYNCED, timeout=timeout)


def new_observation_with(app: App, url: str, colleague: str) -> str:
    """Plan an observation of `colleague` on the New screen; returns its id (capture opens)."""
    app.open(url + "/#/new")
    app.fill("input[type=search]", colleague)
    app.click(".person-add")
    app.fill("input[name=class_label]", "8R")
    app.fill("input[name=subject]", "Maths")
    app.click("form button[type=submit]")
    app.wait_for("main[data-ready=capture]")
    return str(app.evaluate("return location.hash.split('/').pop();"))


def open_screen(app: App, url: str, route: str, ready: str) -> None:
    """Open a screen by its address after the # and wait for it."""
    app.open(f"{url}/#/{route}")
    app.wait_for(f"main[data-ready={ready}]")


def value_of(app: App, selector: str) -> str:
    return str(app.evaluate("return document.querySelector(arguments[0]).value;", selector))


def count(app: App, selector: str) -> int:
    return int(app.evaluate("return document.querySelectorAll(arguments[0]).length;", selector))
