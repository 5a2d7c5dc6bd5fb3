"""Bad input to the photo uploads, over real HTTP on both databases: each refused in the one
error shape with a clear code, and nothing kept (no photo stored, no staged bytes left)."""

from __future__ import annotations

import hashlib
import json
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

from flask import Flask

from server.extensions import db
from server.models import Attachment
from tests.photos.conftest import Start
from tests.photos.support import (
    Answer,
    PhotoBackend,
    TusClient,
    World,
    checksum,
    env_limits,
    photo,
    record_fields,
    staged_bytes,
    token,
)
from tests.support.sync import new_id

OCTETS = "application/offset+octet-stream"


def png_bomb(side: int = 10_000) -> bytes:
    """A real PNG of side x side grey pixels: about 100 KB that would decode to 100 MB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes(side * (side + 1)), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def error_code(answer: Answer) -> str:
    body: dict[str, Any] = json.loads(answer.body)
    assert set(body) == {"error"}
    assert body["error"]["message"]
    code: str = body["error"]["code"]
    return code


def _push(world: World, fields: dict[str, Any]) -> str:
    attachment_id = new_id()
    result = world.observer.put("attachment", attachment_id, fields)
    assert result["status"] == "applied", result
    return attachment_id


def _nothing_stored(app: Flask, instance: Path, photo_backend: PhotoBackend) -> None:
    assert photo_backend.keys() == []
    assert staged_bytes(instance) == 0
    with app.app_context():
        kept = db.session.query(Attachment).filter(Attachment.stored_key.is_not(None)).count()
        db.session.remove()
    assert kept == 0


def _upload(tus: TusClient, attachment_id: str, data: bytes) -> Answer:
    created = tus.create(attachment_id, len(data))
    assert created.status == 201, created
    return tus.patch(created.headers["Location"], 0, data)


def test_what_is_not_a_true_photo_is_refused_and_not_kept(
    app: Flask, world: World, start_server: Start, instance: Path, photo_backend: PhotoBackend
) -> None:
    server = start_server(**env_limits(PHOTO_MAX_BYTES=1_000_000))
    tus = TusClient(server.url, token(world.observer))
    obs = world.observation_id
    jpeg, png, bomb = photo(), photo(fmt="PNG", width=200, height=150), png_bomb()
    wrong_digest = hashlib.sha256(b"x").hexdigest()
    text = b"%PDF-1.4 these are not the pixels you are looking for\n" * 200
    not_image = {**record_fields(obs, jpeg), "bytes": len(text)}
    not_image["sha256"] = hashlib.sha256(text).hexdigest()
    cases: list[tuple[bytes, dict[str, Any], int, str]] = [
        (text, not_image, 415, "not_an_image"),
        (png, record_fields(obs, png, content_type="image/jpeg"), 415, "content_type_mismatch"),
        (bomb, record_fields(obs, bomb, content_type="image/png"), 413, "image_too_large"),
        (jpeg, record_fields(obs, jpeg, sha256=wrong_digest), 400, "sha256_mismatch"),
        (jpeg, record_fields(obs, jpeg, width=641), 400, "dimensions_mismatch"),
    ]  # fmt: skip
    for data, fields, status, code in cases:
        attachment_id = _push(world, fields)
        answer = _upload(tus, attachment_id, data)
        assert (answer.status, error_code(answer)) == (status, code)
        assert tus.get(f"/api/v1/attachments/{attachment_id}/content").status == 404
    _nothing_stored(app, instance, photo_backend)


def test_bad_requests_are_refused_before_a_byte_is_kept(
    app: Flask, world: World, start_server: Start, instance: Path, photo_backend: PhotoBackend
) -> None:
    server = start_server(**env_limits(PHOTO_MAX_BYTES=1_000_000))
    tus = TusClient(server.url, token(world.observer))
    data = photo()
    attachment_id = world.add_photo(data)
    oversize = _push(world, record_fields(world.observation_id, data, bytes=2_000_000))
    answer = tus.create(oversize, 2_000_000)
    assert (answer.status, error_code(answer)) == (413, "photo_too_large")
    theirs = new_id()
    fields = record_fields(world.stranger_observation_id, data)
    assert world.stranger.put("attachment", theirs, fields)["status"] == "applied"
    answer = tus.create(theirs, len(data))  # another school's record
    assert (answer.status, error_code(answer)) == (404, "not_found")
    answer = tus.create(str(uuid.uuid4()), len(data))  # no record pushed
    assert (answer.status, error_code(answer)) == (404, "not_found")
    answer = tus.create(attachment_id, len(data) - 1)
    assert (answer.status, error_code(answer)) == (400, "length_mismatch")
    odd = {"Upload-Length": "\u00b2", "Upload-Metadata": "attachment_id !!"}
    answer = tus.request("POST", "/api/v1/uploads/", odd)
    assert (answer.status, error_code(answer)) == (400, "invalid_upload_length")
    answer = tus.request("POST", "/api/v1/uploads/", {**odd, "Upload-Length": "10"})
    assert (answer.status, error_code(answer)) == (400, "invalid_metadata")
    location = tus.create(attachment_id, len(data)).headers["Location"]
    answer = tus.patch(location, 0, data, checksum("sha1", data[:-1]))
    assert (answer.status, error_code(answer)) == (460, "checksum_mismatch")
    assert tus.offset(location) == 0
    answer = tus.request("PATCH", location, {"Upload-Offset": "+0", "Content-Type": OCTETS}, data)
    assert (answer.status, error_code(answer)) == (400, "invalid_upload_offset")
    answer = tus.patch(location, 5, data[5:])
    assert (answer.status, error_code(answer)) == (409, "offset_mismatch")
    assert json.loads(answer.body)["error"]["details"] == {"offset": 0}
    answer = tus.request("PATCH", location, {"Upload-Offset": "0"}, data)
    assert (answer.status, error_code(answer)) == (415, "unsupported_media_type")
    answer = tus.request("PATCH", location, {"Upload-Offset": "0", "Tus-Resumable": "0.2.2"})
    assert (answer.status, error_code(answer)) == (412, "tus_version")
    assert answer.headers["Tus-Version"] == "1.0.0"
    answer = TusClient(server.url, None).patch(location, 0, data)
    assert (answer.status, error_code(answer)) == (401, "unauthorized")
    _nothing_stored(app, instance, photo_backend)
    assert tus.patch(location, 0, data).status == 204  # the same upload, sent right, is kept


def test_the_school_quota_is_a_clear_refusal(
    app: Flask, world: World, start_server: Start, instance: Path, photo_backend: PhotoBackend
) -> None:
    first, second = photo(seed=1), photo(seed=2)
    server = start_server(**env_limits(PHOTO_SCHOOL_QUOTA_BYTES=len(first) + len(second) // 2))
    tus = TusClient(server.url, token(world.observer))
    assert tus.upload(world.add_photo(first), first).status == 204
    answer = tus.create(world.add_photo(second), len(second))
    assert (answer.status, error_code(answer)) == (413, "school_quota_reached")
    assert json.loads(answer.body)["error"]["details"]["used"] == len(first)
    assert len(photo_backend.keys()) == 1
