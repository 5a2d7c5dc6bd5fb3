"""tus 1.0 uploads of photo bytes (core, creation, checksum), bound to an attachment record.

An upload is created for one attachment its creator pushed (POST, `Upload-Metadata:
attachment_id <base64>`), of exactly the record's `bytes`. Its bytes so far sit in the
staging folder (server.photos.staging); the file's size is the offset, so a
connection cut half way keeps the half that arrived and HEAD says where to go on. A PATCH is
appended under an exclusive file lock; with `Upload-Checksum` it is kept only if it arrived
whole and matches. The last byte completes it: the whole file's SHA-256 must be the record's,
Pillow must find the record's type and size (server.photos.images), the school's quota must
hold it; then the photo store keeps it once and the staging file goes.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import func, select

from server import policy
from server.errors import ApiError, NotFoundError
from server.extensions import db
from server.models import Attachment, User, utcnow
from server.photos import images, staging, storage
from server.photos.models import PhotoUpload

CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
CHUNK = 64 * 1024
COUNT = re.compile(r"[0-9]{1,18}")


def parse_metadata(header: str) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64value` pairs."""
    found: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _bad(
                "invalid_metadata", f"Upload-Metadata {key!r} is not base64 UTF-8."
            ) from None
    return found


def _count(header: str | None) -> int | None:
    """A tus length or offset header: ASCII digits only (not "²", "+1" or " 1"), or None."""
    return int(header) if header is not None and COUNT.fullmatch(header) else None


def _bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def own_attachment(user: User, attachment_id: Any) -> Attachment:
    """The attachment this user may upload bytes for (anyone else's: not found)."""
    try:
        key = uuid.UUID(str(attachment_id))
    except ValueError:
        raise _bad("invalid_metadata", "attachment_id is not a UUID.") from None
    attachment = db.session.get(Attachment, key)
    # Someone else's photo is answered as if it did not exist: its existence is not told.
    if (
        attachment is None
        or attachment.school_id != user.school_id
        or attachment.deleted
        or not policy.may_change_attachment(attachment.created_by, user)
    ):
        raise NotFoundError("There is no such photo record of yours: push the attachment first.")
    return attachment


def school_usage(school_id: uuid.UUID) -> int:
    """The bytes of the school's stored photos."""
    query = select(func.coalesce(func.sum(Attachment.stored_bytes), 0)).where(
        Attachment.school_id == school_id, Attachment.stored_key.is_not(None)
    )
    return int(db.session.execute(query).scalar_one() or 0)


def check_quota(school_id: uuid.UUID, more: int, attachment_id: uuid.UUID) -> None:
    """Refuse what would take the school past its photo quota: its stored photos and the
    live uploads of others (server.photos.staging)."""
    quota = int(current_app.config["PHOTO_SCHOOL_QUOTA_BYTES"])
    used = school_usage(school_id) + staging.reserved(school_id, attachment_id)
    if used + more > quota:
        raise ApiError(
            413,
            "school_quota_reached",
            f"Your school's photo storage is full ({used:,} of {quota:,} bytes used): "
            "ask an admin to make room before adding more.",
            {"used": used, "quota": quota},
        )


def create(user: User, length_header: str | None, metadata_header: str) -> PhotoUpload:
    """A new upload for an attachment (POST with Upload-Length and Upload-Metadata)."""
    length = _count(length_header)
    if length is None:
        raise _bad("invalid_upload_length", "Send Upload-Length: the photo's size in bytes.")
    limit = int(current_app.config["PHOTO_MAX_BYTES"])
    if length > limit:
        raise ApiError(413, "photo_too_large", f"A photo may be at most {limit:,} bytes.")
    attachment = own_attachment(user, parse_metadata(metadata_header).get("attachment_id"))
    if attachment.stored_key is not None:
        raise ApiError(409, "already_uploaded", "This photo's bytes are already stored.")
    if length != attachment.bytes:  # the record says exactly how many bytes will come
        raise _bad("length_mismatch", f"The record says {attachment.bytes} bytes, not {length}.")
    check_quota(user.school_id, length, attachment.id)
    upload = PhotoUpload(
        school_id=user.school_id, attachment_id=attachment.id, created_by=user.id, length=length
    )
    db.session.add(upload)
    db.session.commit()
    staging.path(upload.id).touch()
    return upload


