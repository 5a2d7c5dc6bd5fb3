"""Lesson Loop's Flask application factory."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from server import extensions, timing, web
from server.config import build_config, default_instance_path
from server.errors import ApiError, is_api_request, register_error_handlers
from server.json import OrjsonProvider
from server.photos import storage as photo_storage

JSON_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
UPLOADS = "/api/v1/uploads/"  # tus bodies are bytes (server.photos)
ROOT = Path(__file__).resolve().parent.parent


class LessonLoop(Flask):
    """The Flask app, answering JSON with orjson."""

    json_provider_class = OrjsonProvider


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI."""
    config = dict(config or {})
    instance_path = Path(config.pop("INSTANCE_PATH", None) or default_instance_path())
    app = LessonLoop(__name__, instance_path=str(instance_path), instance_relative_config=True)
    app.config.update(build_config(instance_path, config))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    from server import audit, models  # noqa: F401  (the metadata Alembic compares against)
    from server.accounts import mfa_models  # noqa: F401  (the second factor's tables)
    from server.accounts.oidc import models as oidc_models  # noqa: F401

    # One OpenAPI registry per app (tests build many apps in one process).
    openapi = extensions.LessonLoopApi(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    openapi.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "The token from login"}
    )
    app.extensions["openapi"] = openapi
    _register_blueprints(openapi)
    web.init_app(app)  # the PWA at / (not part of the API document)
    from server.accounts.oidc import pages as oidc_pages

    app.register_blueprint(oidc_pages.blp)  # /auth/oidc/start and /callback (browser pages)
    photo_storage.init_app(app)
    register_error_handlers(app)
    _register_request_hooks(app)
    timing.init_app(app)

    from server.cli import register_cli

    register_cli(app)
    return app


def _register_blueprints(openapi: extensions.LessonLoopApi) -> None:
    from server import meta
    from server.accounts import admin, mfa_views, roster_views
    from server.accounts import views as accounts
    from server.accounts.oidc import views as oidc
    from server.photos import views as photos
    from server.reminders import views as reminders
    from server.reports import views as reports
    from server.rights import views as rights
    from server.sync import views as sync

    for module in (meta, accounts, admin, sync, reminders, reports, rights, photos):
        openapi.register_blueprint(module.blp)
    openapi.register_blueprint(oidc.blp)  # school sign-in (issue 14)
    openapi.register_blueprint(mfa_views.blp)
    openapi.register_blueprint(roster_views.blp)


def uploading() -> bool:
    """A tus request of the photo uploads, whose bodies are bytes, not JSON."""
    return request.path.startswith(UPLOADS)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def start_request() -> None:
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        if is_api_request() and request.method in JSON_METHODS and not uploading():
            has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
            if has_body and not request.is_json:
                raise ApiError(
                    415,
                    "unsupported_media_type",
                    "Send the body as JSON with Content-Type: application/json.",
                )

    @app.after_request
    def finish_request(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if is_api_request():
            response.headers.setdefault("Cache-Control", "no-store")
        return response
