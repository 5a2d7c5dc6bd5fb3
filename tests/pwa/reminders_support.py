"""Web Push in Chromium with no internet: what the reminder tests put around the browser.

- `LocalGcm`: a loopback stand-in for Google's GCM registration (below).
- `NotificationArea`: a desktop's notification area on a private D-Bus, to see and click the
  notifications Chromium shows (tests/pwa/notification_server.py).
- `WorkerControl`: the app's service worker through DevTools (push messages in, notifications out).
- `launch_phone`: Chromium with both, on a profile of its own.
- `ServerDb`: what the server holds (subscriptions, queued messages), read from its database.

GCM:

`PushManager.subscribe()` in Chromium registers with Google's GCM: a device check-in, then a
registration that returns a token; the subscription's endpoint is Google's push service plus
that token. Chromium takes the two addresses from `--gcm-checkin-url` and
`--gcm-registration-url`, so here they point at `LocalGcm`, which answers as Google does (a
check-in protobuf with a device id and secret; `token=...`). Everything else is Chromium's
own: the subscription's keys, its storage, and the push events. Messages cannot come back the
way they do in a phone (Google's push service over its MCS connection), so the tests deliver
them through DevTools (`ServiceWorker.deliverPushMessage`).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page, Playwright, Worker
from sqlalchemy import select

from server import create_app
from server.extensions import db
from server.models import Job, PushSubscription
from server.reminders.events import wire_message
from tests.pwa.helpers import CHROMIUM, CHROMIUM_ARGS, PHONE, wait_until

# AndroidCheckinResponse (google_apis/gcm/protocol/checkin.proto): stats_ok = 1 (field 1),
# android_id (field 7, fixed64) and security_token (field 8, fixed64).
ANDROID_ID = 4_815_162_342
SECURITY_TOKEN = 1_123_581_321


def checkin_response() -> bytes:
    """The protobuf Chromium needs to call its GCM client checked in."""
    return (
        b"\x08\x01"
        + b"\x39"
        + struct.pack("<Q", ANDROID_ID)
        + b"\x41"
        + struct.pack("<Q", SECURITY_TOKEN)
    )


@dataclass
class LocalGcm:
    """GCM check-in and registration on loopback; `registrations` lists what Chromium asked."""

    registrations: list[dict[str, list[str]]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> LocalGcm:
        gcm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path.startswith("/checkin"):
                    self._answer(checkin_response(), "application/x-protobuf")
                    return
                form = parse_qs(body.decode())
                gcm.registrations.append(form)
                token = f"local-token-{len(gcm.registrations)}"
                self._answer(f"token={token}".encode(), "text/plain")

            def _answer(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests assert on `registrations` instead."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None, "start() the local GCM first"
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def chromium_args(self) -> list[str]:
        """The switches that send Chromium's GCM check-in and registration here."""
        return [
            f"--gcm-checkin-url={self.url}/checkin",
            f"--gcm-registration-url={self.url}/register",
        ]

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


# ---- the notification area: Chromium's notifications, seen and clicked -------------------------

SYSTEM_PYTHON = Path("/usr/bin/python3")
DBUS_DAEMON = Path("/usr/bin/dbus-daemon")
NOTIFICATION_SERVER = Path(__file__).with_name("notification_server.py")
# A session bus of the tests' own, with no service activation (nothing else starts on it).
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
FIX_DBUS = (
    "The reminder tests click notifications through a private D-Bus notification server. "
    "Install Debian's packages with `apt-get install -y dbus-daemon python3-dbus python3-gi` "
    "(scripts/system-deps.sh lists them; `make test` installs them)."
)


def check_notification_tools() -> None:
    """Fail, saying how to fix it, when the bus or the notification server cannot run here."""
    if not DBUS_DAEMON.exists() or not SYSTEM_PYTHON.exists():
        pytest.fail(f"{DBUS_DAEMON} or {SYSTEM_PYTHON} is missing. {FIX_DBUS}")
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import dbus, dbus.mainloop.glib, gi.repository.GLib"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.fail(f"{SYSTEM_PYTHON} cannot load dbus and gi: {probe.stderr.strip()} {FIX_DBUS}")


