"""Small SVG charts drawn on the server, printed inline by WeasyPrint.

Our own module rather than a charting library: the reports need three chart shapes (a 100%
bar of look-for ratings, the same as columns over time, and stacked counts for a timeline),
every label escaped, fonts from the print stylesheet, greyscale-safe colours and no script or
external reference, which a few dozen lines give exactly and a general library does not.
Every piece of text goes through `escape`; the return values are safe `Markup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from reports.walks import MIN_VISITS, Tally

FONT = "Noto Sans, DejaVu Sans, sans-serif"
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#d5dae0"
HIDDEN_FILL = "#f1f3f5"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    text_colour: str


# Dark, mid and light: distinguishable in colour and in greyscale print.
RATING_SERIES = (
    Series("seen", "Seen", "#1d6b52", "#ffffff"),
    Series("partly", "Partly", "#e6a73c", "#1f2933"),
    Series("not_seen", "Not seen", "#cfd6de", "#1f2933"),
)


def _svg(width: float, height: float, body: str, label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width:g}" '
        f'height="{height:g}" viewBox="0 0 {width:g} {height:g}" role="img" '
        f'aria-label="{escape(label)}">{body}</svg>'
    )


def _text(x: float, y: float, text: str, size: float = 9, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size:g}"'
        f"{extra}>{escape(text)}</text>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"{extra}/>'


def _hidden_box(x: float, y: float, w: float, h: float) -> str:
    return _rect(x, y, w, h, HIDDEN_FILL, stroke=MUTED, stroke_width="0.6", stroke_dasharray="3 2")


def rating_bar(tally: Tally, width: float = 300, height: float = 18) -> Markup:
    """One 100% bar of seen / partly / not seen, with counts in the parts wide enough for them."""
    if tally.suppressed or not tally.visits:
        note = f"Fewer than {MIN_VISITS} visits: not shown" if tally.suppressed else "No visits"
        body = _hidden_box(0.5, 0.5, width - 1, height - 1) + _text(
            6, height / 2 + 3, note, fill=MUTED
        )
        return _svg(width, height, body, note)
    parts, x = [], 0.0
    for series in RATING_SERIES:
        part = tally.share(series.key) * width
        if part <= 0:
            continue
        parts.append(_rect(x, 0, part, height, series.colour))
        if part >= 22:
            label = str(tally.count(series.key))
            parts.append(
                _text(
                    x + part / 2,
                    height / 2 + 3,
                    label,
                    fill=series.text_colour,
                    text_anchor="middle",
                )
            )
        x += part
    summary = ", ".join(f"{s.label} {tally.count(s.key)}" for s in RATING_SERIES)
    return _svg(width, height, "".join(parts), summary)


def rating_columns(columns: Sequence[tuple[str, Tally]], height: float = 150) -> Markup:
    """Ratings over time: one 100% column per week or month; small slices drawn as hidden."""
    slot = max(18.0, min(80.0, 600 / max(1, len(columns))))
    left, top, bottom = 34.0, 14.0, 30.0
    plot = height - top - bottom
    width = left + slot * len(columns) + 6
    parts = [_axis(left, top, plot, width)]
    tilt = slot < 34
    for index, (label, tally) in enumerate(columns):
        x = left + index * slot + slot * 0.18
        w = slot * 0.64
        parts.append(_column(x, top, w, plot, tally))
        parts.append(_bucket_label(x + w / 2, top + plot + 11, label, tilt))
    return _svg(width, height, "".join(parts), "Look-for ratings over time")


def _axis(left: float, top: float, plot: float, width: float) -> str:
    parts = []
    for share in (0, 0.5, 1):
        y = top + plot * (1 - share)
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - 4:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, y + 3, f"{share:.0%}", size=8, fill=MUTED, text_anchor="end"))
    return "".join(parts)


def _column(x: float, top: float, w: float, plot: float, tally: Tally) -> str:
    if tally.suppressed:
        return _hidden_box(x, top, w, plot) + _text(
            x + w / 2,
            top + plot / 2 + 3,
            f"<{MIN_VISITS}",
            size=8,
            fill=MUTED,
            text_anchor="middle",
        )
    if not tally.visits:
        return _text(x + w / 2, top + plot - 3, "\u2013", size=8, fill=MUTED, text_anchor="middle")
    parts, y = [], top + plot
    for series in RATING_SERIES:  # seen on the baseline, as on the left of the bars
        part = tally.share(series.key) * plot
        if part > 0:
            y -= part
            parts.append(_rect(x, y, w, part, series.colour))
    parts.append(
        _text(x + w / 2, top - 3, f"n={tally.visits}", size=7, fill=MUTED, text_anchor="middle")
    )
    return "".join(parts)


def _bucket_label(x: float, y: float, label: str, tilt: bool) -> str:
    if not tilt:
        return _text(x, y, label, size=8, fill=INK, text_anchor="middle")
    return _text(
        x, y, label, size=7.5, fill=INK, text_anchor="end", transform=f"rotate(-40 {x:.1f} {y:.1f})"
    )


def count_columns(
    columns: Sequence[tuple[str, dict[str, int]]], series: Sequence[Series], height: float = 150
) -> Markup:
    """Stacked counts per period (a timeline of observations by role)."""
    top_value = max([sum(values.values()) for _, values in columns] + [1])
    slot = max(18.0, min(80.0, 600 / max(1, len(columns))))
    left, top, bottom = 28.0, 12.0, 30.0
    plot = height - top - bottom
    width = left + slot * len(columns) + 6
    parts = [_count_axis(left, top, plot, width, top_value)]
    tilt = slot < 34
    for index, (label, values) in enumerate(columns):
        x = left + index * slot + slot * 0.18
        w = slot * 0.64
        y = top + plot
        for each in series:
            part = values.get(each.key, 0) / top_value * plot
            if part > 0:
                y -= part
                parts.append(_rect(x, y, w, part, each.colour))
        total = sum(values.values())
        if total:
            parts.append(
                _text(x + w / 2, y - 3, str(total), size=7.5, fill=INK, text_anchor="middle")
            )
        parts.append(_bucket_label(x + w / 2, top + plot + 11, label, tilt))
    return _svg(width, height, "".join(parts), "Observations over time")


def _count_axis(left: float, top: float, plot: float, width: float, top_value: int) -> str:
    step = max(1, -(-top_value // 4))
    parts = []
    for value in range(0, top_value + 1, step):
        y = top + plot * (1 - value / top_value)
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - 4:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, y + 3, str(value), size=8, fill=MUTED, text_anchor="end"))
    return "".join(parts)


def legend(series: Sequence[Series], hidden: bool = False) -> Markup:
    """Swatches and labels in one row; `hidden` adds the key for suppressed slices."""
    parts, x = [], 0.0
    for each in series:
        parts.append(_rect(x, 2, 11, 11, each.colour))
        parts.append(_text(x + 15, 11, each.label, fill=INK))
        x += 15 + 6 * len(each.label) + 14
    if hidden:
        parts.append(_hidden_box(x, 2, 11, 11))
        note = f"fewer than {MIN_VISITS} visits: not shown"
        parts.append(_text(x + 15, 11, note, fill=INK))
        x += 15 + 5.2 * len(note) + 10
    return _svg(x, 15, "".join(parts), "Key")
