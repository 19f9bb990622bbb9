"""`Response.read()` of a Content-Length body received in place (`SyncStream.read_exact`).

Each test counts the stream's `read_exact` calls, so that it proves which path read the
body, and most check that the body was held in memory once (with `tracemalloc`: read
piece by piece and joined, it is held twice).
"""

from __future__ import annotations

import gzip
import os
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest

import tether
from tests._servers import misbehave
from tests._servers.raw import Handler, RawConnection, RawServer
from tests._servers.tls import TLSFiles
from tether import ReadError, ReadTimeout, RemoteProtocolError
from tether._network import engine_choice
from tether._network.backends import _common, current_async_backend
from tether._network.backends.base import AsyncNetworkStream
from tether._network.backends.sync import SyncStream
from tether._network.connection import Connection
from tether._network.connection_async import AsyncConnection
from tether._network.engine import H11Engine
from tether._network.engine_lean import LeanEngine
from tether._transports.http import HTTPTransport

Start = Callable[..., RawServer]

MIB = 1 << 20
BODY = os.urandom(10 * MIB)


@pytest.fixture
def in_place_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes asked of every `SyncStream.read_exact` call during the test (whose new
    connections get the lean engine, whatever ``TETHER_HTTP11_ENGINE`` says)."""
    monkeypatch.setattr(engine_choice, "new_engine", LeanEngine)
    sizes: list[int] = []
    original = SyncStream.read_exact

    def counted(
        self: SyncStream, size: int, timeout: float | None = None, first: bytes = b""
    ) -> bytes:
        sizes.append(size)
        return original(self, size, timeout, first)

    monkeypatch.setattr(SyncStream, "read_exact", counted)
    return sizes


def send(*parts: bytes, pause: float = 0.0, then: str = "keep") -> Handler:
    """Answer each request with `parts` (`pause` seconds apart); then keep the connection
    for the next request, ``"close"`` it, ``"reset"`` it, or ``"stall"`` until the server
    stops."""

    def handler(conn: RawConnection) -> None:
        while conn.read_request() is not None:
            for index, part in enumerate(parts):
                if index and pause:
                    conn.wait(pause)
                conn.send(part)
            if then == "close":
                return
            if then == "reset":
                conn.reset()
                return
            if then == "stall":
                conn.wait(30.0)
                return

    return handler


def head(length: int, headers: list[tuple[str, str]] | None = None) -> bytes:
    return misbehave.response(200, b"", headers or [], content_length=length)


def peak_while(read: Callable[[], Any]) -> int:
    """The most memory Python held at once (above the start) while `read` ran."""
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def client() -> Iterator[tether.Client]:
    with tether.Client(transport=HTTPTransport(), timeout=10.0) as running:
        yield running


def test_a_large_body_is_received_once_into_its_bytes(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int], client: tether.Client
) -> None:
    # The head and the start of the body arrive first, so the start is copied in first.
    server = raw_server(send(head(len(BODY)) + BODY[:1000], BODY[1000:], pause=0.05))
    responses: list[tether.Response] = []
    peak = peak_while(lambda: responses.append(client.get(server.url())))
    response = responses[0]
    assert response.content == BODY
    assert response.num_bytes_downloaded == len(BODY)
    assert peak < 1.5 * len(BODY)  # piece by piece and joined: twice the body
    assert in_place_reads == [len(BODY) - 1000]
    # The connection went back to the pool and carries the next request.
    assert client.get(server.url()).content == BODY
    assert server.stats.accepted == 1
    assert len(in_place_reads) == 2


def test_tls(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int], tls_files: TLSFiles
) -> None:
    server = raw_server(send(head(len(BODY)), BODY), ssl_context=tls_files.server_context())
    transport = HTTPTransport(verify=tls_files.client_context())
    with tether.Client(transport=transport, timeout=10.0) as client:
        responses: list[tether.Response] = []
        peak = peak_while(lambda: responses.append(client.get(server.url())))
        assert responses[0].content == BODY
        assert in_place_reads == [len(BODY)]
        assert peak < 1.5 * len(BODY)
        assert client.get(server.url()).content == BODY
    assert server.stats.accepted == 1


def test_a_short_body_fails_as_when_read_piece_by_piece(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int]
) -> None:
    declared, sent = 4 * MIB, 3 * MIB + 5
    server = raw_server(send(head(declared) + BODY[:sent], then="close"))
    messages = []
    transport = HTTPTransport()
    with tether.Client(transport=transport, timeout=10.0) as client:
        with pytest.raises(RemoteProtocolError) as caught:
            client.get(server.url())
        messages.append(str(caught.value))
        assert caught.value.request.url == server.url()
        assert len(in_place_reads) == 1
        assert transport.pool.books.active == transport.pool.books.idle == 0
        with (
            client.stream("GET", server.url()) as response,
            pytest.raises(RemoteProtocolError) as caught,
        ):
            b"".join(response.iter_raw())
        messages.append(str(caught.value))
    assert len(in_place_reads) == 1  # streaming reads piece by piece
    assert messages[0] == messages[1]
    assert f"after {sent} bytes" in messages[0]


def test_a_reset_mid_body_fails_as_when_read_piece_by_piece(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int]
) -> None:
    # The pause lets the client read the head and wait inside `read_exact`.
    server = raw_server(send(head(4 * MIB) + BODY[:100_000], b"", pause=0.2, then="reset"))
    messages = []
    transport = HTTPTransport()
    with tether.Client(transport=transport, timeout=10.0) as client:
        with pytest.raises(ReadError) as caught:
            client.get(server.url())
        messages.append(str(caught.value))
        assert len(in_place_reads) == 1
        assert transport.pool.books.active == transport.pool.books.idle == 0
        with (
            client.stream("GET", server.url()) as response,
            pytest.raises(ReadError) as caught,
        ):
            b"".join(response.iter_raw())
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert re.fullmatch(r"reading from 127\.0\.0\.1:\d+ failed: .+", messages[0])


def test_a_stall_mid_body_is_a_read_timeout(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int]
) -> None:
    server = raw_server(send(head(len(BODY)) + BODY[: 2 * MIB], then="stall"))
    transport = HTTPTransport()
    with tether.Client(transport=transport, timeout=tether.Timeout(10.0, read=0.3)) as client:
        started = time.monotonic()
        with pytest.raises(
            ReadTimeout, match=r"timed out reading from 127\.0\.0\.1:\d+ after 0\.3 s"
        ):
            client.get(server.url())
        assert time.monotonic() - started < 5.0
        assert len(in_place_reads) == 1
        assert transport.pool.books.active == transport.pool.books.idle == 0


def test_each_read_is_bounded_by_the_read_timeout_not_the_whole_body(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int]
) -> None:
    # Four pauses of 0.2 s: the body takes longer than the read timeout, each read less.
    parts = [BODY[i : i + MIB] for i in range(0, 4 * MIB, MIB)]
    server = raw_server(send(head(4 * MIB), *parts, pause=0.2))
    with tether.Client(transport=HTTPTransport(), timeout=tether.Timeout(10.0, read=0.5)) as client:
        assert client.get(server.url()).content == BODY[: 4 * MIB]
    assert len(in_place_reads) == 1


def test_a_total_deadline_reads_piece_by_piece_and_still_fires(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int]
) -> None:
    parts = [BODY[i : i + MIB] for i in range(0, 4 * MIB, MIB)]
    server = raw_server(send(head(4 * MIB), *parts, pause=0.4))
    with tether.Client(
        transport=HTTPTransport(), timeout=tether.Timeout(10.0, total=0.5)
    ) as client:
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            client.get(server.url())
        assert time.monotonic() - started < 5.0
        assert client.get(server.url(), timeout=10.0).content == BODY[: 4 * MIB]
    assert len(in_place_reads) == 1  # the request without a total deadline


def test_surplus_bytes_after_the_body_are_never_read_as_the_next_response(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int], client: tether.Client
) -> None:
    server = raw_server(send(head(MIB), BODY[:MIB], b"HTTP/1.1 200 OK\r\n\r\n", pause=0.05))
    assert client.get(server.url()).content == BODY[:MIB]
    time.sleep(0.1)  # the surplus arrives while the connection is idle: it is dropped
    assert client.get(server.url()).content == BODY[:MIB]
    assert server.stats.accepted == 2
    assert len(in_place_reads) == 2


def test_gzip_bodies_are_decoded(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int], client: tether.Client
) -> None:
    text = b"tether " * (2 * MIB)
    packed = gzip.compress(text, compresslevel=1)
    server = raw_server(send(head(len(packed), [("Content-Encoding", "gzip")]), packed))
    assert client.get(server.url()).content == text
    assert in_place_reads == []


@pytest.mark.parametrize("declared", [10**12, _common.IN_PLACE_MAX + 1])
def test_a_huge_declared_length_allocates_only_what_arrives(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int], declared: int
) -> None:
    server = raw_server(send(head(declared) + BODY[:MIB], then="close"))
    with tether.Client(transport=HTTPTransport(), timeout=10.0) as client:

        def read() -> None:
            with pytest.raises(RemoteProtocolError, match=f"after {MIB} bytes"):
                client.get(server.url())

        assert peak_while(read) < 8 * MIB
    assert in_place_reads == []


def test_small_rests_and_traced_requests_read_piece_by_piece(
    fd_leak_check: None, raw_server: Start, in_place_reads: list[int], client: tether.Client
) -> None:
    server = raw_server(send(head(len(BODY)), BODY))
    small = _common.IN_PLACE_MIN - 1
    small_server = raw_server(send(head(small), BODY[:small], pause=0.05))
    events: list[str] = []
    traced = client.get(server.url(), extensions={"trace": lambda name, info: events.append(name)})
    assert traced.content == BODY
    assert "http11.receive_response_body.complete" in events
    assert client.get(small_server.url()).content == BODY[:small]
    assert in_place_reads == []


def test_the_h11_engine_reads_piece_by_piece(
    fd_leak_check: None,
    raw_server: Start,
    in_place_reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = raw_server(send(head(len(BODY)), BODY))
    monkeypatch.setattr(engine_choice, "new_engine", H11Engine)
    with tether.Client(transport=HTTPTransport(), timeout=10.0) as client:
        assert client.get(server.url()).content == BODY
    assert in_place_reads == []


@pytest.mark.anyio
async def test_async_reads_are_unchanged(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(send(head(len(BODY)), BODY))
    async with tether.AsyncClient(timeout=10.0) as client:
        assert (await client.get(server.url())).content == BODY
        assert (await client.get(server.url())).content == BODY
    assert server.stats.accepted == 1


class JoinedReads:
    """An async stream that has a `read_exact` (tether's async streams have none: an event
    loop cannot wait inside ``BufferedReader.read``), made of joined reads."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def read_exact(
        self, size: int, timeout: float | None = None, first: bytes = b""
    ) -> bytes:
        self.calls += 1
        parts = [first]
        while size:
            data: bytes = await self._inner.read(min(size, 65536), timeout)
            if not data:
                break
            parts.append(data)
            size -= len(data)
        return b"".join(parts)


