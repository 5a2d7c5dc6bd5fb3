"""Text helpers for reports: themes from repeated points, name redaction, dates, file names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from reports.model import Quote

REDACTED = "[name removed]"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|\n+")
NAME_TOKEN_MIN = 3


@dataclass(frozen=True)
class Point:
    """One point made, with how many times it was made and when it was first and last made."""

    text: str
    count: int
    first: dt.datetime
    last: dt.datetime


@dataclass(frozen=True)
class Theme:
    """A group of points (a focus, a category), most repeated first."""

    label: str
    points: list[Point]
    total: int
    more: int


def sentences(text: str) -> list[str]:
    """A free-text field split into its sentences or lines."""
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


def _key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".!")


def collapse(quotes: Iterable[Quote]) -> list[Point]:
    """The same point made several times becomes one point with a count."""
    points: dict[str, Point] = {}
    for quote in quotes:
        key = _key(quote.text)
        if not key:
            continue
        seen = points.get(key)
        if seen is None:
            points[key] = Point(quote.text.strip(), 1, quote.at, quote.at)
        else:
            points[key] = Point(
                seen.text, seen.count + 1, min(seen.first, quote.at), max(seen.last, quote.at)
            )
    return sorted(points.values(), key=lambda p: (-p.count, p.first, p.text))


def themes(quotes: Iterable[Quote], limit: int = 8) -> list[Theme]:
    """Quotes grouped by their `group`, largest group first, at most `limit` points each."""
    groups: dict[str, list[Quote]] = {}
    for quote in quotes:
        groups.setdefault(quote.group, []).append(quote)
    result = []
    for label, members in groups.items():
        points = collapse(members)
        result.append(Theme(label, points[:limit], len(members), max(0, len(points) - limit)))
    return sorted(result, key=lambda t: (-t.total, t.label.casefold()))


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Staff names: full names in any case, and capitalised parts of names ("Mr Okafor")."""
    whole = {" ".join(name.split()) for name in names if name.strip()}
    if not whole:
        return None
    full = sorted((n for n in whole if " " in n), key=len, reverse=True)
    parts = {
        token
        for name in whole
        for token in re.split(r"[\s\-]+", name)
        if (len(token) >= NAME_TOKEN_MIN or token == name) and not token[:1].islower()
    }
    options = ["(?i:" + r"\s+".join(re.escape(word) for word in n.split()) + ")" for n in full]
    options += [re.escape(t) for t in sorted(parts, key=len, reverse=True)]
    return re.compile(rf"(?<!\w)(?:{'|'.join(options)})(?!\w)")


def redact(text: str, pattern: re.Pattern[str] | None) -> str:
    """Staff names in free text replaced, so that quoted walk notes never name a teacher."""
    return pattern.sub(REDACTED, text) if pattern else text


def direction(value: object) -> str:
    """`rtl` when a text's first strong character is right-to-left (Arabic, Hebrew…), else `ltr`:
    the same rule as HTML's dir="auto", which WeasyPrint does not apply itself."""
    for char in str(value or ""):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def long_date(day: dt.date) -> str:
    """'Friday 20 November 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    """'20 Nov 2026'."""
    return f"{day.day} {day:%b %Y}"


def clock(moment: dt.datetime) -> str:
    """'09:05'."""
    return f"{moment:%H:%M}"


def slug(text: str, fallback: str = "report", limit: int = 60) -> str:
    """An ASCII file-name part: 'Café Zoë: Year 8!' -> 'cafe-zoe-year-8'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or fallback


# ---- unbroken runs ---------------------------------------------------------------------------

# WeasyPrint breaks a line by laying out the rest of the paragraph up to its next break
# opportunity: a run with none (20,000 characters of one letter, a pasted token) costs time
# quadratic in its length (about 9 s for 20,000 characters, 80 s for a report with two).
# A zero-width space every LONG_RUN characters of such a run gives it break opportunities, so
# it lays out in linear time and wraps; ordinary words and text are never touched.
LONG_RUN = 30
SOFT_BREAK = "\u200b"
_RUN = re.compile(rf"[^\s{SOFT_BREAK}]{{{LONG_RUN + 1},}}")


def _joined(before: str, after: str) -> bool:
    """Whether a break between these two characters would split one visible character."""
    code = ord(after)
    return (
        unicodedata.category(after).startswith("M")  # combining marks
        or after in "\u200d\ufe0e\ufe0f"  # zero-width joiner, variation selectors
        or before == "\u200d"
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
    )


def _split_run(run: str) -> str:
    pieces, start = [], 0
    while len(run) - start > LONG_RUN:
        cut = start + LONG_RUN
        while cut < len(run) and _joined(run[cut - 1], run[cut]):
            cut += 1
        pieces.append(run[start:cut])
        start = cut
    pieces.append(run[start:])
    return SOFT_BREAK.join(piece for piece in pieces if piece)


def soft_breaks(value: str) -> str:
    """A zero-width space every LONG_RUN characters of any run without a break opportunity."""
    if len(value) <= LONG_RUN:
        return value
    return _RUN.sub(lambda match: _split_run(match.group(0)), value)
