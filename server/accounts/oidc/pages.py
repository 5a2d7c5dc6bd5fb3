"""The browser's side of the round trip (not the JSON API): /auth/oidc/start sends the browser
to the provider; /auth/oidc/callback (the redirect URI a school registers) finishes the
sign-in and sends the browser back to the PWA with a one-time code after the `#` (never sent
to a server, so never in a log). A refused sign-in is a plain page that says why."""

from __future__ import annotations

import html
import logging
import uuid

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from server.accounts.oidc import flow
from server.accounts.oidc.client import Refusal
from server.errors import ApiError
from server.web import SECURITY_HEADERS

blp = Blueprint("oidc_pages", __name__, url_prefix="/auth/oidc")
log = logging.getLogger(__name__)
PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Lesson Loop</title></head>
<body><main class="screen"><h1>{title}</h1><p class="notice" data-refusal="{code}">{message}</p>
<p><a class="button wide" href="/#/signin">Back to Lesson Loop</a></p></main></body></html>
"""


def page(title: str, code: str, message: str, status: int) -> Response:
    body = PAGE.format(
        title=html.escape(title), code=html.escape(code), message=html.escape(message)
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response


def refused(refusal: Refusal) -> Response:
    log.info("school sign-in refused: %s", refusal.code)  # never a token or code
    return page("Sign-in refused", refusal.code, refusal.message, refusal.status)


def _redirect_uri() -> str:
    return url_for("oidc_pages.callback", _external=True)


@blp.route("/start")
def start() -> BaseResponse:
    """Begin a sign-in with the school's provider (?provider=<id>&device_name=...)."""
    try:
        provider_id = uuid.UUID(request.args.get("provider", ""))
    except ValueError:
        return refused(Refusal("no_provider", "This sign-in option is not offered.", 404))
    device_name = request.args.get("device_name", "This device")
    try:
        url = flow.start(provider_id, device_name, _redirect_uri())
    except Refusal as refusal:
        return refused(refusal)
    response = redirect(url, 302)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/callback")
def callback() -> BaseResponse:
    """The provider's redirect: finish the sign-in, then back to the app with a code."""
    try:
        code = flow.callback(request.args, _redirect_uri(), request.remote_addr or "unknown")
    except Refusal as refusal:
        return refused(refusal)
    except ApiError as error:  # too many failed sign-ins
        return page("Sign-in refused", error.code, error.message, error.status)
    response = redirect(f"/#/school-sign-in/{code}", 302)
    response.headers["Cache-Control"] = "no-store"
    return response
