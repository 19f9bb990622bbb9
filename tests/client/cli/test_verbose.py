"""``-v`` prints the exchange in wire order: connection and TLS lines from the network
transport's ``trace`` events, then each request head, then each response head.

`HTTP2TracingTransport` reports an HTTP/2 request (tether speaks HTTP/1.1 only so far),
to pin that the request line names the protocol the trace events report.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import tether._cli._run
from tests._servers.tls import TLSFiles
from tests._servers.uvicorn_server import UvicornServer
from tether import Client, HTTPTransport, Request, Response

from .conftest import invoke


class HTTP2TracingTransport(HTTPTransport):
    """The network transport, also reporting an HTTP/2 send of the request headers."""

    def handle_request(self, request: Request) -> Response:
        trace = request.extensions["trace"]
        trace("http2.send_request_headers.started", {"request": request})
        trace("http2.send_request_headers.complete", {"return_value": None})
        return super().handle_request(request)


def client_over(kind: type[HTTPTransport]) -> object:
    """A stand-in for `tether.Client` that the command makes over a `kind` transport."""

    def build(**settings: Any) -> Client:
        transport = kind(verify=settings["verify"], http2=settings["http2"])
        return Client(transport=transport, **settings)

    return build


def test_connection_lines_come_before_the_request_head(server: UvicornServer) -> None:
    result = invoke("-v", server.url("/"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"* Connecting to 127.0.0.1 port {server.port}"
    assert re.fullmatch(rf"\* Connected to 127\.0\.0\.1 port {server.port} from .+", lines[1])
    assert lines[2] == "GET / HTTP/1.1"
    assert "HTTP/1.1 200 OK" in lines
    assert lines[-1] == "Hello, world!"


def test_tls_lines_name_the_server_and_the_session(
    tls_server: UvicornServer, tls_files: TLSFiles
) -> None:
    env = {"SSL_CERT_FILE": str(tls_files.ca_pem)}
    result = invoke("-v", tls_server.url("/"), env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    request_line = lines.index("GET / HTTP/1.1")
    connection = lines[:request_line]
    assert connection[2] == "* TLS handshake, server name 127.0.0.1"
    assert connection[3].startswith("* TLS established: TLSv1.")
    assert lines[-1] == "Hello, world!"


def test_a_reused_connection_is_not_announced_again(server: UvicornServer) -> None:
    result = invoke("-v", "--follow-redirects", server.url("/redirect/2"))
    lines = result.stdout.splitlines()
    assert sum(line.startswith("* Connecting to ") for line in lines) == 1
    heads = [line for line in lines if line.startswith(("GET", "HTTP"))]
    assert heads == [
        "GET /redirect/2 HTTP/1.1",
        "HTTP/1.1 302 Found",
        "GET /redirect/1 HTTP/1.1",
        "HTTP/1.1 302 Found",
        "GET / HTTP/1.1",
        "HTTP/1.1 200 OK",
    ]


def test_the_request_line_names_the_protocol_that_carries_it(
    server: UvicornServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tether._cli._run, "Client", client_over(HTTP2TracingTransport))
    result = invoke("-v", server.url("/json"))
    assert "GET /json HTTP/2" in result.stdout.splitlines()


def test_a_request_that_got_no_answer_is_still_shown(server: UvicornServer) -> None:
    result = invoke("-v", "--timeout", "0.2", server.url("/slow/5"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[2] == "GET /slow/5 HTTP/1.1"
    assert lines[-1].startswith("* receive response headers failed: ")
    assert result.stderr.startswith("tether: ReadTimeout: ")


def test_connection_lines_on_a_terminal(server: UvicornServer) -> None:
    result = invoke("-v", server.url("/"), env={"FORCE_COLOR": "1"})
    assert result.stdout.startswith(f"\x1b[2m* Connecting to 127.0.0.1 port {server.port}\x1b[0m\n")
