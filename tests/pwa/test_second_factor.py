"""The second factor in the browser: set up in Settings, then sign in with a code; the admin's
requirement screen. Codes are computed here with pyotp, as an authenticator app would."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.pwa.helpers import (
    ADMIN_EMAIL,
    PHONE,
    ApiUser,
    NewContext,
    Person,
    open_app,
    sign_in,
    wait_synced,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


def test_enrol_sign_out_and_sign_in_with_the_code(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    ana = staff["observer"]
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, live.url, ana)
    open_app(page, live.url, "settings")
    section = page.locator("section", has=page.get_by_role("heading", name="Second factor"))
    section.get_by_role("button", name="Set up a second factor").click()

    qr = section.locator("img.qr-code")
    expect(qr).to_be_visible(timeout=10_000)
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    secret = section.locator(".totp-secret").inner_text().replace(" ", "")
    # The previous step's code (within the drift), so that the current one is still unspent.
    section.locator("input[name=otp]").fill(pyotp.TOTP(secret).at(time.time() - 30))
    section.get_by_role("button", name="Turn on").click()
    codes = section.locator(".recovery-codes li")
    expect(codes).to_have_count(10, timeout=10_000)
    section.get_by_role("button", name="I have written them down").click()
    expect(section).to_contain_text("10 recovery codes left")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("main[data-ready=signin]")
    page.fill("input[name=email]", ana.email)
    page.fill("input[name=password]", ana.password)
    page.click("form button[type=submit]")
    otp = page.locator("form.otp-form input[name=otp]")
    expect(otp).to_be_visible(timeout=10_000)
    otp.fill("000000")
    page.click("form.otp-form button[type=submit]")
    expect(page.locator("form.otp-form .form-error")).to_contain_text("not right")
    otp.fill(pyotp.TOTP(secret).now())
    page.click("form.otp-form button[type=submit]")
    page.wait_for_selector("main[data-ready=today]", timeout=20_000)


def test_the_admin_screen_recommends_and_sets_the_requirement(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    admin = Person("", ADMIN_EMAIL, "School admin", "admin", "admin password 1")
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, live.url, admin)
    open_app(page, live.url, "settings")
    page.get_by_role("link", name="School security").click()
    page.wait_for_selector("main[data-ready=school-security]")
    recommend = page.locator(".recommend-mfa")
    expect(recommend).to_contain_text("Recommended: require a second factor for leads and admins")
    expect(recommend).to_contain_text("2 of your leads and admins")
    page.locator("label.chip[data-value=leads]").click()
    expect(page.locator(".toasts")).to_contain_text("Leads and admins must now")
    expect(recommend).to_have_count(0)

    api = ApiUser.login(live, ADMIN_EMAIL, "admin password 1")
    status, body = live.request("GET", "/api/v1/admin/mfa-requirement", token=api.token)
    assert status == 403  # the admin is a lead too, and has no second factor yet
    assert body["error"]["code"] == "mfa_enrolment_required"
    status, body = live.request("GET", "/api/v1/me/mfa", token=api.token)
    assert (status, body["required"]) == (200, True)


def test_a_lead_who_must_enrol_is_told_and_syncs_once_enrolled(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    admin = ApiUser.login(live, ADMIN_EMAIL, "admin password 1")
    status, _ = live.request(
        "PATCH", "/api/v1/admin/mfa-requirement", {"required_for": "leads"}, token=admin.token
    )
    assert status == 200
    tom = staff["lead"]
    page = new_context(viewport=PHONE).new_page()
    open_app(page, live.url)
    page.fill("input[name=email]", tom.email)
    page.fill("input[name=password]", tom.password)
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=settings]")  # sent to Settings to set it up
    expect(page.locator(".toasts")).to_contain_text("set up a second factor")
    section = page.locator("section", has=page.get_by_role("heading", name="Second factor"))
    expect(section).to_contain_text("Your school asks you to set up a second factor")
    section.get_by_role("button", name="Set up a second factor").click()
    secret = section.locator(".totp-secret").inner_text(timeout=10_000).replace(" ", "")
    code = section.locator("input[name=otp]")
    typed = pyotp.TOTP(secret).now()
    code.fill(typed)
    # Settings redraws as the connection and the sync move (the failed syncs of a lead who must
    # enrol move it often): the code typed is kept through a redraw.
    code.evaluate("input => { input.dataset.before = 'redraw'; }")
    page.context.set_offline(True)
    expect(section.locator("input[name=otp][data-before]")).to_have_count(0, timeout=10_000)
    expect(code).to_have_value(typed)
    page.context.set_offline(False)
    section.get_by_role("button", name="Turn on").click()
    expect(section.locator(".recovery-codes li")).to_have_count(10, timeout=10_000)
    section.get_by_role("button", name="I have written them down").click()
    expect(section).to_contain_text("Your school requires it for you")
    page.get_by_role("button", name="Sync now").click()
    wait_synced(page)
