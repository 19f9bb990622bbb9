"""``tether --demo`` in-process: the four steps run against the demo server and succeed."""

from __future__ import annotations

from .conftest import invoke


def test_demo_runs_its_four_steps() -> None:
    result = invoke("--demo")
    assert result.exit_code == 0, result.output
    commands = [line for line in result.stdout.splitlines() if line.startswith("$ tether ")]
    assert len(commands) == 4
    assert result.stdout.count("HTTP/1.1 200 OK\n") == 4  # GET, POST, the redirect's end, download
    assert "HTTP/1.1 302 Found\n" in result.stdout
    assert "Saved 2.1 MB to " in result.stderr
