"""Helpers for the PWA's browser tests: a school seeded through the API, and app actions."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from server import create_app
from server.config import build_config
from server.extensions import db
from tests.support.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
# pytest-playwright's `new_context` fixture: makes contexts and closes them after the test.
NewContext = Callable[..., BrowserContext]
PASSWORD = "correct horse battery"
SCREENS = ROOT / "test-artifacts" / "screens"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@dataclass(frozen=True)
class Person:
    """A member of staff who can sign in."""

    id: str
    email: str
    name: str
    role: str
    password: str = PASSWORD


def run_cli(database_url: str, instance: Path, *args: str) -> str:
    """Run a `flask --app wsgi ...` command in process against the live server's database."""
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "live-test-secret",
            "PASSWORD_HASH_PROFILE": "fast",
        }
    )
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return result.output


def prepare_instance(instance: Path) -> Path:
    """Create the instance folder's keys before gunicorn starts.

    server/reminders/vapid.py creates the VAPID key with O_EXCL and then writes it, so two workers
    booting on an empty folder can read a half-written key and fail to boot; creating it once
    here, in one process, avoids that race (reported to the lead, not fixed in this area).
    """
    build_config(instance, {"DATABASE_URL": "sqlite://", "SECRET_KEY": "live-test-secret"})
    return instance


ADMIN_EMAIL = "head@hill.example"


def seed_staff(live: LiveServer, database_file: str, seed: Path) -> dict[str, Person]:
    """A school with an admin, a lead and three teachers, created through the API."""
    run_cli(
        database_file,
        seed,
        "bootstrap",
        "--school",
        "Hill Primary",
        "--admin-email",
        ADMIN_EMAIL,
        "--admin-password",
        "admin password 1",
    )
    admin = ApiUser.login(live, ADMIN_EMAIL, "admin password 1")
    people = {}
    for key, name, role in [
        ("observer", "Ana Silva", "teacher"),
        ("observee", "Ben Okafor", "teacher"),
        ("colleague", "Chloe Martin", "teacher"),
        ("lead", "Tom Reilly", "lead"),
    ]:
        email = name.lower().replace(" ", ".") + "@hill.example"
        status, body = live.request(
            "POST",
            "/api/v1/admin/users",
            {"email": email, "display_name": name, "role": role, "password": Person.password},
            token=admin.token,
        )
        assert status == 201, body
        people[key] = Person(body["id"], email, name, role)
    return people


def stamp(client_id: str) -> str:
    """An HLC stamp for now (PROTOCOL.md)."""
    return f"{int(time.time() * 1000):015d}:0000:{client_id}"


