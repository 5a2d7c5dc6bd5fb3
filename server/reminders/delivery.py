"""Sending one Web Push message with pywebpush, and what the push service's answer means.

Each message is encrypted for its subscription (`aes128gcm`, RFC 8291) and signed with the
server's VAPID key (RFC 8292: a JWT whose `aud` is the endpoint's origin, valid 12 hours). The
signature is made once per push service origin and reused for every message to it until an
hour before it expires (an ECDSA signature per message was most of a message's CPU). It
carries `TTL` (how long the push service may hold it for an offline device), `Urgency`, and
`Topic`, a hash of the notification's tag: a push service replaces a message it still holds
with a newer one of the same topic, so a retried or updated message replaces, not duplicates.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02, VapidException
from pywebpush import WebPushException, webpush

from server.reminders.guard import EndpointRefused, check_url, guarded_session
from server.reminders.vapid import b64url

VAPID_LIFETIME_SECONDS = 12 * 3600
VAPID_RENEW_BEFORE_SECONDS = 3600  # a token is never sent with less than an hour to run
TIMEOUT = (5.0, 10.0)  # connect, read (seconds); the worker's lease is far longer
GONE = (404, 410)


@dataclass(frozen=True)
class Target:
    """Where one message goes: a subscription's endpoint and keys."""

    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Outcome:
    """The push service's answer: sent, retry (later), gone (drop the subscription), failed."""

    result: str
    detail: str = ""
    status: int | None = None
    retry_after: float | None = None


def topic(tag: str) -> str:
    """A Topic header value: at most 32 characters of the URL-safe base64 alphabet."""
    return b64url(hashlib.sha256(tag.encode()).digest())[:32]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify(status: int, retry_after: str | None, body: str) -> Outcome:
    """What an HTTP status from a push service means for the job."""
    detail = f"push service answered {status}: {body[:200]}".strip()
    if 200 <= status < 300:
        return Outcome("sent", status=status)
    if status in GONE:
        return Outcome("gone", detail, status)
    if status == 429 or status >= 500:
        return Outcome("retry", detail, status, retry_after_seconds(retry_after))
    return Outcome("failed", detail, status)


class Sender:
    """Sends messages with one VAPID key over one guarded, keep-alive HTTP session."""

    def __init__(
        self,
        private_pem: str,
        subject: str,
        allow_private: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the VAPID private key must be an EC P-256 key")
        self.vapid = Vapid02(key)
        self.subject = subject
        self.allow_private = allow_private
        self.session = guarded_session(allow_private)
        self.signed: dict[str, tuple[float, str]] = {}  # audience -> (renew at, header)
        self.signatures = 0  # how many JWTs this sender signed (the tests and the bench read it)
        self.clock = clock

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Sender:
        """A sender from the app's configuration."""
        return cls(
            config["VAPID_PRIVATE_KEY"],
            config["VAPID_SUBJECT"],
            bool(config["PUSH_ALLOW_PRIVATE_ENDPOINTS"]),
        )

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def send(self, target: Target, message: dict[str, Any], ttl: int, urgency: str) -> Outcome:
        """Encrypt, sign and POST one message; never raises for the push service's answers."""
        try:
            check_url(target.endpoint, self.allow_private)
            response = self._post(target, message, ttl, urgency)
        except EndpointRefused as exc:
            return Outcome("failed", f"endpoint refused: {exc}")
        except VapidException as exc:
            return Outcome("failed", f"could not sign for this endpoint: {exc}")
        except WebPushException as exc:
            response = exc.response
            if response is None:
                return Outcome("failed", f"could not send: {exc.message}")
            retry_after = response.headers.get("Retry-After")
            return classify(response.status_code, retry_after, response.text)
        except requests.TooManyRedirects:
            return Outcome("failed", "the push service answered with a redirect")
        except requests.RequestException as exc:
            # Refused, timed out or reset: the service may not have the message; try again.
            return Outcome("retry", f"network error: {type(exc).__name__}: {exc}")
        return classify(response.status_code, None, "")

    def _authorization(self, audience: str) -> str:
        """The VAPID header for a push service origin: signed once, reused until an hour
        before it expires, then signed afresh."""
        now = self.clock()
        cached = self.signed.get(audience)
        if cached is None or cached[0] <= now:
            expires = int(now) + VAPID_LIFETIME_SECONDS
            claims = {"sub": self.subject, "aud": audience, "exp": expires}
            renew_at = expires - VAPID_RENEW_BEFORE_SECONDS
            cached = (renew_at, self.vapid.sign(claims)["Authorization"])
            self.signed[audience] = cached
            self.signatures += 1
        return cached[1]

    def _post(
        self, target: Target, message: dict[str, Any], ttl: int, urgency: str
    ) -> requests.Response:
        parts = urlsplit(target.endpoint)
        authorization = self._authorization(f"{parts.scheme}://{parts.netloc}")
        response: requests.Response = webpush(
            {
                "endpoint": target.endpoint,
                "keys": {"p256dh": target.p256dh, "auth": target.auth},
            },
            data=json.dumps(message, ensure_ascii=False, separators=(",", ":")),
            content_encoding="aes128gcm",
            ttl=ttl,
            headers={
                "Authorization": authorization,
                "Urgency": urgency,
                "Topic": topic(message["tag"]),
            },
            requests_session=self.session,
            timeout=TIMEOUT,
        )
        return response
