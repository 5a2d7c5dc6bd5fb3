"""The one error shape: {"error": {"code", "message", "details"?}} for every /api failure."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, Response, g, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("lessonloop")

# Codes for the HTTP errors werkzeug raises on its own (routing, size, method).
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Sign in to continue."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    409: ("conflict", "This conflicts with what is already stored."),
    413: ("payload_too_large", "The request body is too large (at most 5 MB)."),
    415: ("unsupported_media_type", "Send the body as JSON with Content-Type: application/json."),
    422: ("validation_error", "Some fields are not valid."),
    429: ("too_many_requests", "Too many attempts. Wait a little and try again."),
    500: ("internal_error", "Something went wrong on the server."),
}


class ApiError(Exception):
    """An error a view or service raises; rendered in the one error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}

    def to_dict(self) -> dict[str, Any]:
        """The `error` object of the shape."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ValidationApiError(ApiError):
    """Fields that failed validation, with marshmallow's per-field messages."""

    def __init__(self, messages: Any, status: int = 400) -> None:
        details = messages if isinstance(messages, dict) else {"_schema": messages}
        super().__init__(
            status, "validation_error", "Some fields are missing or not valid.", details
        )


class NotFoundError(ApiError):
    def __init__(self, message: str = "There is nothing here, or you may not see it.") -> None:
        super().__init__(404, "not_found", message)


class ForbiddenError(ApiError):
    def __init__(self, message: str = "You may not do this.") -> None:
        super().__init__(403, "forbidden", message)


def error_response(error: ApiError) -> Response:
    """Render an ApiError."""
    response = jsonify({"error": error.to_dict()})
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _from_http_exception(exc: HTTPException) -> ApiError:
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, ("http_error", exc.description or "Request failed."))
    data = getattr(exc, "data", None)
    details = None
    if isinstance(data, dict) and data.get("messages"):
        # webargs' abort for a body that is not valid JSON.
        details = data["messages"]
        if status == 400:
            code, message = "invalid_json", "The body is not valid JSON."
    headers = {}
    if status == 405 and exc.get_response().headers.get("Allow"):
        headers["Allow"] = exc.get_response().headers["Allow"]
    return ApiError(status, code, message, details, headers)


def is_api_request() -> bool:
    """Only /api (and everything under it) speaks JSON errors; the PWA's pages may use HTML."""
    return request.path == "/api" or request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    """Every failure under /api becomes the one error shape."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(ValidationError)
    def handle_validation_error(error: ValidationError) -> Response:
        return error_response(ValidationApiError(error.messages))

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException) -> Response | HTTPException:
        if not is_api_request():
            return exc
        return error_response(_from_http_exception(exc))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response | HTTPException:
        request_id = getattr(g, "request_id", None) or uuid.uuid4().hex
        log.exception("unexpected error, request id %s", request_id)
        if isinstance(exc, HTTPException):
            return handle_http_exception(exc)
        error = ApiError(
            500,
            "internal_error",
            f"Something went wrong on the server. "
            f"Quote request id {request_id} if it happens again.",
            {"request_id": request_id},
        )
        return error_response(error)
