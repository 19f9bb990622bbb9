"""How a proxied pool routes requests, and the proxy handshakes, without I/O.

A transport has at most one proxy, so its pool needs only this to decide:

- through an ``http://`` or ``https://`` proxy, a plain-http request is *forwarded*: it
  goes to the proxy with its absolute URL as the request target (RFC 9112 section
  3.2.2) and the proxy's headers, on connections that every forwarded request shares
  (pool key `ProxyPlan.forward_key`); an https request goes through a ``CONNECT``
  tunnel (RFC 9110 section 9.3.6) and TLS to the origin inside it;
- through a SOCKS5 proxy (RFC 1928, RFC 1929 for username and password) every request
  goes through a tunnel.

A tunnel belongs to its target origin: its pool key is the origin's ``(scheme, host,
port)``, and the transport has one TLS configuration, so a tunnel is reused only for
requests to the origin it was opened for.

A dialog (`TunnelDialog`, `Socks5Dialog`) is driven by a shell: write `start()`, then
until `done`, read and pass the bytes to `receive()`, writing what it returns.
"""

from __future__ import annotations

import base64
import ipaddress
import ssl
from typing import Any, Final

import h11

from .._exceptions import ProxyError
from .._proxy import Proxy
from .._request import Request
from .backends._common import origin as host_port
from .pool import Origin, origin_of

__all__ = ["ProxyPlan", "Socks5Dialog", "TunnelDialog", "load_socksio"]

HeaderList = list[tuple[bytes, bytes]]

# The IANA ports: http 80, https 443, SOCKS 1080 (RFC 1928 section 3).
SOCKS_VERSION: Final = 5
PROXY_PORTS: Final = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}


def load_socksio() -> Any:
    """The `socksio.socks5` module, or an ImportError that says how to get it."""
    try:
        from socksio import socks5
    except ImportError:
        raise ImportError(
            "a socks5:// or socks5h:// proxy needs the optional 'socksio' package; "
            "install it with: pip install 'tether[socks]'"
        ) from None
    return socks5


def merged(defaults: HeaderList, headers: HeaderList) -> HeaderList:
    """`defaults` whose names `headers` does not have, then `headers`."""
    names = {name.lower() for name, _ in headers}
    return [pair for pair in defaults if pair[0].lower() not in names] + headers


class ProxyPlan:
    """One proxy as a pool uses it: where it is, what it is sent, how requests go."""

    __slots__ = (
        "auth",
        "forward_key",
        "headers",
        "host",
        "name",
        "origin_context",
        "port",
        "proxy_context",
        "remote_dns",
        "socks",
        "tls",
    )

    def __init__(self, proxy: Proxy, default_context: ssl.SSLContext) -> None:
        url = proxy.url
        scheme = url.scheme
        self.name = str(url)  # Proxy keeps credentials out of its URL
        self.host = url.host
        self.port = url.port or PROXY_PORTS[scheme]
        self.socks = scheme in ("socks5", "socks5h")
        self.remote_dns = scheme == "socks5h"
        self.tls = scheme == "https"
        self.proxy_context = proxy.ssl_context or default_context
        self.origin_context = default_context
        self.auth = proxy.raw_auth
        headers = list(proxy.headers.raw)
        if self.auth is not None and not self.socks:
            token = base64.b64encode(b":".join(self.auth))
            headers = merged([(b"Proxy-Authorization", b"Basic " + token)], headers)
        self.headers: HeaderList = headers
        self.forward_key: Origin = ("http", self.host, self.port)
        if self.socks:
            load_socksio()
            # RFC 1929 section 2: the username and the password are 1 to 255 bytes each.
            if self.auth is not None and not all(0 < len(part) < 256 for part in self.auth):
                raise ValueError(
                    f"SOCKS5 proxy {self.name}: the username and the password must each "
                    "be 1 to 255 bytes long (RFC 1929)"
                )

    def __repr__(self) -> str:
        return f"<ProxyPlan {self.name}>"

    def route(self, request: Request) -> tuple[Origin, bytes, HeaderList]:
        """The pool key, request target and header fields for `request`."""
        origin = origin_of(request)
        url = request.url
        if origin[0] == "http" and not self.socks:
            target = b"http://" + url.netloc + url.raw_path
            return self.forward_key, target, merged(self.headers, request.headers.raw)
        return origin, url.raw_path, request.headers.raw

    def forwards(self, origin: Origin) -> bool:
        """Whether connections for the pool key `origin` go to the proxy itself."""
        return not self.socks and origin[0] == "http"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class TunnelDialog:
    """``CONNECT host:port`` to an HTTP proxy; `done` once it answered 2xx."""

    __slots__ = ("_authority", "_conn", "_headers", "_proxy", "done")

    def __init__(self, host: str, port: int, headers: HeaderList, proxy: str) -> None:
        self._authority = host_port(host, port).encode("ascii")
        self._headers = merged([(b"Host", self._authority)], headers)
        self._proxy = proxy
        self._conn = h11.Connection(h11.CLIENT)
        self.done = False

    def start(self) -> bytes:
        """The CONNECT request."""
        request = h11.Request(method=b"CONNECT", target=self._authority, headers=self._headers)
        return self._conn.send(request) or b""

    def receive(self, data: bytes) -> bytes:
        """Take the proxy's bytes (b"" at EOF); `ProxyError` if it refused."""
        conn = self._conn
        if not data:
            raise ProxyError(
                f"proxy {self._proxy} closed the connection instead of answering "
                f"CONNECT {self._authority.decode()}"
            )
        try:
            conn.receive_data(data)
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    return b""
                if isinstance(event, h11.Response):
                    break
        except h11.RemoteProtocolError as exc:
            raise ProxyError(
                f"proxy {self._proxy} answered CONNECT {self._authority.decode()} "
                f"with a malformed response: {exc}"
            ) from None
        status = event.status_code
        if not 200 <= status < 300:
            reason = event.reason.decode("latin-1")
            raise ProxyError(
                f"proxy {self._proxy} refused CONNECT {self._authority.decode()}: "
                f"{status} {reason}".rstrip()
            )
        if conn.trailing_data[0]:
            raise ProxyError(
                f"proxy {self._proxy} sent data before the tunnel to "
                f"{self._authority.decode()} was used"
            )
        self.done = True
        return b""


