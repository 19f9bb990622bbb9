"""What every loopback server shares: a listening socket bound to port 0, and its address."""

from __future__ import annotations

import functools
import socket
from dataclasses import dataclass

LOOPBACK_V4 = "127.0.0.1"
LOOPBACK_V6 = "::1"
# The kernel caps this at net.core.somaxconn; 1024 lets the async benchmarks and the
# pool-limit tests open many connections at once without SYN retries.
BACKLOG = 1024


@dataclass(frozen=True)
class Address:
    """Where a running server listens."""

    scheme: str
    host: str
    port: int

    @property
    def netloc(self) -> str:
        """``host:port``, with an IPv6 host in brackets (RFC 3986, section 3.2.2)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        """``scheme://host:port``."""
        return f"{self.scheme}://{self.netloc}"

    def url(self, path: str = "/") -> str:
        """An absolute URL for `path` on this server."""
        return self.origin + path


@functools.cache
def ipv6_available() -> bool:
    """Whether ``::1`` can be bound here (containers often have no IPv6 loopback)."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind((LOOPBACK_V6, 0))
    except OSError:
        return False
    return True


def bind_listener(host: str = LOOPBACK_V4) -> socket.socket:
    """A TCP socket bound to `host` on a free port, already listening."""
    if host not in (LOOPBACK_V4, LOOPBACK_V6):
        raise ValueError(f"test servers listen on loopback only, not {host!r}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock
