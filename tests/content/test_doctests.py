"""Docstring examples run, so they cannot rot."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import tether_content

MODULES = ["tether_content"] + [
    f"tether_content.{info.name}" for info in pkgutil.iter_modules(tether_content.__path__)
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_examples_exist() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert attempted >= 15
