"""Request and response extensions of the network transport (httpx/httpcore's), on every
backend: ``trace``, ``sni_hostname``, ``timeout``, ``http_version``, ``reason_phrase``,
``network_stream``; ``Expect: 100-continue``; and tether's own ``resolver=``."""

from __future__ import annotations

import inspect
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import tether
from tests._servers import misbehave
from tests._servers.raw import RawConnection, RawServer
from tests._servers.tls import TLSFiles
from tests._servers.uvicorn_server import UvicornServer
from tether import ConnectError, ReadTimeout
from tether._transports.http import AsyncHTTPTransport, HTTPTransport

Start = Callable[..., RawServer]
Events = list[tuple[str, dict[str, Any]]]

# The names httpcore reports for one plain-HTTP request on a new connection.
FIRST_REQUEST = [
    "connection.connect_tcp.started",
    "connection.connect_tcp.complete",
    "http11.send_request_headers.started",
    "http11.send_request_headers.complete",
    "http11.send_request_body.started",
    "http11.send_request_body.complete",
    "http11.receive_response_headers.started",
    "http11.receive_response_headers.complete",
    "http11.receive_response_body.started",
    "http11.receive_response_body.complete",
    "http11.response_closed.started",
    "http11.response_closed.complete",
]


def recorder() -> tuple[Events, Callable[[str, dict[str, Any]], None]]:
    events: Events = []

    def trace(name: str, info: dict[str, Any]) -> None:
        events.append((name, info))

    return events, trace


def names(events: Events) -> list[str]:
    return [name for name, _ in events]


# -- trace --------------------------------------------------------------------------------


def test_trace_names_match_httpcore(fd_leak_check: None, server: UvicornServer) -> None:
    theirs, their_trace = recorder()
    with httpx.Client() as client:
        client.get(server.url("/"), extensions={"trace": their_trace})
    ours, our_trace = recorder()
    with tether.Client(transport=HTTPTransport()) as client:
        response = client.get(server.url("/"), extensions={"trace": our_trace})
        assert names(ours) == names(theirs) == FIRST_REQUEST
        info = dict(ours)
        assert info["connection.connect_tcp.started"]["host"] == "127.0.0.1"
        assert info["connection.connect_tcp.started"]["port"] == server.port
        stream = info["connection.connect_tcp.complete"]["return_value"]
        assert stream is response.extensions["network_stream"]
        assert info["http11.send_request_headers.started"]["request"] is response.request
        version, status, reason, headers = info["http11.receive_response_headers.complete"][
            "return_value"
        ]
        assert (version, status, reason) == (b"HTTP/1.1", 200, b"OK")
        assert (b"content-length", b"13") in [(k.lower(), v) for k, v in headers]
        ours.clear()
        client.get(server.url("/"), extensions={"trace": our_trace})  # reused: no connect
        assert names(ours) == FIRST_REQUEST[2:]


def test_trace_tls_and_failures(
    fd_leak_check: None, tls_server: UvicornServer, client_ssl_context: ssl.SSLContext
) -> None:
    events, trace = recorder()
    with tether.Client(transport=HTTPTransport(verify=client_ssl_context)) as client:
        client.get(tls_server.url("/"), extensions={"trace": trace})
    assert names(events)[:4] == [
        "connection.connect_tcp.started",
        "connection.connect_tcp.complete",
        "connection.start_tls.started",
        "connection.start_tls.complete",
    ]
    started = dict(events)["connection.start_tls.started"]
    assert started["server_hostname"] == "127.0.0.1"
    assert started["ssl_context"] is client_ssl_context
    tls = dict(events)["connection.start_tls.complete"]["return_value"]
    assert tls.get_extra_info("ssl_object") is not None

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    events.clear()
    with tether.Client(transport=HTTPTransport()) as client, pytest.raises(ConnectError):
        client.get(f"http://127.0.0.1:{port}/", extensions={"trace": trace})
    assert names(events) == ["connection.connect_tcp.started", "connection.connect_tcp.failed"]
    assert isinstance(events[-1][1]["exception"], ConnectError)


