"""Fixtures for reminders: the local push service, a pair of partner teachers, the worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Job, School
from server.reminders.delivery import Sender
from server.reminders.worker import Settings, Worker
from tests.support.factories import PASSWORD, Factory, Session
from tests.support.push_service import Device, PushService
from tests.support.sync import SyncClient, new_id, observation_fields

NO_QUIET = {"quiet_hours": None, "quiet_weekends": False}


@pytest.fixture
def push_service(app: Flask) -> Iterator[PushService]:
    service = PushService(app.config["VAPID_PUBLIC_KEY"]).start()
    yield service
    service.stop()


@pytest.fixture
def loopback_app(app: Flask) -> Flask:
    """The explicit test widening: the local push service lives on loopback, over http."""
    app.config["PUSH_ALLOW_PRIVATE_ENDPOINTS"] = True
    return app


def subscribe(session: Session, device: Device) -> None:
    response = session.post("/api/v1/push/subscriptions", json=device.subscription)
    assert response.status_code == 201, response.get_json()


def another_device(factory: Factory, session: Session) -> Session:
    """The same teacher signed in on a second device."""
    response = factory.client.post(
        "/api/v1/auth/login",
        json={"email": session.user["email"], "password": PASSWORD, "device_name": "laptop"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return Session(factory.client, body["token"], body["client_id"], body["user"])


def quiet(session: Session, **settings: Any) -> None:
    response = session.patch("/api/v1/me/notifications", json=settings)
    assert response.status_code == 200, response.get_json()


@dataclass
class Pair:
    """Two partner teachers on one observation; B's phone is subscribed (no quiet hours)."""

    school: School
    a: Session
    b: Session
    a_sync: SyncClient
    b_sync: SyncClient
    b_phone: Device
    observation_id: str


@pytest.fixture
def pair(factory: Factory, loopback_app: Flask, push_service: PushService) -> Pair:
    school = factory.school()
    a = factory.session(school, name="Ana Teach")
    b = factory.session(school, name="Ben Watch")
    a_sync, b_sync = SyncClient(a), SyncClient(b)
    observation_id = new_id()
    fields = observation_fields(
        [(a.user["id"], "observee"), (b.user["id"], "observer")], title="Year 8 fractions"
    )
    assert a_sync.put("observation", observation_id, fields)["status"] == "applied"
    phone = push_service.new_device()
    subscribe(b, phone)
    quiet(b, **NO_QUIET)
    return Pair(school, a, b, a_sync, b_sync, phone, observation_id)


def all_jobs(app: Flask) -> list[Job]:
    with app.app_context():
        found = list(db.session.execute(select(Job).order_by(Job.id)).scalars())
        db.session.commit()
        return found


class Clock:
    """The worker's clock, moved on by the test (real time plus an offset by default)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.offset = dt.timedelta(0)
        self.fixed = start

    def __call__(self) -> dt.datetime:
        base = self.fixed or dt.datetime.now(dt.UTC)
        return base + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def run_worker(loopback_app: Flask, clock: Clock) -> Iterator[Callable[..., int]]:
    """Run an in-process worker once (everything due at the clock's time)."""
    sender = Sender.from_config(loopback_app.config)

    def run(**settings: Any) -> int:
        with loopback_app.app_context():
            worker = Worker(sender, Settings(**settings), clock=clock)
            return worker.run_once()

    yield run
    sender.close()
