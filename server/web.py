"""The app itself (pwa/) at `/`: versioned, compressed, under a strict Content-Security-Policy.

The app version is a hash of every file in pwa/ (plus LESSONLOOP_APP_VERSION_SALT, so that a
test can make a restarted server announce a new version). Assets live under
`/app/<version>/...` and are cached forever; `/`, `/sw.js` and the manifest are revalidated
on every load (`no-cache`), so a new version reaches the service worker, which installs it
and waits (see pwa/js/updates.js for when it takes over).

The app's own scripts are served compacted (`compact_script`): whole-line comments (the JSDoc
that tsc reads) and indentation go, line numbers stay, so a stack trace still points at the
source line. tests/test_web.py checks with esbuild that compacting changes no code. Bodies are
sent with Brotli to clients that accept it (phones over HTTPS), else gzip.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import os
import posixpath
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import brotli
from flask import Blueprint, Flask, Response, abort, current_app, request

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
SALT_VARIABLE = "LESSONLOOP_APP_VERSION_SALT"
VERSION_MARK = "@VERSION@"
SHELL_MARK = '"@SHELL@"'
PRELOAD_MARK = "<!-- @PRELOAD@ -->"
# The service worker's one module-only line (its background flush); stripped for the classic
# variant that browsers without module service workers register instead.
MODULE_ONLY = "// module-only"
TEMPLATED = {"index.html", "sw.js", "manifest.webmanifest"}
COMPRESSIBLE = {".html", ".js", ".css", ".svg", ".webmanifest", ".json"}
VENDORED = "vendor/"  # built elsewhere (make vendor), already minified
# Loaded only to upload photos, so only when online: served, but not precached in the shell.
ONLINE_ONLY = {"vendor/tus.js"}
IMMUTABLE = "public, max-age=31536000, immutable"

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "require-trusted-types-for 'script'",
        "trusted-types lessonloop-sw",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

blp = Blueprint("web", __name__)


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, their gzip form and headers (Brotli made on first use:
    it is slow to make, and most servers a test starts never serve most files)."""

    body: bytes
    gzipped: bytes | None
    mimetype: str
    etag: str
    _brotli: list[bytes] = field(default_factory=list, compare=False, repr=False)

    def brotli(self) -> bytes:
        with _BROTLI_LOCK:
            if not self._brotli:
                self._brotli.append(brotli.compress(self.body, quality=11))
            return self._brotli[0]


_BROTLI_LOCK = threading.Lock()


def compact_script(text: str) -> str:
    """A script without its whole-line comments and indentation, line for line (see the module
    docstring). Only comments that start a line go; the scripts hold no multi-line strings."""
    lines, in_comment = [], False
    for line in text.split("\n"):
        code = line.strip()
        if in_comment:
            in_comment = "*/" not in code
            code = "" if in_comment else code.split("*/", 1)[1].strip()
        elif code.startswith("//"):
            code = ""
        elif code.startswith("/*"):
            in_comment = "*/" not in code
            code = "" if in_comment else code.split("*/", 1)[1].strip()
        lines.append(code)
    return "\n".join(lines)


@dataclass(frozen=True)
class AppBundle:
    """Every file of the app at one version, read once at startup."""

    version: str
    assets: dict[str, Asset]  # "js/app.js" -> asset (served under /app/<version>/)
    pages: dict[str, Asset]  # "/", "/sw.js", "/sw-classic.js", "/manifest.webmanifest"
    shell: list[str]  # what the service worker precaches
    preload: list[str] = field(default_factory=list)  # the modules index.html preloads


def app_files(root: Path = PWA_DIR) -> dict[str, bytes]:
    """Every file under pwa/, by path relative to it (sorted, so the version is stable)."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


STATIC_IMPORT = re.compile(
    r"^\s*(?:import|export)\s+(?:[^'\"]*?\sfrom\s+)?['\"](\.{1,2}/[^'\"]+)['\"]", re.M
)


def static_imports(files: dict[str, bytes], start: str) -> list[str]:
    """`start` and every module it imports statically, all the way down (an `import()` is
    where this stops: what a screen loads when it is first shown). Paths relative to pwa/."""
    found, waiting = [], [start]
    while waiting:
        name = waiting.pop()
        if name in found or name not in files:
            continue
        found.append(name)
        folder = PurePosixPath(name).parent
        for target in STATIC_IMPORT.findall(files[name].decode()):
            waiting.append(posixpath.normpath((folder / target).as_posix()))
    return sorted(found)


def app_version(files: dict[str, bytes], salt: str = "") -> str:
    """A short hash of the app's files: any change to any file is a new version."""
    digest = hashlib.sha256(salt.encode())
    for name, body in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(body).digest())
    return digest.hexdigest()[:12]


