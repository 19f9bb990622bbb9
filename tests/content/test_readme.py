"""The README's examples run, in order, as one script: the docs cannot rot."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "libs" / "content" / "README.md"


def test_readme_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 5
    namespace: dict[str, object] = {"__name__": "readme"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    output = printed.getvalue()
    assert "cannot be sent again" in output
    assert "cannot be iterated with 'for'" in output
    assert "exceeds max_size=10000000" in output
