"""The app a live test server runs for school sign-in's browser tests.

Served as `tests.support.oidc_app:app`: the same configuration as wsgi.py (database and
instance folder from LESSONLOOP_* variables), plus the one explicit test widening: issuers
over http are allowed, because the test OpenID provider (tests/support/oidc_provider.mjs)
listens on loopback without TLS.
"""

from __future__ import annotations

from server import create_app

app = create_app({"OIDC_ALLOW_HTTP_ISSUERS": True})