@dataclass
class ApiUser:
    """One signed-in device talking to the live server over HTTP, as a second app would."""

    live: LiveServer
    token: str
    client_id: str
    user: dict[str, Any]
    seq: int = 0
    versions: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def login(cls, live: LiveServer, email: str, password: str = PASSWORD) -> ApiUser:
        status, body = live.request(
            "POST",
            "/api/v1/auth/login",
            {"email": email, "password": password, "device_name": "test script"},
        )
        assert status == 200, body
        return cls(live, body["token"], body["client_id"], body["user"])

    def put(
        self, entity: str, record_id: str, fields: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        """Push one put; returns its result (which must be applied or merged)."""
        self.seq += 1
        mutation = {
            "seq": self.seq,
            "entity": entity,
            "id": record_id,
            "op": "put",
            "base_version": self.versions.get((entity, record_id), 0),
            "hlc": stamp(self.client_id),
            "fields": fields,
            **extra,
        }
        status, body = self.live.request(
            "POST",
            "/api/v1/sync/push",
            {"client_id": self.client_id, "mutations": [mutation]},
            token=self.token,
        )
        assert status == 200, body
        result: dict[str, Any] = body["results"][0]
        assert result["status"] in ("applied", "merged"), result
        return result

    def pull_all(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every record this person may see now, keyed by (entity, id)."""
        records: dict[tuple[str, str], dict[str, Any]] = {}
        cursor = None
        while True:
            query = "?limit=2000" + (f"&cursor={cursor}" if cursor else "")
            status, page = self.live.request("GET", "/api/v1/sync/pull" + query, token=self.token)
            assert status == 200, page
            for change in page["changes"]:
                records[(change["entity"], change["id"])] = change
                if "version" in change:
                    self.versions[(change["entity"], change["id"])] = change["version"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return records

    def notes_of(self, observation_id: str) -> list[dict[str, Any]]:
        """The live notes of one observation on the server."""
        return [
            change
            for (entity, _), change in self.pull_all().items()
            if entity == "note"
            and not change.get("deleted")
            and change["fields"]["observation_id"] == observation_id
        ]

    def observation(self, participants: list[tuple[Person, str]], **fields: Any) -> str:
        """Create an observation with these participants and roles; returns its id."""
        observation_id = str(uuid.uuid4())
        self.put(
            "observation",
            observation_id,
            {
                "kind": "peer_observation",
                "title": "Maths with 8R",
                "starts_at": "2026-11-20T09:00:00+00:00",
                "class_label": "8R",
                "subject": "Maths",
                "participants": [{"user_id": p.id, "role": role} for p, role in participants],
                **fields,
            },
        )
        return observation_id


# ---- the app in a page -----------------------------------------------------------------


def open_app(page: Page, url: str, route: str = "") -> None:
    """Load the app (at a route after the #) and wait for its screen."""
    page.goto(url + "/" + (f"#/{route}" if route else ""))
    page.wait_for_selector("main[data-ready]")


def sign_in(page: Page, url: str, person: Person) -> None:
    """Sign in through the form and wait for the first sync to finish."""
    open_app(page, url)
    page.wait_for_selector("main[data-ready=signin]")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", person.password)
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=today]")
    page.wait_for_selector('#sync-line:not([data-synced=""])', timeout=45_000)
    wait_synced(page)


def wait_synced(page: Page, timeout: float = 45_000) -> None:
    """Wait until nothing is waiting to be sent and the last sync finished."""
    page.wait_for_selector('#sync-line[data-state=idle][data-pending="0"]', timeout=timeout)


def expect_pending(page: Page, count: int, timeout: float = 30_000) -> None:
    """Wait until the sync line says `count` changes are waiting to be sent."""
    page.wait_for_selector(f'#sync-line[data-pending="{count}"]', timeout=timeout)


def wait_for_service_worker(page: Page) -> None:
    """Wait until a service worker controls the page (its shell is cached by then)."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    deadline = time.monotonic() + 20
    while not page.evaluate("() => Boolean(navigator.serviceWorker.controller)"):
        assert time.monotonic() < deadline, "no service worker took control of the page"
        time.sleep(0.1)


def write_note(page: Page, text: str) -> None:
    """Type a note in the capture box and save it with Enter; wait until it is listed."""
    before = int(page.get_attribute("ol.notes", "data-count") or "0")
    page.fill("#note-text", text)
    page.press("#note-text", "Enter")
    page.wait_for_selector(f'ol.notes[data-count="{before + 1}"]', state="attached")


def note_texts(page: Page) -> list[str]:
    """The note texts of the current screen's list, top to bottom (once all are drawn)."""
    page.wait_for_selector('ol.notes[data-complete="true"]', state="attached")
    total = page.get_attribute("ol.notes", "data-total")
    if total is not None:
        page.wait_for_selector(f'ol.notes[data-count="{total}"]', state="attached")
    return page.locator("ol.notes li.note .note-text").all_text_contents()


class Network:
    """A device's connection: on or off for its pages AND its service worker.

    Playwright's offline emulation covers pages but not service workers, and Chromium's
    Background Sync lets the worker send the outbox. So while "offline", the worker's API
    requests are aborted here too, as a phone with no signal would see them.
    """

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.offline = False
        context.route("**/api/**", self._route)

    def _route(self, route: Route) -> None:
        if self.offline and route.request.service_worker is not None:
            route.abort("internetdisconnected")
        else:
            route.fallback()

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        self.context.set_offline(offline)

    def resync(self) -> None:
        """Drop and restore the connection: the app flushes at once when it is back online."""
        self.set_offline(True)
        self.set_offline(False)


def deny_background_sync(profile: Path) -> None:
    """Switch Background Sync off in a persistent profile, before its first launch.

    Chromium fires a waiting sync as soon as a relaunched profile's worker starts, which can
    be before a test's Network route is in place; the app never relies on Background Sync.
    """
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    preferences = {"profile": {"default_content_setting_values": {"background_sync": 2}}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))


def wait_until(check: Callable[[], bool], message: str, timeout: float = 60) -> None:
    """Poll `check` until it is true, or fail with `message`."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, message
        time.sleep(0.25)


def sync_and_wait(page: Page, network: Network) -> None:
    """Make the app sync now (it does on coming back online) and wait for that sync to end."""
    before = page.get_attribute("#sync-line", "data-synced") or ""
    network.resync()
    page.wait_for_selector(
        f'#sync-line[data-state=idle]:not([data-synced="{before}"])', timeout=45_000
    )


def capture_page(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> tuple[Page, Network, ApiUser, str]:
    """The observer's phone on the capture screen of a new observation."""
    api = ApiUser.login(live, staff["observer"].email)
    observation_id = api.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")]
    )
    context = new_context(viewport=PHONE)
    network = Network(context)
    page = context.new_page()
    sign_in(page, live.url, staff["observer"])
    open_app(page, live.url, f"capture/{observation_id}")
    page.wait_for_selector("main[data-ready=capture]")
    return page, network, api, observation_id


def assert_exactly_once(api: ApiUser, observation_id: str, texts: list[str]) -> None:
    """The server holds each text once, and nothing else."""
    wait_until(
        lambda: len(api.notes_of(observation_id)) >= len(texts),
        f"the server did not receive all {len(texts)} notes",
    )
    on_server = Counter(note["fields"]["text"] for note in api.notes_of(observation_id))
    assert on_server == Counter(texts)


# ---- screenshots and accessibility ---------------------------------------------------------

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}"""


# Scroll an element to the top of the view, just below the app bar (which stays in place).
SCROLL_BELOW_BAR = """(el) => {
  const bar = document.getElementById('app-bar');
  const top = el.getBoundingClientRect().top + window.scrollY - (bar ? bar.offsetHeight : 0);
  window.scrollTo(0, Math.max(0, top - 12));
}"""


class Shots:
    """Saves each screen (the phone's view, and the whole scrolling page) and runs axe on it."""

    def __init__(self) -> None:
        if not AXE.exists():
            pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (or `make test`).")
        SCREENS.mkdir(parents=True, exist_ok=True)
        self.problems: dict[str, list[dict[str, Any]]] = {}

    def take(self, page: Page, name: str, at: str | None = None) -> Path:
        """`at`: a selector to scroll to the top of the view (else the page's top)."""
        if at:
            page.locator(at).evaluate(SCROLL_BELOW_BAR)
        else:
            page.evaluate("() => window.scrollTo(0, 0)")
        page.locator(".toast").first.wait_for(state="detached", timeout=10_000)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.wait_for_timeout(300)  # let focus rings and transitions settle
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path))
        page.screenshot(path=str(SCREENS / f"{name}-full.png"), full_page=True)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            self.problems[name] = serious
        return path
