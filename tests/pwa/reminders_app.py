"""The app the reminder browser tests serve: wsgi.py's, with the tests' widening of the SSRF guard.

A subscription made by Chromium names Google's push service (jmt17.google.com in Chromium
builds, fcm.googleapis.com in Chrome). This machine has no internet, so that host does not
resolve, and the server refuses an endpoint whose host does not resolve. In this test server
only, those two hosts resolve to loopback, which PUSH_ALLOW_PRIVATE_ENDPOINTS (the tests'
explicit configuration, as in tests/support/reminders_app.py) admits. Nothing is ever sent there:
no worker runs beside this server, and the tests hand messages to Chromium through DevTools.
"""

from __future__ import annotations

import socket
from typing import Any

from server import create_app

PUSH_SERVICE_HOSTS = frozenset({"jmt17.google.com", "fcm.googleapis.com"})
_getaddrinfo = socket.getaddrinfo


def _resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host in PUSH_SERVICE_HOSTS:
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _resolve
app = create_app({"PUSH_ALLOW_PRIVATE_ENDPOINTS": True})
