"""The README's main job (examples/tour.py) runs and shows what it promises."""

from __future__ import annotations

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
