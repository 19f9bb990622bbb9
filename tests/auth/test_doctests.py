"""The examples in tether-auth's docstrings run, so they cannot rot."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import sys
import types
from pathlib import Path

import pytest

import tether_auth

MODULES = ["tether_auth"] + [
    f"tether_auth.{info.name}" for info in pkgutil.iter_modules(tether_auth.__path__)
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_examples_exist() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(name)).attempted for name in MODULES)
    assert attempted >= 8


README = Path(__file__).resolve().parents[2] / "libs" / "auth" / "README.md"


def test_readme_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert len(blocks) >= 4
    # A real module, as dataclasses look their class's module up in sys.modules.
    module = types.ModuleType("tether_auth_readme")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in blocks:
        exec(compile(block, str(README), "exec"), vars(module))
    # The last block ran to its end.
    assert hasattr(module, "api_request")
