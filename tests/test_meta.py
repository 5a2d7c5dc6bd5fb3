"""Health, the OpenAPI document and the API reference page."""

from __future__ import annotations

import re

from sqlalchemy import text


def test_health_reports_ok(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_reports_a_broken_database(app, client, monkeypatch):
    from server.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"


def test_openapi_documents_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (re.sub(r"\{[^}]+\}", "{}", path), method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (
                f"{method} {rule.rule} is not in the OpenAPI document"
            )


def test_openapi_marks_public_endpoints_and_bearer_auth(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/auth/login"]["post"]["security"] == []
    assert spec["paths"]["/api/v1/health"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/api/v1/me"]["get"]
    assert spec["security"] == [{"bearerAuth": []}]


def test_reference_page_is_local_and_lists_endpoints(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/api/v1/auth/login" in html
    assert "/api/v1/admin/users" in html
    assert not re.search(r"(src|href)=\"https?://", html), (
        "the reference must not load anything remote"
    )


def test_sqlite_runs_in_wal_with_foreign_keys(app):
    from server.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.engine.dialect.name == "postgresql"
            return
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
