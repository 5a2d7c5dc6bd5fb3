"""Whatever people type is shown as text: markup in notes, titles and reflections runs nothing."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Dialog, expect

from tests.pwa.helpers import (
    PHONE,
    ApiUser,
    NewContext,
    Person,
    note_texts,
    open_app,
    sign_in,
    write_note,
)
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
MARKUP = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '"><svg onload=alert(3)><img src=x onerror="window.pwned=1">',
    '<b>bold</b> &amp; <a href="javascript:alert(4)">a link</a>',
    "<iframe src=javascript:alert(5)></iframe><style>body{display:none}</style>",
]


def test_markup_typed_or_received_shows_as_text_and_runs_nothing(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    """The page runs with its Content-Security-Policy switched off, so that only the app's own
    handling of text (textContent, never innerHTML) stands between the markup and the page."""
    observer, observee = staff["observer"], staff["observee"]
    partner = ApiUser.login(live, observee.email)
    title = "<img src=x onerror=alert(6)> Maths"
    observation_id = partner.observation(
        [(observer, "observer"), (observee, "observee")],
        title=title,
        focus_question="<script>alert(7)</script>Do they think?",
    )
    partner.put(
        "note",
        str(uuid.uuid4()),
        {
            "observation_id": observation_id,
            "at": "2026-11-20T09:05:00+00:00",
            "category": "evidence",
            "text": MARKUP[0] + " from Ben",
        },
    )
    partner.put("observation", observation_id, {"strengths": MARKUP[2]})

    context = new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    sign_in(page, live.url, observer)
    expect(page.locator(".card-title", has_text="Maths")).to_have_text(title)

    open_app(page, live.url, f"capture/{observation_id}")
    page.wait_for_selector("main[data-ready=capture]")
    expect(page.locator(".app-title")).to_have_text(title)
    for text in MARKUP:
        write_note(page, text)
    # Capture shows everyone's notes, newest first (issue 12): mine, then Ben's older one.
    assert note_texts(page) == [*reversed(MARKUP), MARKUP[0] + " from Ben"]

    open_app(page, live.url, f"review/{observation_id}")
    page.wait_for_selector("main[data-ready=review]")
    assert note_texts(page) == [MARKUP[0] + " from Ben", *MARKUP]
    expect(page.locator("textarea[name=strengths]")).to_have_value(MARKUP[2])
    expect(page.locator(".question")).to_contain_text("<script>alert(7)</script>Do they think?")

    page.wait_for_timeout(500)  # time for any injected handler to fire
    made = page.locator(
        "main img, main script, main iframe, main style, main b, main a[href^=javascript], "
        ".note-text *, .app-title *"
    )
    assert made.count() == 0, "an element was made from someone's text"
    assert page.evaluate("() => window.pwned === undefined")
    assert page.locator("body").is_visible()
    assert dialogs == []
