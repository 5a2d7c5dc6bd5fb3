"""Password hashing with Argon2id, a memory-hard KDF."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's second recommended profile (64 MiB, 3 passes). The "fast" profile exists only so
# the test suite can create hundreds of accounts; a test checks production uses the real one.
PROFILES = {
    "production": PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4),
    "fast": PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),
}
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str, profile: str = "production") -> str:
    """An encoded Argon2id hash (parameters included, so either profile verifies)."""
    return PROFILES[profile].hash(password)


def verify_password(encoded: str, password: str) -> bool:
    """True when the password matches; never raises for a wrong password."""
    try:
        return PROFILES["production"].verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_time(password: str, profile: str = "production") -> None:
    """Spend what a real check costs, so an unknown email is not faster than a wrong password."""
    if profile not in _DUMMY_HASHES:
        _DUMMY_HASHES[profile] = hash_password("not-a-real-password", profile)
    verify_password(_DUMMY_HASHES[profile], password)
