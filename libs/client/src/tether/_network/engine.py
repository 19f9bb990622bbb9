"""The sans-I/O HTTP/1.1 engine: request bytes out, response events in, over h11.

`HTTP11Engine` is the interface a connection drives; `H11Engine` implements it with
h11. The engine never touches a socket, a clock or a lock: the connection shells
feed it what they read and write what it returns.

Invariants:

1. One engine per connection, one request/response cycle at a time. `next_cycle()`
   is allowed only when `reusable` is true, and reuses the same h11 connection.
2. `reusable` is true only when both sides finished the cycle cleanly, neither asked
   to close (``Connection: close``, HTTP/1.0) and no stray byte follows the response
   (stray bytes would be read as the next response: a desync).
3. h11's errors become `LocalProtocolError` / `RemoteProtocolError` here and nowhere
   else; after one, the engine is dead (`reusable` stays false) and the connection
   must be closed.
4. An invalid request (bad method, target or header) is refused before a byte is
   produced, and the engine is left untouched: it may start another request.
5. `response_started` turns true with the first response byte of the cycle; the pool
   retries a request that failed on a reused connection only while it is false.
6. Messages name what failed and the server (``host:port``); header *values* are never
   quoted, since they may hold credentials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Protocol

import h11

from .._exceptions import LocalProtocolError, RemoteProtocolError

__all__ = [
    "DEFAULT_MAX_HEAD_SIZE",
    "RESPONSE_END",
    "BodyData",
    "Event",
    "H11Engine",
    "HTTP11Engine",
    "InformationalHead",
    "ResponseEnd",
    "ResponseHead",
]

# The largest response head accepted (status line and header fields). h11's default is
# 16 KiB; CPython's http.client accepts 64 KiB per line (`_MAXLINE = 65536`) and curl
# 100 KiB in all (CURL_MAX_HTTP_HEADER). 64 KiB keeps large Set-Cookie blocks working
# while a server cannot make the client buffer megabytes before the first event.
DEFAULT_MAX_HEAD_SIZE: Final = 64 * 1024

HeaderList = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class InformationalHead:
    """A 1xx interim response (RFC 9110 §15.2): callers skip it and keep reading."""

    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]


@dataclass(slots=True)
class ResponseHead:
    """The final response's status line and header fields, names as the server cased them."""

    status: int
    reason: bytes
    http_version: bytes
    headers: list[tuple[bytes, bytes]]


@dataclass(slots=True)
class BodyData:
    """A piece of the response body, framing removed."""

    data: bytes


@dataclass(slots=True)
class ResponseEnd:
    """The response is complete (trailer fields, if any, are dropped)."""


RESPONSE_END: Final = ResponseEnd()

Event = InformationalHead | ResponseHead | BodyData | ResponseEnd


class HTTP11Engine(Protocol):
    """What a connection needs from an HTTP/1.1 protocol engine (bytes in, events out)."""

    def start_request(self, method: bytes, target: bytes, headers: HeaderList) -> bytes:
        """Serialise a request head; the body's framing follows from the headers."""
        ...

    def send_body(self, data: bytes) -> bytes:
        """Frame a piece of the request body."""
        ...

    def end_body(self) -> bytes:
        """Finish the request body (the last chunk, for chunked framing)."""
        ...

    def receive(self, data: bytes) -> list[Event]:
        """Feed bytes read from the server; ``b""`` means end of file."""
        ...

    def connection_closed(self) -> list[Event]:
        """The server closed its side: end a read-until-close body, or fail."""
        ...

    def next_cycle(self) -> None:
        """Reset for the next request on the same connection."""
        ...

    @property
    def reusable(self) -> bool:
        """Whether the connection may carry another request."""
        ...

    @property
    def response_started(self) -> bool:
        """Whether any response byte arrived during this cycle."""
        ...

    @property
    def awaiting_continue(self) -> bool:
        """Whether an ``Expect: 100-continue`` request waits for a 100 or a final response."""
        ...

    @property
    def response_complete(self) -> bool:
        """Whether the final response has ended."""
        ...

    @property
    def body_left(self) -> int:
        """Bytes of a Content-Length body that the caller may receive itself (reporting
        them with `body_received` instead of feeding them to `receive`): the rest of such
        a body while one is being read and nothing is buffered, else 0."""
        ...

    def body_received(self, size: int) -> list[Event]:
        """Count `size` body bytes (1 to `body_left`) that the caller received itself:
        ``[RESPONSE_END]`` if they end the body, else ``[]``."""
        ...


