"""Report downloads from the app: every button in a real Chromium gives a PDF read back here."""

from __future__ import annotations

import io
import uuid

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    Network,
    NewContext,
    Person,
    open_app,
    sign_in,
    wait_for_service_worker,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser


def pdf_text(page: Page, button: str) -> tuple[str, str]:
    """Click a download button; return the saved file's name and its text."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name=button).click()
    download = download_info.value
    path = download.path()
    assert path is not None
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    return download.suggested_filename, text


def signed_in(
    new_context: NewContext, live: LiveServer, person: Person, route: str
) -> tuple[Page, Network]:
    context = new_context(viewport=PHONE, accept_downloads=True)
    network = Network(context)
    page = context.new_page()
    sign_in(page, live.url, person)
    open_app(page, live.url, route)
    return page, network


def test_teacher_and_lead_download_every_report_they_may_read(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    observer = ApiUser.login(live, staff["observer"].email)
    observee = ApiUser.login(live, staff["observee"].email)
    lead = ApiUser.login(live, staff["lead"].email)
    focus = str(uuid.uuid4())
    lead.put(
        "focus", focus, {"title": "Questioning that makes every pupil think", "kind": "school"}
    )
    observation = observer.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")],
        title="Fractions with 8R",
        focus_ids=[focus],
    )
    observer.put(
        "note",
        str(uuid.uuid4()),
        {
            "observation_id": observation,
            "at": "2026-11-20T09:05:00+00:00",
            "minute": 5,
            "category": "evidence",
            "text": "Pupils compared two methods on whiteboards.",
        },
    )
    observee.pull_all()
    observee.put(
        "observation", observation, {"visibility": "leads", "reflection": "Wait time helped."}
    )

    page, _ = signed_in(new_context, live, staff["observer"], f"review/{observation}")
    name, text = pdf_text(page, "Download as PDF")
    assert name.endswith(".pdf")
    assert "Fractions with 8R" in text
    assert "Pupils compared two methods" in text
    open_app(page, live.url, "learning")
    name, text = pdf_text(page, "Download my record")
    assert "Ana Silva" in text
    assert "Fractions with 8R" in text

    page, _ = signed_in(new_context, live, staff["lead"], "lead")
    for button, expected in [
        ("Download action plan", "Questioning that makes every pupil think"),
        ("Download focus report", "Questioning that makes every pupil think"),
    ]:
        name, text = pdf_text(page, button)
        assert expected in text, button
    page.get_by_label("Teacher for the record").select_option(label="Ben Okafor")
    name, text = pdf_text(page, "Download record")
    assert "Ben Okafor" in text
    assert "Fractions with 8R" in text


def test_offline_the_buttons_wait_for_a_connection(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    page, network = signed_in(new_context, live, staff["lead"], "lead")
    wait_for_service_worker(page)  # the shell is cached before the network goes
    network.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    open_app(page, live.url, "lead")
    expect(page.get_by_text("Downloads need a connection")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Download action plan")).to_be_disabled()