@dataclass
class NotificationArea:
    """A private session bus and a notification server; `shown` lists each `Notify` call."""

    folder: Path
    shown: list[dict[str, Any]] = field(default_factory=list)
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    address: str = ""

    def start(self) -> NotificationArea:
        check_notification_tools()
        config = self.folder / "bus.conf"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(BUS_CONFIG)
        bus = self._spawn(
            [str(DBUS_DAEMON), f"--config-file={config}", "--nofork", "--print-address=1"], {}
        )
        self.address = (bus.stdout.readline() if bus.stdout else "").strip()
        assert self.address, f"dbus-daemon gave no address. {FIX_DBUS}"
        server = self._spawn([str(SYSTEM_PYTHON), str(NOTIFICATION_SERVER)], self.env)
        ready = server.stdout.readline() if server.stdout else ""
        assert '"ready"' in ready, f"the notification server did not start ({ready!r}). {FIX_DBUS}"
        threading.Thread(target=self._read, args=(server,), daemon=True).start()
        return self

    def _spawn(self, command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        self.processes.append(process)
        return process

    def _read(self, server: subprocess.Popen[str]) -> None:
        assert server.stdout is not None
        for line in server.stdout:
            event = json.loads(line)
            if event["event"] == "notify":
                self.shown.append(event)

    @property
    def env(self) -> dict[str, str]:
        """The environment that points a program (Chromium) at this bus."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def wait_for(self, title: str) -> dict[str, Any]:
        """The notification with this title, once Chromium has shown it."""
        wait_until(
            lambda: any(n["summary"] == title for n in self.shown),
            f"Chromium showed no notification titled {title!r}; shown: {self.shown}",
        )
        return next(n for n in self.shown if n["summary"] == title)

    def click(self, notification: dict[str, Any]) -> None:
        """Click it, as a person would in the desktop's notification area."""
        server = self.processes[-1]
        assert server.stdin is not None
        server.stdin.write(f"{notification['id']} default\n")
        server.stdin.flush()

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.stdin:
                process.stdin.close()
            process.terminate()
            process.wait(timeout=10)
            if process.stdout:
                process.stdout.close()


# ---- Chromium with a profile of its own ---------------------------------------------------------


def launch_phone(
    playwright: Playwright, profile: Path, gcm: LocalGcm, area: NotificationArea
) -> BrowserContext:
    """Debian's Chromium on a phone-sized page, with GCM and notifications on loopback.

    A profile of its own (not Playwright's usual incognito context): Chromium refuses the Push
    API in incognito. The CSP is bypassed only so that the tests can inject axe.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's Chromium is missing at {CHROMIUM}: `apt-get install -y chromium`.")
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, *gcm.chromium_args()],
        headless=True,
        viewport=PHONE,
        env={**os.environ, **area.env},
        bypass_csp=True,
    )


# ---- what the server holds -------------------------------------------------------------------


@dataclass
class ServerDb:
    """The live server's database, read the way the server reads it."""

    database_url: str
    instance: Path

    @contextmanager
    def session(self) -> Iterator[None]:
        app = create_app(
            {
                "DATABASE_URL": self.database_url,
                "INSTANCE_PATH": self.instance,
                "SECRET_KEY": "live-test-secret",
            }
        )
        with app.app_context():
            try:
                yield
            finally:
                db.session.close()
                db.engine.dispose()

    def endpoints(self, user_id: str) -> list[str]:
        """The push endpoints the server holds for one person."""
        with self.session():
            rows = db.session.scalars(select(PushSubscription)).all()
            return [row.endpoint for row in rows if str(row.user_id) == user_id]

    def messages(self, kind: str) -> list[dict[str, Any]]:
        """The push messages queued of one kind, exactly as the worker would send them."""
        with self.session():
            jobs = db.session.scalars(select(Job).order_by(Job.id)).all()
            return [
                wire_message(job) for job in jobs if job.payload["notification"]["kind"] == kind
            ]


# ---- the service worker, through DevTools ----------------------------------------------------


class WorkerControl:
    """The app's service worker in one browser context: deliver pushes, read notifications."""

    def __init__(self, context: BrowserContext, page: Page, origin: str) -> None:
        self.context = context
        self.page = page  # waiting on it lets Playwright hand over DevTools events
        self.origin = origin
        self.cdp: CDPSession = context.new_cdp_session(page)
        self.registrations: list[dict[str, Any]] = []
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", self._registrations)
        self.cdp.send("ServiceWorker.enable")

    def _registrations(self, event: dict[str, Any]) -> None:
        self.registrations.extend(event["registrations"])

    def registration_id(self) -> str:
        """The id DevTools gives the app's registration (its scope is the origin's root)."""
        scope = self.origin + "/"
        for _ in range(100):
            found = [
                r["registrationId"]
                for r in self.registrations
                if r["scopeURL"] == scope and not r["isDeleted"]
            ]
            if found:
                return str(found[-1])
            self.page.wait_for_timeout(100)
        raise AssertionError(f"DevTools reported no service worker registration for {scope}")

    def deliver(self, message: dict[str, Any]) -> None:
        """A push message, as the browser's push service would hand it over (decrypted)."""
        self.cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": self.origin + "/",
                "registrationId": self.registration_id(),
                "data": json.dumps(message),
            },
        )

    def worker(self) -> Worker:
        """The running service worker (a push or an evaluate wakes it)."""
        for _ in range(100):
            workers = [w for w in self.context.service_workers if w.url.startswith(self.origin)]
            if workers:
                return workers[-1]
            self.page.wait_for_timeout(100)
        raise AssertionError("the app's service worker is not running")

    def notifications(self) -> list[dict[str, Any]]:
        """The notifications the app shows now (title, body, tag, data)."""
        shown: list[dict[str, Any]] = self.worker().evaluate(
            """async () => (await self.registration.getNotifications()).map((n) => ({
                 title: n.title, body: n.body, tag: n.tag, data: n.data,
                 icon: n.icon, badge: n.badge,
               }))"""
        )
        return shown
