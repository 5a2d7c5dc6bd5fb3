"""Rendered reports kept by what they show, so an unchanged report is laid out once (issue 17).

A report's key (its ETag) is a hash of everything the PDF is made from: which report, the
school's name, the day it is generated on (the header prints it), the data the reader may see
(gathered with the read rules on every request, so the permission check is never skipped), and
the renderer's own code and templates. A download whose `If-None-Match` names that key is
answered 304 without laying anything out; any other download of the same key is served from the
cache: files in the instance folder (shared by the instances of one machine; a cache, not
state: deleting it costs only renders). The newest MAX_FILES are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path
from typing import Any

import orjson
from flask import current_app, has_request_context, request

import reports
from reports.builders import Pdf

MAX_FILES = 500
FOLDER = "report-cache"


@dataclasses.dataclass(frozen=True)
class CachedPdf(Pdf):
    """A report with its key; `not_modified` when the client already holds this one."""

    etag: str = ""
    not_modified: bool = False


@cache
def renderer_fingerprint() -> str:
    """A hash of the renderer's code and templates: a new release lays reports out anew."""
    digest = hashlib.sha256()
    root = Path(reports.__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".html", ".css")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return repr(value)


def report_key(build: partial[Pdf]) -> str:
    """The key of what a report shows: builder, school, day, data, renderer."""
    meta, content = build.args[:2]
    shown = {
        "report": build.func.__name__,
        "school": meta.school,
        "day": meta.generated_at.date(),
        "content": content,
        "renderer": renderer_fingerprint(),
    }
    encoded = orjson.dumps(shown, default=_canonical, option=orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(encoded).hexdigest()[:40]


def _client_has(etag: str) -> bool:
    """A report download (not an export that prints one) whose If-None-Match names the key."""
    if not has_request_context() or not (request.endpoint or "").startswith("reports."):
        return False
    return etag in request.if_none_match


def _folder() -> Path:
    return Path(current_app.instance_path) / FOLDER


def _read(etag: str) -> CachedPdf | None:
    folder = _folder()
    try:
        content = (folder / f"{etag}.pdf").read_bytes()
        filename = (folder / f"{etag}.name").read_text()
    except OSError:
        return None
    return CachedPdf(filename, content, etag)


def _write(pdf: CachedPdf) -> None:
    """Write both files atomically (rename), then keep the newest MAX_FILES reports."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, data in ((".name", pdf.filename.encode()), (".pdf", pdf.content)):
        partial_path = folder / f".{pdf.etag}{suffix}.{uuid.uuid4().hex}"
        partial_path.write_bytes(data)
        os.replace(partial_path, folder / f"{pdf.etag}{suffix}")
    kept = sorted(folder.glob("*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[MAX_FILES:]:
        for suffix in (".pdf", ".name"):
            old.with_suffix(suffix).unlink(missing_ok=True)


def rendered(build: partial[Pdf], render: Callable[[], Pdf]) -> CachedPdf:
    """The report: 304 when the client has it, else from the cache, else laid out and kept."""
    etag = report_key(build)
    if _client_has(etag):
        return CachedPdf("", b"", etag, not_modified=True)
    found = _read(etag)
    if found is not None:
        return found
    pdf = render()
    kept = CachedPdf(pdf.filename, pdf.content, etag)
    _write(kept)
    return kept
