"""One address, several instances: Debian's nginx in front of gunicorn instances (issue 17).

    python scripts/cluster.py [--port 8080] [--instances 2] ...   (make serve-cluster)

Starts, on loopback ports and without root (nginx -p with its own prefix folder):
- INSTANCES sync/API instances (gunicorn, WORKERS x THREADS each): everything but the below;
- one live instance for GET /api/v1/sync/events (1 worker, LIVE_THREADS threads): a stream
  waits on its process's one PostgreSQL listener for up to 55 s holding a thread but no database
  connection, so streams get threads of their own and never take a sync thread;
- one reports instance for /api/v1/reports/ (REPORT_WORKERS x 2 threads): a PDF lays out for
  0.5 to 3 s, and a lead downloading reports must not take a teacher's sync thread;
- REMINDER_WORKERS reminders workers (`flask worker`; jobs are claimed with SKIP LOCKED);
- nginx on 127.0.0.1:PORT, its config generated into DIR/nginx.conf: keep-alive upstreams,
  client_max_body_size equal to the app's request limit (answered in the API's error shape),
  buffering off and a long read timeout for the live channel.
Each instance is stateless: the database (LESSONLOOP_DATABASE_URL, PostgreSQL in production)
holds everything, and every instance shares one LESSONLOOP_SECRET_KEY (cursors, VAPID keys
are read from the shared instance folder when not set). docs/production.md says more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY_BYTES = 5 * 1024 * 1024  # server.config MAX_CONTENT_LENGTH (PROTOCOL.md: 5 MB)
STREAM_READ_TIMEOUT = 75  # seconds: past the stream's 55 s and its 15 s pings
INSTALL_NGINX = (
    "nginx is missing: install it with `sudo apt-get install -y nginx` (scripts/system-deps.sh)"
)
TOO_LARGE = (  # server.errors' 413, in the one error shape
    '{"error":{"code":"payload_too_large",'
    '"message":"The request body is too large (at most 5 MB)."}}'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_nginx() -> str:
    """Debian's nginx binary, or an error that says how to install it."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )
    if not found:
        raise RuntimeError(INSTALL_NGINX)
    return found


@dataclass
class Instance:
    """One gunicorn instance: its role, port and process."""

    role: str
    port: int
    workers: int
    threads: int
    process: subprocess.Popen[bytes] | None = None

    def command(self, log: Path) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--keep-alive", "75",  # longer than nginx's upstream keepalive_timeout (60 s)
            "--graceful-timeout", "5",
            "--timeout", "90",
            "--access-logfile", str(log),
            "--access-logformat", '%(m)s %(U)s %(s)s %(M)sms %({server-timing}o)s',
            "wsgi:app",
        ]  # fmt: skip