def test_trace_reports_a_failed_read(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.close_mid_body())
    events, trace = recorder()
    client = tether.Client(transport=HTTPTransport())
    with client, pytest.raises(tether.RemoteProtocolError):
        client.get(server.url(), extensions={"trace": trace})
    assert "http11.receive_response_body.failed" in names(events)
    assert names(events)[-2:] == [
        "http11.response_closed.started",
        "http11.response_closed.complete",
    ]


@pytest.mark.anyio
async def test_async_trace_is_awaited(fd_leak_check: None, server: UvicornServer) -> None:
    events: Events = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        events.append((name, info))

    async with tether.AsyncClient(transport=AsyncHTTPTransport()) as client:
        response = await client.get(server.url("/"), extensions={"trace": trace})
        assert names(events) == FIRST_REQUEST
        stream = dict(events)["connection.connect_tcp.complete"]["return_value"]
        assert stream is response.extensions["network_stream"]
        events.clear()
        async with client.stream("GET", server.url("/bytes/100000"), extensions={"trace": trace}):
            pass  # closed unread
        assert names(events) == [
            *FIRST_REQUEST[2:8],
            "http11.response_closed.started",
            "http11.response_closed.complete",
        ]


# -- sni_hostname --------------------------------------------------------------------------


def sni_recording_server(raw_server: Start, tls_files: TLSFiles) -> tuple[RawServer, list[str]]:
    seen: list[str] = []
    context = tls_files.server_context()

    def record(_sock: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        seen.append(name or "")

    context.sni_callback = record
    return raw_server(misbehave.ok(b"hi"), ssl_context=context), seen


def test_sni_hostname(fd_leak_check: None, raw_server: Start, tls_files: TLSFiles) -> None:
    server, seen = sni_recording_server(raw_server, tls_files)
    url = f"https://127.0.0.1:{server.port}/"
    transport = HTTPTransport(verify=tls_files.client_context())
    with tether.Client(transport=transport) as client:
        response = client.get(url, extensions={"sni_hostname": "localhost"})
        assert response.text == "hi"
        assert seen == ["localhost"]
    # The name is also the one the certificate must carry.
    transport = HTTPTransport(verify=tls_files.client_context())
    with tether.Client(transport=transport) as client, pytest.raises(ConnectError):
        client.get(url, extensions={"sni_hostname": "elsewhere.example"})


@pytest.mark.anyio
async def test_async_sni_hostname(
    fd_leak_check: None, raw_server: Start, tls_files: TLSFiles
) -> None:
    server, seen = sni_recording_server(raw_server, tls_files)
    url = f"https://127.0.0.1:{server.port}/"
    transport = AsyncHTTPTransport(verify=tls_files.client_context())
    async with tether.AsyncClient(transport=transport) as client:
        response = await client.get(url, extensions={"sni_hostname": "localhost"})
        assert response.text == "hi"
        assert seen == ["localhost"]
        with pytest.raises(ConnectError):
            await client.get(
                f"https://localhost:{server.port}/",
                extensions={"sni_hostname": "elsewhere.example"},
            )


# -- timeout and response extensions ---------------------------------------------------------


def test_timeout_extension(fd_leak_check: None, server: UvicornServer) -> None:
    with tether.Client(transport=HTTPTransport(), timeout=30) as client:
        request = client.build_request("GET", server.url("/slow/1"))
        request.extensions["timeout"] = {"connect": 5, "read": 0.1, "write": 5, "pool": 5}
        with pytest.raises(ReadTimeout):
            client.send(request)


@pytest.mark.anyio
async def test_async_timeout_extension(fd_leak_check: None, server: UvicornServer) -> None:
    async with tether.AsyncClient(transport=AsyncHTTPTransport(), timeout=30) as client:
        request = client.build_request("GET", server.url("/slow/1"))
        request.extensions["timeout"] = {"connect": 5, "read": 0.1, "write": 5, "pool": 5}
        with pytest.raises(ReadTimeout):
            await client.send(request)


def check_network_stream(response: tether.Response, port: int, tls: bool) -> None:
    assert response.extensions["http_version"] == b"HTTP/1.1"
    assert response.extensions["reason_phrase"] == b"OK"
    stream = response.extensions["network_stream"]
    assert stream.get_extra_info("server_addr")[:2] == ("127.0.0.1", port)
    client_addr = stream.get_extra_info("client_addr")
    assert client_addr[0] == "127.0.0.1"
    assert client_addr[1] != port
    assert stream.get_extra_info("socket") is not None
    assert stream.get_extra_info("is_readable") is False  # idle, and the server is quiet
    ssl_object = stream.get_extra_info("ssl_object")
    assert (ssl_object is not None) is tls
    if tls:
        assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")


def test_response_extensions(
    fd_leak_check: None,
    server: UvicornServer,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    with tether.Client(transport=HTTPTransport(verify=client_ssl_context)) as client:
        check_network_stream(client.get(server.url("/")), server.port, tls=False)
        check_network_stream(client.get(tls_server.url("/")), tls_server.port, tls=True)


@pytest.mark.anyio
async def test_async_response_extensions(
    fd_leak_check: None,
    server: UvicornServer,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    events: Events = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        events.append((name, info))

    transport = AsyncHTTPTransport(verify=client_ssl_context)
    async with tether.AsyncClient(transport=transport) as client:
        check_network_stream(await client.get(server.url("/")), server.port, tls=False)
        response = await client.get(tls_server.url("/"), extensions={"trace": trace})
        check_network_stream(response, tls_server.port, tls=True)
    assert names(events)[:4] == [
        "connection.connect_tcp.started",
        "connection.connect_tcp.complete",
        "connection.start_tls.started",
        "connection.start_tls.complete",
    ]
    assert (
        dict(events)["connection.start_tls.complete"]["return_value"]
        is (response.extensions["network_stream"])
    )


# -- Expect: 100-continue -------------------------------------------------------------------

EXPECT = {"Expect": "100-continue"}
BODY = b"x" * 5000


class Refuser:
    """Answers a 100-continue request with a final status at once (keep-alive), and
    records how many bytes the client sent after the head and whether it then closed."""

    def __init__(self, status: int = 417) -> None:
        self.status = status
        self.after_head: list[int] = []
        self.done = threading.Event()

    def __call__(self, conn: RawConnection) -> None:
        head = conn.read_head()
        assert head is not None
        assert head.expects_continue
        conn.send(misbehave.response(self.status, b"no"))
        received = 0
        while data := conn.recv():  # until the client closes
            received += len(data)
        self.after_head.append(received)
        self.done.set()


class Silent:
    """Never answers the 100: reads the whole request, noting when the body came."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    def __call__(self, conn: RawConnection) -> None:
        while (head := conn.read_head()) is not None:
            started = time.monotonic()
            request = conn.read_body(head)
            self.waited.append(time.monotonic() - started)
            conn.send(misbehave.response(200, f"got {len(request.body)}".encode()))


def test_expect_continue_sends_the_body_after_100(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.expect_continue())
    with tether.Client(transport=HTTPTransport(), timeout=5) as client:
        response = client.post(server.url(), content=BODY, headers=EXPECT)
        assert response.text == "received 5000 bytes, expect=yes"
        assert client.post(server.url(), content=BODY).text == "received 5000 bytes, expect=no"


@pytest.mark.parametrize("status", [417, 401, 413])
def test_expect_continue_final_answer_skips_the_body(
    fd_leak_check: None, raw_server: Start, status: int
) -> None:
    refuser = Refuser(status)
    server = raw_server(refuser)
    transport = HTTPTransport()
    with tether.Client(transport=transport, timeout=5) as client:
        response = client.post(server.url(), content=BODY, headers=EXPECT)
        assert response.status_code == status
        assert response.text == "no"
        assert transport.pool.books.idle == 0  # not reused: the request was cut short
    assert refuser.done.wait(5)
    assert refuser.after_head == [0]


def test_expect_continue_without_an_answer_sends_anyway(
    fd_leak_check: None, raw_server: Start
) -> None:
    silent = Silent()
    server = raw_server(silent)
    with tether.Client(transport=HTTPTransport(), timeout=5) as client:
        started = time.monotonic()
        response = client.post(server.url(), content=BODY, headers=EXPECT)
        elapsed = time.monotonic() - started
        assert response.text == "got 5000"
    assert elapsed >= 0.9  # about the 1 s wait
    assert silent.waited[0] >= 0.9


@pytest.mark.anyio
async def test_async_expect_continue(fd_leak_check: None, raw_server: Start) -> None:
    accepting = raw_server(misbehave.expect_continue())
    refuser = Refuser()
    refusing = raw_server(refuser)
    silent = Silent()
    quiet = raw_server(silent)
    transport = AsyncHTTPTransport()
    async with tether.AsyncClient(transport=transport, timeout=5) as client:
        response = await client.post(accepting.url(), content=BODY, headers=EXPECT)
        assert response.text == "received 5000 bytes, expect=yes"
        response = await client.post(refusing.url(), content=BODY, headers=EXPECT)
        assert response.status_code == 417
        response = await client.post(quiet.url(), content=BODY, headers=EXPECT)
        assert response.text == "got 5000"
        assert transport.pool.books.idle == 2  # the refused one was closed
    assert refuser.done.wait(5)
    assert refuser.after_head == [0]
    assert silent.waited[0] >= 0.9


# -- resolver= (tether's own) ---------------------------------------------------------------


def test_resolver_mapping_and_callable(fd_leak_check: None, server: UvicornServer) -> None:
    url = f"http://api.tether.test:{server.port}/"
    mapping = {f"api.tether.test:{server.port}": ["127.0.0.1"]}
    with tether.Client(transport=HTTPTransport(resolver=mapping)) as client:
        assert client.get(url).text == "Hello, world!"
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[tuple[str, int]] | None:
        asked.append((host, port))
        return [("127.0.0.1", port)] if host == "api.tether.test" else None

    with tether.Client(transport=HTTPTransport(resolver=resolve)) as client:
        assert client.get(url).text == "Hello, world!"
        assert client.get(server.url("/")).text == "Hello, world!"  # an IP: not asked
    assert asked[0] == ("api.tether.test", server.port)  # (an IP literal may be asked too)


def test_resolver_is_checked() -> None:
    with pytest.raises(TypeError, match="resolver must be"):
        HTTPTransport(resolver=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an IP address"):
        HTTPTransport(resolver={"example.com:443": ["not-an-ip"]})
    for transport in (HTTPTransport, AsyncHTTPTransport):  # tether's own: keyword-only
        parameter = inspect.signature(transport).parameters["resolver"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.anyio
async def test_async_resolver(fd_leak_check: None, server: UvicornServer) -> None:
    async def resolve(host: str, port: int) -> list[tuple[str, int]] | None:
        return [("127.0.0.1", port)] if host == "api.tether.test" else None

    url = f"http://api.tether.test:{server.port}/"
    async with tether.AsyncClient(transport=AsyncHTTPTransport(resolver=resolve)) as client:
        assert (await client.get(url)).text == "Hello, world!"
    mapping = {"api.tether.test:*": ["127.0.0.1"]}
    async with tether.AsyncClient(transport=AsyncHTTPTransport(resolver=mapping)) as client:
        assert (await client.get(url)).text == "Hello, world!"


@pytest.mark.anyio
async def test_a_stalled_async_resolver_is_a_connect_timeout_naming_resolution(
    fd_leak_check: None,
) -> None:
    import anyio

    async def stalled(host: str, port: int) -> list[tuple[str, int]] | None:
        await anyio.sleep(30.0)
        return None  # pragma: no cover - cancelled first

    transport = AsyncHTTPTransport(resolver=stalled)
    async with tether.AsyncClient(transport=transport, timeout=0.1) as client:
        with pytest.raises(
            tether.ConnectTimeout,
            match=r"^timed out resolving slow\.tether\.test:80 after 0\.1 s$",
        ):
            await client.get("http://slow.tether.test/")
