"""The photo store: one small interface (put, get, delete), in a folder or an S3 bucket.

Keys are `<school id>/<attachment id>` for a photo and the same with `.thumb.jpg` for its
cached thumbnail. A reader never sees half a photo: a file is written to a temporary name and
renamed into place; an S3 PUT is whole or absent. `PHOTO_STORE` chooses: unset (or `folder`)
keeps files in the instance folder (or `PHOTO_STORAGE_PATH`); `s3://bucket/prefix` keeps them
in an S3-compatible bucket (server.photos.s3), which several app instances can share.
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


def check_key(key: str) -> list[str]:
    """A key's parts: non-empty, no `.` or `..` (a key never leaves its folder or prefix)."""
    parts = key.split("/")
    if any(not p or p in (".", "..") for p in parts):
        raise ValueError(f"not a photo key: {key!r}")
    return parts


class FolderStore:
    """Photos as files under one folder (by default `<instance>/photos`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key))

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


def make_store(app: Flask) -> PhotoStore:
    """The store PHOTO_STORE names (a folder by default, or `s3://bucket/prefix`)."""
    chosen = str(app.config.get("PHOTO_STORE") or "folder")
    if chosen.startswith("s3://"):
        from server.photos.s3 import S3Store  # boto3 is imported only when it is used

        return S3Store.from_config(chosen, app.config)
    if chosen != "folder":
        raise ValueError(
            f"LESSONLOOP_PHOTO_STORE must be 'folder' or s3://bucket/prefix: {chosen!r}"
        )
    root = Path(app.config.get("PHOTO_STORAGE_PATH") or Path(app.instance_path) / "photos")
    return FolderStore(root)


def init_app(app: Flask) -> None:
    """Give the app its photo store."""
    app.extensions["photo_store"] = make_store(app)


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
