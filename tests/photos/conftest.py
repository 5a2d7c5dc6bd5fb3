"""Photos over real HTTP: gunicorn on the test's database (SQLite and PostgreSQL) and the
same photo store, so a test sees what the store holds. Every photo test runs against both
stores: the instance folder and an S3 bucket on a real S3 server on loopback (moto's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.photos.support import PhotoBackend, World, make_world
from tests.rights.test_school_export import fresh_app  # noqa: F401 (the restore's database)
from tests.support.factories import Factory
from tests.support.live import LiveServer
from tests.support.s3 import CREDENTIALS, S3Server

Start = Callable[..., LiveServer]
STORES = ["folder", "s3"]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(tmp_path_factory.mktemp("s3") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture(params=STORES)
def photo_backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> PhotoBackend:
    """Where this test's photos go: the instance folder, or a fresh bucket of the S3 server."""
    if request.param == "folder":
        return PhotoBackend(tmp_path / "instance")
    server: S3Server = request.getfixturevalue("s3_server")
    for name, value in CREDENTIALS.items():  # boto3's usual chain finds them, in-process too
        monkeypatch.setenv(name, value)
    return PhotoBackend(tmp_path / "instance", server, server.bucket(), "school-photos")


@pytest.fixture
def app_settings(photo_backend: PhotoBackend) -> dict[str, object]:
    return dict(photo_backend.settings())


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"  # the `app` fixture's instance folder


@pytest.fixture
def start_server(database_url: str, instance: Path, photo_backend: PhotoBackend) -> Iterator[Start]:
    servers: list[LiveServer] = []

    def start(folder: Path | None = None, **env: str) -> LiveServer:
        where = folder or instance
        server = LiveServer(
            database_url, where, workers=1, threads=4, extra_env={**photo_backend.env(), **env}
        )
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def world(factory: Factory) -> World:
    return make_world(factory)
