"""Fixtures of the command-line tests: loopback servers, TLS material, a known environment.

The CLI's output depends on the environment (``FORCE_COLOR`` makes rich treat a pipe as
a terminal, proxies and CA settings change where requests go), so every test starts
from a clean one and sets what it needs.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests._servers.proxy import ProxyHandler, Seen
from tests._servers.raw import RawServer
from tests._servers.tls import TLSFiles, make_tls_files
from tests._servers.uvicorn_server import UvicornServer
from tests.client.conftest import ENVIRONMENT_VARIABLES as PARENT_VARIABLES
from tests.client.network.conftest import fd_leak_check as fd_leak_check
from tether._cli._command import command

# The parent conftest clears the proxy and TLS variables; a terminal's are cleared too.
TERMINAL_VARIABLES = (
    "FORCE_COLOR",
    "NO_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
    "TERM",
)
ENVIRONMENT_VARIABLES = (*PARENT_VARIABLES, *TERMINAL_VARIABLES)
# What rich needs to treat a pipe as a colour terminal of known width.
TERMINAL = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "100"}
# The repository root, so that a subprocess imports `tests._servers` as we do.
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def clean_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove terminal variables for the duration of each test (see the parent conftest)."""
    for name in TERMINAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def invoke(*args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Result:
    """Run the command in-process, as click's own tests do; exceptions are not swallowed."""
    runner = CliRunner(env=dict(env or {}))
    return runner.invoke(command, list(args), input=input, catch_exceptions=False)


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a ``python -m tether`` subprocess: this one, cleaned, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


TETHER = [sys.executable, "-m", "tether"]


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """A trustme CA and the server certificate it signed, as PEM files."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def server() -> Iterator[UvicornServer]:
    """uvicorn serving `tests._servers.apps.app` over HTTP/1.1 on 127.0.0.1."""
    with UvicornServer() as running:
        yield running


@pytest.fixture(scope="session")
def tls_server(tls_files: TLSFiles) -> Iterator[UvicornServer]:
    """The same app over TLS, with a certificate from the test CA."""
    with UvicornServer(ssl_context=tls_files.server_context()) as running:
        yield running


@dataclass(frozen=True)
class LoopbackProxy:
    """The test proxy (`ProxyHandler`) listening on 127.0.0.1, and what it relayed."""

    handler: ProxyHandler
    server: RawServer

    def url(self, userinfo: str = "", scheme: str = "http") -> str:
        """The proxy's URL, with ``user:password@`` if given."""
        at = f"{userinfo}@" if userinfo else ""
        return f"{scheme}://{at}127.0.0.1:{self.server.port}"

    @property
    def seen(self) -> list[tuple[str, str]]:
        """(method, target) of every request or SOCKS5 command it received."""
        return [(seen.method, seen.target) for seen in self.requests]

    @property
    def requests(self) -> list[Seen]:
        """Every request or SOCKS5 command it received, with its headers."""
        return list(self.handler.seen)


StartProxy = Callable[..., LoopbackProxy]


@pytest.fixture
def start_proxy(tls_files: TLSFiles) -> Iterator[StartProxy]:
    """Start the test proxy: ``start_proxy(auth=(user, password), tls=False)``.

    With ``tls=True`` it is an https proxy, with a certificate from the test CA. Every
    proxy started is stopped at the end of the test.
    """
    started: list[RawServer] = []

    def start(*, auth: tuple[str, str] | None = None, tls: bool = False) -> LoopbackProxy:
        handler = ProxyHandler(auth=auth)
        context = tls_files.server_context() if tls else None
        server = RawServer(handler, ssl_context=context).start()
        started.append(server)
        return LoopbackProxy(handler, server)

    yield start
    for server in started:
        server.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
