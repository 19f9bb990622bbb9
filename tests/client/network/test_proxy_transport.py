"""HTTPTransport and AsyncHTTPTransport through a real proxy on loopback.

The proxy is `tests._servers.proxy.ProxyHandler` on a `RawServer`: it forwards
absolute-form requests, opens CONNECT tunnels, speaks SOCKS5, and records what it was
asked on which of its connections. Each scenario runs on the blocking backend, asyncio
and trio (`mode`).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
from collections.abc import Callable
from typing import Any

import pytest
import trio

import tether
from tests._servers._base import LOOPBACK_V6, ipv6_available
from tests._servers.proxy import ProxyHandler
from tests._servers.raw import RawConnection, RawServer
from tests._servers.tls import TLSFiles
from tests._servers.uvicorn_server import UvicornServer
from tests.client.network._backend_kit import hanging_listener
from tether import AsyncHTTPTransport, ConnectError, ConnectTimeout, HTTPTransport, ProxyError
from tether._network.proxy import ProxyConnectionPool

Start = Callable[..., RawServer]
MODES = ["sync", "asyncio", "trio"]
SECRET = "s3cr3t-pw"


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Run the test on the blocking backend, asyncio and trio."""
    value: str = request.param
    return value


def fetch(mode: str, urls: list[str], **settings: Any) -> tuple[list[tether.Response], str]:
    """GET each URL in turn through one transport; the responses and the pool's repr."""
    timeout = settings.pop("timeout", 5)
    if mode == "sync":
        transport = HTTPTransport(**settings)
        with tether.Client(transport=transport, timeout=timeout) as client:
            responses = [client.get(url) for url in urls]
            return responses, repr(transport.pool)

    async def run() -> tuple[list[tether.Response], str]:
        async_transport = AsyncHTTPTransport(**settings)
        async with tether.AsyncClient(transport=async_transport, timeout=timeout) as client:
            responses = [await client.get(url) for url in urls]
            return responses, repr(async_transport.pool)

    return asyncio.run(run()) if mode == "asyncio" else trio.run(run)


def texts(responses: list[tether.Response]) -> list[str]:
    return [response.text for response in responses]


