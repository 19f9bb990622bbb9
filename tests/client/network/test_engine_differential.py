"""Differential tests: LeanEngine and H11Engine given the same bytes behave the same.

Random valid responses, mutated ones and random request heads go to both engines, split
at random points; each call must give the same events (bodies compared joined, since
the engines may cut them differently) or fail with the same exception class.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tether import LocalProtocolError, RemoteProtocolError
from tether._network.engine import BodyData, Event, H11Engine
from tether._network.engine_lean import LeanEngine

ORIGIN = "example.test:80"
MAX_HEAD = 300
AnyEngine = H11Engine | LeanEngine

NAMES = [b"Content-Type", b"X-A", b"Server", b"Set-Cookie", b"Connection", b"Content-Length"]
NAMES += [b"Transfer-Encoding", b"content-length", b"TRANSFER-ENCODING", b"Date", b"Bad Name"]
NAMES += [b"X:Y", b"", b"\xdcmlaut", b"Keep-Alive", b"Upgrade"]
# The lean engine finds framing fields by searching the lowered block for "\r\nname:".
NAMES += [b"connection", b"CONTENT-LENGTH", b"X-Content-Length", b"Transfer-Encodings"]
VALUES = [b"text/plain", b"a b", b" padded ", b"close", b"keep-alive, Close", b"chunked"]
VALUES += [b"Chunked", b"gzip, chunked", b"gzip", b"5", b"0", b"3, 3", b"3, 4", b"-1", b"abc"]
VALUES += [b"", b"\x00", b"a\rb", b"\x7f\x80\xff", b"\t", b"1" * 21, b"x" * 120, b"12"]
VALUES += [b"closed", b"upgrade, close", b"Content-Length: 3", b"1" * 20]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A body framed one of the ways a server might frame it (or misframe it)."""
    data = draw(st.binary(max_size=40))
    framing = draw(st.sampled_from(["length", "chunked", "close", "none"]))
    if framing == "length":
        return b"Content-Length: %d\r\n\r\n" % len(data) + data
    if framing == "chunked":
        out = b"Transfer-Encoding: chunked\r\n\r\n"
        rest = data
        while rest:
            size = draw(st.integers(min_value=1, max_value=len(rest)))
            ext = draw(st.sampled_from([b"", b";x=1", b"; y", b" "]))
            out += b"%x%s\r\n%s\r\n" % (size, ext, rest[:size])
            rest = rest[size:]
        trailer = draw(st.sampled_from([b"", b"T: 1\r\n", b"Bad Trailer\r\n", b"T:\r\n U\r\n"]))
        return out + b"0\r\n" + trailer + b"\r\n"
    if framing == "close":
        return b"\r\n" + data
    return b"\r\n"


