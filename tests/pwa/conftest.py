"""Fixtures for the browser tests: Debian's Chromium, a live server, a seeded school."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.pwa.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NewContext,
    Person,
    prepare_instance,
    seed_staff,
)
from tests.support.live import LiveServer


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser (used by pytest-playwright's `browser`)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's Chromium is missing at {CHROMIUM}: the PWA tests drive it. "
            "Install it with `apt-get update && apt-get install -y chromium` "
            "(or run `make test`, whose setup does it)."
        )
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Browser contexts for one test (each a phone or laptop of its own), closed after it.

    pytest-playwright has a fixture of this name, but it pulls in pytest-base-url's, which
    warns (an error here) under this pytest.
    """
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def database_file(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite database of the test's own."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def live(database_file: str, tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn serving the app and API on a free loopback port."""
    instance = prepare_instance(tmp_path / "instance")
    server = LiveServer(database_file, instance, workers=2, threads=4)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def staff(live: LiveServer, database_file: str, tmp_path: Path) -> dict[str, Person]:
    """A school with an admin, a lead and three teachers, created through the API."""
    return seed_staff(live, database_file, tmp_path / "seed")
