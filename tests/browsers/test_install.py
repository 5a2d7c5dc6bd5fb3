"""The WebKit leg is never skipped: a missing driver, MiniBrowser or Xvfb fails with the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browsers import webkit

INSTALL = "apt-get update && apt-get install -y webkit2gtk-driver xvfb"


def test_this_machine_has_the_webkit_leg_installed() -> None:
    assert webkit.missing() is None


def test_a_missing_driver_is_reported_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(webkit, "DRIVER", tmp_path / "WebKitWebDriver")
    assert INSTALL in (webkit.missing() or "")


def test_a_missing_xvfb_is_reported_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert INSTALL in (webkit.missing() or "")
