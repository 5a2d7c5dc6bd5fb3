"""HTML from Jinja templates, PDF from WeasyPrint, and the only URLs a report may load.

Templates autoescape everything: note text prints as text, whatever it contains. WeasyPrint
fetches through `ReportUrlFetcher`, which serves the files of `reports/static` by name under
the `report-static:` scheme, the report's own photos by number under `report-photo:` (bytes
the server read and checked with Pillow when they were uploaded, handed in with the HTML),
and refuses every other URL (file:, http:, https:, data:, ...),
so neither a template slip nor a crafted note can make the server read a file or the network.

Layout is bounded in time: `render_pdf` lays out in a child process and stops it after
RENDER_SECONDS (`RenderTimeout`), because WeasyPrint cannot be interrupted mid-layout and a
request must never hold a web worker until gunicorn's 30 s timeout kills it. Children fork
from multiprocessing's forkserver, a single-threaded process that has WeasyPrint, the
stylesheet and the fonts loaded already (reports.warm), so a child starts in milliseconds and
forking is safe from a threaded web worker.
"""

from __future__ import annotations

import functools
import mimetypes
import multiprocessing
import re
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports import text

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_SCHEME = "report-static:"
PHOTO_SCHEME = "report-photo:"
# A report's photos: (content type, bytes), referred to as report-photo:<index>.
Photos = tuple[tuple[str, bytes], ...]
# A static file is looked up by exact name in this list: no path is ever built from a URL.
STATIC_FILES = {path.name: path for path in STATIC.iterdir() if path.is_file()}
MAX_PAGES = 100  # a backstop: builders refuse long reports before layout
RENDER_SECONDS = 10.0  # a third of gunicorn's worker timeout; a usual report takes under 3 s
_EMOJI_BASE = "\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff"
_EMOJI_JOIN = "\ufe0f\u200d\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
EMOJI = re.compile(f"(?:[0-9#*]\ufe0f?\u20e3|[{_EMOJI_BASE}][{_EMOJI_BASE}{_EMOJI_JOIN}]*)+")


class ReportTooLarge(Exception):
    """The report would be longer than a person could use; the reader should narrow it."""


class RenderTimeout(Exception):
    """The layout took longer than its limit and was stopped."""


class RefusedUrl(ValueError):
    """A URL outside the report's own static files."""


class ReportUrlFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `report-static:<name>` from reports/static, `report-photo:<n>` from the photos
    given, and refuses everything else."""

    def __init__(self, photos: Photos = ()) -> None:
        super().__init__(allowed_protocols=("report-static", "report-photo"), allow_redirects=False)
        self.refused: list[str] = []
        self.photos = photos

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """The static file or photo named by the URL, or RefusedUrl."""
        number = url[len(PHOTO_SCHEME) :] if url.startswith(PHOTO_SCHEME) else ""
        if number.isdigit() and int(number) < len(self.photos):
            content_type, data = self.photos[int(number)]
            return URLFetcherResponse(url, data, {"Content-Type": content_type})
        name = url[len(STATIC_SCHEME) :] if url.startswith(STATIC_SCHEME) else None
        path = STATIC_FILES.get(name) if name else None
        if path is None:
            self.refused.append(url[:200])
            raise RefusedUrl(f"reports load only their own static files, not {url[:80]!r}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def escape_text(value: Any) -> Any:
    """Every printed string escaped, with its emoji wrapped for the emoji font (see report.css)
    and soft breaks in unbroken runs (text.soft_breaks: they would wrap, but slowly)."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    escaped = str(escape(text.soft_breaks(value)))
    return Markup(EMOJI.sub(lambda m: f'<span class="emoji">{m.group(0)}</span>', escaped))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=escape_text,
    )
    env.filters.update(
        long_date=text.long_date,
        short_date=text.short_date,
        clock=text.clock,
        direction=text.direction,
    )
    return env


ENVIRONMENT = _environment()


@functools.cache
def stylesheet() -> CSS:
    """The print stylesheet, parsed once per process (parsing costs more than a page layout)."""
    return CSS(url=STATIC_SCHEME + "report.css", url_fetcher=ReportUrlFetcher())


def render_html(template: str, context: dict[str, Any]) -> str:
    """The report's HTML (autoescaped)."""
    return ENVIRONMENT.get_template(template).render(**context)


def html_to_pdf(
    html: str, max_pages: int = MAX_PAGES, fetcher: ReportUrlFetcher | None = None
) -> bytes:
    """Lay out and write the PDF; refuse a layout longer than `max_pages`."""
    fetcher = fetcher or ReportUrlFetcher()
    page = HTML(string=html, url_fetcher=fetcher, media_type="print")
    document = page.render(stylesheets=[stylesheet()])
    if len(document.pages) > max_pages:
        raise ReportTooLarge(f"the report would run to {len(document.pages)} pages")
    pdf: bytes = document.write_pdf()
    return pdf


def render_pdf(
    template: str, context: dict[str, Any], seconds: float = RENDER_SECONDS, photos: Photos = ()
) -> bytes:
    """A template rendered to PDF, its layout stopped after `seconds` (RenderTimeout)."""
    return pdf_within(render_html(template, context), seconds, photos=photos)


_WORKERS = multiprocessing.get_context("forkserver")
# "__main__" too: the forkserver imports the main script once, so that no child has to.
_WORKERS.set_forkserver_preload(["__main__", "reports.warm"])


def pdf_within(html: str, seconds: float, max_pages: int = MAX_PAGES, photos: Photos = ()) -> bytes:
    """html_to_pdf in a child process, stopped (RenderTimeout) after `seconds`."""
    receiver, sender = _WORKERS.Pipe(duplex=False)
    args = (html, max_pages, sender, photos)
    child = _WORKERS.Process(target=_lay_out, args=args, daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise RenderTimeout(f"the layout took longer than {seconds:g} s")
        kind, payload = receiver.recv()
    except EOFError as exc:
        raise RuntimeError(f"the report's layout process ended ({child.exitcode})") from exc
    finally:
        child.kill()
        child.join()
        receiver.close()
    if kind == "too_large":
        raise ReportTooLarge(payload)
    if kind == "error":
        raise RuntimeError(f"the report's layout failed: {payload}")
    pdf: bytes = payload
    return pdf


def _lay_out(html: str, max_pages: int, sender: Connection, photos: Photos = ()) -> None:
    """In the child: lay out and send back ("pdf", bytes), ("too_large" | "error", text)."""
    try:
        sender.send(("pdf", html_to_pdf(html, max_pages, ReportUrlFetcher(photos))))
    except ReportTooLarge as exc:
        sender.send(("too_large", str(exc)))
    except Exception as exc:  # reported to the parent, which raises it as a 500
        sender.send(("error", f"{type(exc).__name__}: {exc}"[:2000]))
    finally:
        sender.close()
