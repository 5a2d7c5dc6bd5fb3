"""The person's rights in the app (Chromium, phone size): "Download my data" in Settings,
"Who has seen this" on review, the list in My learning, and the admin's erase screen."""

from __future__ import annotations

import io
import json
import urllib.request
import uuid
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import (
    ADMIN_EMAIL,
    PHONE,
    ApiUser,
    NewContext,
    Person,
    Shots,
    open_app,
    sign_in,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


def phone(new_context: NewContext, live: LiveServer, person: Person) -> Page:
    # bypass_csp: axe-core is injected to check each screenshot (as in test_screens).
    context = new_context(viewport=PHONE, accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live.url, person)
    return page


def shared_observation(live: LiveServer, staff: dict[str, Person]) -> str:
    observer = ApiUser.login(live, staff["observer"].email)
    observee = ApiUser.login(live, staff["observee"].email)
    observation = observer.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")], title="Fractions 8R"
    )
    note = {"observation_id": observation, "at": "2026-11-20T09:05:00+00:00", "minute": 5}
    observer.put("note", str(uuid.uuid4()), {**note, "category": "evidence", "text": "Pairs."})
    observee.pull_all()
    observee.put("observation", observation, {"visibility": "leads"})
    lead = ApiUser.login(live, staff["lead"].email)
    lead.pull_all()  # the lead's device receives it: one audit row
    url = f"{live.url}/api/v1/reports/observations/{observation}.pdf"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {lead.token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.read().startswith(b"%PDF-")
    return observation


def test_the_observed_teacher_sees_who_has_seen_and_downloads_their_data(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    observation = shared_observation(live, staff)
    shots = Shots()
    page = phone(new_context, live, staff["observee"])
    open_app(page, live.url, f"review/{observation}")
    seen = page.locator("section.who-has-seen")
    expect(seen.locator(".seen-item")).to_have_count(2)
    expect(seen).to_contain_text("Tom Reilly downloaded this observation as a PDF")
    expect(seen).to_contain_text("Tom Reilly received it on a device (shared with leads)")
    shots.take(page, "rights-01-review-who-has-seen", at="section.who-has-seen")
    open_app(page, live.url, "learning")
    expect(page.locator("section.who-has-seen .seen-item")).to_have_count(2)
    shots.take(page, "rights-02-my-learning-who-has-seen", at="section.who-has-seen")
    open_app(page, live.url, "settings")
    button = page.get_by_role("button", name="Download my data")
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("lesson-loop-my-data-")
    path = download.path()
    assert path is not None
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        data = json.loads(archive.read("data.json"))
    assert observation in {o["id"] for o in data["observations"]}
    assert data["person"]["email"] == staff["observee"].email
    shots.take(page, "rights-03-settings-your-data", at="section.section:has(h2:text('Your data'))")
    assert shots.problems == {}


def test_an_admin_erases_a_person_after_typing_their_name(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    shots = Shots()
    admin = Person("", ADMIN_EMAIL, "School admin", "admin", "admin password 1")
    page = phone(new_context, live, admin)
    open_app(page, live.url, "settings")
    page.get_by_role("link", name="Erase a person\u2019s data").click()
    page.wait_for_selector("main[data-ready=erase]")
    person = staff["colleague"]
    page.get_by_label("Person").select_option(person.id)
    page.get_by_label("Type their name to confirm").fill("Chloe")
    shots.take(page, "rights-04-admin-erase")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.locator(".toast")).to_contain_text("Type the person's display name exactly")
    page.get_by_label("Person").select_option(person.id)
    page.get_by_label("Type their name to confirm").fill(person.name)
    page.get_by_role("button", name="Erase this person").click()
    expect(page.locator(".screen.erase p[role=status]")).to_contain_text("Erased.")
    expect(page.get_by_label("Person")).not_to_contain_text(person.name)
    shots.take(page, "rights-05-admin-erased")
    status, body = live.request(
        "POST", "/api/v1/auth/login", {"email": person.email, "password": person.password}
    )
    assert status == 401, body
    assert shots.problems == {}
