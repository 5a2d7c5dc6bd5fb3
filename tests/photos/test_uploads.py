"""tus uploads of photos over real HTTP on both databases: whole, resumed after a real cut,
sent twice, and the photo served back without its metadata (server.photos)."""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from pathlib import Path

from flask import Flask
from PIL import Image

from server.extensions import db
from server.models import Attachment
from tests.photos.conftest import Start
from tests.photos.support import (
    GPS,
    PhotoBackend,
    TusClient,
    World,
    checksum,
    photo,
    staged_bytes,
    token,
)


def _stored(app: Flask, attachment_id: str) -> Attachment | None:
    with app.app_context():
        found = db.session.get(Attachment, uuid.UUID(attachment_id))
        db.session.remove()
        return found


def test_options_says_what_it_speaks(start_server: Start) -> None:
    server = start_server()
    answer = TusClient(server.url, None).request("OPTIONS", "/api/v1/uploads/")
    assert answer.status == 204
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert answer.headers["Tus-Resumable"] == "1.0.0"
    assert set(answer.headers["Tus-Extension"].split(",")) == {"creation", "checksum"}
    assert set(answer.headers["Tus-Checksum-Algorithm"].split(",")) == {"sha1", "sha256"}
    assert int(answer.headers["Tus-Max-Size"]) == 5 * 1024 * 1024


def test_a_photo_goes_up_in_checked_chunks_and_comes_back_whole(
    app: Flask, world: World, start_server: Start, instance: Path, photo_backend: PhotoBackend
) -> None:
    server = start_server()
    data = photo()
    attachment_id = world.add_photo(data)
    tus = TusClient(server.url, token(world.observer))
    created = tus.create(attachment_id, len(data))
    assert created.status == 201, created
    location = created.headers["Location"]
    assert location.startswith("/api/v1/uploads/")
    assert tus.offset(location) == 0
    middle = len(data) // 3
    first = tus.patch(location, 0, data[:middle], checksum("sha1", data[:middle]))
    assert (first.status, first.headers["Upload-Offset"]) == (204, str(middle))
    assert tus.offset(location) == middle
    rest = tus.patch(location, middle, data[middle:], checksum("sha256", data[middle:]))
    assert (rest.status, rest.headers["Upload-Offset"]) == (204, str(len(data)))
    served = tus.get(f"/api/v1/attachments/{attachment_id}/content")
    assert served.status == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.body == data  # no metadata to strip: kept byte for byte
    thumb = tus.get(f"/api/v1/attachments/{attachment_id}/thumbnail")
    assert thumb.status == 200
    assert max(Image.open(io.BytesIO(thumb.body)).size) == 320
    stored = _stored(app, attachment_id)
    assert stored is not None
    assert stored.stored_sha256 == hashlib.sha256(data).hexdigest()
    assert len(photo_backend.keys()) == 2  # the photo and its cached thumbnail
    assert staged_bytes(instance) == 0


def test_an_upload_cut_half_way_resumes_from_its_offset(
    app: Flask, world: World, start_server: Start, instance: Path
) -> None:
    server = start_server()
    data = photo(1024, 768)
    attachment_id = world.add_photo(data)
    tus = TusClient(server.url, token(world.observer))
    location = tus.create(attachment_id, len(data)).headers["Location"]
    half = len(data) // 2
    tus.cut_patch(location, data, half)
    deadline = time.monotonic() + 10
    while tus.offset(location) != half and time.monotonic() < deadline:
        time.sleep(0.05)  # the server notices the hang-up and keeps what arrived
    assert tus.offset(location) == half
    assert _stored(app, attachment_id).stored_key is None  # type: ignore[union-attr]
    rest = tus.patch(location, half, data[half:])
    assert (rest.status, rest.headers["Upload-Offset"]) == (204, str(len(data)))
    served = tus.get(f"/api/v1/attachments/{attachment_id}/content")
    assert hashlib.sha256(served.body).hexdigest() == hashlib.sha256(data).hexdigest()
    assert staged_bytes(instance) == 0


def test_the_same_photo_sent_twice_is_stored_once(
    app: Flask, world: World, start_server: Start, instance: Path, photo_backend: PhotoBackend
) -> None:
    server = start_server()
    data = photo()
    attachment_id = world.add_photo(data)
    tus = TusClient(server.url, token(world.observer))
    # The phone created an upload, sent it, lost the answer and started again from nothing.
    first = tus.create(attachment_id, len(data)).headers["Location"]
    second = tus.create(attachment_id, len(data)).headers["Location"]
    assert tus.patch(first, 0, data).status == 204
    when = _stored(app, attachment_id).stored_at  # type: ignore[union-attr]
    again = tus.patch(second, 0, data)
    assert (again.status, again.headers["Upload-Offset"]) == (204, str(len(data)))
    assert _stored(app, attachment_id).stored_at == when  # type: ignore[union-attr]
    refused = tus.create(attachment_id, len(data))
    assert refused.status == 409
    assert b'"already_uploaded"' in refused.body
    assert photo_backend.names() == [attachment_id]
    assert staged_bytes(instance) == 0


def test_the_served_copy_has_no_exif(
    app: Flask, world: World, start_server: Start, instance: Path
) -> None:
    server = start_server()
    data = photo(gps=True)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS)  # the test photo has GPS
    attachment_id = world.add_photo(data)
    tus = TusClient(server.url, token(world.observer))
    assert tus.upload(attachment_id, data).status == 204
    served = tus.get(f"/api/v1/attachments/{attachment_id}/content").body
    image = Image.open(io.BytesIO(served))
    assert image.size == (640, 480)
    assert not image.getexif()
    assert "exif" not in image.info
    assert b"PhoneMaker" not in served
    stored = _stored(app, attachment_id)
    assert stored is not None
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.stored_sha256 == hashlib.sha256(served).hexdigest() != stored.sha256
