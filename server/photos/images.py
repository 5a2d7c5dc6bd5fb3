"""What an uploaded photo really is: decoded with Pillow, never trusted from its name or type.

Only JPEG, PNG and WebP are kept. The pixel count is read from the header and refused past
the limit before anything is decoded (a decompression bomb: a few kilobytes that would
decode to gigabytes). A photo carrying metadata (EXIF with GPS, XMP, comments, text chunks)
is re-encoded without it (and without any colour profile); one without any (what the
app's canvas makes) is kept byte for byte, so its SHA-256 stays the one the phone declared.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from server.errors import ApiError

# Pillow format -> the content type it is stored and served as.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# `info` keys that are metadata about the picture's making, not the picture.
# A colour profile (ICC) stays: it says how to show the colours (a browser's canvas adds sRGB's).
METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"}
THUMBNAIL_EDGE = 320


@dataclass(frozen=True)
class Photo:
    """A photo as it is kept: its bytes and what they are."""

    data: bytes
    content_type: str
    width: int
    height: int


def _refuse(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, code, message)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """The image's header, read without decoding its pixels; refuses bombs and non-images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _not_an_image() from None
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(max_pixels, image.size)
    return image


def _too_many_pixels(max_pixels: int, size: tuple[int, int] | None = None) -> ApiError:
    said = f"The photo is {size[0]}x{size[1]} pixels: " if size else "The photo is too large: "
    return _refuse(413, "image_too_large", f"{said}at most {max_pixels:,} pixels are kept.")


def _not_an_image() -> ApiError:
    return _refuse(415, "not_an_image", "This is not a JPEG, PNG or WebP image.")


def _has_metadata(image: Image.Image) -> bool:
    text_chunks = image.format == "PNG" and any(isinstance(v, str) for v in image.info.values())
    return bool(METADATA_KEYS & set(image.info)) or bool(image.getexif()) or text_chunks


def inspect(data: bytes, declared_type: str, max_pixels: int) -> Photo:
    """The photo to keep for these uploaded bytes, or an ApiError saying why not."""
    image = _open(data, max_pixels)
    actual = FORMATS[str(image.format)]
    if actual != declared_type:
        raise _refuse(
            415,
            "content_type_mismatch",
            f"The record says {declared_type}, but the bytes are {actual}.",
        )
    try:
        image.load()  # a truncated or corrupt file fails here, not when it is shown
    except (OSError, ValueError, SyntaxError):
        raise _not_an_image() from None
    if not _has_metadata(image):
        return Photo(data, actual, image.width, image.height)
    return Photo(_reencode(image), actual, image.width, image.height)


def _reencode(image: Image.Image) -> bytes:
    """The same pixels in the same format, with no metadata at all."""
    clean = Image.frombytes(image.mode, image.size, image.tobytes())  # pixels only, no info
    palette = image.getpalette() if image.mode == "P" else None
    if palette:
        clean.putpalette(palette)
    out = io.BytesIO()
    fmt = str(image.format)
    options: dict[str, dict[str, Any]] = {
        "JPEG": {"quality": 90},
        "WEBP": {"quality": 90},
        "PNG": {"optimize": True},
    }
    clean.save(out, fmt, **options[fmt])
    return out.getvalue()


def thumbnail(data: bytes, max_pixels: int) -> bytes:
    """A JPEG of at most THUMBNAIL_EDGE pixels on its long edge, upright."""
    image = _open(data, max_pixels)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
