"""Where a webhook or an SMS gateway may be sent: never, by default, to this machine or a private network.

A principal who configures a channel chooses its URL. Without this check, that URL could aim the worker at
the services behind the firewall (a database's HTTP port, a cloud metadata address, a router's admin page):
server-side request forgery (OWASP ASVS V12.6, CWE-918). So every connection resolves the host, checks
*every* address it resolves to, and connects to an address it checked (a second DNS answer, "DNS
rebinding", cannot swap in another). Loopback, link-local, private (RFC 1918, RFC 4193), shared (RFC 6598),
multicast, reserved and unspecified addresses are refused unless the operator sets
SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE (a relay on the same host or network, the test suite).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import httpcore
import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(httpcore.ConnectError):
    """The host resolves to an address a channel may not be sent to; retrying cannot help."""


def private_allowed() -> bool:
    return bool(getattr(settings, "SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE", False))


def why_refused(address: IPAddress) -> str:
    """Why `address` is not on the public internet ("" when it is)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for test, what in (
        ("is_loopback", "a loopback address (this machine)"),
        ("is_link_local", "a link-local address"),
        ("is_private", "a private-network address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(address, test):
            return what
    return "" if address.is_global else "not a public internet address"


def literal_refusal(host: str) -> str:
    """For a host written as an IP address or "localhost": why a channel may not use it ("" when it may).
    A name is checked when the worker connects (its addresses may change)."""
    if private_allowed():
        return ""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return "a loopback address (this machine)"
    try:
        return why_refused(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return ""


def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host`, all checked; AddressRefused if any of them is refused (a name that resolves
    to one public and one private address could otherwise be made to pick the private one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    # An IPv4 or IPv6 socket address starts with the address as text (typeshed allows an int, for other families).
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not private_allowed():
        for text in addresses:
            why = why_refused(ipaddress.ip_address(text.split("%", 1)[0]))
            if why:
                raise AddressRefused(
                    f"refused: {host} resolves to {text}, {why}; channels may only send to public internet "
                    "addresses (the operator can allow private ones with SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE)"
                )
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no address")
    return addresses


class CheckedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, connecting only to addresses that `checked_addresses` let through.

    TLS still verifies the certificate against the host name of the URL (httpcore passes the name, not
    the address, as the server name)."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in checked_addresses(host, port):
            try:
                return self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                               socket_options=socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:  # pragma: no cover
        raise httpcore.ConnectError("channels do not send to unix sockets")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries, which we do not use
        self._inner.sleep(seconds)


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport with the connection pool on `CheckedBackend`. No proxy from the environment: a
    proxy would resolve the host itself, past the check."""

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedBackend(),
        )
