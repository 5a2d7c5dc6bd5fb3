"""The app a worker subprocess runs in tests and benchmarks.

Run as `flask --app tests.support.reminders_app`: the same configuration as wsgi.py
(database and instance folder from LESSONLOOP_* variables),
plus the one explicit test widening: endpoints on loopback over http are allowed, because the
local push service of the tests lives there.
"""

from __future__ import annotations

from server import create_app

app = create_app({"PUSH_ALLOW_PRIVATE_ENDPOINTS": True})