@pytest.mark.anyio
@pytest.mark.parametrize("sent", [MIB, MIB // 2])
async def test_the_async_twin_reads_the_rest_whole_where_the_stream_can(
    fd_leak_check: None, raw_server: Start, sent: int
) -> None:
    server = raw_server(send(head(MIB) + BODY[:1000], BODY[1000:sent], pause=0.05, then="close"))
    where = f"127.0.0.1:{server.port}"
    stream = JoinedReads(await current_async_backend().connect_tcp("127.0.0.1", server.port))
    conn = AsyncConnection(cast(AsyncNetworkStream, stream), where)
    assert (await conn.send_request(b"GET", b"/", [(b"Host", b"x")], None, 2, 2)).status == 200
    if sent == MIB:
        assert await conn.rest_of_body(2) == BODY[:MIB]
        assert await conn.next_piece(2) is None
        assert conn.reusable
        await conn.aclose()
    else:
        with pytest.raises(RemoteProtocolError, match=f"after {sent} bytes"):
            await conn.rest_of_body(2)
        assert conn.closed
    assert stream.calls == 1


@pytest.mark.parametrize("engine", [LeanEngine, H11Engine])
@pytest.mark.parametrize("timeout", [tether.Timeout(10.0), tether.Timeout(10.0, total=10.0)])
def test_a_body_that_came_with_its_head_is_handed_over_without_another_read(
    fd_leak_check: None,
    raw_server: Start,
    monkeypatch: pytest.MonkeyPatch,
    engine: Any,
    timeout: tether.Timeout,
) -> None:
    # A small response arrives whole in the read that brings its head: `read()` takes the
    # pending body as it is, even under a total deadline (no read is needed to bound).
    monkeypatch.setattr(engine_choice, "new_engine", engine)
    pieces: list[object] = []
    original = Connection.next_piece

    def counted(self: Connection, read_timeout: float | None) -> bytes | None:
        piece = original(self, read_timeout)
        pieces.append(piece)
        return piece

    monkeypatch.setattr(Connection, "next_piece", counted)
    server = raw_server(send(misbehave.response(200, b"hello, world", [], content_length=12)))
    with tether.Client(transport=HTTPTransport(), timeout=timeout) as client:
        for _ in range(3):
            response = client.get(server.url())
            assert response.content == b"hello, world"
            assert response.num_bytes_downloaded == 12
        empty = client.head(server.url())
        assert empty.content == b""
    assert pieces == []
    assert server.stats.accepted == 1  # and each connection went back for the next


@pytest.mark.anyio
async def test_the_async_twin_hands_over_a_body_that_came_with_its_head(
    fd_leak_check: None, raw_server: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    original = AsyncConnection.next_piece

    async def counted(self: AsyncConnection, read_timeout: float | None) -> bytes | None:
        piece = await original(self, read_timeout)
        calls.append(piece)
        return piece

    monkeypatch.setattr(AsyncConnection, "next_piece", counted)
    server = raw_server(send(misbehave.response(200, b"hello, world", [], content_length=12)))
    async with tether.AsyncClient(timeout=tether.Timeout(10.0, total=10.0)) as client:
        for _ in range(3):
            assert (await client.get(server.url())).content == b"hello, world"
    assert calls == []
    assert server.stats.accepted == 1
