"""Which proxy a client sends each URL through: proxy=, mounts=, and the environment.

The routing is compared with httpx 0.28's for the same arguments and variables; then
real requests go through the loopback proxy, or around it, as the settings say.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import tether
from tests._servers.proxy import ProxyHandler
from tests._servers.raw import RawServer
from tests._servers.uvicorn_server import UvicornServer
from tether._network.proxy import ProxyConnectionPool
from tether._network.proxy_async import AsyncProxyConnectionPool

from .test_proxy_transport import Start

URLS = [
    "http://example.com/",
    "https://example.com/",
    "http://localhost:8000/",
    "https://a.internal.test/",
    "http://internal.test/",
    "http://example.org/",
    "https://sub.example.org/",
    "http://notexample.org/",
    "http://127.0.0.1:5000/",
    "http://[::1]:5000/",
    "http://direct.test/",
    "https://direct.test/",
    "http://10.1.2.3/",
]

Route = tuple[str, str, int] | None


def tether_route(client: tether.Client | tether.AsyncClient, url: str) -> Route:
    """(scheme, host, port) of the proxy `url` goes through, or None."""
    transport: Any = client._transport_for_url(tether.URL(url))
    pool = transport.pool
    if not isinstance(pool, ProxyConnectionPool | AsyncProxyConnectionPool):
        return None
    parsed = tether.URL(pool.plan.name)
    return (parsed.scheme, parsed.host, pool.plan.port)


def httpx_route(client: httpx.Client, url: str) -> Route:
    transport: Any = client._transport_for_url(httpx.URL(url))
    proxy_url = getattr(transport._pool, "_proxy_url", None)
    if proxy_url is None:
        return None
    scheme = proxy_url.scheme.decode()
    port: int = proxy_url.port or {"http": 80, "https": 443}[scheme]
    return (scheme, proxy_url.host.decode(), port)


ENVIRONMENTS = [
    {
        "HTTP_PROXY": "http://hp.test:3128",
        "HTTPS_PROXY": "hsp.test:8443",  # no scheme: http:// is meant
        "NO_PROXY": "localhost, .internal.test,example.org,127.0.0.1,::1,http://direct.test",
    },
    {"ALL_PROXY": "socks5://sp.test:1080", "https_proxy": "https://lower.test:443"},
    {"HTTP_PROXY": "http://upper.test:1", "http_proxy": "http://lower.test:2"},
    {"ALL_PROXY": "http://all.test:3128", "NO_PROXY": "*"},
    {"ALL_PROXY": "http://all.test:3128", "no_proxy": "::1,10.1.2.3"},
    {},
]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_environment_routes_like_httpx(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with tether.Client() as ours, httpx.Client() as theirs:
        assert [tether_route(ours, url) for url in URLS] == [
            httpx_route(theirs, url) for url in URLS
        ]
    with tether.Client(trust_env=False) as untrusting:
        assert [tether_route(untrusting, url) for url in URLS] == [None] * len(URLS)
    mock = tether.MockTransport(lambda request: tether.Response(204))
    with tether.Client(transport=mock) as given:  # a transport= turns the environment off
        assert all(given._transport_for_url(tether.URL(url)) is mock for url in URLS)


def test_lower_case_wins_and_a_proxy_argument_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://upper.test:1")
    monkeypatch.setenv("http_proxy", "http://lower.test:2")
    monkeypatch.setenv("NO_PROXY", "example.com")
    with tether.Client() as client:
        assert tether_route(client, "http://other.test/") == ("http", "lower.test", 2)
        assert tether_route(client, "http://example.com/") is None
    with tether.Client(proxy="http://arg.test:9") as client:
        assert tether_route(client, "http://example.com/") == ("http", "arg.test", 9)
        assert tether_route(client, "https://other.test/") == ("http", "arg.test", 9)


def test_no_proxy_networks_and_bracketed_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx reads 10.0.0.0/8 as the one host 10.0.0.0, and fails on [::1].
    monkeypatch.setenv("ALL_PROXY", "http://all.test:3128")
    monkeypatch.setenv("NO_PROXY", "10.0.0.0/8, fd00::/8, [::1]")
    with tether.Client() as client:
        assert tether_route(client, "http://[::1]:8000/") is None
        assert tether_route(client, "http://10.1.2.3/") is None
        assert tether_route(client, "http://[fd12::1]/") is None
        assert tether_route(client, "http://11.1.2.3/") == ("http", "all.test", 3128)
        assert tether_route(client, "http://ten.test/") == ("http", "all.test", 3128)


def test_a_bad_proxy_in_the_environment_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "ftp://proxy.test:2121")
    with pytest.raises(ValueError, match=r"ftp://proxy\.test:2121"):
        tether.Client()


def test_deprecated_proxies_mapping_with_direct_entries() -> None:
    with pytest.warns(DeprecationWarning, match="proxies="):
        client = tether.Client(
            proxies={"all://": "http://p.test:1", "all://direct.test": None}, trust_env=False
        )
    with client:
        assert tether_route(client, "http://x.test/") == ("http", "p.test", 1)
        assert tether_route(client, "http://direct.test/") is None


# -- real requests -----------------------------------------------------------------------


def _get_all(urls: list[str], is_async: bool, **settings: Any) -> list[int]:
    if not is_async:
        with tether.Client(timeout=5, **settings) as client:
            return [client.get(url).status_code for url in urls]

    async def run() -> list[int]:
        async with tether.AsyncClient(timeout=5, **settings) as client:
            return [(await client.get(url)).status_code for url in urls]

    return asyncio.run(run())


@pytest.mark.parametrize("is_async", [False, True])
def test_environment_proxy_is_used_and_bypassed(
    fd_leak_check: None,
    monkeypatch: pytest.MonkeyPatch,
    raw_server: Start,
    server: UvicornServer,
    is_async: bool,
) -> None:
    proxy = ProxyHandler(auth=("user", "pw"))
    running: RawServer = raw_server(proxy)
    monkeypatch.setenv("HTTP_PROXY", f"http://user:pw@127.0.0.1:{running.port}")
    assert _get_all([server.url("/")], is_async) == [200]
    assert [s.target for s in proxy.seen] == [server.url("/")]
    assert _get_all([server.url("/")], is_async, trust_env=False) == [200]
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert _get_all([server.url("/")], is_async) == [200]
    assert len(proxy.seen) == 1  # neither went through the proxy


@pytest.mark.parametrize("is_async", [False, True])
def test_mounts_send_some_origins_through_a_proxy(
    fd_leak_check: None, raw_server: Start, server: UvicornServer, is_async: bool
) -> None:
    proxy = ProxyHandler()
    running: RawServer = raw_server(proxy)
    kind = tether.AsyncHTTPTransport if is_async else tether.HTTPTransport
    mounts = {"all://localhost": kind(proxy=running.url())}
    via_name = f"http://localhost:{server.port}/json"
    assert _get_all([server.url("/"), via_name], is_async, mounts=mounts) == [200, 200]
    assert [s.target for s in proxy.seen] == [via_name]
