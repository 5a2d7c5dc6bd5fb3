"""Crash safety: a worker killed with SIGKILL mid-batch, restarted; each message arrives once."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.reminders.conftest import all_jobs
from tests.support.sync import new_id, note_fields, observation_fields

ROOT = Path(__file__).resolve().parents[2]


def start_worker(database_url: str, instance: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LESSONLOOP_DATABASE_URL": database_url,
        "LESSONLOOP_INSTANCE_PATH": str(instance),
        "LESSONLOOP_SECRET_KEY": "crash-test-secret",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "tests.support.reminders_app",
        "worker",
        "--poll-interval",
        "0.1",
        "--lease",
        "3",
        "--batch-size",
        "20",
    ]
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)


def wait_for(predicate, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


def test_a_killed_worker_restarted_delivers_each_message_exactly_once(
    pair, push_service, app, database_url, tmp_path
):
    observations = [new_id() for _ in range(5)]
    for observation_id in observations:
        fields = observation_fields(
            [(pair.a.user["id"], "observee"), (pair.b.user["id"], "observer")]
        )
        pair.a_sync.put("observation", observation_id, fields)
    pair.a_sync.push_ok(
        [pair.a_sync.mutation("note", new_id(), note_fields(o)) for o in observations]
    )
    job_ids = [job.id for job in all_jobs(app)]
    assert len(job_ids) == 5

    # The push service takes the first message, then holds its answer: the worker waits on it.
    arrived, release = push_service.hold_next(pair.b_phone)
    log = tmp_path / "worker.log"
    instance = Path(app.instance_path)
    first = start_worker(database_url, instance, log)
    try:
        assert arrived.wait(60), log.read_text()
        first.send_signal(signal.SIGKILL)  # between claiming the batch and finishing it
        first.wait(10)
    finally:
        release.set()
        if first.poll() is None:
            first.kill()
    statuses = collections.Counter(job.status for job in all_jobs(app))
    assert statuses == {"sending": 1, "claimed": 4}

    second = start_worker(database_url, instance, log)
    try:
        wait_for(
            lambda: {j.status for j in all_jobs(app)} <= {"sent", "unknown"},
            60,
            "the restarted worker to finish the batch",
            log,
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(20) == 0
    finally:
        if second.poll() is None:
            second.kill()

    delivered = collections.Counter(p["id"] for p in pair.b_phone.payloads())
    assert delivered == {job_id: 1 for job_id in job_ids}  # every message, each exactly once
    assert pair.b_phone.posts == 5
    final = {job.id: job.status for job in all_jobs(app)}
    assert collections.Counter(final.values()) == {"sent": 4, "unknown": 1}
    assert push_service.errors == []
    assert "stopping after the current message" in log.read_text()
