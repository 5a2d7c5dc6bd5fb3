"""The SSRF guard: only public https endpoints, checked at subscribe time and at each connection."""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from server.reminders.guard import (
    EndpointRefused,
    check_endpoint,
    guarded_session,
    is_public,
)

INTERNAL = [
    "127.0.0.1",  # loopback
    "127.5.6.7",
    "10.1.2.3",  # private
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",  # link-local: cloud metadata
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "0.0.0.0",  # unspecified
    "224.0.0.1",  # multicast (which is_global alone lets through)
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.10",  # documentation
    "::1",
    "::",
    "fe80::1",  # link-local
    "fc00::1",  # unique local
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",  # IPv4-mapped private
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


def _url(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"https://{host}/push/abc"


@pytest.mark.parametrize("address", INTERNAL)
def test_endpoints_on_internal_addresses_are_refused(address):
    with pytest.raises(EndpointRefused, match="internal address"):
        check_endpoint(_url(address), allow_private=False)


@pytest.mark.parametrize("address", PUBLIC[:3])
def test_endpoints_on_public_addresses_pass(address):
    check_endpoint(_url(address), allow_private=False)


def test_a_name_that_resolves_to_loopback_is_refused():
    with pytest.raises(
        EndpointRefused, match=r"localhost is an internal address \((127\.0\.0\.1|::1)\)"
    ):
        check_endpoint("https://localhost/push/abc", allow_private=False)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://8.8.8.8/push", "must be an https:// address"),
        ("ftp://8.8.8.8/push", "must be an https:// address"),
        ("javascript:alert(1)", "must be an https:// address"),
        ("https:///push", "must name a host"),
        ("https://user:pw@8.8.8.8/push", "no user name or password"),
        ("https://8.8.8.8:99999/push", "not a valid URL"),
        ("https://push.invalid/abc", "could not be found"),
    ],
)
def test_malformed_endpoints_are_refused_with_a_reason(url, message):
    with pytest.raises(EndpointRefused, match=message):
        check_endpoint(url, allow_private=False)


def test_the_explicit_test_setting_admits_loopback_over_http():
    check_endpoint("http://127.0.0.1:9/push/abc", allow_private=True)
    check_endpoint("https://localhost/push/abc", allow_private=True)
    with pytest.raises(EndpointRefused, match="https://"):
        check_endpoint("ftp://127.0.0.1/push", allow_private=True)


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self):
        type(self).hits += 1
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_guarded_session_checks_the_address_it_connects_to():
    """Even a URL that passed an earlier check cannot reach loopback: the connection re-checks."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        with (
            guarded_session(allow_private=False) as session,
            pytest.raises(EndpointRefused, match="internal address"),
        ):
            session.post(f"http://localhost:{port}/push", data=b"x", timeout=5)
        assert _Counter.hits == 0
        with guarded_session(allow_private=True) as session:
            assert session.post(f"http://localhost:{port}/push", data=b"x", timeout=5).ok
        assert _Counter.hits == 1
    finally:
        server.shutdown()
        server.server_close()
