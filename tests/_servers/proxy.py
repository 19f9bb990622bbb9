"""A small real proxy for the tests: HTTP forwarding, CONNECT tunnels and SOCKS5.

`ProxyHandler` is a `RawServer` handler, so the proxy listens on loopback port 0, runs a
thread per connection, and stops with the server; behind TLS (``RawServer(...,
ssl_context=...)``) it is an https proxy. Each connection is told apart by its first
byte: 0x05 is SOCKS5 (RFC 1928, with RFC 1929 username/password), anything else HTTP/1.1
(an absolute-form request is forwarded with ``Connection: close`` upstream; ``CONNECT``
opens a tunnel). Every request or SOCKS5 command is recorded in `seen`, with the number
of the client connection it came on, so tests can check routing and connection reuse.
"""

from __future__ import annotations

import base64
import select
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests._servers.raw import RawConnection, RawRequest

SOCKS_VERSION = 5
RELAY_POLL = 0.2  # seconds between checks that the server is stopping
_HOP_BY_HOP = frozenset(
    {"connection", "proxy-connection", "proxy-authorization", "keep-alive", "content-length"}
)
_SOCKS_REFUSED = {"not allowed": 0x02, "unreachable": 0x04, "connection refused": 0x05}


@dataclass(frozen=True)
class Seen:
    """One request (or SOCKS5 command) the proxy received."""

    connection: int  # which client connection, counted from 1
    method: str  # "GET", "CONNECT", ... or "SOCKS5"
    target: str  # the request target, or "host:port" for SOCKS5
    headers: tuple[tuple[str, str], ...] = ()
    address_type: int = 0  # SOCKS5 ATYP: 1 IPv4, 3 domain name, 4 IPv6

    def header(self, name: str) -> str | None:
        """The first value of header `name` (lowercase), or None."""
        return next((value for key, value in self.headers if key == name), None)


class ProxyHandler:
    """Proxy each connection; `auth` requires credentials, `refuse` rejects tunnels."""

    def __init__(
        self, *, auth: tuple[str, str] | None = None, refuse: int | str | None = None
    ) -> None:
        self.auth = auth
        self.refuse = refuse  # an HTTP status for CONNECT, or a key of _SOCKS_REFUSED
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    @property
    def connections(self) -> int:
        """How many client connections sent at least one request."""
        with self._lock:
            return len({seen.connection for seen in self.seen})

    def __call__(self, conn: RawConnection) -> None:
        first = conn.peek(1)
        if first == bytes([SOCKS_VERSION]):
            self._socks5(conn)
        elif first:
            self._http(conn)

    # -- HTTP --------------------------------------------------------------------------

    def _authorized(self, request: RawRequest) -> bool:
        if self.auth is None:
            return True
        token = base64.b64encode(":".join(self.auth).encode()).decode()
        return request.header("proxy-authorization") == f"Basic {token}"

    def _http(self, conn: RawConnection) -> None:
        while (head := conn.read_head()) is not None:
            request = head if head.method == "CONNECT" else conn.read_body(head)
            self._record(Seen(conn.index, head.method, head.target, tuple(head.headers)))
            if not self._authorized(request):
                conn.send(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="tests"\r\nContent-Length: 0\r\n\r\n'
                )
            elif head.method == "CONNECT":
                self._tunnel(conn, head.target)
                return
            else:
                conn.send(_forward(request))

    def _tunnel(self, conn: RawConnection, target: str) -> None:
        if isinstance(self.refuse, int):
            conn.send(f"HTTP/1.1 {self.refuse} Refused\r\nContent-Length: 0\r\n\r\n".encode())
            return
        host, _, port = target.rpartition(":")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
        except OSError:
            conn.send(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        conn.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
        _relay(conn, upstream)

    # -- SOCKS5 ------------------------------------------------------------------------

    def _socks5(self, conn: RawConnection) -> None:
        _, count = conn.read_exact(2)
        methods = conn.read_exact(count)
        method = 0x00 if self.auth is None else 0x02
        if method not in methods:
            conn.send(bytes([SOCKS_VERSION, 0xFF]))
            return
        conn.send(bytes([SOCKS_VERSION, method]))
        if self.auth is not None:
            _, size = conn.read_exact(2)
            username = conn.read_exact(size).decode()
            password = conn.read_exact(conn.read_exact(1)[0]).decode()
            accepted = (username, password) == self.auth
            conn.send(b"\x01\x00" if accepted else b"\x01\x01")
            if not accepted:
                return
        _, _command, _, address_type = conn.read_exact(4)
        if address_type == 1:
            host = socket.inet_ntop(socket.AF_INET, conn.read_exact(4))
        elif address_type == 4:
            host = socket.inet_ntop(socket.AF_INET6, conn.read_exact(16))
        else:
            host = conn.read_exact(conn.read_exact(1)[0]).decode("ascii")
        port = int.from_bytes(conn.read_exact(2), "big")
        self._record(Seen(conn.index, "SOCKS5", f"{host}:{port}", address_type=address_type))
        code = _SOCKS_REFUSED.get(self.refuse) if isinstance(self.refuse, str) else None
        upstream = None
        if code is None:
            try:
                upstream = socket.create_connection((host, port), timeout=5)
            except OSError:
                code = _SOCKS_REFUSED["connection refused"]
        if upstream is None:
            conn.send(bytes([SOCKS_VERSION, code or 1, 0, 1]) + bytes(6))
            return
        conn.send(bytes([SOCKS_VERSION, 0, 0, 1]) + bytes(4) + bytes(2))
        _relay(conn, upstream)


def _forward(request: RawRequest) -> bytes:
    """Send `request` (absolute-form) to its origin and return the response to relay."""
    url = urlsplit(request.target)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    lines = [f"{request.method} {path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in request.headers if name not in _HOP_BY_HOP]
    lines += [f"Content-Length: {len(request.body)}", "Connection: close", "", ""]
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=5) as upstream:
        upstream.sendall("\r\n".join(lines).encode("latin-1") + request.body)
        response = RawConnection(upstream, ("upstream", 0), 0, threading.Event())
        head = response.read_head()
        if head is None:
            return b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
        status = int(head.target)
        if request.method == "HEAD" or status in (204, 304):
            body = b""
        elif head.header("content-length") or head.header("transfer-encoding"):
            body = response.read_body(head).body
        else:  # delimited by the end of the connection
            body = response.take_buffered() + b"".join(iter(response.recv, b""))
    reason = head.version  # "HTTP/1.1 200 OK" read as method, target, version
    out = [f"HTTP/1.1 {status} {reason}"]
    out += [
        f"{name}: {value}"
        for name, value in head.headers
        if name not in _HOP_BY_HOP and name != "transfer-encoding"
    ]
    out += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(out).encode("latin-1") + body


def _relay(conn: RawConnection, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes or the server stops."""
    client = conn.sock
    with upstream:
        upstream.settimeout(None)
        # A relay forwards whatever arrives at once: Nagle's algorithm would hold a small
        # segment back until the previous one is acknowledged, which a delayed ACK makes
        # take up to tens of milliseconds per exchange.
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if early := conn.take_buffered():
            upstream.sendall(early)
        while not conn.stopping.is_set():
            if isinstance(client, ssl.SSLSocket) and client.pending():
                readable: list[socket.socket] = [client]
            else:
                readable, _, _ = select.select([client, upstream], [], [], RELAY_POLL)
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)
