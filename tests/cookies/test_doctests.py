"""The examples in docstrings run, so they cannot rot."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

# Public classes say `__module__ = "tether_cookies"`, so doctest finds their examples
# through the package; functions are found through the module that defines them.
MODULES = [
    "tether_cookies",
    "tether_cookies._dates",
    "tether_cookies._origin",
    "tether_cookies._parser",
    "tether_cookies._psl",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_readme_examples() -> None:
    readme = Path(__file__).resolve().parents[2] / "libs" / "cookies" / "README.md"
    result = doctest.testfile(str(readme), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0
