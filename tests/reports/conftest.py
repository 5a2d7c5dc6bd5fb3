"""Fixtures for the report tests: page images named after the test and the database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reports.helpers import assert_pages_have_ink, save_pages


@pytest.fixture
def keep_pages(request: pytest.FixtureRequest) -> Callable[[bytes, str], list[Path]]:
    """Save a PDF's pages as PNGs under test-artifacts/reports/<name>-<backend>-N.png."""
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("database_url", "") if callspec else ""

    def keep(content: bytes, name: str) -> list[Path]:
        pages = save_pages(content, f"{name}-{backend}" if backend else name)
        assert_pages_have_ink(pages)
        return pages

    return keep
