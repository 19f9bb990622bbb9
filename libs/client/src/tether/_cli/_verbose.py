"""``-v``: every request and response head, and what the ``trace`` extension reports.

The ``trace`` request extension (httpcore's event names) tells where and how the
transport connected. Where the transport reports it, the connection lines come first
and each request head is shown when its headers are sent
(``http11.send_request_headers.started``, or ``http2...``, which also names the
protocol). Where it does not, the request head, held since the client's ``request``
event hook, is shown just before the response head, or before the error line.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from tether_urls import URL

from .._request import Request
from .._response import Response
from ._render import Output

# Names of a certificate shown; the rest are counted.
SHOWN_NAMES = 3
# The trace events at which a request's headers go out, and the protocol they go in.
SEND_HEADERS = {
    "http11.send_request_headers.started": "HTTP/1.1",
    "http2.send_request_headers.started": "HTTP/2",
}


class Verbose:
    """Event hooks and a trace callback that print the exchange in order."""

    def __init__(self, output: Output) -> None:
        self._output = output
        self._pending: Request | None = None
        # The proxy a URL goes through (None: direct), once the client is made.
        self.proxy_for: Callable[[URL], str | None] = lambda url: None

    def on_request(self, request: Request) -> None:
        """The client's ``request`` hook: name the proxy, hold the head until it is sent."""
        self.flush()
        proxy = self.proxy_for(request.url)
        if proxy is not None:
            self._output.note(f"Through proxy {proxy}")
        self._pending = request

    def on_response(self, response: Response) -> None:
        """The client's ``response`` hook: every response head, redirects included."""
        self.flush()
        self._output.response_head(response)

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """The ``trace`` extension's callback."""
        if event in SEND_HEADERS:
            self.flush(SEND_HEADERS[event])
            return
        line = describe_trace(event, info)
        if line is not None:
            self._output.note(line)

    def flush(self, version: str = "HTTP/1.1") -> None:
        """Show the request head held, if any."""
        if self._pending is not None:
            request, self._pending = self._pending, None
            self._output.request_head(request, version)


def describe_trace(event: str, info: dict[str, Any]) -> str | None:
    """A line for the events of the ``trace`` extension that tell where and how we connected.

    The names and arguments are httpcore's: ``connection.connect_tcp.started`` with
    ``host`` and ``port``, ``...complete`` with the network stream as ``return_value``,
    whose ``get_extra_info`` gives ``server_addr`` and, after TLS, ``ssl_object``.
    """
    if event == "connection.connect_tcp.started":
        return f"Connecting to {info.get('host')} port {info.get('port')}"
    if event == "connection.connect_unix_socket.started":
        return f"Connecting to the socket {info.get('path')}"
    if event in ("connection.connect_tcp.complete", "connection.connect_unix_socket.complete"):
        address = info["return_value"].get_extra_info("server_addr")
        if isinstance(address, tuple):
            local = info["return_value"].get_extra_info("client_addr")
            where = f" from {local[0]} port {local[1]}" if isinstance(local, tuple) else ""
            return f"Connected to {address[0]} port {address[1]}{where}"
        return f"Connected to {address}"
    if event == "connection.start_tls.started":
        return f"TLS handshake, server name {info.get('server_hostname')}"
    if event == "connection.start_tls.complete":
        return describe_tls(info["return_value"].get_extra_info("ssl_object"))
    if event.endswith(".failed"):
        return f"{event.rsplit('.', 2)[-2].replace('_', ' ')} failed: {info.get('exception')}"
    return None


def describe_tls(ssl_object: Any) -> str:
    """Protocol, cipher, ALPN and, when verified, who the certificate names and who signed it."""
    if ssl_object is None:
        return "TLS established"
    parts = [f"TLS established: {ssl_object.version()}"]
    cipher = ssl_object.cipher()
    if cipher:
        parts.append(cipher[0])
    alpn = ssl_object.selected_alpn_protocol()
    if alpn:
        parts.append(f"ALPN {alpn}")
    line = ", ".join(parts)
    certificate = ssl_object.getpeercert()
    if certificate:  # empty when verification is off
        names = [_san(kind, value) for kind, value in certificate.get("subjectAltName", ())]
        if len(names) > SHOWN_NAMES:
            names[SHOWN_NAMES:] = [f"{len(names) - SHOWN_NAMES} more"]
        shown = ", ".join(names) or _name(certificate.get("subject", ())) or "(no name)"
        issuer = _name(certificate.get("issuer", ()))
        line += f"; certificate for {shown} issued by {issuer or '(no name)'}"
        if "notAfter" in certificate:
            line += f", valid until {certificate['notAfter']}"
    else:
        line += "; certificate not verified"
    return line


def _san(kind: str, value: str) -> str:
    """A subjectAltName entry; IP addresses in their short form (``::1``)."""
    if kind == "IP Address":
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            return value
    return value


def _name(rdns: Any) -> str:
    """The common name, else the organisation, of an X.509 name as `getpeercert` gives it."""
    fields = {key: value for rdn in rdns for key, value in rdn}
    return str(fields.get("commonName") or fields.get("organizationName") or "")