def find(user: User, upload_id: str) -> tuple[PhotoUpload, int]:
    """An upload of this user's, and its offset (another's, or a finished one: not found)."""
    try:
        key = uuid.UUID(upload_id)
    except ValueError:
        raise NotFoundError() from None
    upload = db.session.get(PhotoUpload, key)
    if upload is None or upload.created_by != user.id or not staging.is_alive(upload):
        raise NotFoundError()  # an abandoned upload is gone, even before the cleanup ran
    if upload.finished_at is not None:
        return upload, upload.length
    path = staging.path(upload.id)
    return upload, path.stat().st_size if path.exists() else 0


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[IO[bytes]]:
    with path.open("ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApiError(409, "upload_busy", "Another request is writing this upload.") from None
        yield handle


def parse_checksum(header: str | None) -> tuple[Any, bytes] | None:
    """`Upload-Checksum: <algorithm> <base64 digest>` (sha1 or sha256)."""
    if header is None:
        return None
    name, _, digest = header.strip().partition(" ")
    if name not in CHECKSUMS:
        raise _bad("checksum_algorithm", "Upload-Checksum: use sha1 or sha256.")
    try:
        return CHECKSUMS[name], base64.b64decode(digest, validate=True)
    except binascii.Error:
        raise _bad("invalid_checksum", "Upload-Checksum's digest is not base64.") from None


def append(
    user: User,
    upload_id: str,
    headers: dict[str, str | None],
    stream: IO[bytes],
    body_length: int | None,
) -> int:
    """PATCH: append the body at Upload-Offset; the new offset (the last byte completes it)."""
    upload, offset = find(user, upload_id)
    claimed = _count(headers.get("Upload-Offset"))
    if claimed is None:
        raise _bad("invalid_upload_offset", "Send Upload-Offset: where this body starts.")
    if claimed != offset:
        raise ApiError(
            409, "offset_mismatch", f"This upload is at {offset}, not {claimed}: HEAD, then go on.",
            {"offset": offset},
        )  # fmt: skip
    checksum = parse_checksum(headers.get("Upload-Checksum"))
    if body_length is not None and offset + body_length > upload.length:
        raise _bad("beyond_length", f"The upload is {upload.length} bytes; this goes past it.")
    if upload.finished_at is not None:
        return offset
    with _locked(staging.path(upload.id)) as handle:
        received, whole = _receive(handle, stream, upload.length - offset, body_length, checksum)
    if not whole:
        raise _bad("incomplete_body", f"The body ended early; {offset + received} bytes are in.")
    if offset + received == upload.length:
        finish(upload)
    return offset + received


def _receive(
    handle: IO[bytes],
    stream: IO[bytes],
    room: int,
    body_length: int | None,
    checksum: tuple[Any, bytes] | None,
) -> tuple[int, bool]:
    """Append the body (up to `room` bytes): (bytes kept, whether the body arrived whole)."""
    start = handle.seek(0, 2)
    digest = checksum[0]() if checksum else None
    received, cut = 0, False
    while received < room:
        try:
            chunk = stream.read(min(CHUNK, room - received))
        except Exception:  # the client went away mid-body (werkzeug's or gunicorn's reader)
            cut = True
            break
        if not chunk:
            break
        handle.write(chunk)
        if digest is not None:
            digest.update(chunk)
        received += len(chunk)
    cut = cut or (body_length is not None and received < body_length)
    if checksum is not None and digest is not None and (cut or digest.digest() != checksum[1]):
        handle.truncate(start)  # a checked chunk is kept whole or not at all
        if not cut:
            raise ApiError(460, "checksum_mismatch", "Upload-Checksum does not match the body.")
        return 0, False
    handle.flush()
    return received, not cut


def finish(upload: PhotoUpload) -> None:
    """The last byte is in: verify the whole photo, keep it once, drop the staging file."""
    path = staging.path(upload.id)
    data = path.read_bytes()
    attachment = db.session.get(Attachment, upload.attachment_id, with_for_update=True)
    try:
        if attachment is None or attachment.deleted:
            raise NotFoundError("The photo's record was deleted.")
        if attachment.stored_key is None:
            _keep(attachment, data)
    except ApiError:
        db.session.rollback()
        db.session.delete(upload)
        db.session.commit()
        path.unlink(missing_ok=True)
        raise
    upload.finished_at = utcnow()
    db.session.commit()
    path.unlink(missing_ok=True)


def _keep(attachment: Attachment, data: bytes) -> None:
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise _bad("sha256_mismatch", "The photo's SHA-256 is not the one its record declares.")
    max_pixels = int(current_app.config["PHOTO_MAX_PIXELS"])
    photo = images.inspect(data, attachment.content_type, max_pixels)
    if (photo.width, photo.height) != (attachment.width, attachment.height):
        raise _bad(
            "dimensions_mismatch",
            f"The photo is {photo.width}x{photo.height}; its record says "
            f"{attachment.width}x{attachment.height}.",
        )
    check_quota(attachment.school_id, len(photo.data), attachment.id)
    key = storage.photo_key(attachment.school_id, attachment.id)
    storage.store().put(key, photo.data)
    attachment.stored_key = key
    attachment.stored_bytes = len(photo.data)
    attachment.stored_sha256 = hashlib.sha256(photo.data).hexdigest()
    attachment.stored_at = utcnow()