def _asset(name: str, body: bytes) -> Asset:
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".webmanifest"):
        mimetype = "application/manifest+json"
    if name.endswith(".js"):
        mimetype = "text/javascript"
    suffix = Path(name).suffix
    if suffix == ".js" and not name.startswith(VENDORED):
        body = compact_script(body.decode()).encode()
    gzipped = gzip.compress(body, compresslevel=9, mtime=0) if suffix in COMPRESSIBLE else None
    return Asset(body, gzipped, mimetype, hashlib.sha256(body).hexdigest()[:16])


def build_bundle(root: Path = PWA_DIR, salt: str = "") -> AppBundle:
    """Read pwa/, fill the version and precache list into the templated files."""
    files = app_files(root)
    version = app_version(files, salt)
    assets = {n: _asset(n, b) for n, b in files.items() if n not in TEMPLATED}
    cached = [n for n in assets if n not in ONLINE_ONLY]
    shell = ["/", "/manifest.webmanifest", *(f"/app/{version}/{n}" for n in cached)]

    # What app.js imports (statically, all the way down) at once, with no import waterfall;
    # the rest loads when first needed: each screen's modules (js/screens, js/views) and the
    # core modules only some screens use (search, lesson clock, quick notes, photos, second
    # factor, school sign-in...), all precached above, so every screen opens offline.
    core = static_imports(files, "js/app.js")
    preload = "\n  ".join(f'<link rel="modulepreload" href="/app/{version}/{n}">' for n in core)

    def fill(name: str) -> str:
        text = files[name].decode().replace(VERSION_MARK, version)
        return text.replace(SHELL_MARK, json.dumps(shell, indent=2)).replace(PRELOAD_MARK, preload)

    module_sw = fill("sw.js")
    classic_sw = "\n".join(line for line in module_sw.splitlines() if MODULE_ONLY not in line)
    manifest = fill("manifest.webmanifest")
    pages = {
        "/": _asset("index.html", fill("index.html").encode()),
        "/sw.js": _asset("sw.js", module_sw.encode()),
        "/sw-classic.js": _asset("sw.js", classic_sw.encode()),
        "/manifest.webmanifest": _asset("manifest.webmanifest", manifest.encode()),
    }
    return AppBundle(version, assets, pages, shell, core)


def init_app(app: Flask) -> None:
    """Build the bundle once and serve it."""
    salt = app.config.get("APP_VERSION_SALT", os.environ.get(SALT_VARIABLE, ""))
    app.extensions["pwa"] = build_bundle(PWA_DIR, salt)
    app.register_blueprint(blp)


def _bundle() -> AppBundle:
    bundle: AppBundle = current_app.extensions["pwa"]
    return bundle


def _send(asset: Asset, cache_control: str) -> Response:
    """The asset, compressed when the client accepts it; 304 when its ETag matches."""
    accepted = request.accept_encodings
    if request.if_none_match.contains(asset.etag):
        response = Response(status=304)
    elif asset.gzipped is not None and accepted["br"]:
        response = Response(asset.brotli(), mimetype=asset.mimetype)
        response.headers["Content-Encoding"] = "br"
    elif asset.gzipped is not None and accepted["gzip"]:
        response = Response(asset.gzipped, mimetype=asset.mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(asset.body, mimetype=asset.mimetype)
    response.set_etag(asset.etag)
    response.headers["Cache-Control"] = cache_control
    if asset.gzipped is not None:
        response.headers["Vary"] = "Accept-Encoding"
    response.headers.update(SECURITY_HEADERS)
    return response


@blp.route("/")
@blp.route("/index.html")
def index() -> Response:
    """The app's one page (its screens are routed in the browser, after the #)."""
    return _send(_bundle().pages["/"], "no-cache")


@blp.route("/sw.js")
@blp.route("/sw-classic.js")
def service_worker() -> Response:
    """The service worker, revalidated on every check so updates are seen at once."""
    return _send(_bundle().pages[request.path], "no-cache")


@blp.route("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (name, icons, colours, start URL)."""
    return _send(_bundle().pages["/manifest.webmanifest"], "no-cache")


@blp.route("/app/<version>/<path:name>")
def asset(version: str, name: str) -> Response:
    """A versioned asset; another version's files are gone (404), never mixed in."""
    bundle = _bundle()
    found = bundle.assets.get(name)
    if version != bundle.version or found is None:
        abort(404)
    return _send(found, IMMUTABLE)
