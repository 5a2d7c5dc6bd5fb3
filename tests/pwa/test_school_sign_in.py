"""School sign-in in Chromium, against the real OpenID provider of the tests: the admin sets
the provider up in the app; a teacher types her email, picks "Sign in with ...", signs in on
the provider's own login and consent pages, comes back signed in, captures notes offline and
they sync. When the provider later says her account is gone, the next sync gets 401 and the
app keeps every unsent note and asks her to sign in again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import (
    ADMIN_EMAIL,
    PHONE,
    ApiUser,
    Network,
    NewContext,
    Person,
    Shots,
    expect_pending,
    note_texts,
    open_app,
    prepare_instance,
    run_cli,
    sign_in,
    wait_for_service_worker,
    wait_synced,
    write_note,
)
from tests.support.live import LiveServer
from tests.support.oidc import ACCOUNTS, CLIENT_ID, CLIENT_SECRET, OidcProvider

pytestmark = pytest.mark.browser
TEACHER = Person("", "t.one@school.test", "Tess One", "teacher")


@pytest.fixture
def school(database_file: str, tmp_path: Path) -> Iterator[tuple[LiveServer, OidcProvider]]:
    """A live server (which allows http issuers) and the provider, redirecting to it."""
    instance = prepare_instance(tmp_path / "instance")
    live = LiveServer(database_file, instance, app="tests.support.oidc_app:app")
    provider = OidcProvider(tmp_path / "oidc", [f"{live.url}/auth/oidc/callback"]).start()
    live.start()
    run_cli(database_file, tmp_path / "seed", "bootstrap", "--school", "Hill Primary",
            "--admin-email", ADMIN_EMAIL, "--admin-password", "admin password 1")  # fmt: skip
    yield live, provider
    live.stop()
    provider.stop()


def _set_up_provider(page: Page, live: LiveServer, provider: OidcProvider, shots: Shots) -> None:
    """The admin adds the provider on the app's set-up screen (Settings, School sign-in)."""
    admin = Person("", ADMIN_EMAIL, "School admin", "admin", "admin password 1")
    sign_in(page, live.url, admin)
    open_app(page, live.url, "settings")
    page.click("text=Set up Google or Microsoft sign-in")
    page.wait_for_selector("main[data-ready=sign-in-setup]")
    expect(page.locator(".redirect-uri")).to_have_text(f"{live.url}/auth/oidc/callback")
    page.select_option("select[name=kind]", "oidc")
    page.fill("input[name=issuer]", provider.issuer)
    page.fill("input[name=client_id]", CLIENT_ID)
    page.fill("input[name=client_secret]", CLIENT_SECRET)
    page.fill("input[name=allowed_domains]", "school.test")
    page.click("text=Add provider")
    expect(page.locator(".provider-item")).to_have_count(1)
    expect(page.locator(".provider-item")).to_contain_text("school.test")
    shots.take(page, "school-sign-in-setup")


def _colleague(live: LiveServer, admin: ApiUser) -> None:
    """Ben, whom the teacher observes."""
    status, body = live.request(
        "POST",
        "/api/v1/admin/users",
        {"email": "ben@school.test", "display_name": "Ben Okafor", "role": "teacher",
         "password": TEACHER.password},
        token=admin.token,
    )  # fmt: skip
    assert status == 201, body


def _at_provider(page: Page) -> None:
    """The provider's own pages: its login (unless it still knows her), its consent; then
    back in the app, signed in."""
    page.wait_for_selector("input[name=login], button:has-text('Continue')")
    if page.locator("input[name=login]").count():
        page.fill("input[name=login]", "teacher1")
        page.fill("input[name=password]", "anything")
        page.click("button[type=submit]")
    page.get_by_role("button", name="Continue").click()  # consent (offline access)
    page.wait_for_selector("main[data-ready=today]")


def _sign_in_at_provider(page: Page, live: LiveServer, shots: Shots) -> None:
    open_app(page, live.url)
    page.wait_for_selector("main[data-ready=signin]")
    page.fill("input[name=email]", TEACHER.email)
    button = page.get_by_role("button", name="Sign in with your school account")
    expect(button).to_be_visible()
    shots.take(page, "school-sign-in-options")
    button.click()
    _at_provider(page)
    page.wait_for_selector('#sync-line:not([data-synced=""])', timeout=45_000)


