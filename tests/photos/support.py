"""Photos for tests (made with Pillow), a small tus client over real HTTP, and the world of
one observation: its observer and observee, a colleague not on it, a lead, another school."""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import socket
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from PIL import Image

from tests.support.factories import Session
from tests.support.s3 import REGION, S3Server
from tests.support.sync import SyncClient, new_id, note_fields, observation_fields

TUS = {"Tus-Resumable": "1.0.0"}
GPS = 0x8825  # the EXIF tag of the GPS block


def photo(
    width: int = 640, height: int = 480, fmt: str = "JPEG", *, gps: bool = False, seed: int = 1
) -> bytes:
    """A photo of noise (so it does not compress away), optionally with EXIF GPS tags."""
    pixels = hashlib.shake_256(f"{seed}:{width}x{height}".encode()).digest(width * height * 3)
    image = Image.frombytes("RGB", (width, height), pixels)
    options: dict[str, Any] = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[GPS] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def record_fields(
    observation_id: str, data: bytes, content_type: str = "image/jpeg", **extra: Any
) -> dict[str, Any]:
    """The attachment record of these bytes, as the phone pushes it."""
    with warnings.catch_warnings():  # the decompression bomb's record is made here too
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
    fields = {
        "observation_id": observation_id,
        "content_type": content_type,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "width": image.width,
        "height": image.height,
        "caption": "Year 8 book, page 12",
    }
    fields.update(extra)
    return fields


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class TusClient:
    """tus 1.0 requests over real HTTP, one connection each."""

    def __init__(self, base_url: str, token: str | None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {**TUS, **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        connection.request(method, path, body=body or None, headers=sent)
        response = connection.getresponse()
        answer = Answer(response.status, dict(response.getheaders()), response.read())
        connection.close()
        return answer

    def create(self, attachment_id: str, length: int) -> Answer:
        meta = "attachment_id " + base64.b64encode(attachment_id.encode()).decode()
        meta += ",filename " + base64.b64encode(b"photo.jpg").decode()
        headers = {"Upload-Length": str(length), "Upload-Metadata": meta}
        return self.request("POST", "/api/v1/uploads/", headers)

    def patch(self, location: str, offset: int, data: bytes, checksum: str | None = None) -> Answer:
        headers = {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
        if checksum:
            headers["Upload-Checksum"] = checksum
        return self.request("PATCH", location, headers, data)

    def offset(self, location: str) -> int:
        answer = self.request("HEAD", location)
        assert answer.status == 200, answer
        return int(answer.headers["Upload-Offset"])

    def upload(self, attachment_id: str, data: bytes) -> Answer:
        """Create, then send everything in one PATCH."""
        created = self.create(attachment_id, len(data))
        assert created.status == 201, created
        return self.patch(created.headers["Location"], 0, data)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def cut_patch(self, location: str, data: bytes, sent: int) -> None:
        """A PATCH that says it carries all of `data`, sends `sent` bytes, and hangs up."""
        head = (
            f"PATCH {location} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Tus-Resumable: 1.0.0\r\nAuthorization: Bearer {self.token}\r\n"
            "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        with socket.create_connection((self.host, self.port), timeout=30) as raw:
            raw.sendall(head.encode() + data[:sent])
            time.sleep(0.2)  # the bytes are on their way; then the connection goes


def checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} " + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


class PhotoBackend:
    """The photo store a test runs against: the instance folder, or a bucket and prefix of
    a real S3 server; the app's settings for it and what it holds."""

    def __init__(
        self, instance: Path, s3: S3Server | None = None, bucket: str = "", prefix: str = ""
    ) -> None:
        self.instance, self.s3, self.bucket, self.prefix = instance, s3, bucket, prefix

    @property
    def kind(self) -> str:
        return "s3" if self.s3 else "folder"

    def settings(self) -> dict[str, str]:
        """PHOTO_* configuration for this store."""
        if self.s3 is None:
            return {"PHOTO_STORE": "folder"}
        return {
            "PHOTO_STORE": f"s3://{self.bucket}/{self.prefix}",
            "PHOTO_S3_ENDPOINT_URL": self.s3.url,
            "PHOTO_S3_REGION": REGION,
        }

    def env(self) -> dict[str, str]:
        """The same as LESSONLOOP_* variables, for a server process."""
        return {f"LESSONLOOP_{name}": value for name, value in self.settings().items()}

    def keys(self) -> list[str]:
        """Every photo and thumbnail key the store holds (`<school>/<attachment>[.thumb.jpg]`)."""
        if self.s3 is not None:
            return self.s3.keys(self.bucket, self.prefix + "/")
        root = self.instance / "photos"
        found = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
        return sorted(str(p.relative_to(root)) for p in found)

    def names(self) -> list[str]:
        """The last part of each key (the attachment's id, or `<id>.thumb.jpg`)."""
        return [key.rsplit("/", 1)[-1] for key in self.keys()]


def staged_bytes(instance: Path) -> int:
    """Bytes left in the upload staging folder."""
    root = instance / "photo-uploads"
    return sum(p.stat().st_size for p in root.glob("*")) if root.exists() else 0


@dataclass
class World:
    """One observation (observer and observee) with a note, and people around it."""

    observer: SyncClient
    observee: SyncClient
    colleague: SyncClient  # same school, not on the observation
    lead: SyncClient  # not on it; the observation is not shared with leads
    stranger: SyncClient  # another school
    observation_id: str
    note_id: str
    stranger_observation_id: str

    def add_photo(self, data: bytes, by: SyncClient | None = None, **extra: Any) -> str:
        """Push an attachment record for these bytes on the note; its id."""
        attachment_id = new_id()
        fields = record_fields(self.observation_id, data, note_id=self.note_id, **extra)
        result = (by or self.observer).put("attachment", attachment_id, fields)
        assert result["status"] == "applied", result
        return attachment_id


def make_world(factory: Any) -> World:
    school, other = factory.school(), factory.school()
    people = [SyncClient(factory.session(school)) for _ in range(3)]
    lead = SyncClient(factory.session(school, role="lead"))
    stranger = SyncClient(factory.session(other))
    observer, observee, colleague = people
    observation_id, note_id = new_id(), new_id()
    roles = [(observer.user_id, "observer"), (observee.user_id, "observee")]
    observer.put("observation", observation_id, observation_fields(roles))
    observer.put("note", note_id, note_fields(observation_id))
    theirs = new_id()
    stranger.put("observation", theirs, observation_fields([(stranger.user_id, "observer")]))
    return World(observer, observee, colleague, lead, stranger, observation_id, note_id, theirs)


def token(client: SyncClient) -> str:
    session: Session = client.session
    return session.token


def upload_in_process(
    client: FlaskClient, author: SyncClient, attachment_id: str, data: bytes
) -> None:
    """Upload a photo's bytes through the app's test client (tus: create, then one PATCH)."""
    auth = {"Authorization": f"Bearer {token(author)}", **TUS}
    meta = "attachment_id " + base64.b64encode(attachment_id.encode()).decode()
    created = client.post(
        "/api/v1/uploads/",
        headers={**auth, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert created.status_code == 201, created.get_json()
    sent = client.patch(
        created.headers["Location"],
        data=data,
        headers={**auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert sent.status_code == 204, sent.get_json()


def env_limits(**limits: int) -> dict[str, str]:
    """LESSONLOOP_* variables for these photo limits (PHOTO_MAX_BYTES=..., ...)."""
    return {f"LESSONLOOP_{name}": str(value) for name, value in limits.items()}
