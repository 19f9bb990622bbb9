"""``--download FILE``: the body lands in the file, with a progress bar on a terminal."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests._servers.apps import pattern
from tests._servers.misbehave import close_mid_body
from tests._servers.raw import RawServer
from tests._servers.uvicorn_server import UvicornServer

from .conftest import TERMINAL, TETHER, invoke, subprocess_env

SIZE = 3_000_000


def test_download_writes_the_body_and_a_summary(server: UvicornServer, tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    result = invoke("--download", str(target), server.url(f"/bytes/{SIZE}"))
    assert result.exit_code == 0
    assert target.read_bytes() == pattern(SIZE)
    assert result.stdout == ""  # piped: the body went to the file, not to stdout
    [summary] = result.stderr.splitlines()
    assert re.fullmatch(rf"Saved 3\.0 MB to {re.escape(str(target))} in [\d.]+ s \(.+/s\)", summary)


def test_download_replaces_an_existing_file(server: UvicornServer, tmp_path: Path) -> None:
    target = tmp_path / "hello.txt"
    target.write_bytes(b"old content that is longer than the new")
    assert invoke("--download", str(target), server.url("/")).exit_code == 0
    assert target.read_bytes() == b"Hello, world!"


def test_download_of_an_error_response_shows_it_instead(
    server: UvicornServer, tmp_path: Path
) -> None:
    target = tmp_path / "missing.bin"
    result = invoke("--download", str(target), server.url("/status/404"))
    assert (result.exit_code, result.stdout) == (4, "status 404")
    assert not target.exists()


def test_download_into_a_missing_directory_is_one_line(
    server: UvicornServer, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "dir.bin"
    result = invoke("--download", str(target), server.url("/"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"tether: cannot write {target}: No such file or directory"
    ]


def test_a_download_cut_short_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "partial.bin"
    with RawServer(close_mid_body(declared=200_000, sent=50_000)) as server:
        result = invoke("--download", str(target), server.url("/"))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("tether: RemoteProtocolError: ")
    assert not target.exists()


def test_progress_bar_on_a_terminal(server: UvicornServer, tmp_path: Path) -> None:
    """A real run with stderr taken for a terminal: the bar shows name, size, speed, ETA."""
    target = tmp_path / "big.bin"
    result = subprocess.run(
        [*TETHER, "--download", str(target), server.url(f"/bytes/{SIZE}")],
        capture_output=True,
        env=subprocess_env(**TERMINAL),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == pattern(SIZE)
    err = result.stderr.decode()
    assert "\r" in err or "\x1b[2K" in err  # redrawn in place, as a terminal bar is
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err).replace("\r", "\n")
    final = [line for line in screen.splitlines() if line.startswith("big.bin ")][-1]
    assert "━" in final  # the bar
    assert "3.0/3.0 MB" in final  # received / total
    assert re.search(r"[\d.]+ [kMG]?B/s", final)  # speed
    assert re.search(r"\d+:\d\d:\d\d", final)  # time left
    assert f"Saved 3.0 MB to {target}" in screen
    # stdout, a terminal too, shows the response head.
    assert result.stdout.decode().startswith("\x1b[34mHTTP/1.1\x1b[0m \x1b[1;32m200 OK\x1b[0m")