def test_http_proxy_forwards_http_and_tunnels_https(
    fd_leak_check: None,
    mode: str,
    raw_server: Start,
    server: UvicornServer,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    proxy = ProxyHandler()
    running = raw_server(proxy)
    other_host = f"http://localhost:{server.port}/json"
    urls = [server.url("/"), other_host, server.url("/"), tls_server.url("/"), tls_server.url("/")]
    responses, pool = fetch(mode, urls, proxy=running.url(), verify=client_ssl_context)
    assert texts(responses)[0] == "Hello, world!"
    assert responses[1].json()["hello"] == "world"
    assert texts(responses)[3:] == ["Hello, world!"] * 2
    seen = proxy.seen
    assert [(s.method, s.target) for s in seen] == [
        ("GET", server.url("/")),
        ("GET", other_host),
        ("GET", server.url("/")),
        ("CONNECT", f"127.0.0.1:{tls_server.port}"),
    ]
    # Forwarded requests to two origins share one connection; the tunnel is the second.
    assert [s.connection for s in seen] == [1, 1, 1, 2]
    assert seen[3].header("host") == f"127.0.0.1:{tls_server.port}"
    assert pool.endswith("Connections: 0 active, 2 idle]>")


def test_https_proxy_runs_tls_inside_tls(
    fd_leak_check: None,
    mode: str,
    raw_server: Start,
    tls_files: TLSFiles,
    server: UvicornServer,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    proxy = ProxyHandler()
    running = raw_server(proxy, ssl_context=tls_files.server_context())
    assert running.url().startswith("https://")
    urls = [tls_server.url("/"), tls_server.url("/json"), server.url("/")]
    responses, _ = fetch(mode, urls, proxy=running.url(), verify=client_ssl_context)
    assert responses[0].text == "Hello, world!"
    assert responses[1].json()["hello"] == "world"
    assert responses[2].text == "Hello, world!"
    assert [(s.method, s.connection) for s in proxy.seen] == [("CONNECT", 1), ("GET", 2)]


def test_https_proxy_with_its_own_context(
    fd_leak_check: None,
    raw_server: Start,
    tls_files: TLSFiles,
    server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    running = raw_server(ProxyHandler(), ssl_context=tls_files.server_context())
    # The transport trusts certifi only; Proxy(ssl_context=) trusts the test CA.
    proxy = tether.Proxy(running.url(), ssl_context=client_ssl_context)
    responses, _ = fetch("sync", [server.url("/")], proxy=proxy)
    assert responses[0].text == "Hello, world!"
    with pytest.raises(ConnectError, match=f"proxy https://127.0.0.1:{running.port}"):
        fetch("sync", [server.url("/")], proxy=running.url())


@pytest.mark.parametrize(("scheme", "address_type"), [("socks5", 1), ("socks5h", 3)])
def test_socks5_resolves_here_and_socks5h_at_the_proxy(
    fd_leak_check: None,
    mode: str,
    scheme: str,
    address_type: int,
    raw_server: Start,
    server: UvicornServer,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    proxy = ProxyHandler()
    running = raw_server(proxy)
    address = socket.getaddrinfo("localhost", server.port, type=socket.SOCK_STREAM)[0][4][0]
    if address != "127.0.0.1":
        pytest.skip(f"localhost resolves to {address} first here, not to the servers' address")
    urls = [f"http://localhost:{server.port}/", f"https://localhost:{tls_server.port}/"] * 2
    proxy_url = f"{scheme}://127.0.0.1:{running.port}"
    responses, _ = fetch(mode, urls, proxy=proxy_url, verify=client_ssl_context)
    assert texts(responses) == ["Hello, world!"] * 4
    host = "127.0.0.1" if scheme == "socks5" else "localhost"
    assert [(s.method, s.target, s.address_type, s.connection) for s in proxy.seen] == [
        ("SOCKS5", f"{host}:{server.port}", address_type, 1),
        ("SOCKS5", f"{host}:{tls_server.port}", address_type, 2),
    ]


def test_proxy_credentials_are_sent_and_never_shown(
    fd_leak_check: None,
    mode: str,
    raw_server: Start,
    server: UvicornServer,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    proxy = ProxyHandler(auth=("user", SECRET))
    running = raw_server(proxy)
    good = f"http://user:{SECRET}@127.0.0.1:{running.port}"
    urls = [server.url("/"), tls_server.url("/")]
    responses, _ = fetch(mode, urls, proxy=good, verify=client_ssl_context)
    assert texts(responses) == ["Hello, world!"] * 2
    as_auth = tether.Proxy(running.url(), auth=("user", SECRET), headers={"X-Proxy": "yes"})
    responses, _ = fetch(mode, urls, proxy=as_auth, verify=client_ssl_context)
    assert texts(responses) == ["Hello, world!"] * 2
    assert all(s.header("proxy-authorization") for s in proxy.seen)
    assert [s.header("x-proxy") for s in proxy.seen][-2:] == ["yes", "yes"]

    bad = f"http://user:wrong-{SECRET}@127.0.0.1:{running.port}"
    # A forwarded request gets the proxy's 407 as its response, as with httpx...
    responses, _ = fetch(mode, [server.url("/")], proxy=bad)
    assert responses[0].status_code == 407
    # ...while a refused tunnel is a ProxyError naming the proxy and the status.
    with pytest.raises(ProxyError, match=f"127.0.0.1:{running.port}.*407") as caught:
        fetch(mode, [tls_server.url("/")], proxy=bad, verify=client_ssl_context)
    assert SECRET not in str(caught.value)
    pool = HTTPTransport(proxy=good).pool
    assert isinstance(pool, ProxyConnectionPool)
    assert SECRET not in repr(pool.plan)
    assert SECRET not in repr(pool)
    assert SECRET not in repr(tether.Proxy(good))


def test_socks5_credentials(
    fd_leak_check: None, mode: str, raw_server: Start, server: UvicornServer
) -> None:
    running = raw_server(ProxyHandler(auth=("user", SECRET)))
    good = f"socks5://user:{SECRET}@127.0.0.1:{running.port}"
    responses, _ = fetch(mode, [server.url("/")], proxy=good)
    assert responses[0].text == "Hello, world!"
    bad = f"socks5://user:nope@127.0.0.1:{running.port}"
    with pytest.raises(ProxyError, match="rejected the username and password") as caught:
        fetch(mode, [server.url("/")], proxy=bad)
    assert "nope" not in str(caught.value)
    with pytest.raises(ProxyError, match="refused the authentication"):
        fetch(mode, [server.url("/")], proxy=running.url().replace("http", "socks5"))


@pytest.mark.parametrize("status", [403, 502])
def test_connect_refused(
    fd_leak_check: None,
    mode: str,
    status: int,
    raw_server: Start,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    running = raw_server(ProxyHandler(refuse=status))
    pattern = f"proxy {running.url()}.*CONNECT 127.0.0.1:{tls_server.port}: {status}"
    with pytest.raises(ProxyError, match=pattern):
        fetch(mode, [tls_server.url("/")], proxy=running.url(), verify=client_ssl_context)


def test_socks5_refused(
    fd_leak_check: None, mode: str, raw_server: Start, server: UvicornServer
) -> None:
    running = raw_server(ProxyHandler(refuse="not allowed"))
    proxy = f"socks5h://127.0.0.1:{running.port}"
    with pytest.raises(ProxyError, match=r"connection not allowed by ruleset \(reply 0x02\)"):
        fetch(mode, [server.url("/")], proxy=proxy)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    willing = f"socks5://127.0.0.1:{raw_server(ProxyHandler()).port}"
    with pytest.raises(ProxyError, match=f"could not connect to 127.0.0.1:{port}: connection"):
        fetch(mode, [f"http://127.0.0.1:{port}/"], proxy=willing)


def test_proxy_down_is_a_connect_error_naming_it(fd_leak_check: None, mode: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    for scheme in ("http", "https", "socks5"):
        proxy = f"{scheme}://user:{SECRET}@127.0.0.1:{port}"
        with pytest.raises(ConnectError, match=f"proxy {scheme}://127.0.0.1:{port}") as caught:
            fetch(mode, ["http://example.invalid/"], proxy=proxy)
        assert SECRET not in str(caught.value)


def test_handshake_timeout(fd_leak_check: None, mode: str, raw_server: Start) -> None:
    def silent(conn: RawConnection) -> None:
        conn.read_head()
        conn.wait(10)  # says nothing until the test ends

    running = raw_server(silent)
    with pytest.raises(ConnectTimeout, match=f"proxy {running.url()}"):
        fetch(mode, ["https://example.invalid/"], proxy=running.url(), timeout=0.2)


def test_total_timeout_bounds_the_handshake(
    fd_leak_check: None, mode: str, raw_server: Start
) -> None:
    def silent(conn: RawConnection) -> None:
        conn.wait(10)  # accepts, then says nothing

    running = raw_server(silent)
    socks = f"socks5h://127.0.0.1:{running.port}"
    timeout = tether.Timeout(None, total=0.3)
    with pytest.raises(ConnectTimeout, match=f"proxy {socks}|total timeout"):
        fetch(mode, ["http://example.invalid/"], proxy=socks, timeout=timeout)


def test_unreachable_proxy_times_out_naming_it(fd_leak_check: None, mode: str) -> None:
    with hanging_listener() as port:
        proxy = f"http://127.0.0.1:{port}"
        with pytest.raises(ConnectTimeout, match=f"proxy {proxy}"):
            fetch(mode, ["http://example.invalid/"], proxy=proxy, timeout=0.2)


def test_unsupported_proxy_schemes_and_types() -> None:
    with pytest.raises(ValueError, match=r"ftp://proxy\.test:2121"):
        HTTPTransport(proxy="ftp://proxy.test:2121")
    with pytest.raises(TypeError, match="int"):
        AsyncHTTPTransport(proxy=8080)


def test_socks_without_socksio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "socksio", None)
    with pytest.raises(ImportError, match=r"pip install 'tether\[socks\]'"):
        HTTPTransport(proxy="socks5://127.0.0.1:1080")


def test_proxy_on_ipv6_loopback(
    fd_leak_check: None,
    raw_server: Start,
    server: UvicornServer,
    tls_server: UvicornServer,
    client_ssl_context: ssl.SSLContext,
) -> None:
    if not ipv6_available():
        pytest.skip("no IPv6 loopback on this machine")
    proxy = ProxyHandler()
    running = raw_server(proxy, host=LOOPBACK_V6)
    assert running.url().startswith("http://[::1]:")
    urls = [server.url("/"), tls_server.url("/")]
    responses, _ = fetch("sync", urls, proxy=running.url(), verify=client_ssl_context)
    assert texts(responses) == ["Hello, world!"] * 2
    assert [s.method for s in proxy.seen] == ["GET", "CONNECT"]
