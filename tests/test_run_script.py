"""`make run` (scripts/run.sh): the server and the reminders worker start and stop together."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def test_run_starts_the_worker_beside_the_server_and_stops_both(tmp_path):
    flask = ROOT / ".venv" / "bin" / "flask"
    assert flask.exists(), f"{flask} is missing: create the venv with `make setup` first"
    port = free_port()
    env = {
        **os.environ,
        "LESSONLOOP_INSTANCE_PATH": str(tmp_path / "instance"),
        "LESSONLOOP_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "LESSONLOOP_PASSWORD_HASH_PROFILE": "fast",
    }
    script = subprocess.Popen(
        [str(ROOT / "scripts" / "run.sh"), "127.0.0.1", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(script.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        worker_pid = None
        healthy = False
        while time.monotonic() < deadline and not healthy:
            assert script.poll() is None, "run.sh exited:\n" + "".join(lines)
            match = re.search(r"Reminders are on: .* \(pid (\d+)\)", "".join(lines))
            worker_pid = int(match.group(1)) if match else None
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                    healthy = True
            except OSError:
                time.sleep(0.2)
        assert healthy, "run.sh did not come up:\n" + "".join(lines)
        assert worker_pid, "run.sh did not say the worker started:\n" + "".join(lines)
        assert b"worker" in Path(f"/proc/{worker_pid}/cmdline").read_bytes()
        assert _alive(worker_pid)
        while "Reminders worker" not in "".join(lines) and time.monotonic() < deadline:
            time.sleep(0.2)  # the worker imports the app while gunicorn starts: wait for its word
        assert "Reminders worker" in "".join(lines), "the worker never said it started"

        script.send_signal(signal.SIGTERM)
        assert script.wait(30) == 143
        deadline = time.monotonic() + 10
        while _alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker_pid), "the worker outlived run.sh"
        reader.join(5)
    finally:
        if script.poll() is None:
            script.kill()
            script.wait(10)
        reader.join(5)
        script.stdout.close()
