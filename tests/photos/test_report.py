"""The observation summary PDF holds its photos, fitted, with their captions (issue 16); and
only photos its reader may see (the PDF follows the same rule as the app)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from flask.testing import FlaskClient

from tests.photos.support import World, photo, token, upload_in_process
from tests.reports.helpers import assert_pages_have_ink, save_pages


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: install Debian's poppler-utils"
    return found


def test_the_summary_pdf_prints_each_photo_fitted_with_its_caption(
    world: World, client: FlaskClient, tmp_path: Path
) -> None:
    wide, tall = photo(1600, 1000, seed=3), photo(600, 900, fmt="PNG", seed=4)
    first = world.add_photo(wide, caption="Fractions on the whiteboard")
    second = world.add_photo(tall, content_type="image/png", caption="Ama\u2019s book, page 12")
    world.add_photo(photo(seed=5), caption="Never uploaded")  # a record without bytes yet
    upload_in_process(client, world.observer, first, wide)
    upload_in_process(client, world.observer, second, tall)
    headers = {"Authorization": f"Bearer {token(world.observee)}"}
    response = client.get(
        f"/api/v1/reports/observations/{world.observation_id}.pdf", headers=headers
    )
    assert response.status_code == 200
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.data)
    listing = subprocess.run(
        [_tool("pdfimages"), "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    sizes = sorted((int(row.split()[3]), int(row.split()[4])) for row in listing)
    assert sizes == [(600, 900), (1600, 1000)]  # both photos, at their own resolution
    words = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Photos of pupils\u2019 work" in words
    assert "Fractions on the whiteboard" in words
    assert "Ama\u2019s book, page 12" in words
    assert "Never uploaded" not in words
    assert_pages_have_ink(save_pages(response.data, "photos-observation-summary"))
    outsider = {"Authorization": f"Bearer {token(world.colleague)}"}
    assert (
        client.get(
            f"/api/v1/reports/observations/{world.observation_id}.pdf", headers=outsider
        ).status_code
        == 404
    )
