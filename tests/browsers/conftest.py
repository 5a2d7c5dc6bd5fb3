"""The scenarios of tests/browsers run in Chromium (Playwright) and WebKit (Selenium)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browsers.app import App
from tests.browsers.chromium import ChromiumApp
from tests.browsers.webkit import Display, Drivers, WebKitApp, missing
from tests.pwa.conftest import (  # noqa: F401  (fixtures shared with tests/pwa)
    browser_type_launch_args,
    database_file,
    live,
    staff,
)

ENGINES = ["chromium", "webkit"]
Phones = Callable[[], App]


@pytest.fixture(scope="session")
def webkit_drivers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drivers]:
    """Xvfb and WebKitWebDriver, started once for the session (a missing one fails the test)."""
    problem = missing()
    if problem:
        pytest.fail(problem)
    logs = tmp_path_factory.mktemp("webkit")
    display = Display(logs / "xvfb.log")
    drivers = Drivers(display, logs / "webkitwebdriver.log")
    yield drivers
    drivers.stop()
    display.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def phones(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Phones]:
    """Phones of the test's engine (each with storage of its own), closed after the test."""
    made: list[App] = []

    def make() -> App:
        app: App
        if engine == "webkit":
            app = WebKitApp(request.getfixturevalue("webkit_drivers"))
        else:
            app = ChromiumApp(
                request.getfixturevalue("browser_type"),
                request.getfixturevalue("browser_type_launch_args"),
                tmp_path / f"profile-{len(made)}",
            )
        made.append(app)
        return app

    yield make
    for app in made:
        app.close()
