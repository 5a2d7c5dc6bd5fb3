"""TOTP (RFC 6238) and recovery codes: the arithmetic and the crypto, no database.

Secrets are encrypted at rest with Fernet under a key derived (HKDF) from the app's SECRET_KEY,
so a copy of the database alone does not give the codes. Recovery codes are random (60 bits)
and stored as SHA-256 only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DRIFT_STEPS = 1  # a code of the previous or the next 30 s step is accepted too
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 12


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"lessonloop second factor v1"
    ).derive(secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A fresh base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def encrypt(secret: str, secret_key: str) -> str:
    """The stored form of a TOTP secret."""
    return _fernet(secret_key).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt(stored: str, secret_key: str) -> str | None:
    """The TOTP secret, or None when the app's key has changed since it was stored."""
    try:
        return _fernet(secret_key).decrypt(stored.encode("ascii")).decode("ascii")
    except InvalidToken:
        return None


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def looks_like_totp(code: str) -> bool:
    """Six digits (spaces allowed): a TOTP code; anything else is tried as a recovery code."""
    digits = code.replace(" ", "")
    return len(digits) == 6 and digits.isdigit()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (now, or DRIFT_STEPS either side), else None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    wanted = code.replace(" ", "")
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), wanted):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes to write down, shown once: 'abcd-efgh-jkmn'."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code; case, spaces and hyphens do not matter."""
    normal = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
