"""One VAPID signature per push service origin, reused for its lifetime and renewed before it
expires (issue 17: a signature per message was most of a message's CPU)."""

from __future__ import annotations

import base64
import json

from flask import Flask

from server.reminders.delivery import (
    VAPID_LIFETIME_SECONDS,
    VAPID_RENEW_BEFORE_SECONDS,
    Sender,
    Target,
)
from tests.support.push_service import PushService

START = 1_800_000_000.0


class Clock:
    """The sender's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def claims(header: str) -> dict:
    token = dict(p.strip().split("=", 1) for p in header.partition(" ")[2].split(","))["t"]
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def sender(app: Flask, clock: Clock) -> Sender:
    return Sender(app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_SUBJECT"], True, clock)


def test_one_signature_per_origin_reused_until_an_hour_before_it_expires(app: Flask):
    clock = Clock()
    s = sender(app, clock)
    first = s._authorization("https://push.example")
    assert claims(first)["exp"] == int(START) + VAPID_LIFETIME_SECONDS
    clock.now += VAPID_LIFETIME_SECONDS - VAPID_RENEW_BEFORE_SECONDS - 1
    assert s._authorization("https://push.example") == first  # 11 hours on: the same token
    other = s._authorization("https://fcm.example")
    assert other != first
    assert claims(other)["aud"] == "https://fcm.example"
    assert s.signatures == 2
    clock.now += 1  # an hour before expiry: signed afresh, with a new lifetime
    renewed = s._authorization("https://push.example")
    assert renewed != first
    assert claims(renewed)["exp"] == int(clock.now) + VAPID_LIFETIME_SECONDS
    assert s.signatures == 3
    s.close()


def test_a_token_is_never_sent_with_less_than_an_hour_to_run(app: Flask):
    clock = Clock()
    s = sender(app, clock)
    for _ in range(30):  # every 25 minutes over 12.5 hours
        header = s._authorization("https://push.example")
        assert claims(header)["exp"] - clock.now >= VAPID_RENEW_BEFORE_SECONDS
        clock.now += 25 * 60
    assert s.signatures == 2
    s.close()


def test_messages_to_one_push_service_carry_one_signature_it_accepts(app: Flask):
    service = PushService(app.config["VAPID_PUBLIC_KEY"]).start()
    try:
        # The real clock: the service checks that exp lies in the next 24 hours.
        s = Sender(app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_SUBJECT"], True)
        devices = [service.new_device() for _ in range(3)]
        for n in range(12):
            device = devices[n % 3]
            keys = device.subscription["keys"]
            target = Target(n, device.endpoint, keys["p256dh"], keys["auth"])
            message = {"title": "Hello", "body": f"Message {n}", "tag": f"t{n}"}
            assert s.send(target, message, ttl=60, urgency="normal").result == "sent"
        received = service.all_messages()
        assert len(received) == 12  # every one verified (signature, aud, exp) and decrypted
        assert len({m.headers["authorization"] for m in received}) == 1
        assert s.signatures == 1
        s.close()
    finally:
        service.stop()
