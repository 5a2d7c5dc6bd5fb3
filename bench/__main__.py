"""`python -m bench [name ...]`: run benchmarks and rewrite their sections of BENCHMARKS.md.

Each benchmark is a module `bench/<name>.py` with `run() -> str` returning a Markdown section
(figures as medians of several runs, ratios measured side by side in the same run). Sections
not run this time are kept as they were, so one benchmark can be rerun alone.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "BENCHMARKS.md"
BENCHES = ["sync", "pwa", "cotext", "reports", "report_limits", "reminders", "live", "live_pwa"]
BENCHES += ["can"]  # issue 13: permissions in pull
BENCHES += ["photos"]  # issue 16: uploads, capture, thumbnails
BENCHES += ["sign_in", "second_factor"]  # issue 14: school sign-in; the second factor and roster
BENCHES += ["phases", "load", "reflection"]  # issue 17: by phase; load test; 5,000 reminders
BENCHES += ["shell"]  # issue 4: the app shell (the first screen) and what is precached
HEADER = (
    "Written by `make bench` (`python -m bench [name ...]`: {names}). Figures are medians of"
    " several runs; ratios compare two systems measured side by side in the same run, because"
    " these machines are shared and noisy. Targets come from the issues."
)


def machine() -> str:
    """The machine the figures come from."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s*(\d+)", meminfo.read_text())
        memory = f", {int(match.group(1)) / 1024 / 1024:.0f} GiB memory" if match else ""
    system = f"{platform.platform()}; Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}; {system}"


def sections(text: str) -> dict[str, str]:
    return dict(re.findall(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", text, flags=re.S))


def main(names: list[str]) -> None:
    names = names or BENCHES
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    kept = sections(OUTPUT.read_text()) if OUTPUT.exists() else {}
    for name in names:
        module = Path(__file__).parent / f"{name}.py"
        if not module.exists() and not (module.parent / name / "__init__.py").exists():
            print(f"[bench] {name}: not written yet", flush=True)
            continue
        print(f"[bench] {name} ...", flush=True)
        started = dt.datetime.now(dt.UTC)
        body = importlib.import_module(f"bench.{name}").run()
        kept[name] = f"{body.rstrip()}\n\n_Run {started:%Y-%m-%d %H:%M} UTC on: {machine()}._\n"
        write(kept)
    print(f"[bench] wrote {OUTPUT}")


def write(kept: dict[str, str]) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    parts = [
        "# Benchmarks",
        "",
        *textwrap.wrap(HEADER.format(names=", ".join(BENCHES)), 90),
        "",
        f"Last written {dt.date.today().isoformat()} at commit `{commit or 'uncommitted'}`.",
        "",
    ]
    for name in BENCHES:
        if name in kept:
            parts += [
                f"<!-- bench:{name} -->",
                kept[name].rstrip() + "\n",
                f"<!-- /bench:{name} -->",
                "",
            ]
    OUTPUT.write_text("\n".join(parts))


if __name__ == "__main__":
    main(sys.argv[1:])
