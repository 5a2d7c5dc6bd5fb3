"""flask-smorest, adapted: request validation speaks the one error shape, and every error a
view can answer is documented in that shape (`Blueprint.errors`)."""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from http import HTTPStatus

import flask
import flask_smorest
import marshmallow as ma
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from schemas.common import ErrorSchema
from server import timing
from server.errors import ApiError, ValidationApiError
from server.json import InvalidJSON, loads_body

F = typing.TypeVar("F", bound=Callable[..., typing.Any])

# What each error status means on this API (its codes in brackets), for the OpenAPI document.
# A view may say more precisely which codes it answers with (`codes=`).
ERRORS: dict[int, str] = {
    400: "the body, a query parameter or an id is not valid (validation_error, invalid_json)",
    401: "not signed in, or the sign-in has ended (unauthorized, invalid_token)",
    403: "signed in, but this is not for you (forbidden)",
    404: "there is nothing here that you may see (not_found)",
    409: "this conflicts with what is already stored",
    410: "this existed and has expired",
    413: "the body is over 5 MB (payload_too_large)",
    415: "the body is not sent as JSON (unsupported_media_type)",
    429: "too many failed sign-ins: wait Retry-After seconds (too_many_attempts)",
    503: "the database cannot be reached (database_unavailable)",
}
# Any endpoint that reads a JSON body can answer these.
JSON_BODY = (400, 413, 415)


class ApiParser(FlaskParser):
    """Bodies are decoded by server.json's bounded decoder; validation failures raise
    ValidationApiError (400) instead of webargs' 422 abort."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: flask.Request) -> typing.Any:
        if not is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        try:
            with timing.phase("decode"):
                return loads_body(data)
        except InvalidJSON as exc:
            raise ApiError(
                400, "invalid_json", "The body is not valid JSON.", {"json": [str(exc)]}
            ) from exc

    def parse(self, *args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        """Decode and validate (timed: "validate" is the time past the decode)."""
        with timing.phase("validate"):
            return super().parse(*args, **kwargs)

    def handle_error(
        self,
        error: ma.ValidationError,
        req: flask.Request,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: typing.Mapping[str, str] | None,
    ) -> typing.NoReturn:
        messages = error.messages
        if isinstance(messages, dict) and set(messages) <= {"json", "query"} and len(messages) == 1:
            messages = next(iter(messages.values()))  # drop webargs' location level
        raise ValidationApiError(messages)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """Every blueprint of the API uses the parser above and documents its errors."""

    ARGUMENTS_PARSER = ApiParser()

    def errors(self, *statuses: int, codes: Mapping[int, str] | None = None) -> Callable[[F], F]:
        """Document that the view answers these statuses, each with the one error shape;
        `codes` may describe a status more precisely (statuses not listed are ignored)."""
        codes = codes or {}

        def decorator(view: F) -> F:
            for status in sorted(set(statuses)):
                why = codes.get(status, ERRORS[status])
                description = f"{HTTPStatus(status).phrase}: {why}"
                view = self.alt_response(status, schema=ErrorSchema, description=description)(view)
            return view

        return decorator
