"""`LeanEngine`: the `HTTP11Engine` interface with tether's own HTTP/1.1 parser.

It keeps every invariant of `engine.H11Engine` (same events, same errors, same limits)
and accepts and refuses exactly what h11 0.16 does (differential tests feed both the
same bytes), but does less per cycle. This module is the state machine (who may act,
where a response ends, when the connection may carry another request); beside it,
`lean_request` checks and serialises request heads (once per distinct head),
`lean_response` matches response heads in place in the received bytes,
`lean_chunked` decodes chunked bodies and `lean_grammar` holds the patterns they
share. A body is sliced from the received bytes at most once. After end of file
neither engine is `reusable` (h11 itself calls a read-until-close response reusable;
`H11Engine` takes h11's closing event so that it does not).
"""

from __future__ import annotations

import re
from typing import Final

from .._exceptions import LocalProtocolError, RemoteProtocolError
from .engine import (
    DEFAULT_MAX_HEAD_SIZE,
    RESPONSE_END,
    BodyData,
    Event,
    InformationalHead,
    ResponseHead,
    _clip,
    closed_early,
    refused_response,
)
from .lean_chunked import ChunkedReader
from .lean_request import plan_request
from .lean_response import (
    STATUS_LINE,
    VERSIONS,
    Fields,
    Malformed,
    blank_line,
    head_lines,
    parse_fields,
    split_fields,
)

__all__ = ["LeanEngine"]

HeaderList = list[tuple[bytes, bytes]]

# Client (our) states and server (their) states, named as h11 names them in messages.
_IDLE: Final = 0
_SEND_BODY: Final = 1
_DONE: Final = 2
_ERROR: Final = 3
_CLIENT_NAMES: Final = ("IDLE", "SEND_BODY", "DONE", "ERROR")
# Server: waiting for a head, reading a body, done, switched protocols, broken.
_S_HEAD: Final = 0
_S_BODY: Final = 1
_S_DONE: Final = 2
_S_SWITCHED: Final = 3
_S_ERROR: Final = 4
_SERVER_NAMES: Final = ("SEND_RESPONSE", "SEND_BODY", "DONE", "SWITCHED_PROTOCOL", "ERROR")

# Response body framing.
_LENGTH: Final = 0
_CHUNKED: Final = 1
_UNTIL_CLOSE: Final = 2


