"""The ``-v`` lines made from the ``trace`` extension's events, with real network streams.

The network transport reports these events with httpcore's names once it supports the
extension; here the events are built around streams that tether's own backend opened to
real servers, so the lines are checked against real addresses and real TLS sessions.
"""

from __future__ import annotations

import ssl

from tests._servers.tls import TLSFiles
from tests._servers.uvicorn_server import UvicornServer
from tether._cli._verbose import describe_tls, describe_trace
from tether._network.backends.base import NetworkStream
from tether._network.backends.sync import SyncBackend


def test_connect_lines(server: UvicornServer) -> None:
    host, port = server.address.host, server.address.port
    assert describe_trace("connection.connect_tcp.started", {"host": host, "port": port}) == (
        f"Connecting to {host} port {port}"
    )
    stream = SyncBackend().connect_tcp(host, port, timeout=5)
    try:
        local_port = stream.get_extra_info("client_addr")[1]
        line = describe_trace("connection.connect_tcp.complete", {"return_value": stream})
    finally:
        stream.close()
    assert line == f"Connected to {host} port {port} from 127.0.0.1 port {local_port}"


def test_tls_lines_name_protocol_cipher_and_certificate(
    tls_server: UvicornServer, tls_files: TLSFiles
) -> None:
    host, port = tls_server.address.host, tls_server.address.port
    context = tls_files.client_context()
    context.set_alpn_protocols(["http/1.1"])
    stream: NetworkStream = SyncBackend().connect_tcp(host, port, timeout=5)
    try:
        started = describe_trace(
            "connection.start_tls.started",
            {"ssl_context": context, "server_hostname": "localhost", "timeout": 5},
        )
        stream = stream.start_tls(context, server_hostname="localhost", timeout=5)
        session = stream.get_extra_info("ssl_object")
        alpn = session.selected_alpn_protocol()  # uvicorn may not answer ALPN
        expected = f"TLS established: {session.version()}, {session.cipher()[0]}"
        expected += f", ALPN {alpn}" if alpn else ""
        line = describe_trace("connection.start_tls.complete", {"return_value": stream})
    finally:
        stream.close()
    assert started == "TLS handshake, server name localhost"
    assert line is not None
    assert line.startswith(f"{expected}; certificate for localhost, 127.0.0.1, ::1 issued by ")
    assert "issued by tether test CA" in line  # trustme names its CA by organisation
    assert ", valid until " in line


def test_unverified_tls_says_so(tls_server: UvicornServer) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    stream: NetworkStream = SyncBackend().connect_tcp(
        tls_server.address.host, tls_server.address.port
    )
    stream = stream.start_tls(context, server_hostname="localhost", timeout=5)
    try:
        line = describe_tls(stream.get_extra_info("ssl_object"))
    finally:
        stream.close()
    assert line.endswith("; certificate not verified")


def test_failures_and_other_events() -> None:
    error = OSError("Connection refused")
    assert describe_trace("connection.connect_tcp.failed", {"exception": error}) == (
        "connect tcp failed: Connection refused"
    )
    assert describe_trace("http11.send_request_headers.started", {"request": None}) is None
