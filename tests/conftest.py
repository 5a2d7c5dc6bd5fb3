"""Fixtures after flaskr: `app`, `client`, `runner`, plus factories, on SQLite and PostgreSQL.

Each test gets a fresh database copied from a migrated template, on each backend.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from server import create_app
from server.extensions import db
from tests.support.factories import Factory
from tests.support.postgres import PostgresCluster

BACKENDS = ["sqlite", "postgres"]
TEST_SECRET = "test-secret-key-not-for-production"


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sqlite-template")
    path = root / "template.sqlite3"
    _migrate(f"sqlite:///{path}", root)
    return path


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    cluster = pg_cluster
    cluster.execute("CREATE DATABASE ll_template")
    _migrate(cluster.url("ll_template"), tmp_path_factory.mktemp("pg-template"))
    return "ll_template"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_template")
    name = "t_" + uuid.uuid4().hex[:16]
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield cluster.url(name)
    cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def app_settings() -> dict[str, object]:
    """More configuration for the `app` fixture (a package's conftest may override it)."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_settings: dict[str, object]) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": tmp_path / "instance",
            "SECRET_KEY": TEST_SECRET,
            "PASSWORD_HASH_PROFILE": "fast",
            "TESTING": True,
            **app_settings,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def factory(app: Flask, client: FlaskClient) -> Factory:
    return Factory(app, client)