class LeanEngine:
    """`HTTP11Engine` with its own strict HTTP/1.1 parser (client side, one connection)."""

    __slots__ = (
        "_body_received",
        "_body_sent",
        "_buffer",
        "_chunks",
        "_client",
        "_declared",
        "_eof",
        "_framing",
        "_head",
        "_keep_alive",
        "_max_head_size",
        "_method",
        "_origin",
        "_pre_head_bytes",
        "_remaining",
        "_requested",
        "_searched",
        "_send_chunked",
        "_send_remaining",
        "_server",
        "_started",
        "_switch_connect",
        "_switch_upgrade",
        "_waiting_100",
    )

    def __init__(self, origin: str, *, max_head_size: int = DEFAULT_MAX_HEAD_SIZE) -> None:
        """`origin` (``host:port``) names the server in error messages."""
        self._origin = origin
        self._max_head_size = max_head_size
        self._client = _IDLE
        self._server = _S_HEAD
        self._buffer = b""
        self._eof = False
        # The request side, as `start_request` sets it for each cycle.
        self._method = b""
        self._declared = b"0"
        self._send_chunked = False
        self._send_remaining = 0
        self._body_sent = 0
        self._keep_alive = True
        self._waiting_100 = False
        self._switch_connect = False
        self._switch_upgrade = False
        # Set before they are read, once a head says how its body is framed.
        self._remaining = 0
        self._chunks: ChunkedReader | None = None
        self._searched = 0  # back to 0 whenever a head is found
        # The response side, reset by `next_cycle`.
        self._head: ResponseHead | None = None
        self._framing = _LENGTH
        self._pre_head_bytes = 0
        self._body_received = 0
        self._started = False
        self._requested = False

    def __repr__(self) -> str:
        return (
            f"<LeanEngine {self._origin} client={self._client_name()} server={self._server_name()}>"
        )

    def _client_name(self) -> str:
        name = _CLIENT_NAMES[self._client]
        return "MUST_CLOSE" if name == "DONE" and not self._keep_alive else name

    def _server_name(self) -> str:
        if not self._requested and self._server == _S_HEAD:
            return "CLOSED" if self._eof else "IDLE"
        name = _SERVER_NAMES[self._server]
        if name == "DONE":
            return "CLOSED" if self._eof else "DONE" if self._keep_alive else "MUST_CLOSE"
        return name

    # -- sending -------------------------------------------------------------------------

    def start_request(self, method: bytes, target: bytes, headers: HeaderList) -> bytes:
        """Serialise the request head: Host first, then the fields in the caller's order."""
        plan = plan_request(method, target, headers, self._origin)
        if self._client != _IDLE or self._server != _S_HEAD or self._eof:
            self._client = _ERROR
            raise LocalProtocolError(
                f"cannot start a request to {self._origin}: a request is already in progress "
                f"(client {self._client_name()}, server {self._server_name()})"
            )
        head, declared, length, chunked, keep_alive, expect, upgrade = plan
        self._method = method
        self._send_chunked = chunked
        self._declared = declared
        self._send_remaining = length
        self._body_sent = 0
        self._keep_alive = keep_alive
        self._waiting_100 = expect
        self._switch_upgrade = upgrade
        self._switch_connect = method == b"CONNECT"
        self._client = _SEND_BODY
        self._requested = True
        return head

    def send_body(self, data: bytes) -> bytes:
        """Frame `data` as Content-Length bytes (returned as is) or as one chunk."""
        if not data:
            return b""
        if self._client != _SEND_BODY:
            raise self._state_error("send the request body", "Data")
        self._waiting_100 = False
        size = len(data)
        if self._send_chunked:
            self._body_sent += size
            return b"%x\r\n%s\r\n" % (size, data)
        if size > self._send_remaining:
            self._client = _ERROR
            raise LocalProtocolError(
                f"the request body to {self._origin} exceeds its Content-Length: "
                f"{self._declared.decode('latin-1')} bytes declared, "
                f"{self._body_sent + size} given"
            )
        self._send_remaining -= size
        self._body_sent += size
        return data if type(data) is bytes else bytes(data)

    def end_body(self) -> bytes:
        """End the request: ``b""`` for Content-Length, ``0\\r\\n\\r\\n`` for chunked."""
        if self._client != _SEND_BODY:
            raise self._state_error("end the request body", "EndOfMessage")
        self._waiting_100 = False
        if self._send_chunked:
            self._client = _DONE
            return b"0\r\n\r\n"
        if self._send_remaining:
            self._client = _ERROR
            raise LocalProtocolError(
                f"the request body to {self._origin} ended after {self._body_sent} bytes "
                f"of a Content-Length: {self._declared.decode('latin-1')} body"
            )
        self._client = _DONE
        return b""

    def _state_error(self, action: str, event: str) -> LocalProtocolError:
        state = self._client_name()
        self._client = _ERROR
        return LocalProtocolError(
            f"cannot {action} to {self._origin}: can't send {event} in state {state} "
            f"(client {state}, server {self._server_name()})"
        )

    # -- receiving -----------------------------------------------------------------------

    def receive(self, data: bytes) -> list[Event]:
        """Parse what the server sent; ``b""`` is end of file (see `connection_closed`)."""
        if not data:
            return self.connection_closed()
        if not self._requested:
            raise RemoteProtocolError(
                f"{self._origin} sent data while no request was in flight: {_clip(data)!r}"
            )
        if self._eof:
            raise LocalProtocolError(
                f"data from {self._origin} fed to the engine after end of file"
            )
        self._started = True
        server = self._server
        if server == _S_BODY and self._framing == _LENGTH and not self._buffer:
            # The hot path: a Content-Length body arriving after its head.
            remaining = self._remaining
            size = len(data)
            if size < remaining:
                self._remaining = remaining - size
                self._body_received += size
                return [BodyData(data if type(data) is bytes else bytes(data))]
        elif server == _S_DONE:
            if not self._keep_alive:  # only end of file may follow (h11's MUST_CLOSE)
                self._server = _S_ERROR
                raise self._receive_error("Got data when expecting EOF", data)
            self._buffer += data
            return []
        elif server == _S_SWITCHED:
            self._buffer += data
            return [RESPONSE_END]
        elif server == _S_ERROR:
            raise RemoteProtocolError(
                f"malformed response from {self._origin}: "
                "Can't receive data when peer state is ERROR"
            )
        if self._head is None:
            self._pre_head_bytes += len(data)
        if self._buffer:
            buffer = self._buffer + data
        else:
            buffer = data if type(data) is bytes else bytes(data)
        try:
            return self._parse(buffer)
        except Malformed as exc:
            self._server = _S_ERROR
            raise self._receive_error(str(exc), buffer) from None
        except RemoteProtocolError:
            self._server = _S_ERROR
            raise

    def _parse(self, buffer: bytes) -> list[Event]:
        events: list[Event] = []
        position = 0
        end = len(buffer)
        while True:
            server = self._server
            if server == _S_HEAD:
                if position == end:
                    break
                if buffer[position] < 0x21:
                    raise Malformed("illegal status line")
                stop = buffer.find(b"\r\n\r\n", position + self._searched)
                if stop >= 0:
                    # The common head: CRLF line ends, no obs-fold (a folded line or a
                    # bare LF fails these two matches), matched in place in the buffer.
                    first = buffer.find(b"\r\n", position)
                    match = STATUS_LINE.fullmatch(buffer, position, first)
                    if match is not None:
                        parsed = split_fields(buffer, first + 2, stop + 2)
                        if parsed is not None:
                            self._searched = 0
                            position = stop + 4
                            if self._head_event(match, parsed, events):
                                break
                            continue
                # Bare LF line ends, obs-fold or an error: the exact, slower search.
                cut = blank_line(buffer, position + self._searched)
                if cut < 0:
                    if end - position > self._max_head_size:
                        raise RemoteProtocolError(
                            f"the response headers from {self._origin} exceed "
                            f"{self._max_head_size} bytes"
                        )
                    # A head arriving in many pieces is searched once, not again
                    # from its start each time (a blank line spans at most 4 bytes).
                    self._searched = max(0, end - position - 3)
                    break
                lines = head_lines(buffer[position:cut])
                position = cut + (3 if buffer[cut + 1] == 13 else 2)
                self._searched = 0
                match = STATUS_LINE.fullmatch(lines[0])
                if match is None:
                    raise Malformed(f"illegal status line: {lines[0]!r}")
                block = b"".join(line + b"\r\n" for line in lines[1:])
                if self._head_event(match, parse_fields(block), events):
                    break
            elif server == _S_BODY:
                if self._framing == _LENGTH:
                    if position == end:
                        break
                    remaining = self._remaining
                    take = remaining if remaining <= end - position else end - position
                    piece = buffer if take == end else buffer[position : position + take]
                    position += take
                    remaining -= take
                    self._remaining = remaining
                    self._body_received += take
                    events.append(BodyData(piece))
                    if not remaining:
                        self._server = _S_DONE
                        events.append(RESPONSE_END)
                        break
                elif self._framing == _CHUNKED:
                    chunks = self._chunks
                    assert chunks is not None  # made with the first chunked head
                    position = chunks.read(buffer, position, events)
                    if not chunks.done:
                        break
                    self._server = _S_DONE
                    events.append(RESPONSE_END)
                else:  # read until close
                    if position < end:
                        piece = buffer if not position else buffer[position:]
                        self._body_received += end - position
                        events.append(BodyData(piece))
                        position = end
                    break
            else:
                break
        self._buffer = buffer[position:] if position < end else b""
        return events

    def _head_event(self, match: re.Match[bytes], parsed: Fields, events: list[Event]) -> bool:
        """Turn one head into `events`; True when the stream now belongs to someone else."""
        version, code, reason = match.groups()
        status = int(code)
        fields, length, chunked, close = parsed
        if status < 100:
            raise Malformed(
                f"InformationalResponse status_code should be in range [100, 200), not {status}"
            )
        self._waiting_100 = False
        if status < 200:
            if status != 101:
                events.append(InformationalHead(status, reason or b"", fields))
                return False
            if not self._switch_upgrade:
                raise Malformed("Received server _SWITCH_UPGRADE event without a pending proposal")
        if self._pre_head_bytes > self._max_head_size:
            self._check_head_size(fields)
        head = ResponseHead(
            status, reason or b"", VERSIONS.get(version) or b"HTTP/" + version, fields
        )
        self._head = head
        events.append(head)
        if status == 101 or (self._switch_connect and status < 300):
            self._server = _S_SWITCHED
            events.append(RESPONSE_END)
            return True
        self._switch_connect = self._switch_upgrade = False
        if close or version < b"1.1":
            self._keep_alive = False
        if status == 204 or status == 304 or self._method == b"HEAD":
            length = 0
            chunked = False
        if chunked:
            self._framing = _CHUNKED
            if self._chunks is None:
                self._chunks = ChunkedReader(self._origin, self._max_head_size)
            else:
                self._chunks.start()
            self._server = _S_BODY
        elif length is not None:
            if length:
                self._framing = _LENGTH
                self._remaining = length
                self._server = _S_BODY
            else:
                self._server = _S_DONE
                events.append(RESPONSE_END)
                return True
        else:
            self._framing = _UNTIL_CLOSE
            self._server = _S_BODY
        return False

    def _check_head_size(self, fields: HeaderList) -> None:
        """A head that arrived in pieces larger than the limit: the fields must fit it."""
        size = sum(len(name) + len(value) + 4 for name, value in fields)
        if size > self._max_head_size:
            raise RemoteProtocolError(
                f"the response headers from {self._origin} exceed "
                f"{self._max_head_size} bytes ({size} bytes)"
            )

    def connection_closed(self) -> list[Event]:
        """End of file: completes a body read until close, else names what was cut short."""
        server = self._server
        if server == _S_SWITCHED:
            return [RESPONSE_END]
        if self._eof:
            return []
        self._eof = True
        if not self._requested:
            return []
        if server == _S_DONE:
            if self._buffer and not self._keep_alive:
                self._server = _S_ERROR
                raise self._eof_error()
            return []
        if server == _S_BODY and self._framing == _UNTIL_CLOSE:
            self._server = _S_DONE
            self._keep_alive = False
            return [RESPONSE_END]
        self._server = _S_ERROR
        raise self._eof_error()

    # -- state ---------------------------------------------------------------------------

    @property
    def reusable(self) -> bool:
        """Both sides are done, neither asked to close, and no stray byte is buffered."""
        return (
            self._client == _DONE
            and self._server == _S_DONE
            and self._keep_alive
            and not self._buffer
            and not self._eof
        )

    @property
    def response_started(self) -> bool:
        """Whether any response byte arrived during this cycle."""
        return self._started

    @property
    def awaiting_continue(self) -> bool:
        """The request said ``Expect: 100-continue`` and no response head has arrived."""
        return self._waiting_100

    @property
    def response_complete(self) -> bool:
        """Whether the final response has ended (its body included)."""
        return self._server == _S_DONE or self._server == _S_SWITCHED

    @property
    def body_left(self) -> int:
        """The rest of a Content-Length body being read with nothing buffered, else 0."""
        if self._server == _S_BODY and self._framing == _LENGTH and not self._buffer:
            return self._remaining
        return 0

    def body_received(self, size: int) -> list[Event]:
        """Count `size` body bytes (1 to `body_left`) received by the caller, as `receive`
        would have counted them: ``[RESPONSE_END]`` if they end the body, else ``[]``."""
        left = self.body_left
        if not 0 < size <= left:
            raise LocalProtocolError(
                f"{size} body bytes from {self._origin} counted, "
                f"but the engine expects between 1 and {left} "
                f"(client {self._client_name()}, server {self._server_name()})"
            )
        self._remaining = left - size
        self._body_received += size
        if self._remaining:
            return []
        self._server = _S_DONE
        return [RESPONSE_END]

    @property
    def upgraded(self) -> bool:
        """Whether the server switched protocols (101, or a 2xx answer to CONNECT)."""
        return self._server == _S_SWITCHED

    @property
    def trailing_data(self) -> bytes:
        """Bytes received past the response (the tunnel's first bytes after a CONNECT)."""
        return self._buffer

    def next_cycle(self) -> None:
        """Reset for the next request on the same connection (only when `reusable`)."""
        if (
            self._client != _DONE
            or self._server != _S_DONE
            or not self._keep_alive
            or self._buffer
            or self._eof
        ):
            reason = (
                "stray bytes follow the response" if self._buffer else "not in a reusable state"
            )
            raise LocalProtocolError(
                f"the connection to {self._origin} cannot carry another request: {reason} "
                f"(client {self._client_name()}, server {self._server_name()})"
            )
        # Only what a clean cycle leaves changed (see `__init__`).
        self._client = _IDLE
        self._server = _S_HEAD
        self._head = None
        self._framing = _LENGTH
        self._pre_head_bytes = 0
        self._body_received = 0
        self._started = False
        self._requested = False

    # -- errors (cold paths) ---------------------------------------------------------------

    def _receive_error(self, reason: str, raw: bytes) -> RemoteProtocolError:
        bad_status_line = self._head is None and reason.startswith("illegal status line")
        return refused_response(self._origin, reason, raw, bad_status_line)

    def _eof_error(self) -> RemoteProtocolError:
        return closed_early(
            self._origin,
            self._head,
            self._started,
            self._chunks.received
            if self._framing == _CHUNKED and self._chunks is not None
            else self._body_received,
            by_length=self._framing == _LENGTH,
        )
