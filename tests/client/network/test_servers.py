"""The loopback servers do what they claim, seen through http.client, raw sockets and httpx.

The transport's own tests stand on these servers, so each route and each misbehaviour
is checked here with clients that are not tether: the bytes on the wire where the
claim is about bytes, httpx (the oracle) where it is about what a client makes of them.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests._servers import misbehave
from tests._servers._base import LOOPBACK_V4, LOOPBACK_V6, Address, bind_listener, ipv6_available
from tests._servers.apps import HELLO, JSON_BODY, pattern
from tests._servers.hypercorn_server import HypercornServer
from tests._servers.raw import RawConnection, RawServer, RawServerError
from tests._servers.tls import CLIENT_NAME, TLSFiles
from tests._servers.uvicorn_server import UvicornServer

from ..conftest import ENVIRONMENT_VARIABLES

RawFactory = Callable[..., RawServer]
Server = UvicornServer | HypercornServer | RawServer
GET = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n"


def connect(server: Server, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection((server.address.host, server.port), timeout=timeout)


def http_connection(server: Server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(server.address.host, server.port, timeout=5)


def read_to_eof(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def closed(sock: socket.socket) -> bool:
    """Whether the peer closed: an EOF, or a reset (a close with unread data sends RST)."""
    try:
        return read_to_eof(sock) == b""
    except ConnectionResetError:
        return True


def exchange(server: RawServer, data: bytes = GET) -> bytes:
    """Send `data` on a new connection and return all the server sends until it closes."""
    with connect(server) as sock:
        sock.sendall(data)
        return read_to_eof(sock)


def fetch(url: str, method: str = "GET", **kwargs: object) -> httpx.Response:
    with httpx.Client(timeout=5) as client:
        return client.request(method, url, **kwargs)  # type: ignore[arg-type]


# -- the ASGI app over uvicorn ------------------------------------------------------------


def test_root_and_json_share_one_keep_alive_connection(server: UvicornServer) -> None:
    conn = http_connection(server)
    try:
        conn.request("GET", "/")
        root = conn.getresponse()
        assert (root.status, root.read()) == (200, HELLO)
        assert root.getheader("content-type") == "text/plain; charset=utf-8"
        first_socket = conn.sock
        conn.request("GET", "/json")
        answer = conn.getresponse()
        assert json.loads(answer.read()) == JSON_BODY
        assert answer.getheader("content-type") == "application/json"
        assert conn.sock is first_socket
    finally:
        conn.close()


def test_echo_returns_body_method_and_headers(server: UvicornServer) -> None:
    response = fetch(
        server.url("/echo"),
        "PUT",
        content=b"\x00payload\xff",
        headers={"Content-Type": "application/x-test", "X-Custom": "one"},
    )
    assert response.content == b"\x00payload\xff"
    assert response.headers["content-type"] == "application/x-test"
    assert response.headers["x-echo-method"] == "PUT"
    assert response.headers["x-echo-x-custom"] == "one"
    assert response.headers["x-echo-content-length"] == "9"


def test_headers_lists_every_request_header_in_order(server: UvicornServer) -> None:
    response = fetch(server.url("/headers"), headers=[("X-Twice", "a"), ("X-Twice", "b")])
    pairs = [tuple(pair) for pair in response.json()["headers"]]
    assert ("x-twice", "a") in pairs
    assert pairs.index(("x-twice", "a")) + 1 == pairs.index(("x-twice", "b"))


def test_upload_counts_a_chunked_body(server: UvicornServer) -> None:
    body = [b"a" * 70_000, b"b" * 30_000]
    response = fetch(server.url("/upload"), "POST", content=iter(body))
    assert response.json() == {"received": 100_000}


def test_stream_sends_n_chunks_with_chunked_encoding(server: UvicornServer) -> None:
    conn = http_connection(server)
    try:
        conn.request("GET", "/stream/5")
        response = conn.getresponse()
        assert response.getheader("transfer-encoding") == "chunked"
        assert response.read() == b"".join(b"chunk %d\n" % i for i in range(5))
    finally:
        conn.close()


@pytest.mark.parametrize("size", [0, 1, 255, 65536, 65537, 300_000])
def test_bytes_serves_the_pattern_with_a_content_length(server: UvicornServer, size: int) -> None:
    response = fetch(server.url(f"/bytes/{size}"))
    assert response.headers["content-length"] == str(size)
    assert response.content == pattern(size)


def test_pattern_byte_i_is_i_mod_256() -> None:
    data = pattern(70_000, offset=3)
    assert len(data) == 70_000
    assert all(byte == (i + 3) % 256 for i, byte in enumerate(data))
    assert pattern(0) == b""


def test_redirect_chain_ends_at_the_root(server: UvicornServer) -> None:
    with httpx.Client(timeout=5, follow_redirects=True) as client:
        response = client.get(server.url("/redirect/3"))
    assert [r.url.path for r in response.history] == ["/redirect/3", "/redirect/2", "/redirect/1"]
    assert (response.url.path, response.content) == ("/", HELLO)


def test_redirect_to_uses_the_given_location_and_status(server: UvicornServer) -> None:
    response = fetch(server.url("/redirect-to?url=/json&status=307"))
    assert (response.status_code, response.headers["location"]) == (307, "/json")
    assert fetch(server.url("/redirect-to?status=307")).status_code == 400
    assert fetch(server.url("/redirect-to?url=/&status=200")).status_code == 400


@pytest.mark.parametrize("code", [200, 201, 204, 304, 404, 418, 500, 599])
def test_status_answers_with_that_code(server: UvicornServer, code: int) -> None:
    response = fetch(server.url(f"/status/{code}"))
    assert response.status_code == code
    if code in (204, 304):
        assert "content-length" not in response.headers
        assert response.content == b""
    else:
        assert response.text == f"status {code}"


def test_unknown_paths_and_bad_numbers_are_404(server: UvicornServer) -> None:
    for path in ["/nope", "/status/99", "/status/x", "/bytes/-1", "/redirect/0", "/stream/"]:
        assert fetch(server.url(path)).status_code == 404, path


def test_slow_answers_after_the_delay_and_trips_a_read_timeout(server: UvicornServer) -> None:
    start = time.monotonic()
    assert fetch(server.url("/slow/0.2")).text == "slow"
    assert time.monotonic() - start >= 0.2
    with (
        httpx.Client(timeout=httpx.Timeout(5, read=0.05)) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get(server.url("/slow/1"))
    assert fetch(server.url("/slow/31")).status_code == 400
    assert fetch(server.url("/slow/soon")).status_code == 400


def test_cookies_set_and_read_back(server: UvicornServer) -> None:
    with httpx.Client(timeout=5) as client:
        response = client.get(server.url("/cookies/set?flavour=oat&size=big"))
        assert response.headers.get_list("set-cookie") == [
            "flavour=oat; Path=/",
            "size=big; Path=/",
        ]
        assert client.get(server.url("/cookies")).json() == {"flavour": "oat", "size": "big"}


@pytest.mark.anyio
async def test_async_clients_on_asyncio_and_trio(server: UvicornServer) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        responses = [await client.get(server.url(f"/bytes/{n}")) for n in (10, 100_000)]
    assert [len(r.content) for r in responses] == [10, 100_000]


def test_ipv6_server_answers_on_loopback(server_ipv6: UvicornServer) -> None:
    assert server_ipv6.url("/json") == f"http://[::1]:{server_ipv6.port}/json"
    assert fetch(server_ipv6.url("/json")).json() == JSON_BODY


def test_stop_closes_keep_alive_connections_and_the_port(fd_leak_check: None) -> None:
    running = UvicornServer().start()
    idle = connect(running)
    idle.sendall(GET)
    assert idle.recv(65536).startswith(b"HTTP/1.1 200 OK")
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 3
    assert idle.recv(65536) == b""  # the server closed the idle keep-alive connection
    idle.close()
    with pytest.raises(ConnectionRefusedError):
        connect(running).close()


def test_uvicorn_that_cannot_start_says_so() -> None:
    def refuse(_config: object, _default: object) -> ssl.SSLContext:
        raise ssl.SSLError("no certificate")

    broken = UvicornServer(ssl_context=ssl.create_default_context())
    broken._server.config.ssl_context_factory = refuse
    with pytest.raises(RuntimeError, match="uvicorn did not start"):
        broken.start()


# -- TLS ----------------------------------------------------------------------------------


def test_tls_files_are_pem_and_chain_to_the_ca(tls_files: TLSFiles, ca_pem: object) -> None:
    assert ca_pem == tls_files.ca_pem
    for path in (tls_files.ca_pem, tls_files.server_cert, tls_files.client_cert):
        assert path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    # The client context accepts the client certificate and key as a pair.
    tls_files.client_context(with_client_cert=True)


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_tls_server_is_trusted_for_each_loopback_name(
    tls_server: UvicornServer, client_ssl_context: ssl.SSLContext, name: str
) -> None:
    conn = http.client.HTTPSConnection(name, tls_server.port, timeout=5, context=client_ssl_context)
    try:
        conn.request("GET", "/")
        assert conn.getresponse().read() == HELLO
    finally:
        conn.close()


def test_tls_server_is_refused_without_the_ca(tls_server: UvicornServer) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(tls_server.url("/"))


def test_tls_on_ipv6(tls_files: TLSFiles) -> None:
    assert ipv6_available()
    with (
        UvicornServer(host=LOOPBACK_V6, ssl_context=tls_files.server_context()) as running,
        httpx.Client(verify=tls_files.client_context(), timeout=5) as client,
    ):
        assert client.get(running.url("/")).content == HELLO


def test_hypercorn_speaks_http2_by_alpn(
    h2_server: HypercornServer, client_ssl_context: ssl.SSLContext
) -> None:
    with httpx.Client(verify=client_ssl_context, http2=True, timeout=5) as client:
        response = client.get(h2_server.url("/bytes/100000"))
    assert response.http_version == "HTTP/2"
    assert response.content == pattern(100_000)
    with httpx.Client(verify=client_ssl_context, timeout=5) as client:
        assert client.get(h2_server.url("/json")).http_version == "HTTP/1.1"


def test_hypercorn_plain_http_and_http1_only_tls(tls_files: TLSFiles) -> None:
    with HypercornServer() as plain:
        assert fetch(plain.url("/")).content == HELLO
    with (
        HypercornServer(tls=tls_files, http2=False) as http1,
        httpx.Client(verify=tls_files.client_context(), http2=True, timeout=5) as client,
    ):
        assert client.get(http1.url("/")).http_version == "HTTP/1.1"


def test_hypercorn_that_cannot_start_says_so(tls_files: TLSFiles, tmp_path: object) -> None:
    missing = TLSFiles(
        tls_files.ca_pem,
        tls_files.ca_pem.with_name("missing.pem"),
        tls_files.server_key,
        tls_files.client_cert,
        tls_files.client_key,
    )
    with pytest.raises(RuntimeError, match="failed"):
        HypercornServer(tls=missing).start()


def test_mutual_tls_needs_the_client_certificate(
    mtls_server: HypercornServer, tls_files: TLSFiles
) -> None:
    with httpx.Client(verify=tls_files.client_context(with_client_cert=True), timeout=5) as client:
        assert client.get(mtls_server.url("/")).content == HELLO
    refused = (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)
    with (
        httpx.Client(verify=tls_files.client_context(), timeout=5) as client,
        pytest.raises(refused),
    ):
        client.get(mtls_server.url("/"))


def test_raw_server_over_tls_sees_the_client_certificate(
    raw_server: RawFactory, tls_files: TLSFiles
) -> None:
    seen: list[object] = []

    def handler(conn: RawConnection) -> None:
        assert isinstance(conn.sock, ssl.SSLSocket)
        seen.append(conn.sock.getpeercert())
        misbehave.ok()(conn)

    running = raw_server(handler, ssl_context=tls_files.server_context(require_client_cert=True))
    with httpx.Client(verify=tls_files.client_context(with_client_cert=True), timeout=5) as client:
        assert client.get(running.url("/")).content == b"ok"
    subject = dict(pair[0] for pair in seen[0]["subject"])  # type: ignore[index]
    assert CLIENT_NAME in str(seen[0])
    assert subject


def test_raw_server_counts_refused_handshakes(raw_server: RawFactory, tls_files: TLSFiles) -> None:
    running = raw_server(misbehave.ok(), ssl_context=tls_files.server_context())
    with pytest.raises(httpx.ConnectError):
        fetch(running.url("/"))
    running.stop()
    assert running.stats.tls_failures == 1


# -- the raw server -----------------------------------------------------------------------


def test_ok_keeps_one_connection_alive(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.ok(b"hello", [("X-Server", "raw")]))
    with httpx.Client(timeout=5) as client:
        for _ in range(3):
            response = client.get(running.url("/"))
            assert (response.content, response.headers["x-server"]) == (b"hello", "raw")
    assert running.stats.accepted == 1


def test_request_bodies_are_read_by_length_and_chunked(raw_server: RawFactory) -> None:
    running = raw_server(
        misbehave.serve(lambda r: misbehave.response(200, r.method.encode() + r.body))
    )
    conn = http_connection(running)
    try:
        conn.request("POST", "/", body=b"fixed")
        assert conn.getresponse().read() == b"POSTfixed"
        conn.request("PUT", "/", body=iter([b"chu", b"nked"]), encode_chunked=True)
        assert conn.getresponse().read() == b"PUTchunked"
    finally:
        conn.close()


def test_close_after_makes_a_stale_keep_alive_connection(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.close_after(2))
    conn = http_connection(running)
    try:
        for _ in range(2):
            conn.request("GET", "/")
            assert conn.getresponse().read() == b"ok"
        deadline = time.monotonic() + 5
        while (
            running.stats.accepted == 1
            and running._threads[0].is_alive()
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        conn.request("GET", "/")  # sent into a connection the server has closed
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
    finally:
        conn.close()


def test_close_mid_headers(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.close_mid_headers())
    data = exchange(running)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\n\r\n" not in data
    with pytest.raises(httpx.RemoteProtocolError):
        fetch(running.url("/"))


def test_close_mid_body(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.close_mid_body(declared=1000, sent=100))
    head, _, body = exchange(running).partition(b"\r\n\r\n")
    assert b"Content-Length: 1000" in head
    assert body == b"x" * 100
    with pytest.raises(httpx.RemoteProtocolError, match="received 100 bytes, expected 1000"):
        fetch(running.url("/"))


def test_content_length_longer_than_the_body_stalls_the_client(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.wrong_content_length(declared=10, actual=5))
    with (
        httpx.Client(timeout=httpx.Timeout(5, read=0.1)) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get(running.url("/"))


def test_content_length_shorter_than_the_body_desyncs_the_next_response(
    raw_server: RawFactory,
) -> None:
    running = raw_server(misbehave.wrong_content_length(declared=5, actual=10))
    with httpx.Client(timeout=5) as client:
        assert client.get(running.url("/")).content == b"xxxxx"
        with pytest.raises(httpx.RemoteProtocolError, match="illegal status line"):
            client.get(running.url("/"))


def test_broken_chunked(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.broken_chunked())
    assert b"\r\n\r\n5\r\nhello\r\nzz\r\n" in exchange(running)
    with pytest.raises(httpx.RemoteProtocolError, match="chunk"):
        fetch(running.url("/"))


def test_huge_headers(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.huge_headers())
    with connect(running) as sock:
        sock.sendall(GET)
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(65536)
    assert head.index(b"\r\n\r\n") > 64 * 1024
    with pytest.raises(httpx.RemoteProtocolError):
        fetch(running.url("/"))


def test_garbage_instead_of_a_status_line(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.garbage(b"NOT HTTP AT ALL\r\n\r\n"))
    assert exchange(running) == b"NOT HTTP AT ALL\r\n\r\n"
    with pytest.raises(httpx.RemoteProtocolError, match="status line"):
        fetch(running.url("/"))


def test_stall_answers_late_and_stops_at_once(raw_server: RawFactory) -> None:
    late = raw_server(misbehave.stall(0.1))
    assert fetch(late.url("/x")).headers["x-path"] == "/x"
    stuck = raw_server(misbehave.stall(30))
    with (
        httpx.Client(timeout=httpx.Timeout(5, read=0.05)) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get(stuck.url("/"))
    with connect(stuck) as waiting:
        waiting.sendall(GET)
        started = time.monotonic()
        stuck.stop()
        assert time.monotonic() - started < 2
        assert closed(waiting)


@pytest.mark.parametrize("read_request", [True, False])
def test_reset_sends_a_tcp_rst(raw_server: RawFactory, read_request: bool) -> None:
    running = raw_server(misbehave.reset(read_request=read_request))
    with connect(running) as sock:
        if read_request:
            sock.sendall(GET)
        with pytest.raises(ConnectionResetError):
            read_to_eof(sock)
    with pytest.raises(
        (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
    ):
        fetch(running.url("/"))


def test_never_answer_until_the_client_leaves(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.never_answer())
    with (
        httpx.Client(timeout=httpx.Timeout(5, read=0.05)) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get(running.url("/"))
    with connect(running) as sock:
        sock.sendall(GET)
        sock.settimeout(0.1)
        with pytest.raises(TimeoutError):
            sock.recv(1)
    running.stop()
    assert running.stats.errors == []


def test_expect_continue_accepted(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.expect_continue())
    with connect(running) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        )
        assert sock.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"data")
        final = sock.recv(65536)
        assert final.startswith(b"HTTP/1.1 200 OK")
        assert final.endswith(b"received 4 bytes, expect=yes")
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi")
        assert sock.recv(65536).endswith(b"received 2 bytes, expect=no")


def test_expect_continue_refused(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.expect_continue(accept=False))
    data = exchange(
        running, b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
    )
    assert data.startswith(b"HTTP/1.1 417 Expectation Failed\r\n")
    assert b"Connection: close" in data


def test_informational_responses_precede_the_final_one(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.informational(100, 103))
    with connect(running) as sock:
        sock.sendall(GET)
        data = b""
        while not data.endswith(b"final"):
            data += sock.recv(65536)
    assert data.startswith(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>"
    )
    assert fetch(running.url("/")).content == b"final"
    assert misbehave.response(199, b"")[:22] == b"HTTP/1.1 199 Unknown\r\n"


def test_bodiless_responses_keep_the_connection_in_step(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.bodiless())
    conn = http_connection(running)
    try:
        conn.request("HEAD", "/")
        head = conn.getresponse()
        assert (head.getheader("content-length"), head.read()) == ("1000", b"")
        for path, status in [("/204", 204), ("/304", 304), ("/", 200)]:
            conn.request("GET", path)
            response = conn.getresponse()
            assert (response.status, response.read()) == (status, b"ok" if status == 200 else b"")
    finally:
        conn.close()
    assert running.stats.accepted == 1


def test_trailers_follow_the_last_chunk(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.trailers())
    with connect(running) as sock:
        sock.sendall(GET)
        data = b""
        while not data.endswith(b"\r\n\r\n") or data.count(b"\r\n\r\n") < 2:
            data += sock.recv(65536)
    assert data.endswith(b"0\r\nX-Checksum: abc123\r\n\r\n")
    assert b"Trailer: X-Checksum" in data
    assert fetch(running.url("/")).content == b"hello, world"


def test_raw_server_on_ipv6(raw_server: RawFactory) -> None:
    running = raw_server(misbehave.ok(), host=LOOPBACK_V6)
    assert running.url("/") == f"http://[::1]:{running.port}/"
    assert fetch(running.url("/")).content == b"ok"


def test_a_failing_handler_fails_stop(fd_leak_check: None) -> None:
    def handler(conn: RawConnection) -> None:
        raise LookupError("bug in a test handler")

    running = RawServer(handler).start()
    with connect(running) as sock:
        assert read_to_eof(sock) == b""
    with pytest.raises(RawServerError, match="failed") as caught:
        running.stop()
    assert isinstance(caught.value.__cause__, LookupError)
    running.stop()  # a second stop does nothing


def test_oversized_request_head_is_a_handler_error() -> None:
    with RawServer(misbehave.ok()) as running, connect(running) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000)
        deadline = time.monotonic() + 5
        while not running.stats.errors and time.monotonic() < deadline:
            time.sleep(0.005)
        assert "no b'\\r\\n\\r\\n' within" in str(running.stats.errors[0])
        running.stats.errors.clear()


def test_clients_that_leave_early_are_disconnects(
    raw_server: RawFactory, fd_leak_check: None
) -> None:
    running = raw_server(misbehave.ok())
    for data in [b"", b"GET / HTT", b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc"]:
        with connect(running) as sock:
            sock.sendall(data)
    deadline = time.monotonic() + 5
    while running.stats.accepted + running.stats.disconnects < 5 and time.monotonic() < deadline:
        time.sleep(0.005)
    running.stop()
    assert running.stats.accepted == 3
    assert running.stats.disconnects == 2  # the two that closed mid-request
    assert running.stats.errors == []


def test_many_connections_are_all_closed_at_stop(fd_leak_check: None) -> None:
    running = RawServer(misbehave.never_answer()).start()
    clients = [connect(running) for _ in range(20)]
    deadline = time.monotonic() + 5
    while running.stats.accepted < 20 and time.monotonic() < deadline:
        time.sleep(0.005)
    running.stop()
    for sock in clients:
        assert closed(sock)
        sock.close()
    assert all(not thread.is_alive() for thread in running._threads)


# -- helpers and fixtures -----------------------------------------------------------------


def test_addresses_and_listeners() -> None:
    assert Address("http", "::1", 80).netloc == "[::1]:80"
    assert Address("https", LOOPBACK_V4, 443).url("/a") == "https://127.0.0.1:443/a"
    with pytest.raises(ValueError, match="loopback only"):
        bind_listener("0.0.0.0")
    with bind_listener() as listener:
        assert listener.getsockname()[0] == LOOPBACK_V4


@pytest.fixture(scope="module")
def polluted_environ() -> Iterator[None]:
    """Set every cleared variable before the function-scoped `clean_environ` runs."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ENVIRONMENT_VARIABLES:
            patch.setenv(name, "http://127.0.0.1:9")
        yield


def test_environment_is_clean(polluted_environ: None) -> None:
    assert {"HTTP_PROXY", "https_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSLKEYLOGFILE"} <= set(
        ENVIRONMENT_VARIABLES
    )
    assert not [name for name in ENVIRONMENT_VARIABLES if name in os.environ]
