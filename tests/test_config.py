"""Configuration by environment (PROTOCOL.md: Command line and configuration)."""

from __future__ import annotations

import importlib
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization

from server import create_app
from server.config import normalise_database_url


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("LESSONLOOP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LESSONLOOP_INSTANCE_PATH", str(tmp_path / "inst"))
    return tmp_path / "inst"


def test_defaults_use_a_sqlite_file_in_the_instance_folder(clean_env):
    app = create_app()
    assert app.instance_path == str(clean_env)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'lessonloop.sqlite3'}"


def test_secret_key_is_generated_once_into_the_instance_folder(clean_env):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 40
    path = clean_env / "secret_key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_environment_secret_wins(clean_env, monkeypatch):
    monkeypatch.setenv("LESSONLOOP_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"
    assert not (clean_env / "secret_key").exists()


def test_report_render_limit_defaults_to_10_seconds_and_follows_the_environment(
    clean_env, monkeypatch
):
    assert create_app().config["REPORT_RENDER_SECONDS"] == 10.0
    monkeypatch.setenv("LESSONLOOP_REPORT_RENDER_SECONDS", "4.5")
    assert create_app().config["REPORT_RENDER_SECONDS"] == 4.5


def test_database_url_from_environment(clean_env, monkeypatch):
    monkeypatch.setenv("LESSONLOOP_DATABASE_URL", "postgresql://u:p@db.example:5432/ll")
    assert (
        create_app().config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://u:p@db.example:5432/ll"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://h/d", "postgresql+psycopg://h/d"),
        ("postgresql+psycopg://h/d", "postgresql+psycopg://h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_are_normalised_to_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_vapid_keys_are_generated_once(clean_env):
    first = create_app().config
    second = create_app().config
    assert first["VAPID_PUBLIC_KEY"] == second["VAPID_PUBLIC_KEY"]
    assert stat.S_IMODE((clean_env / "vapid_private.pem").stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(first["VAPID_PRIVATE_KEY"].encode(), None)
    assert key.curve.name == "secp256r1"
    assert len(first["VAPID_PUBLIC_KEY"]) == 87  # 65 bytes, unpadded base64url


def test_vapid_keys_from_environment(clean_env, monkeypatch):
    from cryptography.hazmat.primitives.asymmetric import ec

    from server.reminders.vapid import b64url, public_key_b64

    key = ec.generate_private_key(ec.SECP256R1())
    raw = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    monkeypatch.setenv("LESSONLOOP_VAPID_PRIVATE_KEY", raw)
    monkeypatch.setenv("LESSONLOOP_VAPID_PUBLIC_KEY", public_key_b64(key))
    assert create_app().config["VAPID_PUBLIC_KEY"] == public_key_b64(key)
    assert not (clean_env / "vapid_private.pem").exists()
    monkeypatch.setenv("LESSONLOOP_VAPID_PUBLIC_KEY", "A" * 87)
    with pytest.raises(ValueError, match="does not match"):
        create_app()


def test_wsgi_exposes_app(clean_env):
    module = importlib.import_module("wsgi")
    assert module.app.name == "server"


def test_create_app_takes_a_config_mapping(clean_env, tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "TESTING": True})
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/x.db")


def test_instance_secrets_are_created_once_by_processes_starting_together(clean_env):
    import subprocess
    import sys

    code = (
        "from server import create_app; c = create_app().config; "
        "print(c['SECRET_KEY'], c['VAPID_PUBLIC_KEY'])"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    outputs = {p.communicate(timeout=60)[0].strip() for p in processes}
    assert all(p.returncode == 0 for p in processes)
    assert len(outputs) == 1
