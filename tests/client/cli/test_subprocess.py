"""A few real runs of ``python -m tether``: the way users and scripts run it.

Most behaviour is tested in-process (click's CliRunner); these prove what only a real
process shows: bytes into a real pipe, the exit status, no traceback on failure, and
the install hint when click and rich are missing.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from importlib.metadata import entry_points, requires

from tests._servers.apps import pattern
from tests._servers.uvicorn_server import UvicornServer

from .conftest import TERMINAL, TETHER, StartProxy, subprocess_env


def run(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*TETHER, *args], capture_output=True, env=subprocess_env(**env), timeout=60, check=False
    )


def test_piped_body_is_exact(server: UvicornServer) -> None:
    result = run(server.url("/bytes/100000"))
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == pattern(100_000)


def test_terminal_run_is_coloured(server: UvicornServer) -> None:
    result = run(server.url("/json"), **TERMINAL)
    assert result.returncode == 0
    assert result.stdout.startswith(b"\x1b[34mHTTP/1.1\x1b[0m \x1b[1;32m200 OK\x1b[0m\n")
    assert b'\x1b[94;49m"hello"\x1b[0m' in result.stdout  # a highlighted JSON key


def test_error_status_exit(server: UvicornServer) -> None:
    assert run(server.url("/status/418")).returncode == 4
    assert run(server.url("/status/500")).returncode == 5


def test_connect_refused_is_one_line_and_no_traceback() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(f"http://127.0.0.1:{port}/")
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode().splitlines() == [
        f"tether: ConnectError: could not connect to 127.0.0.1:{port}: Connection refused"
    ]


def test_the_environment_proxy_of_a_real_process(
    start_proxy: StartProxy, server: UvicornServer
) -> None:
    proxy = start_proxy()
    through = run(server.url("/"), http_proxy=proxy.url())
    assert (through.returncode, through.stdout) == (0, b"Hello, world!")
    direct = run(server.url("/json"), http_proxy=proxy.url(), no_proxy="127.0.0.1")
    assert direct.returncode == 0
    assert proxy.seen == [("GET", server.url("/"))]


def test_a_closed_pipe_ends_quietly(server: UvicornServer) -> None:
    """``tether URL | head -c 10``: the reader leaves early; no traceback, status 1."""
    with subprocess.Popen(
        [*TETHER, server.url("/bytes/5000000")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.read(10) == pattern(10)
        process.stdout.close()
        errors = process.stderr.read()
        status = process.wait(timeout=60)
    assert errors == b""
    assert status == 1


def test_main_without_click_says_how_to_install() -> None:
    code = "import sys; sys.modules['click'] = None; import tether; tether.main()"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "tether's command line needs click and rich, which are not installed: "
        "pip install 'tether[cli]'"
    )


def test_import_tether_does_not_import_click_or_rich() -> None:
    code = "import sys, tether; print(sorted({'click', 'rich'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == "[]\n"


def test_tether_main_is_the_command() -> None:
    code = "import tether; tether.main(['--version'], prog_name='tether')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (0, f"tether {_version()}\n")


def _version() -> str:
    import tether

    return tether.__version__


def test_the_tether_console_script_is_installed() -> None:
    [script] = entry_points(group="console_scripts", name="tether")
    assert script.value == "tether._cli:main"
    assert script.load() is __import__("tether").main


def test_the_cli_extra_names_click_and_rich() -> None:
    extra = re.compile(r";\s*extra\s*==\s*[\"']cli[\"']$")
    cli = sorted(r.split(";")[0].strip() for r in requires("tether") or [] if extra.search(r))
    assert cli == ["click>=8", "rich>=13"]
