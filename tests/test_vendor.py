"""The PWA's vendored Yjs (pwa/vendor/yjs.js) and tus-js-client (pwa/vendor/tus.js) are exactly
what `make vendor` builds from the locked npm packages, so the committed files can be trusted and
`make run` needs no npm."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDORED = ROOT / "pwa" / "vendor" / "yjs.js"
TUS = ROOT / "pwa" / "vendor" / "tus.js"


def test_rebuilding_yjs_from_the_locked_package_gives_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "yjs.js"
    tus = tmp_path / "tus.js"
    subprocess.run(
        ["make", "-s", "vendor", f"VENDOR_OUT={out}", f"VENDOR_TUS_OUT={tus}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == VENDORED.read_bytes()
    assert tus.read_bytes() == TUS.read_bytes()


def test_the_vendored_file_names_the_locked_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/yjs"]["version"]
    first_line = VENDORED.read_text().splitlines()[0]
    assert f"Yjs {version} " in first_line
    assert json.loads((ROOT / "package.json").read_text())["dependencies"]["yjs"] == version


def test_the_vendored_tus_client_names_the_locked_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/tus-js-client"]["version"]
    assert f"tus-js-client {version} " in TUS.read_text().splitlines()[0]
    assert (
        json.loads((ROOT / "package.json").read_text())["dependencies"]["tus-js-client"] == version
    )
