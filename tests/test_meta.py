"""Health, the OpenAPI document and the API reference page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from server import create_app


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


# ---- the error responses of the OpenAPI document ----------------------------------------------

# PROTOCOL.md's errors a client acts on, and 503 (the database down, a report layout stopped)
DOCUMENTED = {400, 401, 403, 404, 409, 413, 415, 429, 503}
PUBLIC = {
    "POST /api/v1/auth/login",
    "GET /api/v1/health",
    "GET /api/v1/openapi.json",
    "GET /api/docs",
    "POST /api/v1/auth/oidc/options",
    "POST /api/v1/auth/oidc/exchange",
}
JSON_BODY = {400, 413, 415}  # invalid body, over 5 MB, not sent as JSON
SIGNED_IN = {401, 403}  # 403: mfa_enrolment_required, until a required second factor is set up
ENROLLING = {401}  # what a user who must still set up a second factor may use
ADMIN = {401, 403}
# Which of DOCUMENTED each operation can really answer (and so must document, and no others).
ERROR_TABLE: dict[str, set[int]] = {
    "GET /api/v1/health": {503},
    "GET /api/v1/openapi.json": set(),
    "GET /api/docs": set(),
    "POST /api/v1/auth/login": {401, 429} | JSON_BODY,
    "POST /api/v1/auth/logout": ENROLLING,
    "GET /api/v1/me": ENROLLING,
    "GET /api/v1/me/mfa": ENROLLING,
    "POST /api/v1/me/mfa": ENROLLING | {409},
    "POST /api/v1/me/mfa/confirm": ENROLLING | {409, 429} | JSON_BODY,
    "DELETE /api/v1/me/mfa": ENROLLING | {409, 429} | JSON_BODY,
    "GET /api/v1/admin/mfa-requirement": ADMIN,
    "PATCH /api/v1/admin/mfa-requirement": ADMIN | JSON_BODY,
    "DELETE /api/v1/admin/users/{user_id}/mfa": ADMIN | {404},
    "POST /api/v1/admin/roster/preview": ADMIN | JSON_BODY,
    "POST /api/v1/admin/roster/apply": ADMIN | JSON_BODY,
    "GET /api/v1/me/devices": SIGNED_IN,
    "GET /api/v1/me/phrases": SIGNED_IN,
    "PUT /api/v1/me/phrases": SIGNED_IN | JSON_BODY,
    "POST /api/v1/admin/users": ADMIN | {409} | JSON_BODY,
    "GET /api/v1/admin/users": ADMIN,
    "PATCH /api/v1/admin/users/{user_id}": ADMIN | {404, 409} | JSON_BODY,
    "POST /api/v1/admin/users/{user_id}/revoke-devices": ADMIN | {404},
    "POST /api/v1/admin/teams": ADMIN | {409} | JSON_BODY,
    "GET /api/v1/admin/teams": ADMIN,
    "PATCH /api/v1/admin/teams/{team_id}": ADMIN | {404, 409} | JSON_BODY,
    "POST /api/v1/sync/push": SIGNED_IN | {403} | JSON_BODY,
    "GET /api/v1/sync/pull": SIGNED_IN | {400},
    "GET /api/v1/sync/events": SIGNED_IN | {400},
    "GET /api/v1/push/public-key": SIGNED_IN,
    "POST /api/v1/push/subscriptions": SIGNED_IN | JSON_BODY,
    "DELETE /api/v1/push/subscriptions": SIGNED_IN | {404} | JSON_BODY,
    "GET /api/v1/me/notifications": SIGNED_IN,
    "PATCH /api/v1/me/notifications": SIGNED_IN | JSON_BODY,
    "GET /api/v1/reports/observations/{observation_id}.pdf": SIGNED_IN | {400, 404, 413, 503},
    "GET /api/v1/reports/teachers/{user_id}.pdf": SIGNED_IN | {400, 403, 404, 413, 503},
    "GET /api/v1/reports/focuses/{focus_id}.pdf": SIGNED_IN | {400, 403, 404, 413, 503},
    "GET /api/v1/reports/focuses/{focus_id}/trend": SIGNED_IN | {400, 403, 404, 413},
    "GET /api/v1/reports/action-plan.pdf": SIGNED_IN | {400, 403, 413, 503},
    "GET /api/v1/me/audit": SIGNED_IN | {400},
    "GET /api/v1/admin/audit": ADMIN | {400},
    "GET /api/v1/me/export": SIGNED_IN | {413},
    "POST /api/v1/me/exports": SIGNED_IN,
    "POST /api/v1/admin/users/{user_id}/erase": ADMIN | {404, 409} | JSON_BODY,
    "GET /api/v1/admin/retention": ADMIN,
    "GET /api/v1/admin/export": ADMIN,
    "PATCH /api/v1/admin/retention": ADMIN | JSON_BODY,
    "GET /api/v1/me/exports/{export_id}": SIGNED_IN | {404},
    "GET /api/v1/me/exports/{export_id}/download": SIGNED_IN | {404, 409},
    # School sign-in (issue 14, docs/sign-in.md)
    "POST /api/v1/auth/oidc/options": {429} | JSON_BODY,
    "POST /api/v1/auth/oidc/exchange": {401, 429} | JSON_BODY,
    "GET /api/v1/admin/sign-in": ADMIN,
    "PATCH /api/v1/admin/sign-in": ADMIN | JSON_BODY,
    "POST /api/v1/admin/sign-in/providers": ADMIN | {409} | JSON_BODY,
    "PATCH /api/v1/admin/sign-in/providers/{provider_id}": ADMIN | {404, 409} | JSON_BODY,
    "DELETE /api/v1/admin/sign-in/providers/{provider_id}": ADMIN | {404},
    # Photos (issue 16): tus uploads, with tus's own 412 and 460 besides.
    "POST /api/v1/uploads/": SIGNED_IN | {400, 404, 409, 413},
    "PATCH /api/v1/uploads/{upload_id}": SIGNED_IN | {400, 404, 409, 413, 415},
    "GET /api/v1/attachments/{attachment_id}/content": SIGNED_IN | {404},
    "GET /api/v1/attachments/{attachment_id}/thumbnail": SIGNED_IN | {404},
}
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def openapi(tmp_path_factory):
    """The document as GET /api/v1/openapi.json serves it (no database is needed for it)."""
    config = {
        "DATABASE_URL": "sqlite://",
        "INSTANCE_PATH": tmp_path_factory.mktemp("openapi"),
        "SECRET_KEY": "openapi-test-secret",
        "TESTING": True,
    }
    response = create_app(config).test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(spec):
    return {
        f"{method.upper()} {path}": operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _schema_of(spec, response):
    """The JSON schema reference of a response, following a reference to a shared response."""
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"].get("$ref")


def test_the_error_table_names_every_operation(openapi):
    assert set(_operations(openapi)) == set(ERROR_TABLE)
    assert set().union(*ERROR_TABLE.values()) == DOCUMENTED


@pytest.mark.parametrize("name", sorted(ERROR_TABLE))
def test_each_operation_documents_exactly_its_errors_in_the_error_shape(openapi, name):
    responses = _operations(openapi)[name]["responses"]
    documented = {int(status) for status in responses if status.isdigit()} & DOCUMENTED
    assert documented == ERROR_TABLE[name]
    for status in documented:
        response = responses[str(status)]
        assert _schema_of(openapi, response) == ERROR_REF, (name, status)
        assert response["description"], (name, status)


def test_every_signed_in_operation_documents_401(openapi):
    for name, operation in _operations(openapi).items():
        if name not in PUBLIC:
            assert "401" in operation["responses"], f"{name} does not document 401"
            assert "security" not in operation, f"{name} is marked public"


def test_the_error_schema_is_the_one_error_shape(openapi):
    schemas = openapi["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    assert schemas["Error"]["properties"]["error"]["$ref"] == "#/components/schemas/ErrorBody"
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "details"}
    assert set(schemas["ErrorBody"]["required"]) == {"code", "message"}
