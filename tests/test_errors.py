"""The one error shape at every status, and authentication on every endpoint."""

from __future__ import annotations

import logging
import re
import uuid

import pytest

PUBLIC = {
    "/api/v1/auth/login",
    "/api/v1/health",
    "/api/v1/openapi.json",
    "/api/docs",
    "/api/v1/auth/oidc/options",  # school sign-in (issue 14): before any token
    "/api/v1/auth/oidc/exchange",
}


def assert_error_shape(response, status, code=None):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "details"}
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["error"]["code"])
    assert body["error"]["message"].endswith(".")
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and rule.rule not in PUBLIC:
            path = re.sub(r"<[^>]+>", str(uuid.uuid4()), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path


def test_every_endpoint_but_login_health_and_openapi_needs_a_token(app, client):
    rules = list(api_rules(app))
    assert len(rules) >= 10
    for method, path in rules:
        response = client.open(path, method=method, json={} if method != "GET" else None)
        assert_error_shape(response, 401, "unauthorized")


def test_unknown_api_path_is_a_json_404(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_a_json_405(client):
    error = assert_error_shape(client.delete("/api/v1/health"), 405, "method_not_allowed")
    assert error["message"]


def test_body_over_5_mb_is_413(client):
    response = client.post(
        "/api/v1/auth/login",
        data=b"{" + b" " * (5 * 1024 * 1024 + 10) + b"}",
        content_type="application/json",
    )
    assert_error_shape(response, 413, "payload_too_large")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_json_is_415(client, content_type):
    response = client.post("/api/v1/auth/login", data="email=a@b.org", content_type=content_type)
    assert_error_shape(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("body", [b"{", b"{'email': 1}", b"\xff\xfe", b"[1,2"])
def test_broken_json_is_400(client, body):
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_error_shape(response, 400, "invalid_json")


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_json_that_is_not_an_object_is_400(client, body):
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_error_shape(response, 400, "validation_error")


def test_unexpected_exception_is_a_json_500_with_request_id(app, caplog):
    def boom():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/api/v1/test-boom", "boom", boom)
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="lessonloop"):
        response = client.get("/api/v1/test-boom")
    error = assert_error_shape(response, 500, "internal_error")
    request_id = error["details"]["request_id"]
    assert request_id in error["message"]
    assert response.headers["X-Request-Id"] == request_id
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_request_id_is_echoed(client):
    response = client.get("/api/v1/health", headers={"X-Request-Id": "abc123"})
    assert response.headers["X-Request-Id"] == "abc123"


def test_validation_error_lists_every_bad_field(client):
    response = client.post("/api/v1/auth/login", json={"email": 3, "password": None, "x": 1})
    error = assert_error_shape(response, 400, "validation_error")
    assert set(error["details"]) == {"email", "password", "x"}
