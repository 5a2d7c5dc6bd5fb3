"""A real server on a free loopback port: gunicorn serving wsgi:app over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


class LiveServer:
    """gunicorn with its own environment; start(), stop(), restart() keep the same port."""

    def __init__(
        self,
        database_url: str,
        instance: Path,
        workers: int = 2,
        threads: int = 4,
        extra_env: dict[str, str] | None = None,
        app: str = "wsgi:app",
    ) -> None:
        self.app = app  # gunicorn's "module:variable" (tests may serve a test configuration)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.threads = threads
        self.env = {
            **os.environ,
            "LESSONLOOP_DATABASE_URL": database_url,
            "LESSONLOOP_INSTANCE_PATH": str(instance),
            "LESSONLOOP_SECRET_KEY": "live-test-secret",
            "LESSONLOOP_PASSWORD_HASH_PROFILE": "fast",
            **(extra_env or {}),
        }
        self.log = instance / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LiveServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--graceful-timeout",
            "2",
            "--timeout",
            "60",
            self.app,
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        self._wait_healthy()
        return self

    def _wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited; see {self.log}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"the server did not become healthy; see {self.log}")

    def kill(self) -> None:
        """Stop abruptly (SIGKILL the whole gunicorn), as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            subprocess.run(["pkill", "-9", "-f", f"127.0.0.1:{self.port}"], check=False)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        self.stop()
        self.start()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        timeout: float = 30,
    ) -> tuple[int, Any]:
        """One JSON request over real HTTP; returns (status, decoded body or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None
