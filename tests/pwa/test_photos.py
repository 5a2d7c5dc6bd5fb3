"""Photos in the app (issue 16), in Chromium: seen as thumbnails in capture and review, a note's
under that note and the observation's own in the strip, full size on tap (screenshots at 390x844
and 1280x800). The capture itself (taken with the server down, with EXIF GPS tags, kept through
a reopen, shrunk, stripped and delivered once) runs in Chromium and WebKit:
tests/browsers/test_scenarios.py, with this module's photo and helpers."""

from __future__ import annotations

import urllib.request
import uuid
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.photos.support import GPS, TusClient, record_fields
from tests.photos.support import photo as photo_bytes
from tests.pwa.helpers import (
    PHONE,
    SCREENS,
    ApiUser,
    NewContext,
    Person,
    open_app,
    sign_in,
    wait_synced,
    wait_until,
)
from tests.support.live import LiveServer
from tests.support.sync import note_fields

pytestmark = pytest.mark.browser


def phone_photo(path: Path) -> Path:
    """A 3,000 x 2,000 'phone photo' with the camera's EXIF and a GPS position."""
    gradient = Image.linear_gradient("L").resize((3000, 2000))
    image = Image.merge(
        "RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient)
    )
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def take_photo(page: Page, photo: Path, caption: str) -> None:
    """Take a photo on Capture: it shows under its new note (not in the strip)."""
    under_notes = page.locator(".notes .note-photos li")
    before = under_notes.count()
    page.fill(".photo-controls input[type=text]", caption)
    page.set_input_files("input[type=file][capture=environment]", str(photo))
    expect(under_notes).to_have_count(before + 1, timeout=20_000)
    expect(page.locator(".photos .photo-strip li")).to_have_count(0)


def fetch(live: LiveServer, path: str, token: str) -> bytes:
    request = urllib.request.Request(live.url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body


def stored_photos(instance: Path) -> list[Path]:
    return [p for p in (instance / "photos").rglob("*") if p.is_file() and ".thumb" not in p.name]


def test_review_shows_a_partners_photo_from_the_server_and_full_size_on_tap(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person], tmp_path: Path
) -> None:
    observer = ApiUser.login(live, staff["observer"].email)
    observation_id = observer.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")]
    )
    photo = phone_photo(tmp_path / "book.jpg")
    context = new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live.url, staff["observer"])
    open_app(page, live.url, f"capture/{observation_id}")
    page.wait_for_selector("main[data-ready=capture]")
    take_photo(page, photo, "Worked example on the board")
    wait_synced(page)

    partner = new_context(viewport=PHONE).new_page()
    sign_in(partner, live.url, staff["observee"])
    open_app(partner, live.url, f"review/{observation_id}")
    partner.wait_for_selector("main[data-ready=review]")
    thumb = partner.locator(".notes .note-photos li img")
    expect(thumb).to_have_count(1, timeout=20_000)
    wait_until(
        lambda: thumb.evaluate("img => img.complete && img.naturalWidth") == 320, "no thumbnail"
    )
    partner.locator(".note-photos").scroll_into_view_if_needed()
    SCREENS.mkdir(parents=True, exist_ok=True)
    partner.screenshot(path=str(SCREENS / "photos-review.png"))
    partner.click(".note-photos .photo-open")
    large = partner.locator("dialog.photo-dialog img.photo-large")
    expect(large).to_be_visible()
    wait_until(
        lambda: large.evaluate("img => img.complete && img.naturalWidth") == 2048, "no full size"
    )
    partner.screenshot(path=str(SCREENS / "photos-full-size.png"))


def test_a_notes_photos_show_under_it_and_the_observations_own_in_the_strip(
    new_context: NewContext, live: LiveServer, staff: dict[str, Person]
) -> None:
    observer = ApiUser.login(live, staff["observer"].email)
    observation_id = observer.observation(
        [(staff["observer"], "observer"), (staff["observee"], "observee")]
    )
    note_id = str(uuid.uuid4())
    observer.put("note", note_id, note_fields(observation_id, "Two methods compared"))
    tus = TusClient(live.url, observer.token)
    photos = [(note_id, "Method A", 1), (note_id, "Method B", 2), (None, "The room's display", 3)]
    for holder, caption, seed in photos:
        data = photo_bytes(800, 600, seed=seed)
        attachment_id = str(uuid.uuid4())
        fields = record_fields(observation_id, data, note_id=holder, caption=caption)
        observer.put("attachment", attachment_id, fields)
        assert tus.upload(attachment_id, data).status == 204

    context = new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live.url, staff["observee"])
    SCREENS.mkdir(parents=True, exist_ok=True)
    for screen in ("review", "capture"):
        open_app(page, live.url, f"{screen}/{observation_id}")
        page.wait_for_selector(f"main[data-ready={screen}]")
        note = page.locator(f".notes li.note[data-id='{note_id}']")
        under = note.locator(".note-photos li")
        expect(under).to_have_count(2, timeout=20_000)
        expect(under.locator(".photo-caption")).to_have_text(["Method A", "Method B"])
        strip = page.locator(".photos .photo-strip li")
        expect(strip).to_have_count(1)
        expect(strip.locator(".photo-caption")).to_have_text("The room's display")
        for thumb in (under.nth(0), under.nth(1), strip.nth(0)):
            wait_until(
                lambda thumb=thumb: thumb.locator("img").evaluate(
                    "img => img.complete && img.naturalWidth"
                ) == 320,
                "no thumbnail",
            )  # fmt: skip
        note.evaluate("note => note.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(SCREENS / f"photos-under-note-{screen}-390.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    open_app(page, live.url, f"review/{observation_id}")
    page.wait_for_selector("main[data-ready=review]")
    note = page.locator(f".notes li.note[data-id='{note_id}']")
    expect(note.locator(".note-photos li img")).to_have_count(2, timeout=20_000)
    note.evaluate("note => note.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(SCREENS / "photos-under-note-review-1280.png"))
    note.locator(".photo-open").nth(1).click()  # full size on tap
    large = note.locator("dialog.photo-dialog img.photo-large")
    expect(large).to_be_visible()
    wait_until(
        lambda: large.evaluate("img => img.complete && img.naturalWidth") == 800, "no full size"
    )
    expect(note.locator("dialog.photo-dialog .photo-caption")).to_have_text("Method B")
    page.screenshot(path=str(SCREENS / "photos-under-note-full-size-1280.png"))
