"""Facts about a school that every feature uses, stated once: its time zone."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger("lessonloop")

# A new school's zone, and the one used where a stored zone is missing or unknown.
DEFAULT_TIMEZONE = "Europe/London"


def school_zone(name: str | None) -> ZoneInfo:
    """The school's time zone (DEFAULT_TIMEZONE when it is missing or unknown)."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown school time zone %r; using %s", name, DEFAULT_TIMEZONE)
        return ZoneInfo(DEFAULT_TIMEZONE)