@dataclass
class Cluster:
    """nginx + sync instances + a live instance + a reports instance + reminders workers."""

    folder: Path
    env: dict[str, str]
    port: int = 0
    instances: int = 2
    workers: int = 2
    threads: int = 4
    live_threads: int = 400
    report_workers: int = 1
    reminder_workers: int = 1
    members: list[Instance] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plan(self) -> None:
        """Choose the ports: the app instances, the live one, the reports one."""
        self.port = self.port or free_port()
        self.members = [
            Instance("app", free_port(), self.workers, self.threads) for _ in range(self.instances)
        ]
        self.members.append(Instance("live", free_port(), 1, self.live_threads))
        self.members.append(Instance("reports", free_port(), self.report_workers, 2))

    def log(self, instance: Instance) -> Path:
        return self.folder / f"{instance.role}-{instance.port}.log"

    def start(self) -> Cluster:
        nginx = find_nginx()
        (self.folder / "tmp").mkdir(parents=True, exist_ok=True)
        self.plan()
        (self.folder / "nginx.conf").write_text(nginx_config(self))
        env = {**os.environ, "LESSONLOOP_TRUSTED_PROXIES": "1", **self.env}
        for member in self.members:
            with open(self.folder / f"{member.role}-{member.port}.err", "ab") as err:
                member.process = subprocess.Popen(
                    member.command(self.log(member)), cwd=ROOT, env=env, stdout=err, stderr=err
                )
        with open(self.folder / "worker.log", "ab") as log:
            for _ in range(self.reminder_workers):
                worker = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
                self.others.append(
                    subprocess.Popen(worker, cwd=ROOT, env=env, stdout=log, stderr=log)
                )
        prefix = ["-p", str(self.folder), "-c", str(self.folder / "nginx.conf")]
        self.others.append(subprocess.Popen([nginx, *prefix, "-g", "daemon off;"], cwd=self.folder))
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 60) -> None:
        """Every instance answers /api/v1/health directly, and nginx answers it too."""
        deadline = time.monotonic() + timeout
        urls = [f"http://127.0.0.1:{m.port}/api/v1/health" for m in self.members]
        urls.append(self.url + "/api/v1/health")
        for url in urls:
            while not _healthy(url):
                self.check_running()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer; see {self.folder}")
                time.sleep(0.2)

    def check_running(self) -> None:
        for process in [*(m.process for m in self.members), *self.others]:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{process.args!r} exited; see the logs in {self.folder}")

    def stop(self) -> None:
        processes = [p for p in [*self.others, *(m.process for m in self.members)] if p]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def pids(self, role: str) -> list[int]:
        """The gunicorn master pids of a role (the load test reads their CPU)."""
        return [m.process.pid for m in self.members if m.role == role and m.process]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _upstream(name: str, members: list[Instance], keepalive: int) -> str:
    servers = "".join(f"        server 127.0.0.1:{m.port};\n" for m in members)
    return (
        f"    upstream {name} {{\n        least_conn;\n{servers}"
        f"        keepalive {keepalive};\n        keepalive_timeout 60s;\n    }}\n"
    )


def nginx_config(cluster: Cluster) -> str:
    """The whole nginx.conf: paths inside the cluster's folder, loopback only."""
    folder = cluster.folder
    by_role = {r: [m for m in cluster.members if m.role == r] for r in ("app", "live", "reports")}
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would be nobody
    temp = "".join(
        f"    {kind}_temp_path {folder}/tmp/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Generated by scripts/cluster.py: do not edit (docs/production.md)
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format timed '$request_method $uri $status $request_time $upstream_addr';
    access_log {folder}/nginx-access.log timed buffer=64k flush=1s;
{temp}    client_max_body_size {MAX_BODY_BYTES};
    keepalive_timeout 75s;
{_upstream("app", by_role["app"], 64)}{_upstream("live", by_role["live"], 16)}\
{_upstream("reports", by_role["reports"], 8)}
    server {{
        listen 127.0.0.1:{cluster.port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        error_page 413 = @too_large;

        location = /api/v1/sync/events {{
            proxy_pass http://live;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout {STREAM_READ_TIMEOUT}s;
        }}
        location /api/v1/reports/ {{
            proxy_pass http://reports;
            proxy_read_timeout 60s;
        }}
        location / {{
            proxy_pass http://app;
        }}
        location @too_large {{
            default_type application/json;
            add_header Cache-Control no-store always;
            add_header X-Content-Type-Options nosniff always;
            return 413 '{TOO_LARGE}';
        }}
    }}
}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "instance" / "cluster")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--live-threads", type=int, default=400)
    parser.add_argument("--report-workers", type=int, default=1)
    parser.add_argument("--reminder-workers", type=int, default=1)
    args = parser.parse_args()
    cluster = Cluster(
        args.dir, {}, args.port, args.instances, args.workers, args.threads,
        args.live_threads, args.report_workers, args.reminder_workers,
    )  # fmt: skip
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        cluster.start()
        print(f"Lesson Loop is running at {cluster.url} (nginx, {args.instances} instances; "
              f"stop with Ctrl+C). Config and logs: {args.dir}", flush=True)  # fmt: skip
        while True:
            cluster.check_running()
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
