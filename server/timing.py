"""Server time by phase: where a request's milliseconds go (issue 17).

`phase(name)` times a step of the request; phases nest, and each counts only its own time
(an inner phase is subtracted from the one around it), so the phases add up to the time they
cover. With TIMING on (LESSONLOOP_SERVER_TIMING=1; the benchmarks and the load test set it)
every API answer carries them in a `Server-Timing` header, then `cpu` (the request thread's
CPU time: on a shared, loaded machine wall time also counts the time others had the CPU) and
`total` last: the wall time from the first request hook to the last. Off, a phase costs one
attribute lookup.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, g, has_request_context

HEADER = "Server-Timing"


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time a step of this request (nothing when timing is off or outside a request)."""
    timings: dict[str, float] | None = g.get("timings") if has_request_context() else None
    if timings is None:
        yield
        return
    stack: list[float] = g.timing_stack
    started = time.perf_counter()
    stack.append(0.0)
    try:
        yield
    finally:
        inner = stack.pop()
        spent = time.perf_counter() - started
        timings[name] = timings.get(name, 0.0) + spent - inner
        if stack:
            stack[-1] += spent


def note(name: str, seconds: float) -> None:
    """Record a span that overlaps the phases (the change lock's hold), when timing is on."""
    timings: dict[str, float] | None = g.get("timings") if has_request_context() else None
    if timings is not None:
        timings[name] = timings.get(name, 0.0) + seconds


def start() -> None:
    """Begin timing this request (a before_request hook)."""
    if current_app.config.get("SERVER_TIMING"):
        g.timings, g.timing_stack = {}, []
        g.timing_started, g.timing_cpu = time.perf_counter(), time.thread_time()


def header(response: Response) -> Response:
    """Add the request's phases and total, in milliseconds (an after_request hook)."""
    timings: dict[str, float] | None = g.get("timings")
    if timings is not None:
        total = time.perf_counter() - g.timing_started
        cpu = time.thread_time() - g.timing_cpu
        parts = [f"{name};dur={seconds * 1000:.3f}" for name, seconds in timings.items()]
        parts += [f"cpu;dur={cpu * 1000:.3f}", f"total;dur={total * 1000:.3f}"]
        response.headers[HEADER] = ", ".join(parts)
    return response


def parse(value: str) -> dict[str, float]:
    """A Server-Timing header as {name: milliseconds} (the benchmarks read it)."""
    found: dict[str, float] = {}
    for part in value.split(","):
        name, _, rest = part.strip().partition(";dur=")
        if name and rest:
            found[name] = found.get(name, 0.0) + float(rest)
    return found


def init_app(app: Flask) -> None:
    """Register the hooks: first before every other hook, last after them."""
    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request_funcs.setdefault(None, []).insert(0, header)  # run in reverse: last
