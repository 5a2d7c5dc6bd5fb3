"""A Web Push service on loopback, for tests and benchmarks: a real HTTP server.

It plays both ends a browser would: `new_device()` makes a subscription with a real P-256 key
pair and 16-byte auth secret, and every POST to its endpoint is checked as a push service
checks it (the VAPID JWT's ES256 signature against the server's public key, `aud` equal to the
endpoint's origin, `exp` in the future and at most 24 hours away; `aes128gcm` encoding; a TTL)
and then decrypted with the device's private key, as the browser would. Messages that pass are
kept per device, decoded; anything wrong is kept in `errors` (tests assert it stays empty).
Answers can be scripted per device (429 with Retry-After, 500, 404, 410), and the next message
can be held unanswered, to kill a worker while it waits.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_EXP_SECONDS = 24 * 3600


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Message:
    """One message the service accepted, decrypted."""

    device: str
    payload: dict[str, Any]
    headers: dict[str, str]
    claims: dict[str, Any]
    received_at: float


@dataclass
class Device:
    """A browser's subscription: its endpoint, keys, and what it received."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    answers: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    received: list[Message] = field(default_factory=list)
    posts: int = 0
    hold: tuple[threading.Event, threading.Event] | None = None

    @property
    def subscription(self) -> dict[str, Any]:
        """What PushSubscription.toJSON() gives the page."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def payloads(self) -> list[dict[str, Any]]:
        return [message.payload for message in self.received]


class PushService:
    """The service: start(), new_device(), answer(...), hold_next(...), stop()."""

    def __init__(self, vapid_public_key: str) -> None:
        self.vapid_public_key = vapid_public_key
        self.devices: dict[str, Device] = {}
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> PushService:
        self.thread.start()
        return self

    def stop(self) -> None:
        for device in self.devices.values():
            if device.hold:
                device.hold[1].set()
        self.server.shutdown()
        self.server.server_close()

    def new_device(self) -> Device:
        token = secrets.token_urlsafe(12)
        device = Device(
            token,
            f"{self.origin}/push/{token}",
            ec.generate_private_key(ec.SECP256R1()),
            secrets.token_bytes(16),
        )
        with self.lock:
            self.devices[token] = device
        return device

    def answer(self, device: Device, *answers: int | tuple[int, dict[str, str]]) -> None:
        """Answer the next POSTs to this device with these statuses (then 201 again)."""
        for answer in answers:
            device.answers.append(answer if isinstance(answer, tuple) else (answer, {}))

    def hold_next(self, device: Device) -> tuple[threading.Event, threading.Event]:
        """Accept the next message but hold the answer: (arrived, release) events."""
        device.hold = (threading.Event(), threading.Event())
        return device.hold

    def all_messages(self) -> list[Message]:
        with self.lock:
            return [m for d in self.devices.values() for m in d.received]

    # ---- checks, as a push service and a browser make them -----------------------------

    def check_vapid(self, authorization: str, now: float) -> dict[str, Any]:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization scheme is {scheme!r}, not vapid")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        if parts.get("k") != self.vapid_public_key:
            raise ValueError("the VAPID key k is not the server's public key")
        header_b64, claims_b64, signature_b64 = parts["t"].split(".")
        header = json.loads(b64url_decode(header_b64))
        if header.get("alg") != "ES256":
            raise ValueError(f"JWT alg is {header.get('alg')!r}, not ES256")
        signature = b64url_decode(signature_b64)
        if len(signature) != 64:
            raise ValueError("ES256 signature is not 64 bytes")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        key = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(self.vapid_public_key)
        )
        try:
            key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise ValueError("the VAPID JWT signature does not verify") from exc
        claims: dict[str, Any] = json.loads(b64url_decode(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud is {claims.get('aud')!r}, not {self.origin!r}")
        exp = claims.get("exp")
        if not isinstance(exp, int) or not now < exp <= now + MAX_EXP_SECONDS:
            raise ValueError(f"exp {exp!r} is not in the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub is not a mailto: or https: contact")
        return claims

    def accept(self, device: Device, headers: dict[str, str], body: bytes) -> Message:
        """Check and decrypt one POST (raises ValueError with what is wrong)."""
        now = time.time()
        claims = self.check_vapid(headers.get("authorization", ""), now)
        if headers.get("content-encoding") != "aes128gcm":
            raise ValueError(f"Content-Encoding is {headers.get('content-encoding')!r}")
        if not headers.get("ttl", "").isdigit():
            raise ValueError("no TTL header")
        try:
            plain = http_ece.decrypt(
                body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm"
            )
        except Exception as exc:
            raise ValueError(f"the body does not decrypt: {exc!r}") from exc
        return Message(device.token, json.loads(plain), headers, claims, now)


def _handler_for(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def reply(self, status: int, headers: dict[str, str] | None = None, text: str = "") -> None:
            data = text.encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            token = self.path.rsplit("/", 1)[-1]
            device = service.devices.get(token)
            if not self.path.startswith("/push/") or device is None:
                self.reply(404, text="no such subscription")
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                message = service.accept(device, headers, body)
            except (ValueError, KeyError) as exc:
                with service.lock:
                    service.errors.append(f"{device.token}: {exc}")
                self.reply(400, text=str(exc))
                return
            with service.lock:
                device.posts += 1
                status, extra = device.answers.popleft() if device.answers else (201, {})
                if 200 <= status < 300:
                    device.received.append(message)
                hold, device.hold = device.hold, None
            if hold:
                hold[0].set()
                hold[1].wait(60)
            self.reply(status, {"Location": f"{service.origin}/m/{secrets.token_hex(4)}", **extra})

    return Handler
