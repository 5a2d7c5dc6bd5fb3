"""Co-written text (issue 11): a push of 500 Yjs updates on one 20,000-character field, and the
pull size of an observation with five co-written fields, with and without its Yjs state.

A live server (gunicorn, 1 worker, SQLite) with the demo school; the updates are made by a
pycrdt document playing a phone that typed 500 edits offline. Run alone: `python -m bench cotext`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pycrdt

from bench.pwa import ANA, BEN, _login, _migrated_database, _request, shell_size
from server.web import build_bundle
from tests.pwa.helpers import prepare_instance, run_cli
from tests.support.live import LiveServer

RUNS = 5
UPDATES = 500
LENGTH = 20_000
FIELDS = ("focus_question", "learning_intention", "strengths", "wonderings", "reflection")
WORDS = [
    "pupils",
    "explained",
    "their",
    "method",
    "to",
    "a",
    "partner",
    "before",
    "sharing",
    "with",
    "the",
    "class",
]


def _text(length: int, seed: int) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length]


class Phone:
    """A signed-in device with its own seq and clock."""

    def __init__(self, live: LiveServer, email: str) -> None:
        self.live, self.who, self.seq = live, _login(live, email), 0

    def mutation(self, record_id: str, fields: dict[str, Any], base: int = 0) -> dict[str, Any]:
        self.seq += 1
        stamp = f"{int(time.time() * 1000):015d}:{self.seq % 10_000:04d}:{self.who['client_id']}"
        return {"seq": self.seq, "entity": "observation", "id": record_id, "op": "put",
                "base_version": base, "hlc": stamp, "fields": fields}  # fmt: skip

    def push(self, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = {"client_id": self.who["client_id"], "mutations": mutations}
        answer = _request(self.live, "/api/v1/sync/push", body, self.who["token"])
        return list(answer["results"])

    def pull_record(self, record_id: str) -> tuple[dict[str, Any], int]:
        """The record as pulled (first sync), and its bytes in the response."""
        cursor, found, size = None, None, 0
        while True:
            path = "/api/v1/sync/pull?limit=2000" + (f"&cursor={cursor}" if cursor else "")
            page = _request(self.live, path, token=self.who["token"])
            for change in page["changes"]:
                if change["id"] == record_id:
                    found, size = change, len(json.dumps(change, separators=(",", ":")))
            cursor = page["cursor"]
            if not page["has_more"]:
                assert found is not None
                return found, size


def _observation(ana: Phone, ben: Phone, texts: dict[str, str]) -> str:
    record_id = str(uuid.uuid4())
    fields = {
        "kind": "team_teaching",
        "title": "Co-written review",
        "starts_at": dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC).isoformat(),
        "participants": [
            {"user_id": ana.who["user"]["id"], "role": "co_teacher"},
            {"user_id": ben.who["user"]["id"], "role": "co_teacher"},
        ],
        **texts,
    }
    assert ana.push([ana.mutation(record_id, fields)])[0]["status"] == "applied"
    return record_id


def _edits(state: str, count: int, seed: int) -> list[str]:
    """A phone's offline typing: count small edits (insert a word, sometimes delete one)."""
    rng, doc = random.Random(seed), pycrdt.Doc()
    doc.apply_update(base64.b64decode(state))
    text = doc.get("text", type=pycrdt.Text)
    updates = []
    for n in range(count):
        before = doc.get_state()
        at = rng.randrange(len(text))  # the document is ASCII: bytes are characters
        if n % 4 == 3:
            del text[at : min(len(text), at + 3)]
        else:
            text.insert(at, rng.choice(WORDS)[:2])
        updates.append(base64.b64encode(doc.get_update(before)).decode())
    return updates


def _push_ms(ana: Phone, ben: Phone, run: int) -> float:
    record_id = _observation(ana, ben, {"strengths": _text(LENGTH - 2 * UPDATES, run)})
    record, _ = ben.pull_record(record_id)
    updates = _edits(record["yjs"]["strengths"], UPDATES, run)
    batch = [ben.mutation(record_id, {"strengths": {"yjs": u}}) for u in updates]
    started = time.perf_counter()
    results = ben.push(batch)
    elapsed = (time.perf_counter() - started) * 1000
    assert {r["status"] for r in results} == {"applied"}, results[:3]
    return elapsed


def _pull_sizes(ana: Phone, ben: Phone) -> tuple[int, int, int]:
    texts = {name: _text(400, n) for n, name in enumerate(FIELDS)}
    record_id = _observation(ana, ben, texts)
    record, size = ben.pull_record(record_id)
    without = {k: v for k, v in record.items() if k != "yjs"}
    plain = len(json.dumps(without, separators=(",", ":")))
    return size, plain, sum(len(t) for t in texts.values())


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="bench-cotext-") as folder:
        root = Path(folder)
        url = _migrated_database(root)
        run_cli(url, root / "seed", "demo")
        live = LiveServer(url, prepare_instance(root / "instance"), workers=1, threads=2).start()
        try:
            ana, ben = Phone(live, ANA), Phone(live, BEN)
            times = [_push_ms(ana, ben, run) for run in range(RUNS)]
            with_state, without_state, letters = _pull_sizes(ana, ben)
            shell = shell_size(live)
        finally:
            live.stop()
    each = ", ".join(f"{t:.0f}" for t in times)
    return "\n".join(
        [
            "## Co-written text (issue 11)",
            "",
            "gunicorn, 1 worker (2 threads), SQLite, the demo school; a pycrdt document plays the "
            "phone. Pull sizes are the record's JSON in the pull response.",
            "",
            "| measure | result | notes |",
            "|---|---|---|",
            f"| push of {UPDATES} Yjs updates (one mutation each) on one {LENGTH:,}-character "
            f"field, median | **{statistics.median(times):.0f} ms** | {RUNS} runs ({each} ms); "
            "3 of 4 edits insert 2 letters, 1 of 4 deletes 3 |",
            f"| pull size of an observation with five co-written fields ({letters:,} letters), "
            f"with Yjs state | **{with_state:,} bytes** | `yjs` holds each field's full state "
            "(base64) |",
            f"| the same record without `yjs` | **{without_state:,} bytes** | "
            f"state adds {with_state - without_state:,} bytes "
            f"({with_state / without_state:.2f}x) |",
            _shell_row(shell),
        ]
    )


def _shell_row(shell: dict[str, int]) -> str:
    """The app shell as served (gzip, and Brotli), with the vendored Yjs's share."""
    yjs = build_bundle().assets["vendor/yjs.js"].gzipped or b""
    return (
        f"| app shell, compressed (HTML, CSS, JS, manifest; gzip as served) | "
        f"**{shell['code'] / 1024:.1f} KB** (target < 100 KB) | of which pwa/vendor/yjs.js "
        f"{len(yjs) / 1024:.1f} KB; {shell['code_raw'] / 1024:.1f} KB uncompressed; "
        f"Brotli as served over HTTPS {shell['code_br'] / 1024:.1f} KB |"
    )