_VERSIONS: Final = {b"1.1": b"HTTP/1.1", b"1.0": b"HTTP/1.0"}
# Module-level aliases: the receive loop runs per event, and each `h11.X` is two lookups.
_Data: Final = h11.Data
_Response: Final = h11.Response
_EndOfMessage: Final = h11.EndOfMessage
_InformationalResponse: Final = h11.InformationalResponse
_PAUSED: Final = h11.PAUSED
_BODY_OVER: Final = frozenset({h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.SWITCHED_PROTOCOL})

# Header fields (name, value) that h11 has validated: checked again only when new. The
# names and values are bytes (immutable) and the set is bounded: cleared when it fills.
_KNOWN_FIELDS: Final[set[tuple[bytes, bytes]]] = set()
_KNOWN_FIELDS_MAX: Final = 4096

# Only used to explain an error after h11 refused a request (RFC 9110 §5.1, §5.5).
_TOKEN: Final = re.compile(rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
_FIELD_VALUE: Final = re.compile(
    rb"(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?"
)


def _clip(raw: bytes, limit: int = 80) -> bytes:
    return raw if len(raw) <= limit else raw[:limit] + b"..."


def _header_values(raw: bytes, name: bytes) -> list[bytes]:
    """The values of header `name` in a raw response head (error paths only)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    values = []
    for line in head.split(b"\n")[1:]:
        field, sep, value = line.partition(b":")
        if sep and field.strip().lower() == name:
            values.append(value.strip())
    return values


def bad_method(method: bytes, where: str) -> LocalProtocolError:
    """The error for a request method that is not a token, for either engine."""
    return LocalProtocolError(f"invalid request method {_clip(method)!r} for {where}")


def bad_target(target: bytes, where: str) -> LocalProtocolError:
    """The error for a request target with spaces or control characters."""
    return LocalProtocolError(
        f"invalid request target {_clip(target)!r} for {where}: "
        "spaces and control characters must be percent-encoded"
    )


def bad_field_name(name: bytes, where: str) -> LocalProtocolError:
    """The error for a request header name that is not a token."""
    return LocalProtocolError(
        f"invalid request header name {_clip(name)!r} for {where}: "
        "a field name is a token (RFC 9110 §5.1)"
    )


def bad_field_value(name: bytes, value: bytes, where: str) -> LocalProtocolError:
    """The error for a request header value the field grammar refuses, saying why."""
    if b"\r" in value or b"\n" in value:
        what = "contains CR or LF"
    elif b"\x00" in value:
        what = "contains NUL"
    else:
        what = "has a control character or surrounding whitespace"
    return LocalProtocolError(
        f"invalid value for request header {_clip(name)!r} to {where}: it {what} (RFC 9110 §5.5)"
    )


def refused_response(
    where: str, reason: str, raw: bytes, bad_status_line: bool
) -> RemoteProtocolError:
    """The error for a response the parser refused, for either engine (cold path).

    `reason` is the parser's own, `raw` the response bytes it had, `where` the server.
    """
    if bad_status_line:
        line = raw.lstrip(b"\r\n").split(b"\n", 1)[0].rstrip(b"\r")
        return RemoteProtocolError(
            f"{where} sent no valid HTTP/1.1 status line: got {_clip(line)!r}"
        )
    if "Content-Length" in reason:
        values = b", ".join(_header_values(raw, b"content-length")).decode("latin-1")
        return RemoteProtocolError(
            f"{where} sent an invalid Content-Length ({values or '?'}): {reason}"
        )
    if "Transfer-Encoding" in reason:
        values = b", ".join(_header_values(raw, b"transfer-encoding")).decode("latin-1")
        return RemoteProtocolError(
            f"{where} sent an unsupported Transfer-Encoding ({values or '?'}): {reason}"
        )
    if "chunk" in reason:
        return RemoteProtocolError(f"broken chunked encoding from {where}: {reason}")
    return RemoteProtocolError(f"malformed response from {where}: {reason}")


def closed_early(
    where: str, head: ResponseHead | None, started: bool, received: int, by_length: bool
) -> RemoteProtocolError:
    """The error for a server that closed before the response ended (cold path).

    `by_length`: the body may be framed by a Content-Length header of `head`.
    """
    if head is None:
        if started:
            return RemoteProtocolError(
                f"server closed the connection while sending the response headers ({where})"
            )
        return RemoteProtocolError(
            f"server closed the connection without sending a response ({where})"
        )
    if by_length:
        for name, value in head.headers:
            if name.lower() == b"content-length":
                return RemoteProtocolError(
                    f"server closed the connection after {received} bytes of a "
                    f"Content-Length: {value.decode('latin-1')} body ({where})"
                )
    return RemoteProtocolError(
        f"server closed the connection in the middle of a chunked body, "
        f"after {received} bytes ({where})"
    )


class H11Engine:
    """`HTTP11Engine` over one reused `h11.Connection` (client role)."""

    __slots__ = (
        "_body_received",
        "_body_sent",
        "_conn",
        "_head",
        "_head_chunks",
        "_max_head_size",
        "_origin",
        "_pre_head_bytes",
        "_request_headers",
        "_requested",
        "_started",
    )

    def __init__(self, origin: str, *, max_head_size: int = DEFAULT_MAX_HEAD_SIZE) -> None:
        """`origin` (``host:port``) names the server in error messages."""
        self._conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=max_head_size)
        self._origin = origin
        self._max_head_size = max_head_size
        self._request_headers: HeaderList = []
        self._head: ResponseHead | None = None
        self._head_chunks: list[bytes] = []
        self._pre_head_bytes = 0
        self._body_sent = 0
        self._body_received = 0
        self._started = False
        self._requested = False

    def __repr__(self) -> str:
        conn = self._conn
        return (
            f"<H11Engine {self._origin} client={conn.our_state.__name__} "
            f"server={conn.their_state.__name__}>"
        )

    # -- sending -------------------------------------------------------------------------

    def start_request(self, method: bytes, target: bytes, headers: HeaderList) -> bytes:
        """Serialise the request head, headers in the caller's order (Host first, as given)."""
        try:
            # h11 checks each header field with two regular expressions; fields it has
            # accepted before (a client sends the same few again and again) skip that.
            # `_parsed=True` is h11's own flag for pre-validated fields (its parser
            # passes it); the method, target and framing headers are still checked.
            known = _KNOWN_FIELDS
            try:
                fast = all(field in known for field in headers)
            except TypeError:  # an unhashable field (a bytearray): the full check
                fast = False
            if fast:
                request = h11.Request(method=method, target=target, headers=headers, _parsed=True)
            else:
                request = h11.Request(method=method, target=target, headers=headers)
                if len(known) > _KNOWN_FIELDS_MAX:
                    known.clear()
                known.update(
                    (name, value)
                    for name, value in headers
                    if type(name) is bytes and type(value) is bytes
                )
        except h11.LocalProtocolError as exc:
            raise self._invalid_request(method, target, headers, str(exc)) from exc
        chunked = sized = False
        for name, _ in headers:  # RFC 9112 §6.2: never both (h11 would send both)
            size = len(name)
            if size == 17 and name.lower() == b"transfer-encoding":
                chunked = True
            elif size == 14 and name.lower() == b"content-length":
                sized = True
        if chunked and sized:
            raise LocalProtocolError(
                f"a request to {self._origin} cannot have both Content-Length and "
                "Transfer-Encoding headers (RFC 9112 §6.2)"
            )
        self._request_headers = headers
        try:
            out = self._conn.send(request) or b""
        except h11.LocalProtocolError as exc:
            raise self._send_error("start a request", exc) from exc
        self._requested = True
        return out

    def send_body(self, data: bytes) -> bytes:
        """Frame `data` as Content-Length bytes (returned as is) or as one chunk."""
        if not data:
            return b""
        try:
            out = self._conn.send(h11.Data(data=data)) or b""
        except h11.LocalProtocolError as exc:
            raise self._send_error("send the request body", exc, len(data)) from exc
        self._body_sent += len(data)
        return out

    def end_body(self) -> bytes:
        """End the request: ``b""`` for Content-Length, ``0\\r\\n\\r\\n`` for chunked."""
        try:
            return self._conn.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError as exc:
            raise self._send_error("end the request body", exc) from exc

    # -- receiving -----------------------------------------------------------------------

    def receive(self, data: bytes) -> list[Event]:
        """Parse what the server sent; ``b""`` is end of file (see `connection_closed`)."""
        if not data:
            return self.connection_closed()
        if not self._requested:
            raise RemoteProtocolError(
                f"{self._origin} sent data while no request was in flight: {_clip(data)!r}"
            )
        self._started = True
        if self._head is None:
            self._head_chunks.append(data)
            self._pre_head_bytes += len(data)
        try:
            self._conn.receive_data(data)
            return self._events()
        except h11.RemoteProtocolError as exc:
            raise self._receive_error(exc) from exc
        except RuntimeError as exc:  # h11: data fed after end of file
            raise LocalProtocolError(
                f"data from {self._origin} fed to the engine after end of file"
            ) from exc

    def connection_closed(self) -> list[Event]:
        """End of file: completes a body read until close, else names what was cut short."""
        conn = self._conn
        if conn.their_state is h11.CLOSED:
            return []
        try:
            conn.receive_data(b"")
            events = self._events()
        except h11.RemoteProtocolError as exc:
            raise self._eof_error() from exc
        if events and events[-1] is RESPONSE_END and conn.their_state is h11.DONE:
            # A body read until close just ended: h11 leaves the server DONE (reusable)
            # until it hands out the ConnectionClosed that follows; take it now.
            conn.next_event()
        return events

    def _events(self) -> list[Event]:
        events: list[Event] = []
        next_event = self._conn.next_event
        while True:
            event = next_event()
            if type(event) is _Data:
                data = bytes(event.data)  # h11 hands out bytearray slices
                self._body_received += len(data)
                events.append(BodyData(data))
            elif type(event) is _Response:
                events.append(self._final_head(event))
            elif type(event) is _EndOfMessage:
                events.append(RESPONSE_END)
                return events
            elif type(event) is _InformationalResponse:
                if event.status_code == 101:
                    # Switching Protocols ends HTTP/1.1 here: a final head with no body.
                    events.append(self._final_head(event))
                else:
                    raw = event.headers.raw_items()
                    events.append(InformationalHead(event.status_code, event.reason, raw))
            elif event is _PAUSED:
                if self._conn.their_state is h11.SWITCHED_PROTOCOL:
                    # A 101, or a 2xx to CONNECT: the stream now belongs to someone else.
                    events.append(RESPONSE_END)
                return events
            else:  # NEED_DATA, or ConnectionClosed after a complete response
                return events

    def _final_head(self, event: h11.Response | h11.InformationalResponse) -> ResponseHead:
        headers = event.headers.raw_items()
        if self._pre_head_bytes > self._max_head_size:
            # h11 bounds only an *incomplete* head; one that arrived whole is measured here.
            size = sum(len(name) + len(value) + 4 for name, value in headers)
            if size > self._max_head_size:
                raise RemoteProtocolError(
                    f"the response headers from {self._origin} exceed "
                    f"{self._max_head_size} bytes ({size} bytes)"
                )
        version = event.http_version
        head = ResponseHead(
            event.status_code, event.reason, _VERSIONS.get(version) or b"HTTP/" + version, headers
        )
        self._head = head
        self._head_chunks.clear()
        return head

    # -- state ---------------------------------------------------------------------------

    @property
    def reusable(self) -> bool:
        """Both sides are DONE, neither asked to close, and no stray byte is buffered."""
        conn = self._conn
        return (
            conn.our_state is h11.DONE
            and conn.their_state is h11.DONE
            and not conn.trailing_data[0]
        )

    @property
    def response_started(self) -> bool:
        """Whether any response byte arrived during this cycle."""
        return self._started

    @property
    def awaiting_continue(self) -> bool:
        """The request said ``Expect: 100-continue`` and neither a 1xx nor a final response
        has arrived: the connection holds the body back (for a short time, RFC 9110
        §10.1.1) until this turns false."""
        return self._conn.client_is_waiting_for_100_continue

    @property
    def response_complete(self) -> bool:
        """Whether the final response has ended (its body included)."""
        return self._conn.their_state in _BODY_OVER

    @property
    def body_left(self) -> int:
        """Always 0: h11 must see every byte of the body."""
        return 0

    def body_received(self, size: int) -> list[Event]:
        """Refused: h11 must see every byte of the body (`body_left` is 0)."""
        raise LocalProtocolError(
            f"{size} body bytes from {self._origin} were received outside the engine, "
            "which must parse every byte"
        )

    @property
    def upgraded(self) -> bool:
        """Whether the server switched protocols (101, or a 2xx answer to CONNECT)."""
        return self._conn.their_state is h11.SWITCHED_PROTOCOL

    @property
    def trailing_data(self) -> bytes:
        """Bytes received past the response (the tunnel's first bytes after a CONNECT)."""
        return self._conn.trailing_data[0]

    def next_cycle(self) -> None:
        """Reset for the next request on the same connection (only when `reusable`)."""
        conn = self._conn
        try:
            if conn.trailing_data[0]:
                raise h11.LocalProtocolError("stray bytes follow the response")
            conn.start_next_cycle()
        except h11.LocalProtocolError as exc:
            raise LocalProtocolError(
                f"the connection to {self._origin} cannot carry another request: {exc} "
                f"(client {conn.our_state.__name__}, server {conn.their_state.__name__})"
            ) from exc
        self._head = None
        self._pre_head_bytes = 0
        self._body_sent = 0
        self._body_received = 0
        self._started = False
        self._requested = False

    # -- errors (cold paths) ---------------------------------------------------------------

    def _invalid_request(
        self, method: bytes, target: bytes, headers: HeaderList, reason: str
    ) -> LocalProtocolError:
        where = self._origin
        if reason.startswith("Illegal header name"):
            for name, _ in headers:
                if not _TOKEN.fullmatch(name):
                    return bad_field_name(name, where)
        elif reason.startswith("Illegal header value"):
            for name, value in headers:
                if not _FIELD_VALUE.fullmatch(value):
                    return bad_field_value(name, value, where)
        elif reason.startswith("Illegal method"):
            return bad_method(method, where)
        elif reason.startswith("Illegal target"):
            return bad_target(target, where)
        elif "Host" in reason:
            return LocalProtocolError(
                f"a request to {where} needs exactly one Host header (RFC 9112 §3.2): {reason}"
            )
        elif "Content-Length" in reason:
            return LocalProtocolError(
                f"invalid request header b'Content-Length' for {where}: {reason}"
            )
        elif "Transfer-Encoding" in reason:
            return LocalProtocolError(
                f"invalid request header b'Transfer-Encoding' for {where}: {reason}"
            )
        return LocalProtocolError(  # pragma: no cover - every h11 reason is matched above
            f"invalid request for {where}: {reason}"
        )

    def _declared_length(self) -> bytes:
        for name, value in self._request_headers:
            if name.lower() == b"content-length":
                return value
        return b"0"  # pragma: no cover - h11 checks lengths only when declared or implied 0

    def _send_error(
        self, action: str, exc: h11.LocalProtocolError, size: int = 0
    ) -> LocalProtocolError:
        reason = str(exc)
        if reason.startswith("Too much data"):
            return LocalProtocolError(
                f"the request body to {self._origin} exceeds its Content-Length: "
                f"{self._declared_length().decode('latin-1')} bytes declared, "
                f"{self._body_sent + size} given"
            )
        if reason.startswith("Too little data"):
            return LocalProtocolError(
                f"the request body to {self._origin} ended after {self._body_sent} bytes "
                f"of a Content-Length: {self._declared_length().decode('latin-1')} body"
            )
        conn = self._conn
        return LocalProtocolError(
            f"cannot {action} to {self._origin}: {reason} "
            f"(client {conn.our_state.__name__}, server {conn.their_state.__name__})"
        )

    def _receive_error(self, exc: h11.RemoteProtocolError) -> RemoteProtocolError:
        reason = str(exc)
        if reason.startswith("Receive buffer too long"):
            part = "response headers" if self._head is None else "chunk header line"
            return RemoteProtocolError(
                f"the {part} from {self._origin} exceed {self._max_head_size} bytes"
            )
        bad_status_line = reason.startswith(("illegal status line", "illegal request"))
        raw = b"".join(self._head_chunks)
        return refused_response(self._origin, reason, raw, bad_status_line)

    def _eof_error(self) -> RemoteProtocolError:
        return closed_early(
            self._origin, self._head, self._started, self._body_received, by_length=True
        )
