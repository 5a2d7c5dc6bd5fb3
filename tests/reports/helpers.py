"""Reading report PDFs back (pypdf) and keeping their pages as PNGs (pdftoppm) to look at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "reports"


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (lines of a wrapped note join up)."""
    assert content.startswith(b"%PDF-"), content[:40]
    reader = PdfReader(io.BytesIO(content))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    """The whole document's text, whitespace collapsed."""
    return " ".join(pdf_pages(content))


def in_order(text: str, *parts: str) -> bool:
    """Whether every part occurs in the text, in this order."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def save_pages(content: bytes, name: str, resolution: int = 80) -> list[Path]:
    """Write the PDF and one PNG per page under test-artifacts/reports/ (to look at)."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, (
        "pdftoppm is missing: install Debian's poppler-utils (apt-get install -y poppler-utils)"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    pdf = ARTIFACTS / f"{stem}.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        [pdftoppm, "-r", str(resolution), "-png", str(pdf), str(ARTIFACTS / stem)], check=True
    )
    pages = sorted(ARTIFACTS.glob(f"{stem}-*.png"))
    assert pages, f"pdftoppm wrote no page images for {pdf}"
    return pages


def assert_pages_have_ink(pages: list[Path]) -> None:
    """Every page image has something dark on it (no blank pages)."""
    from PIL import Image

    for page in pages:
        darkest, _ = Image.open(page).convert("L").getextrema()
        assert darkest < 128, f"{page.name} looks blank"


def assert_pdf_download(response, filename_pattern: str) -> bytes:  # type: ignore[no-untyped-def]
    """A 200 PDF attachment whose file name matches the pattern."""
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="([^"]+)"', disposition)
    assert match, disposition
    assert re.fullmatch(filename_pattern, match.group(1)), match.group(1)
    content: bytes = response.data
    return content
