"""`LeanEngine`: the `HTTP11Engine` interface with tether's own HTTP/1.1 parser.

It keeps every invariant of `engine.H11Engine` (same events, same errors, same limits)
and accepts and refuses exactly what h11 0.16 does (differential tests feed both the
same bytes), but does less per cycle: a request head is one join after one pass over
the fields; a response head is found with ``bytes.find``, its fields validated by one
regular expression over the whole block and extracted by a second (both in C), and a
body is sliced from the received bytes at most once. The one deliberate difference:
after end of file the engine is never `reusable` (h11 calls a read-until-close HTTP/1.1
response reusable, although its connection is gone).
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

__all__ = ["LeanEngine"]

HeaderList = list[tuple[bytes, bytes]]

# The grammar h11 0.16 accepts (RFC 9110 §5.1, §5.5, RFC 9112 §4, §7.1), so that both
# engines agree byte for byte; `[^\x00\s]` is h11's "vchar or obs-text".
_TOKEN_RE: Final = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
_VALUE_RE: Final = rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?"
_FIELD_RE: Final = rb"(" + _TOKEN_RE + rb"):[ \t]*(" + _VALUE_RE + rb")[ \t]*\r\n"
_FIELDS: Final = re.compile(_FIELD_RE)
_FIELD_BLOCK: Final = re.compile(rb"(?:" + _FIELD_RE + rb")*")
_TOKEN: Final = re.compile(_TOKEN_RE)
_FIELD_VALUE: Final = re.compile(_VALUE_RE)
_TARGET: Final = re.compile(rb"[\x21-\x7e]+")
_STATUS_LINE: Final = re.compile(rb"HTTP/([0-9]\.[0-9]) ([0-9]{3})(?: ((?:[ \t]|[^\x00\s])*))?")
_CHUNK_LINE: Final = re.compile(rb"([0-9A-Fa-f]{1,20})(?:;.*)?[ \t]*\r\n")
_DIGITS: Final = re.compile(rb"[0-9]{1,20}")

_VERSIONS: Final = {b"1.1": b"HTTP/1.1", b"1.0": b"HTTP/1.0"}

# Request fields already validated (bytes only; bounded, cleared when full).
_KNOWN_FIELDS: Final[set[tuple[bytes, bytes]]] = set()
_KNOWN_FIELDS_MAX: Final = 4096
_KNOWN_METHODS: Final = frozenset({b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"PATCH"})
# Lengths of the request field names the engine acts on: others are never lowered.
_WATCHED_LENGTHS: Final = frozenset({4, 6, 7, 10, 14, 17})

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
# Chunked sub-states.
_C_SIZE: Final = 0
_C_DATA: Final = 1
_C_FOOTER: Final = 2
_C_TRAILER: Final = 3


class _Malformed(Exception):
    """A response the grammar refuses; `receive` turns it into `RemoteProtocolError`."""


def _comma_tokens(value: bytes) -> list[bytes]:
    return [token for token in (part.strip().lower() for part in value.split(b",")) if token]


def _bytesify(value: object) -> bytes:
    if type(value) is bytes:
        return value
    if isinstance(value, str):
        return value.encode("ascii")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"expected bytes, got {type(value).__name__}")


def _blank_line(buffer: bytes, start: int) -> int:
    """Where the first blank line (``\\n\\n`` or ``\\n\\r\\n``) starts, or -1."""
    hits = [hit for hit in (buffer.find(b"\n\r\n", start), buffer.find(b"\n\n", start)) if hit >= 0]
    return min(hits) if hits else -1


def _head_lines(head: bytes) -> list[bytes]:
    """The lines of a head (h11's rules: LF or CRLF ends a line, obs-fold joins)."""
    lines = [line[:-1] if line[-1:] == b"\r" else line for line in head.split(b"\n")]
    folded: list[bytes] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            if not folded:
                raise _Malformed("continuation line at start of headers")
            folded[-1] = folded[-1] + b" " + line.lstrip(b" \t")
        else:
            folded.append(line)
    return [lines[0], *folded]


class _Framing:
    """What a head's fields say about its body and the connection (one pass)."""

    __slots__ = ("chunked", "close", "length")

    def __init__(self, length: int | None, chunked: bool, close: bool) -> None:
        self.length = length
        self.chunked = chunked
        self.close = close


_NO_FRAMING: Final = _Framing(None, False, False)


def _parse_fields(block: bytes) -> tuple[HeaderList, _Framing]:
    """Validate and split ``name: value\\r\\n`` lines, then apply the framing rules."""
    if _FIELD_BLOCK.fullmatch(block) is None:
        for line in block.split(b"\r\n")[:-1]:
            if _FIELDS.fullmatch(line + b"\r\n") is None:
                raise _Malformed(f"illegal header line: {line!r}")
        raise _Malformed("illegal header block")  # pragma: no cover - a line fails above
    fields: HeaderList = _FIELDS.findall(block)
    length: bytes | None = None
    chunked = close = False
    plain = True  # at most one Content-Length, of digits only; Transfer-Encoding: chunked
    for name, value in fields:
        size = len(name)
        if size == 14:
            if name.lower() == b"content-length":
                if length is not None or not value.isdigit() or len(value) > 20:
                    plain = False
                length = value
        elif size == 17:
            if name.lower() == b"transfer-encoding":
                if chunked or value != b"chunked":
                    plain = False
                chunked = True
        elif size == 10 and name.lower() == b"connection" and b"close" in _comma_tokens(value):
            close = True
    if not plain:
        fields = _normalise(fields)
        length = next((v for n, v in fields if n.lower() == b"content-length"), None)
    return fields, _Framing(None if length is None else int(length), chunked, close)


def _normalise(fields: HeaderList) -> HeaderList:
    """h11's rules for Content-Length and Transfer-Encoding (RFC 9112 §6.1, §6.3)."""
    out: HeaderList = []
    length: bytes | None = None
    chunked = False
    for name, value in fields:
        lowered = name.lower()
        if lowered == b"content-length":
            lengths = {part.strip() for part in value.split(b",")}
            if len(lengths) != 1:
                raise _Malformed("conflicting Content-Length headers")
            value = lengths.pop()
            if _DIGITS.fullmatch(value) is None:
                raise _Malformed("bad Content-Length")
            if length is None:
                length = value
                out.append((name, value))
            elif length != value:
                raise _Malformed("conflicting Content-Length headers")
        elif lowered == b"transfer-encoding":
            if chunked:
                raise _Malformed("multiple Transfer-Encoding headers")
            value = value.lower()
            if value != b"chunked":
                raise _Malformed("Only Transfer-Encoding: chunked is supported")
            chunked = True
            out.append((name, value))
        else:
            out.append((name, value))
    return out


class LeanEngine:
    """`HTTP11Engine` with its own strict HTTP/1.1 parser (client side, one connection)."""

    __slots__ = (
        "_body_received",
        "_body_sent",
        "_buffer",
        "_chunk_state",
        "_client",
        "_declared",
        "_eof",
        "_footer",
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
        self._reset()

    def _reset(self) -> None:
        self._method = b""
        self._declared = b"0"
        self._send_chunked = False
        self._send_remaining = 0
        self._body_sent = 0
        self._keep_alive = True
        self._waiting_100 = False
        self._switch_connect = False
        self._switch_upgrade = False
        self._head: ResponseHead | None = None
        self._framing = _LENGTH
        self._remaining = 0
        self._chunk_state = _C_SIZE
        self._footer = b""
        self._pre_head_bytes = 0
        self._searched = 0
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
        where = self._origin
        if method not in _KNOWN_METHODS and (
            type(method) is not bytes or _TOKEN.fullmatch(method) is None
        ):
            raise LocalProtocolError(f"invalid request method {_clip(method)!r} for {where}")
        if type(target) is not bytes or _TARGET.fullmatch(target) is None:
            raise LocalProtocolError(
                f"invalid request target {_clip(target)!r} for {where}: "
                "spaces and control characters must be percent-encoded"
            )
        known = _KNOWN_FIELDS
        lines = [b"%s %s HTTP/1.1" % (method, target)]
        host_line = b""
        hosts = 0
        length: bytes | None = None
        chunked = False
        keep_alive = True
        expect = upgrade = False
        for name, value in headers:
            if type(name) is not bytes or type(value) is not bytes or (name, value) not in known:
                name, value = self._checked_field(name, value)
                if len(known) > _KNOWN_FIELDS_MAX:
                    known.clear()
                known.add((name, value))
            if len(name) in _WATCHED_LENGTHS:
                lowered = name.lower()
                if lowered == b"host":
                    hosts += 1
                    host_line = name + b": " + value
                    continue
                if lowered == b"content-length":
                    value, duplicate = self._request_length(value, length)
                    if duplicate:
                        continue
                    length = value
                elif lowered == b"transfer-encoding":
                    if chunked:
                        raise self._bad_framing(b"Transfer-Encoding", "multiple headers")
                    value = value.lower()
                    if value != b"chunked":
                        raise self._bad_framing(
                            b"Transfer-Encoding", "Only Transfer-Encoding: chunked is supported"
                        )
                    chunked = True
                elif lowered == b"connection":
                    if b"close" in _comma_tokens(value):
                        keep_alive = False
                elif lowered == b"expect":
                    if b"100-continue" in _comma_tokens(value):
                        expect = True
                elif lowered == b"upgrade":
                    upgrade = upgrade or bool(_comma_tokens(value))
            lines.append(name + b": " + value)
        if hosts != 1:
            reason = (
                "Missing mandatory Host: header" if not hosts else "Found multiple Host: headers"
            )
            raise LocalProtocolError(
                f"a request to {where} needs exactly one Host header (RFC 9112 §3.2): {reason}"
            )
        if chunked and length is not None:
            raise LocalProtocolError(
                f"a request to {where} cannot have both Content-Length and "
                "Transfer-Encoding headers (RFC 9112 §6.2)"
            )
        if self._client != _IDLE or self._server != _S_HEAD or self._eof:
            self._client = _ERROR
            raise LocalProtocolError(
                f"cannot start a request to {where}: a request is already in progress "
                f"(client {self._client_name()}, server {self._server_name()})"
            )
        lines.insert(1, host_line)
        lines.append(b"")
        lines.append(b"")
        self._method = method
        self._send_chunked = chunked
        if length is not None:
            self._declared = length
            self._send_remaining = int(length)
        self._keep_alive = keep_alive
        self._waiting_100 = expect
        self._switch_upgrade = upgrade
        self._switch_connect = method == b"CONNECT"
        self._client = _SEND_BODY
        self._requested = True
        return b"\r\n".join(lines)

    def _checked_field(self, name: object, value: object) -> tuple[bytes, bytes]:
        where = self._origin
        name = _bytesify(name)
        value = _bytesify(value)
        if _TOKEN.fullmatch(name) is None:
            raise LocalProtocolError(
                f"invalid request header name {_clip(name)!r} for {where}: "
                "a field name is a token (RFC 9110 §5.1)"
            )
        if _FIELD_VALUE.fullmatch(value) is None:
            if b"\r" in value or b"\n" in value:
                what = "contains CR or LF"
            elif b"\x00" in value:
                what = "contains NUL"
            else:
                what = "has a control character or surrounding whitespace"
            raise LocalProtocolError(
                f"invalid value for request header {_clip(name)!r} to {where}: "
                f"it {what} (RFC 9110 §5.5)"
            )
        return name, value

    def _request_length(self, value: bytes, seen: bytes | None) -> tuple[bytes, bool]:
        lengths = {part.strip() for part in value.split(b",")}
        if len(lengths) != 1:
            raise self._bad_framing(b"Content-Length", "conflicting Content-Length headers")
        value = lengths.pop()
        if _DIGITS.fullmatch(value) is None:
            raise self._bad_framing(b"Content-Length", "bad Content-Length")
        if seen is None:
            return value, False
        if seen != value:
            raise self._bad_framing(b"Content-Length", "conflicting Content-Length headers")
        return value, True

    def _bad_framing(self, name: bytes, reason: str) -> LocalProtocolError:
        return LocalProtocolError(f"invalid request header {name!r} for {self._origin}: {reason}")

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
        buffer = self._buffer + data if self._buffer else bytes(data)
        try:
            return self._parse(buffer)
        except _Malformed as exc:
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
                    raise _Malformed("illegal status line")
                stop = buffer.find(b"\r\n\r\n", position + self._searched)
                head = buffer[position:stop] if stop >= 0 else b""
                if stop >= 0 and head.count(b"\n") == head.count(b"\r\n"):
                    position = stop + 4
                    if b"\n " in head or b"\n\t" in head:  # obs-fold, joined as h11 does
                        lines = _head_lines(head)
                        status_line = lines[0]
                        block = b"".join(line + b"\r\n" for line in lines[1:])
                    else:
                        first = head.find(b"\r\n")
                        if first < 0:
                            status_line, block = head, b""
                        else:
                            status_line, block = head[:first], head[first + 2 :] + b"\r\n"
                else:
                    # Bare LF line ends (h11 accepts them): the exact, slower search.
                    cut = _blank_line(buffer, position + self._searched)
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
                    lines = _head_lines(buffer[position:cut])
                    status_line = lines[0]
                    block = b"".join(line + b"\r\n" for line in lines[1:])
                    position = cut + (3 if buffer[cut + 1] == 13 else 2)
                self._searched = 0
                if self._head_event(status_line, block, events):
                    break
            elif server == _S_BODY:
                if self._framing == _LENGTH:
                    if position == end:
                        break
                    take = min(self._remaining, end - position)
                    piece = buffer if take == end else buffer[position : position + take]
                    position += take
                    self._remaining -= take
                    self._body_received += take
                    events.append(BodyData(piece))
                    if not self._remaining:
                        self._server = _S_DONE
                        events.append(RESPONSE_END)
                        break
                elif self._framing == _CHUNKED:
                    position = self._chunked(buffer, position, events)
                    if self._server != _S_DONE:
                        break
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

    def _head_event(self, status_line: bytes, block: bytes, events: list[Event]) -> bool:
        """Parse one head into `events`; True when the stream now belongs to someone else."""
        match = _STATUS_LINE.fullmatch(status_line)
        if match is None:
            raise _Malformed(f"illegal status line: {status_line!r}")
        version, code, reason = match.groups()
        status = int(code)
        fields, framing = _parse_fields(block) if block else ([], _NO_FRAMING)
        if status < 200:
            if status < 100:
                raise _Malformed(
                    f"InformationalResponse status_code should be in range [100, 200), not {status}"
                )
            self._waiting_100 = False
            if status == 101:
                if not self._switch_upgrade:
                    raise _Malformed(
                        "Received server _SWITCH_UPGRADE event without a pending proposal"
                    )
                events.append(self._final_head(status, reason or b"", version, fields))
                self._server = _S_SWITCHED
                events.append(RESPONSE_END)
                return True
            events.append(InformationalHead(status, reason or b"", fields))
            return False
        self._waiting_100 = False
        events.append(self._final_head(status, reason or b"", version, fields))
        if self._switch_connect and status < 300:
            self._server = _S_SWITCHED
            events.append(RESPONSE_END)
            return True
        self._switch_connect = self._switch_upgrade = False
        keep_alive = version >= b"1.1" and not framing.close
        chunked = framing.chunked
        length = framing.length
        if not keep_alive:
            self._keep_alive = False
        if status == 204 or status == 304 or self._method == b"HEAD":
            length = 0
            chunked = False
        if chunked:
            self._framing = _CHUNKED
            self._chunk_state = _C_SIZE
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

    def _final_head(
        self, status: int, reason: bytes, version: bytes, fields: HeaderList
    ) -> ResponseHead:
        if self._pre_head_bytes > self._max_head_size:
            size = sum(len(name) + len(value) + 4 for name, value in fields)
            if size > self._max_head_size:
                raise RemoteProtocolError(
                    f"the response headers from {self._origin} exceed "
                    f"{self._max_head_size} bytes ({size} bytes)"
                )
        head = ResponseHead(status, reason, _VERSIONS.get(version) or b"HTTP/" + version, fields)
        self._head = head
        return head

    def _chunked(self, buffer: bytes, position: int, events: list[Event]) -> int:
        """Decode chunks from `position`; returns the new position (state kept between calls)."""
        end = len(buffer)
        state = self._chunk_state
        while True:
            if state == _C_SIZE:
                stop = buffer.find(b"\r\n", position)
                if stop < 0:
                    if end - position > self._max_head_size:
                        raise RemoteProtocolError(
                            f"the chunk header line from {self._origin} exceed "
                            f"{self._max_head_size} bytes"
                        )
                    break
                line = buffer[position : stop + 2]
                match = _CHUNK_LINE.fullmatch(line)
                if match is None:
                    raise _Malformed(f"illegal chunk header: {line!r}")
                position = stop + 2
                size = int(match[1], 16)
                if size:
                    self._remaining = size
                    state = _C_DATA
                else:
                    state = _C_TRAILER
            elif state == _C_DATA:
                if position == end:
                    break
                take = min(self._remaining, end - position)
                events.append(BodyData(buffer[position : position + take]))
                position += take
                self._body_received += take
                self._remaining -= take
                if self._remaining:
                    break
                state = _C_FOOTER
                self._footer = b"\r\n"
            elif state == _C_FOOTER:
                if position == end:
                    break
                want = self._footer
                got = buffer[position : position + len(want)]
                if got != want[: len(got)]:
                    raise _Malformed(f"malformed chunk footer: {got!r} (expected {want!r})")
                position += len(got)
                self._footer = want[len(got) :]
                if self._footer:
                    break
                state = _C_SIZE
            else:  # trailer fields: read, checked as h11 checks them, dropped
                if buffer[position : position + 1] == b"\n":
                    position += 1
                elif buffer[position : position + 2] == b"\r\n":
                    position += 2
                else:
                    cut = _blank_line(buffer, position)
                    if cut < 0:
                        if end - position > self._max_head_size:
                            raise RemoteProtocolError(
                                f"the chunk header line from {self._origin} exceed "
                                f"{self._max_head_size} bytes"
                            )
                        break
                    lines = _head_lines(b"\n" + buffer[position:cut])[1:]
                    _parse_fields(b"".join(line + b"\r\n" for line in lines))  # may raise
                    position = cut + (3 if buffer[cut + 1] == 13 else 2)
                self._server = _S_DONE
                events.append(RESPONSE_END)
                break
        self._chunk_state = state
        return position

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
        if not self.reusable:
            reason = (
                "stray bytes follow the response" if self._buffer else "not in a reusable state"
            )
            raise LocalProtocolError(
                f"the connection to {self._origin} cannot carry another request: {reason} "
                f"(client {self._client_name()}, server {self._server_name()})"
            )
        self._client = _IDLE
        self._server = _S_HEAD
        self._reset()

    # -- errors (cold paths) ---------------------------------------------------------------

    def _receive_error(self, reason: str, raw: bytes) -> RemoteProtocolError:
        bad_status_line = self._head is None and reason.startswith("illegal status line")
        return refused_response(self._origin, reason, raw, bad_status_line)

    def _eof_error(self) -> RemoteProtocolError:
        return closed_early(
            self._origin,
            self._head,
            self._started,
            self._body_received,
            by_length=self._framing == _LENGTH,
        )
