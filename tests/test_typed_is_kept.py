"""A screen never throws away what a person typed: the static side of the rule.

Every text, number, date, time and select control the PWA draws (`h('input' | 'textarea' |
'select', ...)` in pwa/js) must say how what is typed into it outlives a redraw: a draft key
(`dataset: { draft: ... }`, pwa/js/drafts.js), the lead screen's remembered choices
(`remembered(...)`, views/lead-laptop.js), or a comment `// typed: <why>` on its line or the
two lines above it (a secret kept in memory only, a part of the screen drawn once, a screen
that never redraws). The browser side: tests/pwa/test_nothing_lost.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTROL = re.compile(r"h\(\s*'(input|textarea|select)'\s*,\s*")
# Controls nothing is typed into (a tick, a choice of chips, a file).
UNTYPED = {"checkbox", "radio", "file", "hidden", "submit", "button", "reset", "image", "range"}
REASON = re.compile(r"//\s*typed:\s*\S")


def _attributes(source: str, start: int) -> str:
    """The object literal of attributes at `start` (up to its matching brace), or ''."""
    if source[start] != "{":
        return ""
    depth = 0
    for index in range(start, len(source)):
        depth += {"{": 1, "}": -1}.get(source[index], 0)
        if depth == 0:
            return source[start : index + 1]
    return source[start:]


def unkept_controls(source: str) -> list[int]:
    """The lines of the typed-into controls of `source` that say nothing of their typing."""
    lines = source.splitlines()
    found = []
    for match in CONTROL.finditer(source):
        attributes = _attributes(source, match.end())
        kind = re.search(r"\btype:\s*'([a-z-]+)'", attributes)
        if match.group(1) == "input" and kind and kind.group(1) in UNTYPED:
            continue
        line = source.count("\n", 0, match.start())
        nearby = lines[max(0, line - 2) : line + 1]
        if re.search(r"\bdraft:", attributes) or "remembered(" in lines[line]:
            continue
        if not any(REASON.search(text) for text in nearby):
            found.append(line + 1)
    return found


def modules() -> list[Path]:
    return sorted((ROOT / "pwa" / "js").rglob("*.js"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_typed_control_says_how_its_words_outlive_a_redraw(path: Path) -> None:
    found = unkept_controls(path.read_text(encoding="utf-8"))
    assert found == [], (
        f"{path.relative_to(ROOT)}, lines {found}: give the control a draft key "
        "(dataset: { draft: ... }) or say why it needs none (// typed: ...)"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("const a = h('input', { type: 'text', name: 'x' });", [1]),
        ("const a = h('textarea', { rows: 3 });", [1]),
        ("const a = h('select', null, options);", [1]),
        ("const a = h('input', { type: 'date', min: today });", [1]),
        ("const a = h('input', { name: 'otp', oninput: (e) => { kept = e.target.value; } });", [1]),
        ("const a = h('input', { type: 'text', dataset: { draft: `k/${id}` } });", []),
        ("const a = remembered(h('select', { name: 'x' }), '');", []),
        ("// typed: a secret, in memory only\nconst a = h('input', { type: 'password' });", []),
        ("const a = h('input', { type: 'checkbox', checked: true });", []),
        ("const a = h('input', { type: 'file', accept: '.csv' });", []),
    ],
)
def test_the_scan_tells_kept_from_unkept(source: str, expected: list[int]) -> None:
    assert unkept_controls(source) == expected
