"""Secrets kept in the instance folder, created once even when several processes start at once."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content; if it does not exist, create it (owner-only) atomically.

    Several gunicorn workers may boot together: each writes a complete temporary file and
    links it into place; `os.link` fails if another process won, and its file is then read.
    The file therefore never appears half-written.
    """
    if path.exists():
        return path.read_bytes()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
        os.chmod(temporary, 0o600)
        with contextlib.suppress(FileExistsError):  # another process won: read its file
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_bytes()