class Socks5Dialog:
    """A SOCKS5 CONNECT (RFC 1928), with username/password auth (RFC 1929) if given."""

    __slots__ = ("_address", "_auth", "_buffer", "_conn", "_proxy", "_socks5", "_step", "done")

    def __init__(self, host: str, port: int, auth: tuple[bytes, bytes] | None, proxy: str) -> None:
        self._socks5 = load_socksio()
        self._conn = self._socks5.SOCKS5Connection()
        self._address = (host, port)
        self._auth = auth
        self._proxy = proxy
        self._buffer = b""
        self._step = "method"
        self.done = False

    def start(self) -> bytes:
        """The greeting: the authentication methods offered."""
        socks5 = self._socks5
        method = (
            socks5.SOCKS5AuthMethod.NO_AUTH_REQUIRED
            if self._auth is None
            else socks5.SOCKS5AuthMethod.USERNAME_PASSWORD
        )
        self._conn.send(socks5.SOCKS5AuthMethodsRequest([method]))
        data: bytes = self._conn.data_to_send()
        return data

    def _needed(self) -> int:
        """The size of the reply being read, as far as the bytes so far tell."""
        if self._step != "connect":
            return 2  # method choice, or the username/password status
        data = self._buffer
        if len(data) < 5:
            return 5
        atype = data[3]
        return 4 + {1: 4, 4: 16}.get(atype, 1 + data[4]) + 2

    def receive(self, data: bytes) -> bytes:
        """Take the proxy's bytes (b"" at EOF); `ProxyError` for any refusal."""
        where = host_port(*self._address)
        if not data:
            raise ProxyError(
                f"SOCKS5 proxy {self._proxy} closed the connection while connecting to {where}"
            )
        self._buffer += data
        needed = self._needed()
        if len(self._buffer) < needed:
            return b""
        reply, self._buffer = self._buffer, b""
        if len(reply) > needed:
            raise ProxyError(f"SOCKS5 proxy {self._proxy} sent more than its reply")
        socks5 = self._socks5
        version = 1 if self._step == "password" else SOCKS_VERSION  # RFC 1929 section 2
        try:
            if reply[0] != version:
                raise ValueError(f"version {reply[0]}, expected {version}")
            parsed = self._conn.receive_data(reply)
        except Exception as exc:  # socksio's ProtocolError, or a reply it cannot read
            raise ProxyError(f"SOCKS5 proxy {self._proxy} sent a malformed reply ({exc})") from None
        if self._step == "method":
            if self._auth is None and parsed.method == socks5.SOCKS5AuthMethod.NO_AUTH_REQUIRED:
                return self._command()
            if (
                self._auth is not None
                and parsed.method == socks5.SOCKS5AuthMethod.USERNAME_PASSWORD
            ):
                username, password = self._auth
                self._step = "password"
                self._conn.send(socks5.SOCKS5UsernamePasswordRequest(username, password))
                sent: bytes = self._conn.data_to_send()
                return sent
            offered = "username/password" if self._auth else "no authentication"
            raise ProxyError(
                f"SOCKS5 proxy {self._proxy} refused the authentication offered "
                f"({offered}): it chose method {parsed.method.value!r}"
            )
        if self._step == "password":
            if not parsed.success:
                raise ProxyError(f"SOCKS5 proxy {self._proxy} rejected the username and password")
            return self._command()
        if parsed.reply_code != socks5.SOCKS5ReplyCode.SUCCEEDED:
            reason = parsed.reply_code.name.lower().replace("_", " ")
            raise ProxyError(
                f"SOCKS5 proxy {self._proxy} could not connect to {where}: {reason} "
                f"(reply {parsed.reply_code.value[0]:#04x})"
            )
        self.done = True
        return b""

    def _command(self) -> bytes:
        socks5 = self._socks5
        self._step = "connect"
        request = socks5.SOCKS5CommandRequest.from_address(
            socks5.SOCKS5Command.CONNECT, self._address
        )
        self._conn.send(request)
        data: bytes = self._conn.data_to_send()
        return data


def needs_resolving(plan: ProxyPlan, host: str) -> bool:
    """Whether the client resolves `host` itself (socks5, not socks5h, and not an IP)."""
    return plan.socks and not plan.remote_dns and not _is_ip(host)
