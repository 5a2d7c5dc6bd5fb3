"""VAPID keys for Web Push: taken from configuration or generated into the instance folder."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.instance_files import read_or_create


def b64url(data: bytes) -> str:
    """Unpadded base64url, the encoding Web Push uses for keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_key_b64(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The application server key: the uncompressed P-256 point, base64url."""
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def _private_from_text(text: str) -> ec.EllipticCurvePrivateKey:
    """Accept a PEM key or a raw base64url private scalar (as web-push tools print)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("VAPID private key must be an EC P-256 key")
        return key
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def _new_private_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_or_create_vapid_keys(
    instance_path: Path, private_text: str | None, public_text: str | None
) -> tuple[str, str]:
    """Return (private key PEM, public key base64url)."""
    if private_text:
        key = _private_from_text(private_text)
    else:
        pem = read_or_create(instance_path / "vapid_private.pem", _new_private_pem)
        key = _private_from_text(pem.decode())
    derived_public = public_key_b64(key)
    if public_text and public_text.strip() != derived_public:
        raise ValueError("LESSONLOOP_VAPID_PUBLIC_KEY does not match the private key")
    pem_text = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem_text, derived_public
