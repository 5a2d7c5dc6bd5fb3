"""flask-smorest, adapted so that request validation speaks the one error shape."""

from __future__ import annotations

import typing

import flask
import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser

from server.errors import ValidationApiError


class ApiParser(FlaskParser):
    """Validation failures raise ValidationApiError (400) instead of webargs' 422 abort."""

    DEFAULT_VALIDATION_STATUS = 400

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
    """Every blueprint of the API uses the parser above."""

    ARGUMENTS_PARSER = ApiParser()
