"""The photo store: one small interface (put, get, delete), files in the instance folder.

Keys are `<school id>/<attachment id>` for a photo and the same with `.thumb.jpg` for its
cached thumbnail. A file is written to a temporary name and renamed into place, so a reader
never sees half a photo. A school running several app instances needs a shared store: an
S3-compatible backend would implement the same three methods (not built yet, see
docs/photos.md).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app


class PhotoStore(Protocol):
    """Where photo bytes are kept."""

    def put(self, key: str, data: bytes) -> None:
        """Keep these bytes under this key (replacing any)."""

    def get(self, key: str) -> bytes | None:
        """The bytes under this key, or None."""

    def delete(self, key: str) -> None:
        """Forget this key (nothing happens if it is not there)."""


class FolderStore:
    """Photos as files under one folder (by default `<instance>/photos`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if any(not p or p in (".", "..") for p in parts):
            raise ValueError(f"not a photo key: {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def init_app(app: Flask) -> None:
    """Give the app its photo store (the folder of PHOTO_STORAGE_PATH)."""
    root = Path(app.config.get("PHOTO_STORAGE_PATH") or Path(app.instance_path) / "photos")
    app.extensions["photo_store"] = FolderStore(root)


def store() -> PhotoStore:
    """This app's photo store."""
    found: PhotoStore = current_app.extensions["photo_store"]
    return found


def photo_key(school_id: object, attachment_id: object) -> str:
    """Where a photo is kept."""
    return f"{school_id}/{attachment_id}"


def thumbnail_key(photo: str) -> str:
    """Where a photo's thumbnail is cached."""
    return f"{photo}.thumb.jpg"
