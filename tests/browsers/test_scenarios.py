"""The offline scenarios that matter most (issue 19), each written once and run in Chromium
and in WebKit (Safari's engine; docs/browsers.md).

WebKit's WebDriver has no network emulation, so "no network" is made the same way in both
engines: the real server is stopped (the browser's connections are refused), or a small proxy
in front of it drops the connections of one kind of request (tests/browsers/proxy.py).
"""

from __future__ import annotations

import pytest

from tests.browsers.app import wait_text
from tests.browsers.conftest import Phones
from tests.browsers.flows import sign_in, wait_for_service_worker
from tests.pwa.helpers import Person
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


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
