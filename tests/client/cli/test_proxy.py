"""``--proxy`` and the proxy environment, end to end through the real test proxy.

Each test starts its own `ProxyHandler` on loopback and checks what it relayed, so a
request that went around the proxy, or through it when it should not, fails the test.
"""

from __future__ import annotations

import pytest

from tests._servers.tls import TLSFiles
from tests._servers.uvicorn_server import UvicornServer

from .conftest import StartProxy, closed_port, invoke

SECRET = "hunter2"
CREDENTIALS = ("user", SECRET)


def one_error_line(*args: str, env: dict[str, str] | None = None) -> str:
    """Run the command, check it failed with exit 1 and one line, and return the line."""
    result = invoke(*args, env=env)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert SECRET not in line
    return line


def test_an_http_url_is_forwarded(
    fd_leak_check: None, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy()
    result = invoke("--proxy", proxy.url(), server.url("/"))
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("GET", server.url("/"))]


@pytest.mark.parametrize("trust", ["--no-verify", "SSL_CERT_FILE"])
def test_an_https_url_is_tunnelled(
    fd_leak_check: None,
    trust: str,
    start_proxy: StartProxy,
    tls_server: UvicornServer,
    tls_files: TLSFiles,
) -> None:
    proxy = start_proxy()
    options = ["--no-verify"] if trust == "--no-verify" else []
    env = {"SSL_CERT_FILE": str(tls_files.ca_pem)} if trust == "SSL_CERT_FILE" else {}
    result = invoke(*options, "--proxy", proxy.url(), tls_server.url("/json"), env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('{"hello"')
    assert proxy.seen == [("CONNECT", f"127.0.0.1:{tls_server.port}")]


def test_the_origin_certificate_is_verified_through_the_tunnel(
    fd_leak_check: None, start_proxy: StartProxy, tls_server: UvicornServer
) -> None:
    proxy = start_proxy()
    line = one_error_line("--proxy", proxy.url(), tls_server.url("/"))
    assert line.startswith("tether: ConnectError: TLS handshake with 127.0.0.1")
    assert "certificate verify failed" in line
    assert proxy.seen == [("CONNECT", f"127.0.0.1:{tls_server.port}")]


def test_an_https_proxy(
    fd_leak_check: None,
    start_proxy: StartProxy,
    server: UvicornServer,
    tls_server: UvicornServer,
    tls_files: TLSFiles,
) -> None:
    proxy = start_proxy(tls=True)
    env = {"SSL_CERT_FILE": str(tls_files.ca_pem)}
    for url in (server.url("/"), tls_server.url("/")):  # TLS to the proxy; inside it for https
        result = invoke("--proxy", proxy.url(scheme="https"), url, env=env)
        assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("GET", server.url("/")), ("CONNECT", f"127.0.0.1:{tls_server.port}")]


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
def test_a_socks5_proxy(
    fd_leak_check: None, scheme: str, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy(auth=CREDENTIALS)
    result = invoke("--proxy", proxy.url(f"user:{SECRET}", scheme=scheme), server.url("/"))
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("SOCKS5", f"127.0.0.1:{server.port}")]


def test_credentials_in_the_proxy_url_are_sent(
    fd_leak_check: None,
    start_proxy: StartProxy,
    server: UvicornServer,
    tls_server: UvicornServer,
) -> None:
    proxy = start_proxy(auth=CREDENTIALS)
    for url in (server.url("/"), tls_server.url("/")):
        result = invoke("--no-verify", "--proxy", proxy.url(f"user:{SECRET}"), url)
        assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("GET", server.url("/")), ("CONNECT", f"127.0.0.1:{tls_server.port}")]
    # Basic dXNlcjpodW50ZXIy is "user:hunter2"; the proxy checked it, and no origin saw it.
    assert [seen.header("proxy-authorization") for seen in proxy.requests] == [
        "Basic dXNlcjpodW50ZXIy"
    ] * 2


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("userinfo", [f"user:wrong-{SECRET}", ""])
def test_a_407_is_one_line_naming_the_proxy(
    fd_leak_check: None,
    secure: bool,
    userinfo: str,
    start_proxy: StartProxy,
    server: UvicornServer,
    tls_server: UvicornServer,
) -> None:
    # Whether the proxy refuses a CONNECT (https) or a forwarded request (http), the
    # origin was never reached: exit 1, whatever --no-fail says.
    proxy = start_proxy(auth=CREDENTIALS)
    url = tls_server.url("/") if secure else server.url("/")
    line = one_error_line("--no-fail", "--no-verify", "--proxy", proxy.url(userinfo), url)
    target = f"CONNECT 127.0.0.1:{tls_server.port}" if secure else f"GET {server.url('/')}"
    assert line == (
        f"tether: ProxyError: proxy {proxy.url()} refused {target}: "
        "407 Proxy Authentication Required"
    )
    assert len(proxy.seen) == 1


