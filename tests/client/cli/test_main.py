"""`tether.main` in-process: the install hint, and the failures that print one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tether
import tether._cli
import tether._cli._run
from tests._servers.uvicorn_server import UvicornServer

from .conftest import TERMINAL, invoke


def forget_cli_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI's modules import afresh; all of them come back after the test."""
    for name in [name for name in sys.modules if name.startswith("tether._cli._")]:
        monkeypatch.setattr(tether._cli, name.rpartition(".")[2], sys.modules[name])
        monkeypatch.delitem(sys.modules, name)


def test_main_without_rich_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    forget_cli_modules(monkeypatch)
    monkeypatch.setitem(sys.modules, "rich.console", None)
    with pytest.raises(SystemExit) as exit_info:
        tether.main(["--version"])
    assert exit_info.value.code == 1
    assert "pip install 'tether[cli]'" in capsys.readouterr().err


def test_main_lets_other_import_errors_through(monkeypatch: pytest.MonkeyPatch) -> None:
    forget_cli_modules(monkeypatch)
    monkeypatch.setitem(sys.modules, "tether._cli._command", None)
    with pytest.raises(ImportError, match=r"tether\._cli\._command"):
        tether.main(["--version"])


def test_main_runs_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        tether.main(["--version"], prog_name="tether")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"tether {tether.__version__}\n"


def failing_client(error: BaseException) -> object:
    """A stand-in for `tether.Client` that raises `error` when the command makes one."""

    def build(**settings: object) -> object:
        raise error

    return build


def test_a_missing_optional_dependency_is_one_line(
    server: UvicornServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = "HTTP/2 needs the h2 package: pip install 'tether[http2]'"
    monkeypatch.setattr(tether._cli._run, "Client", failing_client(ImportError(message)))
    result = invoke("--http2", server.url("/"))
    assert (result.exit_code, result.stderr) == (1, f"tether: {message}\n")


def test_ctrl_c_is_one_line_and_status_130(
    server: UvicornServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tether._cli._run, "Client", failing_client(KeyboardInterrupt()))
    result = invoke(server.url("/"))
    assert (result.exit_code, result.stderr) == (130, "tether: interrupted\n")


def test_progress_bar_in_process(server: UvicornServer, tmp_path: Path) -> None:
    target = tmp_path / "bar.bin"
    result = invoke("--download", str(target), server.url("/bytes/200000"), env=TERMINAL)
    assert result.exit_code == 0
    assert target.stat().st_size == 200_000
    assert "200.0/200.0 kB" in result.stderr
    assert "Saved 200.0 kB to " in result.stderr


def test_download_without_a_length(server: UvicornServer, tmp_path: Path) -> None:
    target = tmp_path / "chunks.txt"
    result = invoke("--download", str(target), server.url("/stream/1000"), env=TERMINAL)
    assert result.exit_code == 0
    assert target.read_text().splitlines()[-1] == "chunk 999"
    assert "Saved 9.9 kB to " in result.stderr  # 10 * 8 + 90 * 9 + 900 * 10 bytes


def test_terminal_highlights_html(server: UvicornServer) -> None:
    html = "<html><body><p class='x'>hi</p></body></html>"
    args = ("-c", html, "-h", "Content-Type", "text/html; charset=utf-8", server.url("/echo"))
    result = invoke(*args, env=TERMINAL)
    assert "\x1b[" in result.stdout.partition("\n\n")[2]  # the body is coloured
    plain = invoke(*args, env={**TERMINAL, "NO_COLOR": "1"})
    assert plain.stdout.endswith(f"\n\n{html}\n")


def test_content_that_is_not_utf8_is_sent_as_given(server: UvicornServer) -> None:
    # Command-line bytes that are not UTF-8 reach Python as surrogate escapes.
    result = invoke("-v", "-c", b"caf\xe9".decode("utf-8", "surrogateescape"), server.url("/echo"))
    assert result.exit_code == 0
    _, request_body, _, body = result.stdout_bytes.split(b"\n\n")
    assert request_body == b"[4 bytes of binary data]"
    assert body == b"caf\xe9"
