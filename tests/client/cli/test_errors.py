"""Bad input and failed requests: one clear line, the right exit status, no traceback.

Usage errors (status 2) come from click before any connection; failed requests (status 1)
print ``tether: <ExceptionName>: <message>``, the message naming the host.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests._servers.tls import TLSFiles
from tests._servers.uvicorn_server import UvicornServer

from .conftest import closed_port, invoke


def usage_error(*args: str) -> str:
    """Run the command, check it failed as bad usage, and return the error line."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1/", "'http://[::1/' is not a valid URL: Invalid IPv6 address"),
        ("http://example.com:99999/", "Invalid port: '99999'"),
        ("ftp://example.com/", "the scheme 'ftp' is not supported (use http://, https://)"),
        ("http:///path", "'http:///path' is not a valid URL"),
    ],
)
def test_bad_url(url: str, expected: str) -> None:
    line = usage_error(url)
    assert line.startswith("Error: Invalid value for 'URL': ")
    assert expected in line


def test_missing_url() -> None:
    assert usage_error() == "Error: Missing argument 'URL'."


@pytest.mark.parametrize(
    ("auth", "expected"),
    [(":secret", "expected USER:PASS, and the user name is empty"), ("", "user name is empty")],
)
def test_bad_auth(auth: str, expected: str, server: UvicornServer) -> None:
    line = usage_error("--auth", auth, server.url("/"))
    assert "'--auth'" in line
    assert expected in line


def test_bad_auth_type(server: UvicornServer) -> None:
    assert "'ntlm' is not one of 'basic', 'digest'" in usage_error(
        "--auth", "a:b", "--auth-type", "ntlm", server.url("/")
    )


def test_bad_json(server: UvicornServer) -> None:
    line = usage_error("-j", "{'single': 'quotes'}", server.url("/echo"))
    assert "Invalid value for '-j' / '--json': " in line
    assert "\"{'single': 'quotes'}\" is not JSON: Expecting property name" in line


def test_missing_file(server: UvicornServer, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    line = usage_error("-f", "doc", str(missing), server.url("/echo"))
    assert "Invalid value for '-f' / '--files'" in line
    assert str(missing) in line
    assert "No such file or directory" in line


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("Bad Name", "x", "header name 'Bad Name' is not a token"),
        ("X-Evil", "a\r\nInjected: 1", "header 'X-Evil' has a value with CR at index 1"),
    ],
)
def test_bad_header(name: str, value: str, expected: str, server: UvicornServer) -> None:
    line = usage_error("-h", name, value, server.url("/echo"))
    assert "Invalid value for '-h' / '--headers'" in line
    assert expected in line


def test_bad_method(server: UvicornServer) -> None:
    assert "'GE T' is not an HTTP method such as GET" in usage_error("-m", "GE T", server.url("/"))


def test_two_bodies(server: UvicornServer) -> None:
    line = usage_error("-c", "x", "-j", "1", server.url("/echo"))
    assert line == "Error: give one request body, not -c and -j"


def test_bad_timeout(server: UvicornServer) -> None:
    assert "0 is not in the range x>0" in usage_error("--timeout", "0", server.url("/"))


@pytest.mark.parametrize(
    ("proxy", "expected"),
    [
        (
            "ftp://proxy.example:21",
            "the scheme 'ftp' is not supported (use http://, https://, socks5",
        ),
        ("http://[bad", "is not a valid proxy URL"),
        ("http://", "is not a valid proxy URL"),
    ],
)
def test_bad_proxy(proxy: str, expected: str, server: UvicornServer) -> None:
    line = usage_error("--proxy", proxy, server.url("/"))
    assert "Invalid value for '--proxy'" in line
    assert expected in line


def test_demo_takes_no_url(server: UvicornServer) -> None:
    assert (
        usage_error("--demo", server.url("/")) == "Error: --demo starts its own server: give no URL"
    )


def test_unknown_option() -> None:
    line = usage_error("--frobnicate", "http://127.0.0.1/")
    assert "No such option" in line  # the wording varies between click versions
    assert "--frobnicate" in line


def test_connect_refused_is_one_line_naming_the_host() -> None:
    port = closed_port()
    result = invoke(f"http://127.0.0.1:{port}/")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"tether: ConnectError: could not connect to 127.0.0.1:{port}: Connection refused"
    ]


def test_unverified_certificate_is_one_line(tls_server: UvicornServer) -> None:
    result = invoke(tls_server.url("/"))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tether: ConnectError: TLS handshake with {tls_server.address.netloc}")
    assert "certificate verify failed" in line


def test_no_verify_accepts_the_certificate(tls_server: UvicornServer) -> None:
    result = invoke("--no-verify", tls_server.url("/"))
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")


def test_a_ca_from_ssl_cert_file_is_trusted(tls_server: UvicornServer, tls_files: TLSFiles) -> None:
    result = invoke(tls_server.url("/json"), env={"SSL_CERT_FILE": str(tls_files.ca_pem)})
    assert result.exit_code == 0
    assert result.stdout.startswith('{"hello"')


def test_a_missing_ca_file_is_one_line_naming_the_variable(
    server: UvicornServer, tmp_path: Path
) -> None:
    missing = tmp_path / "ca.pem"
    result = invoke(server.url("/"), env={"SSL_CERT_FILE": str(missing)})
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"tether: FileNotFoundError: verify: no such file or directory: '{missing}' "
        "(from the environment: SSL_CERT_FILE)"
    ]


def test_too_many_redirects(server: UvicornServer) -> None:
    result = invoke("--follow-redirects", server.url("/redirect/30"))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("tether: TooManyRedirects: ")


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("ftp://x/", "tether: UnsupportedProtocol: Refusing to follow the redirect to 'ftp://x/'"),
        ("http://[bad/", "tether: RemoteProtocolError: Invalid URL in the Location header"),
    ],
)
def test_a_bad_redirect_is_one_line(location: str, expected: str, server: UvicornServer) -> None:
    result = invoke("--follow-redirects", server.url(f"/redirect-to?url={quote(location)}"))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(expected)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--proxy", "http://user:hunter2@[bad:3128"),
        ("--proxy", "ftp://user:hunter2@proxy.example"),
        ("URL", "http://user:hunter2@example.com:99999/"),
        ("URL", "gopher://user:hunter2@example.com/"),
    ],
)
def test_passwords_in_bad_urls_are_not_shown(option: str, value: str) -> None:
    args = [value] if option == "URL" else [option, value, "http://127.0.0.1/"]
    line = usage_error(*args)
    assert "hunter2" not in line
    assert "user:[secure]@" in line