def test_a_forwarded_407_is_shown_with_verbose(
    fd_leak_check: None, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy(auth=CREDENTIALS)
    result = invoke("-v", "--proxy", proxy.url(), server.url("/"))
    assert result.exit_code == 1
    assert "HTTP/1.1 407 Proxy Authentication Required" in result.stdout
    assert 'Proxy-Authenticate: Basic realm="tests"' in result.stdout
    assert result.stderr.startswith(f"tether: ProxyError: proxy {proxy.url()} refused GET ")


def test_a_407_names_the_url_without_its_password(
    fd_leak_check: None, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy(auth=CREDENTIALS)
    url = f"http://bob:{SECRET}@127.0.0.1:{server.port}/"
    line = one_error_line("--proxy", proxy.url(), url)
    assert f"refused GET http://bob:[secure]@127.0.0.1:{server.port}/: 407 " in line


def test_verbose_names_the_proxy_of_each_hop(
    fd_leak_check: None, start_proxy: StartProxy, server: UvicornServer
) -> None:
    # The first hop goes through the proxy; NO_PROXY sends the redirect's target direct.
    proxy = start_proxy(auth=CREDENTIALS)
    env = {"HTTP_PROXY": proxy.url(f"user:{SECRET}"), "NO_PROXY": "localhost"}
    direct = f"http://localhost:{server.port}/"
    args = ("-v", "--follow-redirects", server.url(f"/redirect-to?url={direct}"))
    result = invoke(*args, env=env)
    assert result.exit_code == 0, result.output
    assert SECRET not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"* Through proxy {proxy.url()}",
        f"GET /redirect-to?url={direct} HTTP/1.1",
    ]
    assert lines.count(f"* Through proxy {proxy.url()}") == 1
    assert "GET / HTTP/1.1" in lines
    assert [target for _, target in proxy.seen] == [server.url(f"/redirect-to?url={direct}")]


def test_a_407_from_an_origin_without_a_proxy_is_a_response(server: UvicornServer) -> None:
    result = invoke(server.url("/status/407"))
    assert (result.exit_code, result.stderr) == (4, "")


@pytest.mark.parametrize("via", ["--proxy", "HTTP_PROXY", "ALL_PROXY"])
def test_a_proxy_that_is_down_is_one_line_naming_it(via: str, server: UvicornServer) -> None:
    port = closed_port()
    proxy = f"http://user:{SECRET}@127.0.0.1:{port}"
    args = ["--proxy", proxy] if via == "--proxy" else []
    env = {} if via == "--proxy" else {via: proxy}
    line = one_error_line(*args, server.url("/"), env=env)
    assert line == (
        f"tether: ConnectError: could not reach proxy http://127.0.0.1:{port}: "
        f"could not connect to 127.0.0.1:{port}: Connection refused"
    )


@pytest.mark.parametrize("spelling", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "no scheme"])
def test_the_environment_proxy_is_used(
    fd_leak_check: None, spelling: str, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy()
    name = "HTTP_PROXY" if spelling == "no scheme" else spelling
    value = proxy.url().removeprefix("http://") if spelling == "no scheme" else proxy.url()
    result = invoke(server.url("/"), env={name: value})
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("GET", server.url("/"))]


def test_the_proxy_option_wins_over_the_environment(
    fd_leak_check: None, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy()
    env = {"HTTP_PROXY": f"http://127.0.0.1:{closed_port()}", "NO_PROXY": "*"}
    result = invoke("--proxy", proxy.url(), server.url("/"), env=env)
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("GET", server.url("/"))]


def test_each_scheme_has_its_own_variable(
    fd_leak_check: None,
    start_proxy: StartProxy,
    server: UvicornServer,
    tls_server: UvicornServer,
) -> None:
    proxy = start_proxy()
    env = {"HTTPS_PROXY": proxy.url()}
    for url in (server.url("/"), tls_server.url("/")):
        result = invoke("--no-verify", url, env=env)
        assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("CONNECT", f"127.0.0.1:{tls_server.port}")]


@pytest.mark.parametrize(
    "no_proxy",
    ["*", "localhost, 127.0.0.1", "127.0.0.0/8", "127.0.0.1:{port}", "http://127.0.0.1"],
)
def test_no_proxy_is_respected(
    fd_leak_check: None, no_proxy: str, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy()
    env = {"ALL_PROXY": proxy.url(), "NO_PROXY": no_proxy.format(port=server.port)}
    result = invoke(server.url("/"), env=env)
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == []


@pytest.mark.parametrize(
    "no_proxy", ["example.com", "127.0.0.1:1", "27.0.0.1", "10.0.0.0/8", "https://127.0.0.1"]
)
def test_no_proxy_entries_that_do_not_match(
    fd_leak_check: None, no_proxy: str, start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy()
    result = invoke(server.url("/"), env={"ALL_PROXY": proxy.url(), "NO_PROXY": no_proxy})
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")
    assert proxy.seen == [("GET", server.url("/"))]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "HTTPS_PROXY",
            f"ftp://user:{SECRET}@proxy.test:2121",
            "tether: ValueError: Unknown scheme for proxy URL "
            "URL('ftp://user:[secure]@proxy.test:2121'): use one of http, https, socks5, "
            "socks5h (from the environment: HTTPS_PROXY)",
        ),
        (
            "all_proxy",
            f"http://user:{SECRET}@[bad",
            "tether: InvalidURL: Invalid IPv6 address: '[bad' (no closing ']') "
            "(from the environment: ALL_PROXY)",
        ),
    ],
)
def test_a_bad_proxy_in_the_environment_is_one_line_naming_it(
    name: str, value: str, expected: str, server: UvicornServer
) -> None:
    # Any bad variable stops the command, even one for another scheme: the client reads
    # them all when it is made, as httpx's does.
    assert one_error_line(server.url("/"), env={name: value}) == expected
