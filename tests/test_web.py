"""The app at / (server/web.py): versioned assets, compression, caching and security headers."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.web import (
    CSP,
    PWA_DIR,
    VENDORED,
    app_files,
    app_version,
    build_bundle,
    compact_script,
    static_imports,
)


@pytest.fixture
def web(tmp_path: Path) -> FlaskClient:
    """The app without a database: serving the PWA needs none."""
    app: Flask = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            "INSTANCE_PATH": tmp_path / "instance",
            "SECRET_KEY": "web-test",
            "APP_VERSION_SALT": "",
        }
    )
    return app.test_client()


def version_of(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    return page.split('name="app-version" content="')[1].split('"')[0]


def test_the_page_carries_a_strict_policy_and_no_inline_script(web: FlaskClient) -> None:
    response = web.get("/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "require-trusted-types-for 'script'",
    ):
        assert directive in policy
    assert "unsafe" not in CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-cache"
    page = response.get_data(as_text=True)
    assert "<script>" not in page
    assert " style=" not in page
    assert "@VERSION@" not in page
    assert f'src="/app/{version_of(web)}/js/app.js"' in page


def test_the_service_worker_is_revalidated_and_lists_the_versioned_shell(web: FlaskClient) -> None:
    version = version_of(web)
    response = web.get("/sw.js")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    assert f"const VERSION = '{version}';" in script
    shell = json.loads(script.split("const SHELL = ")[1].split(";\n")[0])
    assert "/" in shell
    assert f"/app/{version}/js/app.js" in shell
    for url in shell:
        assert web.get(url).status_code == 200, url
    classic = web.get("/sw-classic.js").get_data(as_text=True)
    assert "import " not in classic
    assert f"const VERSION = '{version}';" in classic


def test_assets_are_immutable_gzipped_and_only_served_at_the_current_version(
    web: FlaskClient,
) -> None:
    version = version_of(web)
    plain = web.get(f"/app/{version}/js/sync.js")
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers
    packed = web.get(f"/app/{version}/js/sync.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    smaller = web.get(f"/app/{version}/js/sync.js", headers={"Accept-Encoding": "gzip, br"})
    assert smaller.headers["Content-Encoding"] == "br"
    assert brotli.decompress(smaller.get_data()) == plain.get_data()
    assert len(smaller.get_data()) < len(packed.get_data())
    refused = web.get(f"/app/{version}/js/sync.js", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert refused.headers["Content-Encoding"] == "gzip"
    again = web.get(f"/app/{version}/js/sync.js", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    assert web.get("/app/000000000000/js/sync.js").status_code == 404
    assert web.get(f"/app/{version}/../server/config.py").status_code == 404


def test_the_manifest_names_the_app_and_its_icons(web: FlaskClient) -> None:
    response = web.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert web.get(icon["src"]).status_code == 200


def test_the_version_follows_the_files_and_the_salt(tmp_path: Path) -> None:
    files = app_files(PWA_DIR)
    assert app_version(files) == app_version(dict(files))
    assert app_version(files, "second") != app_version(files)
    changed = {**files, "js/app.js": files["js/app.js"] + b"\n"}
    assert app_version(changed) != app_version(files)
    assert build_bundle(PWA_DIR, "second").version == app_version(files, "second")


ESBUILD = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "esbuild"


def _minified(source: str) -> str:
    """esbuild's minified form of a module: its code with every comment and space gone."""
    assert ESBUILD.exists(), "esbuild is missing: run `make node_modules/.installed` (npm ci)"
    done = subprocess.run(
        [str(ESBUILD), "--minify-whitespace", "--minify-syntax", "--format=esm", "--loader=js"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_compacted_scripts_hold_exactly_the_code_of_their_source() -> None:
    """Compacting drops comments and indentation only: esbuild minifies each served script
    and its source to the same code, and every line keeps its number."""
    scripts = {n: b.decode() for n, b in app_files().items() if n.endswith(".js")}
    scripts = {n: s for n, s in scripts.items() if not n.startswith(VENDORED)}
    assert len(scripts) > 20
    for name, source in scripts.items():
        served = compact_script(source)
        assert served.count("\n") == source.count("\n"), name
        assert _minified(served) == _minified(source), name
    served_size = sum(len(compact_script(s)) for s in scripts.values())
    assert served_size < 0.8 * sum(len(s) for s in scripts.values())


def test_the_page_preloads_what_app_js_imports_and_the_rest_waits_but_is_precached(
    web: FlaskClient,
) -> None:
    version = version_of(web)
    page = web.get("/").get_data(as_text=True)
    preloaded = {
        line.split(f"/app/{version}/")[1].split('"')[0]
        for line in page.splitlines()
        if 'rel="modulepreload"' in line
    }
    assert preloaded == set(static_imports(app_files(), "js/app.js"))
    assert {"js/app.js", "js/sync.js", "js/db.js", "vendor/yjs.js"} <= preloaded
    # Loaded with import() when a screen first needs them: not on the first screen's way.
    later = {"js/search.js", "js/lesson-clock.js", "js/quick-notes.js", "js/second-factor.js"}
    assert not later & preloaded
    script = web.get("/sw.js").get_data(as_text=True)
    shell = json.loads(script.split("const SHELL = ")[1].split(";\n")[0])
    assert {f"/app/{version}/{name}" for name in later} <= set(shell)  # every screen offline


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import { a } from './a.js';\nimport './b.js';", ["js/a.js", "js/b.js", "js/x.js"]),
        ("export { c } from '../vendor/c.js';", ["js/x.js", "vendor/c.js"]),
        ("const m = await import('./a.js');", ["js/x.js"]),
        ("import {\n  a,\n  b,\n} from './a.js';", ["js/a.js", "js/x.js"]),
    ],
)
def test_static_imports_follow_import_and_export_from_but_not_import_calls(
    source: str, expected: list[str]
) -> None:
    files = {"js/x.js": source.encode(), "js/a.js": b"", "js/b.js": b"", "vendor/c.js": b""}
    assert static_imports(files, "js/x.js") == expected
