"""Photos over real HTTP: gunicorn on the test's database (SQLite and PostgreSQL) and the
same instance folder, so a test sees what the photo store holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.photos.support import World, make_world
from tests.support.factories import Factory
from tests.support.live import LiveServer

Start = Callable[..., LiveServer]


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"  # the `app` fixture's instance folder


@pytest.fixture
def start_server(database_url: str, instance: Path) -> Iterator[Start]:
    servers: list[LiveServer] = []

    def start(**env: str) -> LiveServer:
        server = LiveServer(database_url, instance, workers=1, threads=4, extra_env=env)
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def world(factory: Factory) -> World:
    return make_world(factory)
