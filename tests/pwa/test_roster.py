"""The admin previews a OneRoster bundle in the School security screen, then applies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.pwa.helpers import ADMIN_EMAIL, PHONE, ApiUser, NewContext, Person, open_app, sign_in
from tests.support.live import LiveServer
from tests.support.oneroster import Member, bundle

pytestmark = pytest.mark.browser


def test_the_admin_previews_then_applies_a_roster(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    members = [
        Member("u1", "Ana", "Silva", staff["observer"].email, departments=("Maths",)),
        Member("u2", "Benedict", "Okafor", staff["observee"].email),
        Member("u3", "Tom", "Reilly", staff["lead"].email, role="principal"),
        Member("u4", "Zoe", "Park", "zoe.park@hill.example"),
    ]
    admin = Person("", ADMIN_EMAIL, "School admin", "admin", "admin password 1")
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, live.url, admin)
    open_app(page, live.url, "school-security")
    page.wait_for_selector("main[data-ready=school-security]")
    page.set_input_files(
        "input[name=roster]",
        files=[{"name": "oneroster.zip", "mimeType": "application/zip", "buffer": bundle(members)}],
    )
    page.get_by_role("button", name="Preview changes").click()
    changes = page.locator(".roster-change")
    expect(changes).to_have_count(4, timeout=10_000)  # Ana's team, Ben's name, Zoe joins, Chloe
    expect(page.locator(".roster-change[data-kind=join]")).to_contain_text("zoe.park@hill.example")
    expect(page.locator(".roster-change[data-kind=leave]")).to_contain_text("Chloe Martin")
    expect(page.locator(".school-security")).to_contain_text(
        f"Kept (admins not in the roster): {ADMIN_EMAIL}"
    )
    chloe = ApiUser.login(live, staff["colleague"].email)
    assert (
        live.request("GET", "/api/v1/me", token=chloe.token)[0] == 200
    )  # a preview changes nothing

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply these changes").click()
    expect(page.locator(".school-security")).to_contain_text(
        "Done: the staff now match the roster.", timeout=15_000
    )
    expect(page.locator(".temporary-passwords li")).to_have_count(1)
    status, body = live.request("GET", "/api/v1/me", token=chloe.token)
    assert status == 401
    assert body["error"]["code"] == "invalid_token"
