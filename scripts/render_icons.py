"""Render pwa/icons/icon.svg to the PNG icons of the manifest, with Debian's Chromium.

Run after changing the SVG: `.venv/bin/python scripts/render_icons.py`. The PNGs are committed,
so nothing is drawn at run time. "any" icons keep the rounded corners on a transparent ground;
"maskable" icons fill the square and keep the drawing inside the safe circle (80 % of the size).
The badge (a notification's small monochrome icon) is the drawing alone, in white on nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "pwa" / "icons"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def maskable(svg: str) -> str:
    """Square corners, and the drawing scaled into the safe zone."""
    svg = svg.replace('rx="112" ', "")
    return re.sub(
        r"<g ", '<g transform="translate(256 256) scale(0.8) translate(-256 -256)" ', svg, count=1
    )


def badge(svg: str) -> str:
    """No tile, every stroke white: the system tints the shape itself."""
    svg = re.sub(r"<rect [^>]*/>", "", svg)
    return svg.replace('stroke="#bfe3dc"', 'stroke="#fff"')


def render(page: Page, source: str, size: int, path: Path) -> None:
    """One SVG drawn at size x size on a transparent ground."""
    html = (
        "<style>html,body{margin:0;background:transparent}"
        f"svg{{width:{size}px;height:{size}px;display:block}}</style>{source}"
    )
    page.set_content(html)
    page.screenshot(path=str(path), omit_background=True)


def main() -> None:
    svg = (ICONS / "icon.svg").read_text()
    variants = {"icon": svg, "maskable": maskable(svg)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size in (192, 512):
            page = browser.new_page(viewport={"width": size, "height": size})
            for name, source in variants.items():
                render(page, source, size, ICONS / f"{name}-{size}.png")
            page.close()
        page = browser.new_page(viewport={"width": 96, "height": 96})
        render(page, badge(svg), 96, ICONS / "badge-96.png")
        browser.close()


if __name__ == "__main__":
    main()
