"""Misbehaving servers: each failure is the right tether error, and nothing leaks or hangs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

import tether
from tests._servers import misbehave
from tests._servers.raw import Handler, RawServer
from tether import (
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    TransportError,
    WriteTimeout,
)
from tether._transports.http import AsyncHTTPTransport, HTTPTransport

Start = Callable[..., RawServer]


def client_for(timeout: float = 2.0) -> tuple[tether.Client, HTTPTransport]:
    transport = HTTPTransport()
    return tether.Client(transport=transport, timeout=timeout), transport


@pytest.mark.parametrize(
    ("handler", "error", "message"),
    [
        (misbehave.close_mid_headers(), RemoteProtocolError, "while sending the response headers"),
        (misbehave.close_mid_body(), RemoteProtocolError, "after 100 bytes"),
        (misbehave.broken_chunked(), RemoteProtocolError, "chunked"),
        (misbehave.huge_headers(), RemoteProtocolError, "exceed"),
        (misbehave.garbage(), RemoteProtocolError, "no valid HTTP/1.1 status line"),
        (misbehave.reset(), ReadError, "127.0.0.1"),
        (misbehave.stall(1.0), ReadTimeout, "127.0.0.1"),
        (misbehave.never_answer(), ReadTimeout, "127.0.0.1"),
    ],
)
def test_failures_raise_and_leave_the_pool_balanced(
    fd_leak_check: None,
    raw_server: Start,
    handler: Handler,
    error: type[Exception],
    message: str,
) -> None:
    server = raw_server(handler)
    client, transport = client_for(timeout=0.2)
    with client:
        with pytest.raises(error, match=message) as caught:
            client.get(server.url())
        assert isinstance(caught.value, TransportError)
        assert str(caught.value.request.url) == server.url()  # while sending or streaming
        transport.pool.books.invariant_check()
        assert transport.pool.books.active == 0
        assert transport.pool.books.idle == 0


def test_interim_and_bodiless_responses(fd_leak_check: None, raw_server: Start) -> None:
    interim = raw_server(misbehave.informational(100, 103))
    bodiless = raw_server(misbehave.bodiless())
    chunked = raw_server(misbehave.trailers())
    client, _transport = client_for()
    with client:
        assert client.get(interim.url()).text == "final"
        assert client.head(bodiless.url()).content == b""
        assert client.get(bodiless.url("/204")).status_code == 204
        assert client.get(bodiless.url("/304")).status_code == 304
        assert client.get(bodiless.url()).text == "ok"
        assert client.get(chunked.url()).text == "hello, world"
        assert client.get(chunked.url()).text == "hello, world"
    assert bodiless.stats.accepted == 1
    assert chunked.stats.accepted == 1


def test_surplus_body_bytes_are_never_read_as_the_next_response(
    fd_leak_check: None, raw_server: Start
) -> None:
    server = raw_server(misbehave.wrong_content_length(declared=2, actual=10))
    client, _ = client_for()
    with client:
        assert client.get(server.url()).content == b"xx"
        assert client.get(server.url()).content == b"xx"
    assert server.stats.accepted == 2


def test_connection_close_is_honoured(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(headers=[("Connection", "close")]))
    client, transport = client_for()
    with client:
        client.get(server.url())
        client.get(server.url())
        assert transport.pool.books.idle == 0
    assert server.stats.accepted == 2


def test_expect_continue_refused(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.expect_continue(accept=False))
    client, _ = client_for()
    with client:
        response = client.post(server.url(), content=b"x", headers={"Expect": "100-continue"})
        assert response.status_code == 417


def test_total_timeout_stops_a_dripping_server(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.stall(1.0))
    client, _ = client_for()
    with client:
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            client.get(server.url(), timeout=tether.Timeout(5.0, total=0.1))
        assert time.monotonic() - started < 2.0


def test_interrupt_while_sending_closes_the_connection(
    fd_leak_check: None, raw_server: Start
) -> None:
    server = raw_server(misbehave.ok())
    client, transport = client_for()

    def body() -> Iterator[bytes]:
        yield b"part"
        raise KeyboardInterrupt

    with client:
        with pytest.raises(KeyboardInterrupt):
            client.post(server.url(), content=body())
        transport.pool.books.invariant_check()
        assert transport.pool.books.active == 0
        assert client.get(server.url()).text == "ok"


@pytest.mark.anyio
async def test_async_failures(fd_leak_check: None, raw_server: Start) -> None:
    transport = AsyncHTTPTransport()
    async with tether.AsyncClient(transport=transport, timeout=0.2) as client:
        for handler in (misbehave.close_mid_body(), misbehave.stall(1.0), misbehave.reset()):
            server = raw_server(handler)
            with pytest.raises(TransportError) as caught:
                await client.get(server.url())
            assert str(caught.value.request.url) == server.url()
            transport.pool.books.invariant_check()
            assert transport.pool.books.active == 0
        server = raw_server(misbehave.close_after(1))
        await client.get(server.url())
        time.sleep(0.05)  # the server's FIN arrives; the idle connection is found dead
        assert (await client.get(server.url())).text == "ok"
        assert server.stats.accepted == 2


def test_write_timeout_when_the_server_reads_nothing(
    fd_leak_check: None, raw_server: Start
) -> None:
    server = raw_server(lambda conn: conn.wait(5.0))
    client, transport = client_for()
    body = b"x" * (64 * 1024 * 1024)
    with client:
        with pytest.raises(WriteTimeout, match=f"127.0.0.1:{server.port}"):
            client.post(server.url(), content=body, timeout=tether.Timeout(2.0, write=0.1))
        transport.pool.books.invariant_check()
        assert transport.pool.books.active == 0
