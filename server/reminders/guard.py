"""The SSRF guard for Web Push endpoints: public HTTPS hosts only, checked at every connection.

A subscription endpoint is a URL the browser's push service chose, but it reaches the server
through a client we do not control, so it is treated as hostile. It must be `https`, and every
address its host resolves to (IPv4 and IPv6, with IPv4 embedded in IPv6 unwrapped) must be a
public one. The check runs when a device subscribes and again inside every connection the worker
opens: `guarded_session()` connects only to the addresses it has just checked, so a DNS answer
that changes between the check and the connection (rebinding) cannot reach an internal host.
`allow_private` (app.config["PUSH_ALLOW_PRIVATE_ENDPOINTS"], tests only) also admits `http`
and internal addresses.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as urllib3_connection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class EndpointRefused(Exception):
    """An endpoint that is not a public HTTPS address; the message says what to do."""


def check_url(url: str, allow_private: bool) -> tuple[str, int]:
    """The (host, port) of an acceptable endpoint URL, or EndpointRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EndpointRefused("The endpoint is not a valid URL.") from exc
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise EndpointRefused("The endpoint must be an https:// address of a push service.")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise EndpointRefused("The endpoint must name a host, with no user name or password.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses carried inside a 6to4 or Teredo IPv6 address."""
    found = [ip.sixtofour, *(ip.teredo or ())]
    return [address for address in found if address is not None]


def is_public(ip: IPAddress) -> bool:
    """Whether an address is globally routable and not special in any way."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 address itself
            return is_public(ip.ipv4_mapped)
        if ip in NAT64:  # DNS64 on an IPv6-only host: judge the IPv4 address it stands for
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.scope_id or any(not is_public(inner) for inner in embedded_ipv4(ip)):
            return False
    special = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    # is_global is False for shared (CGNAT) space and other non-public ranges too.
    return ip.is_global and not special


def resolve(host: str, port: int, allow_private: bool) -> list[tuple[Any, ...]]:
    """getaddrinfo for the host, refused unless every address is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise EndpointRefused(
            f"The endpoint's host {host} could not be found. Check the network and try again."
        ) from exc
    if not allow_private:
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not is_public(address):
                raise EndpointRefused(
                    f"The endpoint's host {host} is an internal address ({address}); "
                    "use the endpoint your browser's push service gave."
                )
    return infos


def check_endpoint(url: str, allow_private: bool) -> None:
    """Refuse (EndpointRefused) an endpoint that is not https or resolves internally."""
    host, port = check_url(url, allow_private)
    resolve(host, port, allow_private)


# ---- connections that check what they connect to ----------------------------------------------


def _connect_checked(conn: HTTPConnection, allow_private: bool) -> socket.socket:
    """Resolve once, check every address, then connect only to those addresses."""
    infos = resolve(conn._dns_host, conn.port or 443, allow_private)
    error: OSError | None = None
    for info in infos:
        try:
            return urllib3_connection.create_connection(
                (info[4][0], info[4][1]),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except OSError as exc:
            error = exc
    raise error or OSError(f"could not connect to {conn.host}")


def _guarded_adapter(allow_private: bool) -> HTTPAdapter:
    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _connect_checked(self, allow_private)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _connect_checked(self, allow_private)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": GuardedHTTPPool,
                "https": GuardedHTTPSPool,
            }

    return GuardedAdapter()


def guarded_session(allow_private: bool) -> requests.Session:
    """A requests session that never follows redirects or proxies and checks every connection."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: we connect where we checked
    session.max_redirects = 0
    adapter = _guarded_adapter(allow_private)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
