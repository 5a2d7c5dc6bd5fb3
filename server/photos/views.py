"""Photos: tus 1.0 uploads (core, creation, checksum) and the photo's bytes and thumbnail."""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, request

from schemas.common import ErrorSchema
from server.accounts.auth import auth_required, current_user
from server.blueprint import Blueprint
from server.errors import ApiError
from server.photos import service, uploads

blp = Blueprint("photos", __name__, url_prefix="/api/v1", description="Photos (tus uploads)")
F = TypeVar("F", bound=Callable[..., Any])
TUS_VERSION = "1.0.0"
OCTETS = "application/offset+octet-stream"
UPLOAD_ERRORS = {
    400: "a missing or bad tus header, the wrong length, or the whole photo failed its check "
    "(invalid_upload_length, invalid_metadata, length_mismatch, invalid_upload_offset, "
    "beyond_length, checksum_algorithm, sha256_mismatch, dimensions_mismatch, incomplete_body)",
    404: "no attachment of yours with that id (another school's, someone else's, not pushed "
    "yet), or no such upload of yours (not_found)",
    409: "the upload is elsewhere (offset_mismatch, details.offset), already stored "
    "(already_uploaded) or being written by another request (upload_busy)",
    413: "over the size limit, the pixel limit or the school's quota (photo_too_large, "
    "image_too_large, school_quota_reached)",
    415: "not application/offset+octet-stream, not a JPEG/PNG/WebP image, or not the type its "
    "record says (unsupported_media_type, not_an_image, content_type_mismatch)",
}
TUS_ERRORS = {
    412: "Tus-Resumable is missing or not 1.0.0 (tus_version)",
    460: "Upload-Checksum does not match the body: nothing of it was kept (checksum_mismatch)",
}


def _tus_errors(view: F) -> F:
    for status, why in TUS_ERRORS.items():
        view = blp.alt_response(status, schema=ErrorSchema, description=why)(view)
    return view


def tus(view: F) -> F:
    """A tus request (after sign-in is checked) names the protocol version it speaks."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            raise ApiError(
                412,
                "tus_version",
                "Send Tus-Resumable: 1.0.0.",
                headers={"Tus-Version": TUS_VERSION},
            )
        return view(*args, **kwargs)

    return typing.cast(F, wrapper)


@blp.after_request
def tus_headers(response: Response) -> Response:
    """tus answers say which version they speak."""
    if request.path.startswith("/api/v1/uploads"):
        response.headers["Tus-Resumable"] = TUS_VERSION
    return response


@blp.route("/uploads/", methods=["OPTIONS"])
@blp.response(204, description="Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm")
def upload_options() -> Response:
    """What this tus server speaks (no sign-in needed)."""
    response = Response(status=204)
    response.headers["Tus-Version"] = TUS_VERSION
    response.headers["Tus-Extension"] = "creation,checksum"
    response.headers["Tus-Max-Size"] = str(current_app.config["PHOTO_MAX_BYTES"])
    response.headers["Tus-Checksum-Algorithm"] = ",".join(uploads.CHECKSUMS)
    return response


@blp.route("/uploads/", methods=["POST"])
@auth_required
@blp.errors(400, 401, 404, 409, 413, codes=UPLOAD_ERRORS)
@_tus_errors
@blp.response(201, description="Location: the upload's URL (Upload-Metadata: attachment_id)")
@tus
def create_upload() -> Response:
    """tus creation: an upload of a pushed attachment's bytes (Upload-Length, Upload-Metadata)."""
    if request.headers.get("Upload-Defer-Length"):
        raise ApiError(400, "invalid_upload_length", "Send Upload-Length; it cannot be deferred.")
    upload = uploads.create(
        current_user(),
        request.headers.get("Upload-Length"),
        request.headers.get("Upload-Metadata", ""),
    )
    response = Response(status=201)
    response.headers["Location"] = f"/api/v1/uploads/{upload.id}"
    response.headers["Upload-Offset"] = "0"
    return response


@blp.route("/uploads/<upload_id>", methods=["HEAD"])
@auth_required
@blp.errors(401, 404, codes=UPLOAD_ERRORS)
@_tus_errors
@blp.response(200, description="Upload-Offset and Upload-Length (no body)")
@tus
def upload_offset(upload_id: str) -> Response:
    """tus: how many bytes of this upload are in."""
    upload, offset = uploads.find(current_user(), upload_id)
    response = Response(status=200)
    response.headers["Upload-Offset"] = str(offset)
    response.headers["Upload-Length"] = str(upload.length)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/uploads/<upload_id>", methods=["PATCH"])
@auth_required
@blp.errors(400, 401, 404, 409, 413, 415, codes=UPLOAD_ERRORS)
@_tus_errors
@blp.response(204, description="Upload-Offset: the new offset")
@tus
def upload_bytes(upload_id: str) -> Response:
    """tus: append the body at Upload-Offset (Upload-Checksum: sha1 or sha256, optional)."""
    if request.mimetype != OCTETS:
        raise ApiError(415, "unsupported_media_type", f"Send the bytes as {OCTETS}.")
    headers = {name: request.headers.get(name) for name in ("Upload-Offset", "Upload-Checksum")}
    offset = uploads.append(
        current_user(), upload_id, headers, request.stream, request.content_length
    )
    response = Response(status=204)
    response.headers["Upload-Offset"] = str(offset)
    return response


@blp.route("/attachments/<attachment_id>/content", methods=["GET"])
@auth_required
@blp.errors(401, 404)
@blp.response(200, {"type": "string", "format": "binary"}, content_type="image/jpeg")
def get_photo(attachment_id: str) -> Response:
    """The photo (JPEG, PNG or WebP, without metadata), for whoever may read its note."""
    attachment = service.readable(current_user(), attachment_id)
    return _image(service.content(attachment), attachment.content_type)


@blp.route("/attachments/<attachment_id>/thumbnail", methods=["GET"])
@auth_required
@blp.errors(401, 404)
@blp.response(200, {"type": "string", "format": "binary"}, content_type="image/jpeg")
def get_thumbnail(attachment_id: str) -> Response:
    """A JPEG of at most 320 px on its long edge, made on the server once and kept."""
    attachment = service.readable(current_user(), attachment_id)
    return _image(service.thumbnail(attachment), "image/jpeg")


def _image(data: bytes, content_type: str) -> Response:
    response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
