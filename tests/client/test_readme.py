"""The client README's examples run, and print what the README says they print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "libs" / "client" / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(source, str(README), "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out.splitlines()
    promised = [
        comment.strip()
        for line in source.splitlines()
        if "print(" in line and "# " in line
        for comment in [line.split("# ", 1)[1]]
    ]
    for expected in promised:
        assert expected in printed, f"the README promises {expected!r}, got {printed!r}"
    assert printed, "every example prints something"
