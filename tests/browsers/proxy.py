"""A small HTTP proxy in front of the live server that can drop the connections of some paths.

WebKit's WebDriver cannot abort one kind of request as Playwright's routes do, so a scenario
that needs "the push fails, everything else works" puts this between the browser and the
server, in both engines. A dropped request is closed with no answer: the browser sees a
network error, as with a lost signal. One request per connection (HTTP/1.0), streamed through,
so the live channel's event stream passes too.
"""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class DroppingProxy:
    """Listens on a free loopback port and forwards to `target_port`."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.blocked: set[str] = set()
        self.dropped = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def handle_one_request(self) -> None:
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                proxy.forward(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def block(self, path_prefix: str) -> None:
        self.blocked.add(path_prefix)

    def unblock(self, path_prefix: str) -> None:
        self.blocked.discard(path_prefix)

    def forward(self, request: BaseHTTPRequestHandler) -> None:
        request.close_connection = True
        if any(request.path.startswith(prefix) for prefix in self.blocked):
            self.dropped += 1
            request.connection.shutdown(socket.SHUT_RDWR)
            return
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection("127.0.0.1", self.target_port, timeout=120)
        try:
            upstream.request(request.command, request.path, body=body, headers=headers)
            answer = upstream.getresponse()
        except OSError:  # the server is down: the browser sees its connection dropped
            request.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            self._relay(request, answer)
        except OSError:
            pass  # the browser went away (a page closed mid-stream)
        finally:
            upstream.close()

    @staticmethod
    def _relay(request: BaseHTTPRequestHandler, answer: http.client.HTTPResponse) -> None:
        request.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                request.send_header(name, value)
        request.send_header("Connection", "close")
        request.end_headers()
        if request.command == "HEAD":
            return
        while chunk := answer.read1(65536):
            request.wfile.write(chunk)
            request.wfile.flush()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
