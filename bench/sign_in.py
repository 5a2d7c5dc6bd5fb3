"""School sign-in (issue 14): what a sign-in through the school's OpenID provider costs the
server, beside a password login, over real HTTP.

A live gunicorn (one worker, production Argon2id profile) and the test provider of the suite
(node oidc-provider on loopback, tests/support/oidc_provider.mjs). Each round: GET
/auth/oidc/start (state, nonce, PKCE kept; the authorization URL), the provider's own pages
(login the first time, consent each time: scripted as a browser would post them), GET
/auth/oidc/callback (the code exchange with the provider, the ID token checked against its
cached keys, the person matched, the one-time code), POST /api/v1/auth/oidc/exchange (the
device). Interleaved with a password login of the same person. Medians of ROUNDS rounds.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import requests
from flask_migrate import upgrade

from bench.school import new_school
from server import create_app
from server.accounts.oidc.models import OidcProvider as ProviderRow
from server.accounts.passwords import hash_password
from server.extensions import db
from tests.accounts.oidc.conftest import _form_action
from tests.support.live import LiveServer
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider

ROUNDS = 20
PASSWORD = "bench password 1"
EMAIL = "t.one@school.test"
T = TypeVar("T")


def _seed(url: str, instance: Path, issuer: str) -> None:
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        person = {"email": EMAIL, "display_name": "Tess One", "role": "teacher"}
        password = hash_password(PASSWORD, "production")
        school, _ = new_school("Bench School", [{**person, "password_hash": password}])
        db.session.add(
            ProviderRow(
                school_id=school.id,
                kind="oidc",
                label="Bench provider",
                issuer=issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                allowed_domains=["school.test"],
            )
        )
        db.session.commit()
        provider_id = str(db.session.execute(db.select(ProviderRow.id)).scalar_one())
        db.engine.dispose()
    (instance / "provider_id").write_text(provider_id)


def _timed(call: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response


def _at_provider(browser: requests.Session, url: str, issuer: str, back_to: str) -> str:
    """The provider's pages, as a browser posts them; answers the redirect back to the app."""
    for _ in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urllib.parse.urljoin(url, response.headers["Location"])
        else:
            form = {"prompt": "login", "login": "teacher1", "password": "x"}
            if 'name="login"' not in response.text:
                form = {"prompt": "consent"}
            posted = browser.post(
                urllib.parse.urljoin(issuer, _form_action(response.text)),
                data=form,
                allow_redirects=False,
                timeout=10,
            )
            url = urllib.parse.urljoin(url, posted.headers["Location"])
        if url.startswith(back_to):
            return url
    raise RuntimeError("the provider never sent the browser back")


def _round(
    live: LiveServer, provider: OidcProvider, browser: requests.Session, pid: str
) -> dict[str, float]:
    back_to = f"{live.url}/auth/oidc/callback"
    t_start, started = _timed(
        lambda: browser.get(f"{live.url}/auth/oidc/start?provider={pid}", allow_redirects=False)
    )
    t_provider, back = _timed(
        lambda: _at_provider(browser, started.headers["Location"], provider.issuer, back_to)
    )
    t_callback, called = _timed(lambda: browser.get(back, allow_redirects=False))
    code = called.headers["Location"].rsplit("/", 1)[1]
    t_exchange, answer = _timed(
        lambda: browser.post(f"{live.url}/api/v1/auth/oidc/exchange", json={"code": code})
    )
    assert answer.status_code == 200, answer.text
    t_password, login = _timed(
        lambda: requests.post(
            f"{live.url}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
        )
    )
    assert login.status_code == 200, login.text
    return {
        "start": t_start,
        "provider": t_provider,
        "callback": t_callback,
        "exchange": t_exchange,
        "password": t_password,
    }


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        instance = root / "instance"
        instance.mkdir()
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        env = {"LESSONLOOP_PASSWORD_HASH_PROFILE": "production"}
        live = LiveServer(url, instance, workers=1, threads=4, extra_env=env,
                          app="tests.support.oidc_app:app")  # fmt: skip
        provider = OidcProvider(root / "oidc", [f"{live.url}/auth/oidc/callback"]).start()
        try:
            _seed(url, instance, provider.issuer)
            live.start()
            pid = (instance / "provider_id").read_text()
            browser = requests.Session()
            _round(live, provider, browser, pid)  # warm: discovery and keys fetched, cached
            rounds = [_round(live, provider, browser, pid) for _ in range(ROUNDS)]
        finally:
            live.stop()
            provider.stop()
    col = {key: [r[key] for r in rounds] for key in rounds[0]}
    server = [r["start"] + r["callback"] + r["exchange"] for r in rounds]
    return "\n".join(
        [
            "## School sign-in (issue 14)",
            "",
            f"Over real HTTP, one gunicorn worker, SQLite; medians of {ROUNDS} rounds after one",
            "warm-up (the provider's discovery and keys cached, as after a school's first",
            "sign-in); the provider is the test suite's node oidc-provider on loopback.",
            "",
            "| step | median |",
            "|---|---|",
            f"| GET /auth/oidc/start (state, nonce, PKCE kept) | {_ms(col['start'])} |",
            f"| the provider's pages (consent; not our server) | {_ms(col['provider'])} |",
            f"| GET /auth/oidc/callback (code exchange, ID token) | {_ms(col['callback'])} |",
            f"| POST /api/v1/auth/oidc/exchange (the device) | {_ms(col['exchange'])} |",
            f"| our server's share of a school sign-in | {_ms(server)} |",
            f"| POST /api/v1/auth/login (Argon2id, 64 MiB, t=3) | {_ms(col['password'])} |",
            "",
            "The callback's time is mostly the token request to the provider, a loopback hop",
            "here: a real provider adds its own network latency. A school sign-in spends no",
            "Argon2id time, so it costs the server less than a password login. Measured while",
            "other test suites shared the 2 cores, so absolute figures are high; the ratio is",
            "the point.",
        ]
    )
