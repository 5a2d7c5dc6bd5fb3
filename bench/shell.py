"""The app shell's size: what a first screen loads, and what is precached for offline.

Measured on the bundle the server builds (server.web.build_bundle: the bytes it sends, gzip
level 9 and Brotli as served). The first screen (Today, the default route) loads the page,
the manifest, the two stylesheets, the modules index.html preloads (what js/app.js imports
statically, all the way down) and Today's own modules (js/screens/today.js's static imports).
Every other module loads with `import()` when first needed, and is precached all the same, so
every screen opens offline. For comparison, in the same run: the rule before (index.html
preloaded every js/*.js module). Issue 4's first figure (96.7 KB, the pwa section's "App
shell" row) was the whole precache; that is the last row here: it grew with photos, the second
factor, school sign-in and walks, and stays whole so that every screen works offline.
"""

from __future__ import annotations

from typing import Any

from server.web import Asset, app_files, build_bundle, static_imports

FIRST_SCREEN = "js/screens/today.js"
STYLES = ("css/app.css", "css/lead.css")


def _gzip(asset: Asset) -> int:
    return len(asset.gzipped) if asset.gzipped is not None else len(asset.body)


def _brotli(asset: Asset) -> int:
    return len(asset.brotli()) if asset.gzipped is not None else len(asset.body)


def measure() -> dict[str, Any]:
    bundle, files = build_bundle(), app_files()
    pages = [bundle.pages["/"], bundle.pages["/manifest.webmanifest"]]
    first = set(bundle.preload) | set(static_imports(files, FIRST_SCREEN))
    every_core = {n for n in files if n.startswith("js/") and n.count("/") == 1}
    before = first | every_core
    precached = [u.split("/", 3)[3] for u in bundle.shell if u.startswith("/app/")]

    def size(names: set[str] | list[str], sized: Any = _gzip) -> int:
        return sum(sized(a) for a in pages) + sum(sized(bundle.assets[n]) for n in names)

    code = [n for n in precached if not n.startswith("icons/")]
    return {
        "first": size(first | set(STYLES)),
        "first_br": size(first | set(STYLES), _brotli),
        "before": size(before | set(STYLES)),
        "modules": len(first),
        "moved": sorted(before - first),
        "precached": size(code),
        "files": len(precached) + 2,
    }


def run() -> str:
    f = measure()
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    moved = ", ".join(n.removeprefix("js/") for n in f["moved"])
    return "\n".join(
        [
            "## App shell size (issue 4)",
            "",
            __doc__.split("\n\n", 1)[1].strip().replace("\n", " "),
            "",
            "| what | gzip | target | notes |",
            "|---|---|---|---|",
            f"| App shell: the first screen (page, manifest, CSS, {f['modules']} modules) "
            f"| **{kb(f['first'])}** | < 100 KB | Brotli {kb(f['first_br'])} |",
            f"| The same with the rule before (every js/*.js preloaded) | {kb(f['before'])} | "
            f"| the modules now loaded when first needed: {moved} |",
            f"| Everything precached for offline (HTML, CSS, JS, manifest) | {kb(f['precached'])} "
            f"| | {f['files']} files with the icons; every screen's modules (each opens offline) |",
        ]
    )


if __name__ == "__main__":
    print(run())