def test_a_teacher_signs_in_with_the_school_provider_and_captures_offline(
    new_context: NewContext, school: tuple[LiveServer, OidcProvider]
) -> None:
    live, provider = school
    shots = Shots()
    admin_page = new_context(bypass_csp=True).new_page()  # axe is injected for the shots
    _set_up_provider(admin_page, live, provider, shots)
    admin = ApiUser.login(live, ADMIN_EMAIL, "admin password 1")
    status, body = live.request(
        "POST",
        "/api/v1/admin/users",
        {"email": TEACHER.email, "display_name": "Tess One", "role": "teacher",
         "password": TEACHER.password},
        token=admin.token,
    )  # fmt: skip
    assert status == 201, body
    _colleague(live, admin)

    context = new_context(viewport=PHONE, bypass_csp=True)
    network = Network(context)
    page = context.new_page()
    _sign_in_at_provider(page, live, shots)
    assert "/#/school-sign-in" not in page.url  # the one-time code is gone from the address
    wait_for_service_worker(page)
    open_app(page, live.url, "settings")
    expect(page.locator("main")).to_contain_text("Tess One")

    network.set_offline(True)
    open_app(page, live.url, "new")
    page.fill("input[type=search]", "Ben")
    page.click(".person-add")
    page.fill("input[name=class_label]", "8R")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=capture]")
    observation_id = page.url.rsplit("/", 1)[1]
    texts = ["Signed in with the school account", "Written with no signal"]
    for text in texts:
        write_note(page, text)
    expect_pending(page, 3)
    network.set_offline(False)
    wait_synced(page)
    tess = ApiUser.login(live, TEACHER.email)
    assert sorted(n["fields"]["text"] for n in tess.notes_of(observation_id)) == sorted(texts)
    assert not shots.problems, shots.problems


def test_an_account_gone_at_the_provider_keeps_unsent_notes_and_asks_to_sign_in_again(
    new_context: NewContext, school: tuple[LiveServer, OidcProvider], database_file: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    live, provider = school
    shots = Shots()
    _set_up_provider(new_context(bypass_csp=True).new_page(), live, provider, shots)
    admin = ApiUser.login(live, ADMIN_EMAIL, "admin password 1")
    live.request(
        "PATCH", "/api/v1/admin/sign-in", {"create_accounts_on_first_sign_in": True},
        token=admin.token,
    )  # fmt: skip
    _colleague(live, admin)
    context = new_context(viewport=PHONE, bypass_csp=True)
    network = Network(context)
    page = context.new_page()
    _sign_in_at_provider(page, live, shots)  # her account is created on this first sign-in
    wait_synced(page)
    open_app(page, live.url, "new")
    page.fill("input[type=search]", "Ben")
    page.click(".person-add")
    page.fill("input[name=class_label]", "9S")
    page.click("form button[type=submit]")
    page.wait_for_selector("main[data-ready=capture]")
    observation_id = page.url.rsplit("/", 1)[1]
    wait_synced(page)

    network.set_offline(True)
    write_note(page, "Kept though the account went")
    expect_pending(page, 1)
    provider.set_account("teacher1", None)  # the IT lead deletes her account
    try:
        output = run_cli(database_file, tmp_path / "check", "oidc", "check-accounts")
    finally:
        provider.set_account("teacher1", ACCOUNTS["teacher1"])
    assert "1 gone (signed out)" in output
    network.set_offline(False)
    page.wait_for_selector("#sync-line[data-state=signed_out]", timeout=45_000)
    expect(page.locator("#sync-line")).to_contain_text("Sign in again")
    expect_pending(page, 1)
    page.reload()  # the app, opened again, asks her to sign in
    page.wait_for_selector("main[data-ready=signin]")
    expect(page.locator(".form-error")).to_contain_text("your unsent changes are kept")
    shots.take(page, "school-sign-in-ended")

    # Signing in again with the school account sends the kept note.
    page.get_by_role("button", name="Sign in with your school account").click()
    _at_provider(page)
    wait_synced(page)
    open_app(page, live.url, f"capture/{observation_id}")
    page.wait_for_selector("main[data-ready=capture]")
    assert note_texts(page) == ["Kept though the account went"]
    assert not shots.problems, shots.problems
