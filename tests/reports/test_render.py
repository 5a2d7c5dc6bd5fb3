"""Rendering safety: escaped text, a URL fetcher that serves only our static files, a page cap."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from weasyprint.urls import URLFetchingError, fetch

from reports.render import (
    RefusedUrl,
    ReportTooLarge,
    ReportUrlFetcher,
    escape_text,
    html_to_pdf,
    render_html,
)
from tests.reports.helpers import pdf_pages, pdf_text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:8000/api/v1/health",
        "https://example.com/logo.png",
        "data:text/html,<script>alert(1)</script>",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "report-static:../render.py",
        "report-static:/etc/passwd",
        "report-static:missing.css",
        "ftp://example.com/x",
        "//example.com/x.css",
    ],
)
def test_the_fetcher_refuses_everything_but_our_static_files(url):
    fetcher = ReportUrlFetcher()
    with pytest.raises(RefusedUrl):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_print_stylesheet():
    with fetch(ReportUrlFetcher(), "report-static:report.css") as response:
        assert response.content_type == "text/css"
        assert b"@page" in response.read()


def test_weasyprint_never_loads_a_refused_url():
    fetcher = ReportUrlFetcher()
    with pytest.raises(URLFetchingError), fetch(fetcher, "file:///etc/passwd"):
        pass
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:1/evil.css">'
        '<p>Hello</p><img src="file:///etc/passwd"><img src="data:image/png;base64,iVBORw0KGgo=">'
        '<p style="background: url(https://example.com/x.png)">Styled</p>'
    )
    text = pdf_text(html_to_pdf(html, fetcher=fetcher))
    assert "Hello" in text
    assert "root:" not in text
    assert set(fetcher.refused) >= {
        "http://127.0.0.1:1/evil.css",
        "file:///etc/passwd",
        "https://example.com/x.png",
    }


def test_everything_printed_is_escaped_and_emoji_get_their_font():
    value = escape_text('<img src="file:///etc/passwd"> & 👍🏽 1️⃣ 42')
    assert value == Markup(
        "&lt;img src=&#34;file:///etc/passwd&#34;&gt; &amp; "
        '<span class="emoji">👍🏽</span> <span class="emoji">1️⃣</span> 42'
    )
    chart = Markup("<svg/>")
    assert escape_text(chart) is chart
    assert escape_text(7) == 7


def test_a_layout_past_the_page_limit_is_refused():
    html = "<p>Line</p>" * 400
    with pytest.raises(ReportTooLarge):
        html_to_pdf(html, max_pages=2)
    assert len(pdf_pages(html_to_pdf(html, max_pages=50))) > 2


def test_templates_escape_note_text():
    import datetime as dt

    from reports.builders import LABELS
    from reports.model import Meta, NoteItem, ObservationData
    from reports.walk_summary import shown_tags

    moment = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    hostile = NoteItem(moment, 1, "<b>Ana</b>", "evidence", '</td><img src="file:///x">')
    obs = ObservationData("T <i>", "peer_observation", moment, "draft", False, notes=(hostile,))
    html = render_html(
        "observation.html",
        {
            "meta": Meta("School <script>", moment),
            "title": obs.title,
            "obs": obs,
            "notes": [hostile],
            "pupils": [],
            "toc": False,
            "labels": LABELS,
            "min_visits": 3,
            "walk": None,  # not a learning walk (reports.walk_summary)
            "shown_tags": shown_tags,
        },
    )
    assert "<img" not in html
    assert "<script>" not in html
    assert "&lt;/td&gt;&lt;img src=&#34;file:///x&#34;&gt;" in html
