"""``-v`` prints the exchange in order, whether or not the transport reports ``trace`` events.

tether's network transport reports no ``trace`` events yet; `TracingTransport` reports
the ones httpcore defines, around a real exchange with the loopback server, so that
these tests pin how ``-v`` orders connection lines, request heads and response heads.
"""

from __future__ import annotations

from typing import Any

import pytest

import tether._cli._run
from tests._servers.uvicorn_server import UvicornServer
from tether import Client, HTTPTransport, Request, Response

from .conftest import invoke


class TracingTransport(HTTPTransport):
    """The network transport, reporting a connect and the sending of the request headers."""

    protocol = "http11"

    def handle_request(self, request: Request) -> Response:
        trace = request.extensions["trace"]
        info: dict[str, Any] = {"host": request.url.host, "port": request.url.port}
        trace("connection.connect_tcp.started", info)
        trace(f"{self.protocol}.send_request_headers.started", {"request": request})
        trace("http11.send_request_headers.complete", {"return_value": None})
        return super().handle_request(request)


class HTTP2TracingTransport(TracingTransport):
    protocol = "http2"


def client_over(kind: type[TracingTransport]) -> object:
    """A stand-in for `tether.Client` that the command makes over a `kind` transport."""

    def build(**settings: Any) -> Client:
        transport = kind(verify=settings["verify"], http2=settings["http2"])
        return Client(transport=transport, **settings)

    return build


@pytest.fixture
def tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tether._cli._run, "Client", client_over(TracingTransport))


@pytest.mark.usefixtures("tracing")
def test_connection_lines_come_before_the_request_head(server: UvicornServer) -> None:
    result = invoke("-v", server.url("/"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"* Connecting to 127.0.0.1 port {server.port}", "GET / HTTP/1.1"]
    assert "HTTP/1.1 200 OK" in lines
    assert lines[-1] == "Hello, world!"


def test_the_request_line_names_the_protocol_that_carries_it(
    server: UvicornServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tether._cli._run, "Client", client_over(HTTP2TracingTransport))
    result = invoke("-v", server.url("/json"))
    assert result.stdout.splitlines()[1] == "GET /json HTTP/2"


def test_without_trace_events_the_order_is_the_same(server: UvicornServer) -> None:
    result = invoke("-v", "--follow-redirects", server.url("/redirect/1"))
    heads = [line for line in result.stdout.splitlines() if line.startswith(("GET", "HTTP"))]
    assert heads == [
        "GET /redirect/1 HTTP/1.1",
        "HTTP/1.1 302 Found",
        "GET / HTTP/1.1",
        "HTTP/1.1 200 OK",
    ]


def test_a_request_that_got_no_answer_is_still_shown(server: UvicornServer) -> None:
    result = invoke("-v", "--timeout", "0.2", server.url("/slow/5"))
    assert result.exit_code == 1
    assert result.stdout.startswith("GET /slow/5 HTTP/1.1\n")
    assert result.stderr.startswith("tether: ReadTimeout: ")


def test_connection_lines_on_a_terminal(server: UvicornServer, tracing: None) -> None:
    result = invoke("-v", server.url("/"), env={"FORCE_COLOR": "1"})
    assert result.stdout.startswith(f"\x1b[2m* Connecting to 127.0.0.1 port {server.port}\x1b[0m\n")
