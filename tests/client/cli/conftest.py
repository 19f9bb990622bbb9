"""Fixtures of the command-line tests: loopback servers, TLS material, a known environment.

The CLI's output depends on the environment (``FORCE_COLOR`` makes rich treat a pipe as
a terminal, proxies and CA settings change where requests go), so every test starts
from a clean one and sets what it needs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests._servers.tls import TLSFiles, make_tls_files
from tests._servers.uvicorn_server import UvicornServer
from tether._cli._command import command

ENVIRONMENT_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "SSLKEYLOGFILE",
    "FORCE_COLOR",
    "NO_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
    "TERM",
)
# What rich needs to treat a pipe as a colour terminal of known width.
TERMINAL = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "100"}
# The repository root, so that a subprocess imports `tests._servers` as we do.
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove proxy, TLS and terminal variables for the duration of each test."""
    for name in ENVIRONMENT_VARIABLES:
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
