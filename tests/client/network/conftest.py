"""Fixtures of the network tests: loopback servers, TLS material, a clean environment.

Servers that behave (uvicorn, hypercorn) live for the whole session; raw servers, whose
handler is the test's own, live for one test. `fd_leak_check` fails a test that leaves
a file descriptor open: request it before any function-scoped server, so that it is
set up first and checked last. The environment is cleaned by ``tests/client/conftest.py``.
"""

from __future__ import annotations

import gc
import os
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests._servers._base import LOOPBACK_V4, LOOPBACK_V6, ipv6_available
from tests._servers.hypercorn_server import HypercornServer
from tests._servers.raw import Handler, RawServer
from tests._servers.tls import TLSFiles, make_tls_files
from tests._servers.uvicorn_server import UvicornServer
from tether._network.engine import H11Engine
from tether._network.engine_lean import LeanEngine

FD_SETTLE_SECONDS = 2.0


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each ``@pytest.mark.anyio`` test on asyncio and on trio."""
    backend: str = request.param
    return backend


AnyEngine = H11Engine | LeanEngine
ENGINES: dict[str, Callable[..., AnyEngine]] = {"h11": H11Engine, "lean": LeanEngine}


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine_class(request: pytest.FixtureRequest) -> Callable[..., AnyEngine]:
    """Each HTTP/1.1 engine in turn: the engine tests run on every implementation."""
    return ENGINES[request.param]


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """The session's trustme CA, server and client certificates, as PEM files."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def ca_pem(tls_files: TLSFiles) -> Path:
    """The path of the CA certificate that signed every test server's certificate."""
    return tls_files.ca_pem


@pytest.fixture
def client_ssl_context(tls_files: TLSFiles) -> ssl.SSLContext:
    """A fresh client context that trusts the test CA only (a test may change it)."""
    return tls_files.client_context()


@pytest.fixture(scope="session")
def client_cert(tls_files: TLSFiles) -> tuple[Path, Path]:
    """The client certificate and key issued by the test CA, for mutual TLS."""
    return tls_files.client_cert, tls_files.client_key


@pytest.fixture(scope="session")
def server() -> Iterator[UvicornServer]:
    """uvicorn serving `tests._servers.apps.app` over HTTP/1.1 on 127.0.0.1."""
    with UvicornServer() as running:
        yield running


@pytest.fixture(scope="session")
def server_ipv6() -> Iterator[UvicornServer]:
    """The same server on ::1 (skipped where the machine has no IPv6 loopback)."""
    if not ipv6_available():
        pytest.skip("no IPv6 loopback on this machine")
    with UvicornServer(host=LOOPBACK_V6) as running:
        yield running


@pytest.fixture(scope="session")
def tls_server(tls_files: TLSFiles) -> Iterator[UvicornServer]:
    """uvicorn over TLS (HTTP/1.1) with the test CA's certificate, on 127.0.0.1."""
    with UvicornServer(ssl_context=tls_files.server_context()) as running:
        yield running


@pytest.fixture(scope="session")
def h2_server(tls_files: TLSFiles) -> Iterator[HypercornServer]:
    """hypercorn over TLS offering HTTP/2 and HTTP/1.1 by ALPN, on 127.0.0.1."""
    with HypercornServer(tls=tls_files) as running:
        yield running


@pytest.fixture(scope="session")
def mtls_server(tls_files: TLSFiles) -> Iterator[HypercornServer]:
    """hypercorn over TLS that requires a client certificate issued by the test CA."""
    with HypercornServer(tls=tls_files, http2=False, require_client_cert=True) as running:
        yield running


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    """Start a `RawServer` for a handler: ``raw_server(handler, host=..., ssl_context=...)``.

    Every server started is stopped at the end of the test; a handler that failed with
    anything but a disconnect fails the test there.
    """
    started: list[RawServer] = []

    def start(
        handler: Handler, *, host: str = LOOPBACK_V4, ssl_context: ssl.SSLContext | None = None
    ) -> RawServer:
        running = RawServer(handler, host=host, ssl_context=ssl_context).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def open_fds() -> dict[int, str]:
    """The descriptors this process has open (Linux: /proc/self/fd), with their targets."""
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:  # the directory listing's own descriptor is closed by now
            found[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
    return found


@pytest.fixture
def fd_leak_check() -> Iterator[None]:
    """Fail the test if it ends with more file descriptors open than it began with.

    Servers close their side of a connection a moment after the client does, so the
    count may settle for up to `FD_SETTLE_SECONDS` before the check fails.
    """
    before = open_fds()
    yield
    deadline = time.monotonic() + FD_SETTLE_SECONDS
    while True:
        gc.collect()
        leaked = {fd: target for fd, target in open_fds().items() if before.get(fd) != target}
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert not leaked, f"file descriptors left open: {leaked}"
