"""HTTPTransport and AsyncHTTPTransport through tether's clients, against real servers."""

from __future__ import annotations

import gc
import socket
import ssl
from collections.abc import AsyncIterator, Iterator

import pytest

import tether
from tests._servers.hypercorn_server import HypercornServer
from tests._servers.uvicorn_server import UvicornServer
from tether import ConnectError, ReadTimeout, UnsupportedProtocol
from tether._transports.http import AsyncHTTPTransport, HTTPTransport


def test_methods_bodies_and_reuse(fd_leak_check: None, server: UvicornServer) -> None:
    transport = HTTPTransport()
    with tether.Client(transport=transport) as client:
        response = client.get(server.url("/"))
        assert (response.status_code, response.text) == (200, "Hello, world!")
        assert response.http_version == "HTTP/1.1"
        assert response.reason_phrase == "OK"
        assert client.get(server.url("/json")).json()["hello"] == "world"
        echoed = client.post(server.url("/echo"), content=b"abc" * 50_000)
        assert echoed.content == b"abc" * 50_000

        def chunks() -> Iterator[bytes]:
            yield b"one"
            yield b"two"

        assert client.post(server.url("/upload"), content=chunks()).json() == {"received": 6}
        assert client.head(server.url("/")).content == b""
        assert client.get(server.url("/status/204")).content == b""
        assert client.get(server.url("/status/304")).content == b""
        assert repr(transport.pool).endswith("Connections: 0 active, 1 idle]>")
    assert transport.pool.books.idle == 0


def test_streamed_responses(fd_leak_check: None, server: UvicornServer) -> None:
    with tether.Client(transport=HTTPTransport()) as client:
        with client.stream("GET", server.url("/stream/50")) as response:
            lines = list(response.iter_lines())
        assert lines[0] == "chunk 0"
        assert len(lines) == 50
        with client.stream("GET", server.url("/bytes/3000000")) as response:
            assert sum(len(piece) for piece in response.iter_raw()) == 3_000_000
        with client.stream("GET", server.url("/bytes/3000000")) as response:
            next(response.iter_raw())  # closed early: the connection is dropped
        assert client.get(server.url("/")).status_code == 200


def test_read_timeout_names_the_server(fd_leak_check: None, server: UvicornServer) -> None:
    with tether.Client(transport=HTTPTransport(), timeout=0.1) as client:
        with pytest.raises(ReadTimeout, match=f"127.0.0.1:{server.port}"):
            client.get(server.url("/slow/1"))
        assert client.get(server.url("/")).status_code == 200


def test_tls(
    fd_leak_check: None, tls_server: UvicornServer, client_ssl_context: ssl.SSLContext
) -> None:
    with tether.Client(transport=HTTPTransport(verify=client_ssl_context)) as client:
        assert client.get(tls_server.url("/")).text == "Hello, world!"
        assert client.get(tls_server.url("/")).text == "Hello, world!"
    with tether.Client(transport=HTTPTransport()) as client, pytest.raises(ConnectError):
        client.get(tls_server.url("/"))  # certifi does not know the test CA


def test_http2_requested_speaks_http11(
    fd_leak_check: None, h2_server: HypercornServer, client_ssl_context: ssl.SSLContext
) -> None:
    transport = HTTPTransport(verify=client_ssl_context, http2=True)
    with tether.Client(transport=transport) as client:
        assert client.get(h2_server.url("/")).http_version == "HTTP/1.1"


def test_connection_settings(fd_leak_check: None, server: UvicornServer) -> None:
    transport = HTTPTransport(
        local_address="127.0.0.1",
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        retries=1,
    )
    with tether.Client(transport=transport) as client:
        assert client.get(server.url("/")).status_code == 200


def test_connect_error_after_retries(fd_leak_check: None) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        client = tether.Client(transport=HTTPTransport(retries=2))
        with client, pytest.raises(ConnectError, match=f"127.0.0.1:{port}"):
            client.get(f"http://127.0.0.1:{port}/")


def test_unix_socket(fd_leak_check: None, tmp_path: object) -> None:
    path = f"{tmp_path}/nothing.sock"
    client = tether.Client(transport=HTTPTransport(uds=path))
    with client, pytest.raises(ConnectError):
        client.get("http://localhost/")


def test_settings_refused() -> None:
    with pytest.raises(ValueError, match=r"ftp://127\.0\.0\.1:1"):
        HTTPTransport(proxy="ftp://127.0.0.1:1")
    with pytest.raises(ValueError, match="retries"):
        AsyncHTTPTransport(retries=-1)
    client = tether.Client(transport=HTTPTransport())
    with client, pytest.raises(UnsupportedProtocol, match="'ftp'"):
        client.get("ftp://127.0.0.1/")


@pytest.mark.anyio
async def test_async_transport(fd_leak_check: None, server: UvicornServer) -> None:
    transport = AsyncHTTPTransport()
    async with tether.AsyncClient(transport=transport) as client:
        for _ in range(3):
            assert (await client.get(server.url("/"))).text == "Hello, world!"

        async def chunks() -> AsyncIterator[bytes]:
            yield b"one"
            yield b"two"

        uploaded = await client.post(server.url("/upload"), content=chunks())
        assert uploaded.json() == {"received": 6}
        async with client.stream("GET", server.url("/bytes/1000000")) as response:
            total = 0
            async for piece in response.aiter_raw():
                total += len(piece)
        assert total == 1_000_000
        with pytest.raises(ReadTimeout):
            await client.get(server.url("/slow/1"), timeout=0.1)
        assert transport.pool.books.active == 0
        transport.pool.books.invariant_check()


@pytest.mark.anyio
async def test_async_lines_of_a_streamed_response(
    fd_leak_check: None, server: UvicornServer
) -> None:
    """Every line, then a loop left after one: on trio the abandoned async generators
    of the old `aiter_lines` were reported when collected (an error here)."""
    transport = AsyncHTTPTransport()
    async with tether.AsyncClient(transport=transport) as client:
        async with client.stream("GET", server.url("/stream/50")) as response:
            lines = [line async for line in response.aiter_lines()]
        assert lines == [f"chunk {index}" for index in range(50)]
        async with client.stream("GET", server.url("/stream/2000")) as response:
            async for line in response.aiter_lines():
                assert line == "chunk 0"
                break
        assert response.is_closed
        assert transport.pool.books.active == 0
        transport.pool.books.invariant_check()
        gc.collect()


@pytest.mark.anyio
async def test_async_tls(
    fd_leak_check: None, tls_server: UvicornServer, client_ssl_context: ssl.SSLContext
) -> None:
    transport = AsyncHTTPTransport(verify=client_ssl_context, http2=True)
    async with tether.AsyncClient(transport=transport) as client:
        assert (await client.get(tls_server.url("/"))).text == "Hello, world!"
