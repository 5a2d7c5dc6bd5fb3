"""`App` over Playwright: Debian's Chromium in a persistent profile of the test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, BrowserType, Page

from tests.browsers.app import READY
from tests.pwa.helpers import PHONE, deny_background_sync

# A JavaScript function body run as Selenium runs it: `arguments` are the values passed.
AS_SELENIUM = "(args) => (function () { %s }).apply(null, args)"


class ChromiumApp:
    """A phone: a persistent Chromium profile, so closing and reopening keeps its storage.

    Background Sync is switched off in the profile: WebKit has none, and the scenarios must
    show that the app moves its queue without it.
    """

    engine = "chromium"

    def __init__(self, browser_type: BrowserType, launch_args: dict[str, Any], profile: Path):
        self.browser_type = browser_type
        self.launch_args = launch_args
        self.profile = profile
        deny_background_sync(profile)
        self.context: BrowserContext | None = None
        self.page: Page = self._launch()

    def _launch(self) -> Page:
        self.context = self.browser_type.launch_persistent_context(
            self.profile, **self.launch_args, viewport=PHONE
        )
        return self.context.pages[0] if self.context.pages else self.context.new_page()

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector(READY)

    def reload(self) -> None:
        self.page.reload()
        self.page.wait_for_selector(READY)

    def reopen(self, url: str) -> None:
        """Close the whole browser and launch it again on the same profile."""
        self.close()
        self.page = self._launch()
        self.open(url)

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)

    def press_enter(self, selector: str) -> None:
        self.page.press(selector, "Enter")

    def blur(self) -> None:
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")

    def click(self, selector: str) -> None:
        self.page.click(selector)

    def set_file(self, selector: str, path: Path) -> None:
        self.page.set_input_files(selector, str(path))

    def text_of(self, selector: str) -> str:
        return self.page.locator(selector).first.inner_text()

    def texts_of(self, selector: str) -> list[str]:
        return self.page.locator(selector).all_text_contents()

    def wait_for(self, selector: str, timeout: float = 30) -> None:
        self.page.wait_for_selector(selector, state="attached", timeout=timeout * 1000)

    def evaluate(self, body: str, *args: Any) -> Any:
        return self.page.evaluate(AS_SELENIUM % body, list(args))

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None
