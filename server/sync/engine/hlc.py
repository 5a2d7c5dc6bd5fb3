"""Hybrid logical clock stamps: parse, print and clamp. No IO: the caller passes the time.

A stamp is 15-digit milliseconds since the epoch, a 4-digit counter and the client id, printed as
`MMMMMMMMMMMMMMM:CCCC:client-id`, so that the plain string order of two printed stamps is their
clock order (and the dataclass order of two `HLC` values is the same order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SKEW_MS = 300_000

_MS_LIMIT = 10**15  # 15 digits: the printed width must never grow, or string order breaks
_COUNTER_LIMIT = 10**4
_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
# [0-9], not \d: \d also matches other scripts' digits, which int() would quietly accept.
_STAMP = re.compile(r"([0-9]{15}):([0-9]{4}):(.*)", re.DOTALL)
_SHOWN = 80  # how much of a bad stamp an error message repeats


class HLCError(ValueError):
    """A clock stamp that is not 15 digits, ':', 4 digits, ':', a client id."""


@dataclass(frozen=True, order=True)
class HLC:
    """One clock stamp; the field order makes dataclass order equal clock order."""

    ms: int
    counter: int
    client_id: str

    def __post_init__(self) -> None:
        # Checked here so that every HLC prints as a stamp parse_hlc accepts.
        _check_range("milliseconds", self.ms, _MS_LIMIT)
        _check_range("counter", self.counter, _COUNTER_LIMIT)
        _check_client_id(self.client_id)

    def __str__(self) -> str:
        return f"{self.ms:015d}:{self.counter:04d}:{self.client_id}"


def parse_hlc(text: str) -> HLC:
    """Parse a printed stamp, raising HLCError for anything that is not exactly one."""
    if not isinstance(text, str):
        raise HLCError(f"a clock stamp must be a string, not {type(text).__name__}")
    match = _STAMP.fullmatch(text)
    if match is None:
        raise HLCError(
            f"clock stamp {text[:_SHOWN]!r} is not 15 digits, ':', 4 digits, ':', a client id"
        )
    ms, counter, client_id = match.groups()
    return HLC(int(ms), int(counter), client_id)


def clamp(stamp: HLC, now_ms: int, *, max_skew_ms: int = MAX_SKEW_MS) -> tuple[HLC, bool]:
    """Pull a stamp more than max_skew_ms ahead of the server clock back to the server clock."""
    if stamp.ms - now_ms <= max_skew_ms:
        return stamp, False
    # A phone with a wrong clock must not win every future conflict. max(): stay total even for
    # a nonsensical negative server time.
    return HLC(max(now_ms, 0), 0, stamp.client_id), True


def _check_range(name: str, value: int, limit: int) -> None:
    """Reject a stamp part that is not an int in [0, limit)."""
    if type(value) is not int or not 0 <= value < limit:
        raise HLCError(
            f"clock stamp {name} must be an integer from 0 to {limit - 1}, not {value!r}"
        )


def _check_client_id(client_id: str) -> None:
    """Reject a client id that would not survive printing and parsing."""
    if not isinstance(client_id, str) or _CLIENT_ID.fullmatch(client_id) is None:
        raise HLCError(
            f"clock stamp client id {str(client_id)[:_SHOWN]!r} must be 1 to 64 characters "
            "of A-Z, a-z, 0-9 and '-'"
        )
