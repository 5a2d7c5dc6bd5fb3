"""The Lead screen on a laptop and a phone (issue 13): reports first with their date range, the
current focus's look-for trend drawn as SVG, shared observations filterable by focus, kind and
date. Screenshots go to test-artifacts/lead/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.helpers import PHONE, ROOT, ApiUser, NewContext, Person, open_app, run_cli, sign_in
from tests.support.live import LiveServer

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "riverside-demo"
TOM = Person("", "tom.reilly@riverside.example", "Tom Reilly", "lead", DEMO_PASSWORD)
LAPTOP = {"width": 1280, "height": 800}
SHOTS = ROOT / "test-artifacts" / "lead"
SVG_IMAGE = re.compile(r"^data:image/svg\+xml;charset=utf-8,%3Csvg")


def shared_on_server(live: LiveServer) -> list[dict[str, Any]]:
    """The observations shared with leads, as the lead pulls them."""
    api = ApiUser.login(live, TOM.email, DEMO_PASSWORD)
    return [
        change
        for (entity, _), change in api.pull_all().items()
        if entity == "observation"
        and not change.get("deleted")
        and change["fields"].get("visibility") == "leads"
    ]


def lead_screen(new_context: NewContext, live: LiveServer, viewport: dict[str, int]) -> Page:
    context = new_context(viewport=viewport, timezone_id="UTC")
    page = context.new_page()
    sign_in(page, live.url, TOM)
    open_app(page, live.url, "lead")
    page.wait_for_selector("main[data-ready=lead]")
    page.wait_for_selector(".trend[data-state=ready]", timeout=30_000)
    return page


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)
    return path


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def assert_trend_drawn(page: Page) -> None:
    """Every look-for of the focus has its chart, and each chart image has loaded."""
    charts = page.locator(".trend-lookfor img.trend-chart")
    assert charts.count() >= 1
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("src", SVG_IMAGE)
        width = charts.nth(index).evaluate("(img) => img.complete ? img.naturalWidth : 0")
        assert width > 100


def test_on_a_laptop_two_columns_reports_first_and_the_trend_drawn(
    new_context: NewContext, live: LiveServer, database_file: str, tmp_path: Path
) -> None:
    run_cli(database_file, tmp_path / "seed", "demo")
    page = lead_screen(new_context, live, LAPTOP)
    shot(page, "lead-1280x800")
    first, second = box(page, ".lead-column:nth-child(1)"), box(page, ".lead-column:nth-child(2)")
    assert second["x"] >= first["x"] + first["width"], "the columns are side by side"
    assert min(first["width"], second["width"]) > 450
    reports, trend = box(page, ".lead-reports"), box(page, ".lead-trend")
    assert reports["y"] < trend["y"] < 800, "reports, then the trend, both in the first screen"
    expect(page.locator(".lead-reports .report-range")).to_contain_text(" to ")
    assert box(page, ".lead-shared")["y"] < 300, "the shared list starts at the top of column two"
    assert_trend_drawn(page)

    phone = lead_screen(new_context, live, PHONE)
    shot(phone, "lead-390x844")
    one, two = box(phone, ".lead-column:nth-child(1)"), box(phone, ".lead-column:nth-child(2)")
    assert one["x"] == two["x"], "one column on a phone"
    assert two["y"] > one["y"]
    assert box(phone, ".lead-reports")["y"] < box(phone, ".lead-shared")["y"]
    assert_trend_drawn(phone)


def listed(page: Page) -> set[str]:
    return set(
        page.locator(".shared-list li[data-id]").evaluate_all(
            "(rows) => rows.map((r) => r.dataset.id)"
        )
    )


def test_shared_observations_filter_by_focus_kind_and_date(
    new_context: NewContext, live: LiveServer, database_file: str, tmp_path: Path
) -> None:
    """Each filter leaves exactly the shared observations the server holds with that focus,
    kind or date; together they narrow further, and clearing them brings every one back."""
    run_cli(database_file, tmp_path / "seed", "demo")
    shared = shared_on_server(live)
    page = lead_screen(new_context, live, LAPTOP)
    everything = {c["id"] for c in shared}
    assert len(everything) > 5
    assert listed(page) == everything

    page.select_option("select[name=shared-kind]", "learning_walk")
    walks = {c["id"] for c in shared if c["fields"]["kind"] == "learning_walk"}
    assert walks
    assert listed(page) == walks
    expect(page.locator(".lead-shared h2")).to_have_text(
        f"Shared with leads ({len(walks)} of {len(everything)})"
    )

    page.select_option("select[name=shared-kind]", "")
    focus = page.locator("select[name=shared-focus] option").nth(1).get_attribute("value")
    page.select_option("select[name=shared-focus]", focus)
    with_focus = {c["id"] for c in shared if focus in (c["fields"].get("focus_ids") or [])}
    assert with_focus
    assert listed(page) == with_focus

    page.select_option("select[name=shared-focus]", "")
    days = sorted(
        dt.datetime.fromisoformat(c["fields"]["starts_at"]).astimezone(dt.UTC).date()
        for c in shared
    )
    middle = days[len(days) // 2]
    page.fill("input[name=shared-from]", middle.isoformat())
    page.locator("input[name=shared-from]").dispatch_event("change")
    since = {
        c["id"]
        for c in shared
        if dt.datetime.fromisoformat(c["fields"]["starts_at"]).astimezone(dt.UTC).date() >= middle
    }
    assert since
    assert since != everything
    assert listed(page) == since
    page.select_option("select[name=shared-kind]", "learning_walk")
    assert listed(page) == since & walks

    page.select_option("select[name=shared-kind]", "")
    page.fill("input[name=shared-from]", "")
    page.locator("input[name=shared-from]").dispatch_event("change")
    assert listed(page) == everything
