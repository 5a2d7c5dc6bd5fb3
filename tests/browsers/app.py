"""One small interface to the app in a browser, over Playwright (Chromium) and Selenium (WebKit).

The scenarios in tests/browsers are written once against `App` and run in both engines. Each
method waits on what the person would see (a selector appearing), never on a sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

READY = "main[data-ready]"


class App(Protocol):
    """The app on one device: a page the scenarios open, type into, click and read."""

    engine: str

    def open(self, url: str) -> None:
        """Load the app at `url` and wait until its screen is drawn."""

    def reload(self) -> None:
        """Reload the page and wait until its screen is drawn."""

    def reopen(self, url: str) -> None:
        """Close the app (its page or browser) and open it again at `url`; storage is kept."""

    def fill(self, selector: str, text: str) -> None:
        """Replace the text of an input or text area."""

    def press_enter(self, selector: str) -> None:
        """Press Enter in an input or text area."""

    def blur(self) -> None:
        """Move the focus away (a text area saves when left)."""

    def click(self, selector: str) -> None:
        """Click the first element matching `selector` once it is there."""

    def set_file(self, selector: str, path: Path) -> None:
        """Choose a file in a file input (as picking a photo from the camera)."""

    def text_of(self, selector: str) -> str:
        """The text of the first element matching `selector` (once it is there)."""

    def texts_of(self, selector: str) -> list[str]:
        """The text of every element matching `selector`."""

    def wait_for(self, selector: str, timeout: float = 30) -> None:
        """Wait until an element matching `selector` is in the page."""

    def evaluate(self, body: str, *args: Any) -> Any:
        """Run a JavaScript function body (`arguments[i]` are `args`); a promise is awaited."""

    def screenshot(self, path: Path) -> None:
        """Save what the screen shows."""

    def close(self) -> None:
        """Close the browser (its storage goes with it)."""


def poll(check: Callable[[], Any], message: str, timeout: float = 30) -> Any:
    """Poll `check` every 100 ms until it returns something true; fail with `message`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def wait_text(app: App, selector: str, words: str, timeout: float = 30) -> None:
    """Wait until the element's text contains `words`."""
    poll(
        lambda: words in app.evaluate(TEXT_OF, selector),
        f"{selector} never said {words!r} in {app.engine}: {app.evaluate(TEXT_OF, selector)!r}",
        timeout,
    )


TEXT_OF = "const el = document.querySelector(arguments[0]); return el ? el.textContent : '';"
COUNT = "return document.querySelectorAll(arguments[0]).length;"