@st.composite
def responses(draw: st.DrawFn) -> bytes:
    """One or more response heads (1xx first, maybe) with a body and maybe stray bytes."""
    out = b""
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        out += draw(
            st.sampled_from(
                [b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 103 Hints\r\nLink: x\r\n\r\n"]
            )
        )
    version = draw(st.sampled_from([b"1.1", b"1.0", b"2.0", b"1.x"]))
    status = draw(st.sampled_from([b"200", b"204", b"304", b"404", b"101", b"099", b"20", b"2000"]))
    reason = draw(st.sampled_from([b" OK", b"", b" ", b" Not\tFound", b" \x00"]))
    out += b"HTTP/" + version + b" " + status + reason + b"\r\n"
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        name = draw(st.sampled_from(NAMES))
        value = draw(st.sampled_from(VALUES))
        sep = draw(st.sampled_from([b": ", b":", b" : ", b":\t"]))
        out += name + sep + value + b"\r\n"
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            out += b" folded\r\n"
    out += draw(bodies())
    out += draw(st.sampled_from([b"", b"", b"HTTP/1.1 200 OK\r\n"]))
    if draw(st.booleans()):  # bare LF line ends, which h11 also accepts
        out = out.replace(b"\r\n", b"\n")
    return out


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A response with a few random bytes replaced, inserted or removed."""
    raw = bytearray(draw(responses()))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        if not raw:
            break
        where = draw(st.integers(min_value=0, max_value=len(raw) - 1))
        action = draw(st.sampled_from(["set", "insert", "delete"]))
        byte = draw(st.sampled_from([0, 9, 10, 13, 32, 58, 59, 48, 65, 127, 255]))
        if action == "set":
            raw[where] = byte
        elif action == "insert":
            raw.insert(where, byte)
        else:
            del raw[where]
    return bytes(raw)


@dataclass
class Outcome:
    heads: list[Event]
    body: bytes
    error: type[Exception] | None


def _outcome(call: Callable[[], list[Event]]) -> Outcome:
    try:
        events = call()
    except (LocalProtocolError, RemoteProtocolError) as exc:
        return Outcome([], b"", type(exc))
    heads: list[Event] = [event for event in events if not isinstance(event, BodyData)]
    body = b"".join(event.data for event in events if isinstance(event, BodyData))
    return Outcome(heads, body, None)


def _start(e: AnyEngine, method: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    e.start_request(method, b"/", [(b"Host", b"example.test"), *extra])
    if (b"Expect", b"100-continue") not in extra:  # else the body waits for the response
        e.end_body()


def _finish(e: AnyEngine) -> Exception | None:
    """Send the held-back body of an ``Expect: 100-continue`` request, if it may be sent."""
    try:
        e.send_body(b"abc")
        e.end_body()
    except LocalProtocolError as exc:
        return exc
    return None


REQUESTS = st.sampled_from(
    [
        (b"GET", []),
        (b"HEAD", []),
        (b"GET", [(b"Connection", b"close")]),
        (b"GET", [(b"Connection", b"Upgrade"), (b"Upgrade", b"websocket")]),
        (b"CONNECT", []),
        (b"POST", [(b"Content-Length", b"3"), (b"Expect", b"100-continue")]),
    ]
)


WARM_UP = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"


def _warm_up(e: AnyEngine) -> None:
    """A first cycle (a POST, a chunked answer), so the checked one runs on a reused engine."""
    e.start_request(b"POST", b"/w", [(b"Host", b"example.test"), (b"Content-Length", b"2")])
    e.send_body(b"ab")
    e.end_body()
    e.receive(WARM_UP)
    e.next_cycle()


def _check(
    raw: bytes,
    cuts: list[int],
    request: tuple[bytes, list[tuple[bytes, bytes]]],
    eof: bool,
    warm: bool = False,
) -> None:
    method, extra = request
    engines: list[AnyEngine] = [
        H11Engine(ORIGIN, max_head_size=MAX_HEAD),
        LeanEngine(ORIGIN, max_head_size=MAX_HEAD),
    ]
    if warm:
        for e in engines:
            _warm_up(e)
    for e in engines:
        _start(e, method, extra)
    points = sorted({cut for cut in cuts if 0 < cut < len(raw)})
    pieces = [
        raw[start:stop] for start, stop in zip([0, *points], [*points, len(raw)], strict=True)
    ]
    for piece in pieces:
        if not piece:
            continue
        reference, lean = (_outcome(functools.partial(e.receive, piece)) for e in engines)
        assert lean == reference, (piece, reference, lean)
        if reference.error is not None:
            return
        assert engines[1].awaiting_continue == engines[0].awaiting_continue
    if (b"Expect", b"100-continue") in extra:
        outcomes = [_finish(e) for e in engines]
        assert type(outcomes[1]) is type(outcomes[0])
    if eof:
        reference, lean = (_outcome(e.connection_closed) for e in engines)
        assert lean == reference
        if reference.error is not None:
            return
    for attribute in (
        "reusable",
        "response_complete",
        "response_started",
        "upgraded",
        "trailing_data",
    ):
        assert getattr(engines[1], attribute) == getattr(engines[0], attribute), attribute


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=responses(),
    cuts=st.lists(st.integers(min_value=1, max_value=400), max_size=8),
    request=REQUESTS,
    eof=st.booleans(),
    warm=st.booleans(),
)
def test_valid_and_misframed_responses_agree(
    raw: bytes,
    cuts: list[int],
    request: tuple[bytes, list[tuple[bytes, bytes]]],
    eof: bool,
    warm: bool,
) -> None:
    _check(raw, cuts, request, eof, warm)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=mutated(),
    cuts=st.lists(st.integers(min_value=1, max_value=400), max_size=8),
    request=REQUESTS,
    eof=st.booleans(),
    warm=st.booleans(),
)
def test_mutated_responses_agree(
    raw: bytes,
    cuts: list[int],
    request: tuple[bytes, list[tuple[bytes, bytes]]],
    eof: bool,
    warm: bool,
) -> None:
    _check(raw, cuts, request, eof, warm)


FIELD_BYTES = st.sampled_from(
    [b"X-A", b"a", b" ", b"\r", b"\n", b"\x00", b"\t", b":", b"\x7f", b"\xe9", b"1"]
)


@settings(max_examples=300)
@given(
    method=st.sampled_from([b"GET", b"POST", b"GE T", b"", b"M\r\n", b"PURGE"]),
    target=st.sampled_from([b"/", b"/a b", b"/\x00", b"", b"*", b"/\xe9", b"/a?b=c"]),
    fields=st.lists(
        st.tuples(
            st.lists(FIELD_BYTES, max_size=3).map(b"".join),
            st.lists(FIELD_BYTES, max_size=3).map(b"".join),
        ),
        max_size=3,
    ),
    framing=st.sampled_from(
        [
            [],
            [(b"Content-Length", b"3")],
            [(b"Content-Length", b"3"), (b"content-length", b"3")],
            [(b"Transfer-Encoding", b"Chunked")],
            [(b"Connection", b"close"), (b"Expect", b"100-continue")],
        ]
    ),
    host_first=st.booleans(),
)
def test_request_heads_agree(
    method: bytes,
    target: bytes,
    fields: list[tuple[bytes, bytes]],
    framing: list[tuple[bytes, bytes]],
    host_first: bool,
) -> None:
    host = [(b"Host", b"example.test")]
    headers = host + fields + framing if host_first else fields + framing + host
    results: list[tuple[bytes | None, bytes | None, bool | None]] = []
    # The second LeanEngine sends the head the first one cached.
    for e in (H11Engine(ORIGIN), LeanEngine(ORIGIN), LeanEngine(ORIGIN)):
        try:
            head = e.start_request(method, target, headers)
        except LocalProtocolError:
            results.append((None, None, None))
            continue
        waiting = e.awaiting_continue
        body = e.send_body(b"abc") if (b"Content-Length", b"3") in framing else b""
        chunked = framing[:1] == [(b"Transfer-Encoding", b"Chunked")]
        body += e.send_body(b"xyz") if chunked else b""
        results.append((head, body + e.end_body(), waiting))
    assert results[1] == results[0]
    assert results[2] == results[0]
