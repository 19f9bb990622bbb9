"""Each option of the ``tether`` command changes what reaches a real server on loopback.

The server's ``/echo`` route answers with the request's body, and each request header as
``x-echo-<name>``; ``-i`` puts those response headers in the (piped) output.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests._servers.apps import Receive, Scope, Send
from tests._servers.uvicorn_server import UvicornServer

from .conftest import invoke


class Echo:
    """What the server saw: method, request headers (lower-case names) and body."""

    def __init__(self, output: bytes) -> None:
        head, _, self.body = output.partition(b"\n\n")
        lines = head.decode("latin-1").splitlines()
        self.status_line = lines[0]
        self.headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(": ")
            if name.lower().startswith("x-echo-"):
                self.headers.setdefault(name.lower()[7:], []).append(value)
        self.method = self.headers["method"][0]

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower(), [])
        assert len(values) == 1, f"{name}: {values}"
        return values[0]


def echo(*args: str, input: str | None = None) -> Echo:
    result = invoke("-i", *args, input=input)
    assert result.exit_code == 0, result.output
    return Echo(result.stdout_bytes)


def test_plain_get(server: UvicornServer) -> None:
    seen = echo(server.url("/echo"))
    assert seen.method == "GET"
    assert seen.status_line == "HTTP/1.1 200 OK"
    assert seen.header("user-agent").startswith("python-tether/")
    assert seen.body == b""


def test_method_is_upper_cased(server: UvicornServer) -> None:
    assert echo("-m", "delete", server.url("/echo")).method == "DELETE"


def test_url_without_scheme_means_http(server: UvicornServer) -> None:
    seen = echo(server.url("/echo").removeprefix("http://"))
    assert seen.header("host") == server.address.netloc


def test_params_are_added_to_the_query(server: UvicornServer) -> None:
    result = invoke("-v", "-p", "q", "a b", "-p", "q", "2", server.url("/echo?x=1"))
    assert result.exit_code == 0
    assert result.stdout.startswith("GET /echo?x=1&q=a+b&q=2 HTTP/1.1\n")


def test_content_is_sent_as_utf8_and_makes_a_post(server: UvicornServer) -> None:
    seen = echo("-c", "héllo", server.url("/echo"))
    assert seen.method == "POST"
    assert seen.body == "héllo".encode()
    assert seen.header("content-length") == str(len("héllo".encode()))


def test_data_is_form_encoded_and_repeats_names(server: UvicornServer) -> None:
    seen = echo("-d", "a", "1", "-d", "b", "x y", "-d", "a", "2", server.url("/echo"))
    assert seen.method == "POST"
    assert seen.header("content-type") == "application/x-www-form-urlencoded"
    assert seen.body == b"a=1&a=2&b=x+y"


def test_files_are_multipart_with_the_file_name(server: UvicornServer, tmp_path: Path) -> None:
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"line one\nline two\n")
    seen = echo("-f", "doc", str(upload), "-d", "kind", "text", server.url("/echo"))
    assert seen.header("content-type").startswith("multipart/form-data; boundary=")
    assert b'name="doc"; filename="notes.txt"' in seen.body
    assert b"line one\nline two\n" in seen.body
    assert b'name="kind"\r\n\r\ntext\r\n' in seen.body


def test_json_is_sent_compact_with_its_content_type(server: UvicornServer) -> None:
    seen = echo("-j", '{"a": [1, 2.5, null], "b": "é"}', server.url("/echo"))
    assert seen.method == "POST"
    assert seen.header("content-type") == "application/json"
    assert json.loads(seen.body) == {"a": [1, 2.5, None], "b": "é"}


def test_json_null_is_a_body(server: UvicornServer) -> None:
    seen = echo("-j", "null", "-m", "PUT", server.url("/echo"))
    assert (seen.method, seen.body) == ("PUT", b"null")
    assert seen.header("content-type") == "application/json"


def test_headers_are_sent_as_given(server: UvicornServer) -> None:
    result = invoke(
        "-v", "-h", "X-Trace-Id", "abc 123", "-h", "Accept", "text/html", server.url("/echo")
    )
    assert result.exit_code == 0
    assert "\nX-Trace-Id: abc 123\n" in result.stdout  # the request, as sent
    assert "\nx-echo-x-trace-id: abc 123\n" in result.stdout  # what the server saw
    assert "\nx-echo-accept: text/html\n" in result.stdout


def test_cookies_are_sent(server: UvicornServer) -> None:
    result = invoke(
        "--cookies", "session", "s1", "--cookies", "theme", "dark", server.url("/cookies")
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout_bytes) == {"session": "s1", "theme": "dark"}


def test_basic_auth(server: UvicornServer) -> None:
    seen = echo("--auth", "alice:pa:ss", server.url("/echo"))
    expected = base64.b64encode(b"alice:pa:ss").decode()
    assert seen.header("authorization") == f"Basic {expected}"


def test_auth_without_password_asks_for_it(server: UvicornServer) -> None:
    result = invoke("-i", "--auth", "alice", server.url("/echo"), input="s3cret\n")
    assert result.exit_code == 0
    assert "Password for 'alice' (basic):" in result.stderr
    assert "s3cret" not in result.stderr  # typed, not echoed
    expected = base64.b64encode(b"alice:s3cret").decode()
    assert Echo(result.stdout_bytes).header("authorization") == f"Basic {expected}"


REALM, NONCE = "tether-tests", "5ca1ab1e"


async def digest_app(scope: Scope, receive: Receive, send: Send) -> None:
    """401 with a Digest challenge (RFC 7616, MD5, qop=auth) until the right answer comes."""
    if scope["type"] != "http":
        return
    given = dict(scope["headers"]).get(b"authorization", b"").decode()
    ok = given.startswith("Digest ") and _digest_ok(given[7:], scope["method"], "alice", "pw")
    head: list[tuple[bytes, bytes]] = [(b"content-type", b"text/plain")]
    if not ok:
        challenge = f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5'
        head.append((b"www-authenticate", challenge.encode()))
    body = b"welcome" if ok else b"who are you?"
    head.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200 if ok else 401, "headers": head})
    await send({"type": "http.response.body", "body": body})


def _digest_ok(fields_text: str, method: str, user: str, password: str) -> bool:
    fields: dict[str, str] = {}
    for part in fields_text.split(","):
        key, _, value = part.strip().partition("=")
        fields[key] = value.strip('"')

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5(f"{user}:{REALM}:{password}")
    ha2 = md5(f"{method}:{fields.get('uri')}")
    expected = md5(f"{ha1}:{NONCE}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
    return fields.get("username") == user and fields.get("response") == expected


@pytest.fixture(scope="module")
def digest_server() -> Any:
    with UvicornServer(digest_app) as running:
        yield running


def test_digest_auth(digest_server: UvicornServer) -> None:
    result = invoke("--auth", "alice:pw", "--auth-type", "digest", digest_server.url("/x"))
    assert (result.exit_code, result.stdout) == (0, "welcome")


def test_digest_auth_with_a_wrong_password_fails_with_401(digest_server: UvicornServer) -> None:
    result = invoke("--auth", "alice:nope", "--auth-type", "DIGEST", digest_server.url("/x"))
    assert (result.exit_code, result.stdout) == (4, "who are you?")


def test_redirects_are_not_followed_by_default(server: UvicornServer) -> None:
    result = invoke("-i", server.url("/redirect/2"))
    assert result.exit_code == 0  # a 3xx is a success
    assert result.stdout.startswith("HTTP/1.1 302 Found\n")
    assert "\nlocation: /redirect/1\n" in result.stdout


def test_follow_redirects(server: UvicornServer) -> None:
    result = invoke("--follow-redirects", server.url("/redirect/3"))
    assert (result.exit_code, result.stdout) == (0, "Hello, world!")


def test_timeout_is_one_line_naming_the_server(server: UvicornServer) -> None:
    result = invoke("--timeout", "0.2", server.url("/slow/5"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"tether: ReadTimeout: timed out reading from {server.address.netloc} after 0.2 s"
    ]


def test_version() -> None:
    import tether

    result = invoke("--version")
    assert (result.exit_code, result.stdout) == (0, f"tether {tether.__version__}\n")


def test_help_documents_every_option_and_the_exit_statuses() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for option in (
        "-m, --method", "-p, --params", "-c, --content", "-d, --data", "-f, --files",
        "-j, --json", "-h, --headers", "--cookies", "--auth", "--auth-type", "--proxy",
        "--timeout", "--follow-redirects", "--no-verify", "--http2", "--download",
        "-v, --verbose", "-i, --include", "--fail / --no-fail", "--version", "--demo",
    ):  # fmt: skip
        assert option in result.stdout, option
    assert "4/5  a 4xx/5xx response" in result.stdout


def test_http2_flag_is_accepted(server: UvicornServer) -> None:
    # HTTP/2 needs TLS and ALPN; against plain HTTP the request goes over HTTP/1.1.
    result = invoke("--http2", "-i", server.url("/"))
    assert result.exit_code == 0
    assert result.stdout.startswith("HTTP/1.1 200 OK\n")
