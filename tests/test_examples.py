"""The README's main job (`python -m tether --demo`) and examples/tour.py run offline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

TOUR = Path(__file__).resolve().parent.parent / "examples" / "tour.py"


def test_the_tour_runs_offline() -> None:
    result = subprocess.run(
        [sys.executable, str(TOUR)], capture_output=True, text=True, check=True, timeout=60
    )
    out = result.stdout
    assert "repr        URL('https://user:[secure]@xn--bcher-kva.example/a/c?q=1#top')" in out
    assert "Invalid port: '99999'" in out
    assert "POST /echo  200 {'path': '/echo', 'you_sent': {'hello': 'world'}, 'visits': 1}" in out
    assert "GET /old    200 at http://tour.local/new" in out
    assert "cookies     {'visits': '2'}" in out
    assert result.stderr == ""


DEMO_ENV = {
    name: value
    for name, value in os.environ.items()
    if name not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS")
    and not name.lower().endswith("_proxy")
}


def test_the_cli_demo_runs_offline_into_a_pipe() -> None:
    """`./hatchw run example`: four commands against a loopback server, no network."""
    result = subprocess.run(
        [sys.executable, "-m", "tether", "--demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=DEMO_ENV,
    )
    out = result.stdout
    server = re.search(r"a demo server listens on (http://127\.0\.0\.1:\d+)/", out)
    assert server is not None, out
    origin = server.group(1)
    assert f"$ tether -i {origin}/hello\nHTTP/1.1 200 OK\n" in out
    assert '{"message": "Hello from tether\'s demo server"' in out
    assert f'$ tether -i -j \'{{"name": "tether"}}\' {origin}/echo\nHTTP/1.1 200 OK\n' in out
    assert '{"you_sent": {"name": "tether"}, "content_type": "application/json"}' in out
    assert f"$ tether -v --follow-redirects {origin}/old\nGET /old HTTP/1.1\n" in out
    assert "HTTP/1.1 302 Found\n" in out
    assert "\nGET /hello HTTP/1.1\n" in out
    assert re.search(r"\$ tether -i --download \S+demo\.bin " + re.escape(origin), out)
    assert "Content-Length: 2097152\n" in out
    assert out.endswith("Done: four requests, no network needed beyond 127.0.0.1.\n")
    assert re.fullmatch(r"Saved 2\.1 MB to \S+demo\.bin in [\d.]+ s \(.+/s\)\n", result.stderr)


def test_the_cli_demo_on_a_terminal_shows_colours_and_the_progress_bar() -> None:
    env = {**DEMO_ENV, "FORCE_COLOR": "1", "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-m", "tether", "--demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stdout)
    assert "\x1b[" in result.stdout
    assert '    "message": "Hello from tether\'s demo server",' in screen  # indented JSON
    progress = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr).replace("\r", "\n")
    bar = re.search(r"demo\.bin ━+ 2\.1/2\.1 MB [\d.]+ [kMG]?B/s \d+:\d\d:\d\d", progress)
    assert bar is not None, progress
    assert "Saved 2.1 MB to " in progress
