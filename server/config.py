"""Configuration: one set of safe defaults; deployments differ only by LESSONLOOP_* variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from server.instance_files import read_or_create
from server.reminders.vapid import load_or_create_vapid_keys

ENV_PREFIX = "LESSONLOOP_"


def default_instance_path() -> Path:
    """The instance folder: LESSONLOOP_INSTANCE_PATH, or ./instance beside the code."""
    configured = os.environ.get(ENV_PREFIX + "INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    return (Path(__file__).resolve().parent.parent / "instance").resolve()


def _read_or_create_secret(path: Path) -> str:
    """A secret kept in the instance folder, created (owner-only) on first run."""
    content = read_or_create(path, lambda: (secrets.token_urlsafe(48) + "\n").encode())
    return content.decode().strip()


def build_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then the environment, then explicit overrides (tests)."""
    overrides = dict(overrides or {})
    instance_path.mkdir(parents=True, exist_ok=True)
    env = os.environ
    database_url = overrides.pop("DATABASE_URL", None) or env.get(ENV_PREFIX + "DATABASE_URL")
    if not database_url:
        database_url = "sqlite:///" + str(instance_path / "lessonloop.sqlite3")
    secret = overrides.pop("SECRET_KEY", None) or env.get(ENV_PREFIX + "SECRET_KEY")
    if not secret:
        secret = _read_or_create_secret(instance_path / "secret_key")
    config: dict[str, Any] = {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        # A push body is at most 5 MB (PROTOCOL.md); anything larger is a 413.
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
        "LOGIN_MAX_FAILURES_PER_EMAIL": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "LOGIN_FAILURE_WINDOW_SECONDS": 15 * 60,
        # "fast" is for test servers only (LESSONLOOP_PASSWORD_HASH_PROFILE=fast).
        "PASSWORD_HASH_PROFILE": env.get(ENV_PREFIX + "PASSWORD_HASH_PROFILE", "production"),
        "VAPID_SUBJECT": env.get(ENV_PREFIX + "VAPID_SUBJECT", "mailto:admin@lessonloop.invalid"),
        "PUSH_ALLOW_PRIVATE_ENDPOINTS": False,
        **_feature_limits(env),
        **_photo_limits(env),
        "TRUSTED_PROXIES": env.get(ENV_PREFIX + "TRUSTED_PROXIES"),
        # Server-Timing headers with each phase's time (server.timing): benchmarks, load test.
        "SERVER_TIMING": env.get(ENV_PREFIX + "SERVER_TIMING", "") == "1",
        "API_TITLE": "Lesson Loop API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": None,
    }
    config.update(overrides)
    if "VAPID_PRIVATE_KEY" not in config:
        config.update(_vapid_keys(instance_path))
    return config


def _feature_limits(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        # Only the benchmark's baseline server turns this off (bench/no_audit.py); no env var.
        "AUDIT_LEAD_READS": True,
        # Push writes new records with one raw executemany (server.sync.rows); False: Core insert.
        "SYNC_BULK_INSERT": True,
        # GET /api/v1/me/export answers at once up to this many observations (server.rights).
        "EXPORT_SYNC_MAX_OBSERVATIONS": 200,
        # A report's layout is stopped past this (503 report_timeout): under gunicorn's 30 s.
        "REPORT_RENDER_SECONDS": float(env.get(ENV_PREFIX + "REPORT_RENDER_SECONDS", "10")),
    }


def _photo_limits(env: Mapping[str, str]) -> dict[str, Any]:
    """Photos (server.photos, docs/photos.md): sizes, the school's quota, where files go."""
    return {
        "PHOTO_MAX_BYTES": int(env.get(ENV_PREFIX + "PHOTO_MAX_BYTES", 5 * 1024 * 1024)),
        "PHOTO_MAX_PIXELS": int(env.get(ENV_PREFIX + "PHOTO_MAX_PIXELS", 40_000_000)),
        "PHOTO_SCHOOL_QUOTA_BYTES": int(
            env.get(ENV_PREFIX + "PHOTO_SCHOOL_QUOTA_BYTES", 10 * 1024**3)
        ),
        "PHOTO_STORAGE_PATH": env.get(ENV_PREFIX + "PHOTO_STORAGE_PATH"),
        "PHOTO_STAGING_PATH": env.get(ENV_PREFIX + "PHOTO_STAGING_PATH"),
        # An upload not finished this long after it began is removed (server.photos.staging).
        "PHOTO_STAGING_MAX_AGE_HOURS": float(
            env.get(ENV_PREFIX + "PHOTO_STAGING_MAX_AGE_HOURS", "24")
        ),
        # "folder" (the default) or s3://bucket/prefix (server.photos.s3); credentials: AWS_*.
        "PHOTO_STORE": env.get(ENV_PREFIX + "PHOTO_STORE", "folder"),
        "PHOTO_S3_ENDPOINT_URL": env.get(ENV_PREFIX + "PHOTO_S3_ENDPOINT_URL"),
        "PHOTO_S3_REGION": env.get(ENV_PREFIX + "PHOTO_S3_REGION"),
        "PHOTO_S3_ADDRESSING_STYLE": env.get(ENV_PREFIX + "PHOTO_S3_ADDRESSING_STYLE", "auto"),
    }


def _vapid_keys(instance_path: Path) -> dict[str, str]:
    env = os.environ
    private_pem, public_key = load_or_create_vapid_keys(
        instance_path,
        env.get(ENV_PREFIX + "VAPID_PRIVATE_KEY"),
        env.get(ENV_PREFIX + "VAPID_PUBLIC_KEY"),
    )
    return {"VAPID_PRIVATE_KEY": private_pem, "VAPID_PUBLIC_KEY": public_key}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def engine_options(url: str) -> dict[str, Any]:
    """Connection pool settings per database kind; orjson for JSON columns (the sync hot path)."""
    json_options = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        # The sqlite3 module's own transaction handling is switched off in
        # server.extensions so that SQLAlchemy's BEGIN is the only one.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}, **json_options}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, **json_options}
