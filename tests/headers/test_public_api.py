"""The package's one public door."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable

import tether_headers


def test_public_api(check_public_api: Callable[[types.ModuleType], None]) -> None:
    check_public_api(tether_headers)


def test_public_functions_belong_to_the_package() -> None:
    for name in set(tether_headers.__all__) - {"__version__", "HeaderTypes"}:
        value = getattr(tether_headers, name)
        assert value.__module__ == "tether_headers", name
        assert value.__doc__, f"{name} has no docstring"


def test_version() -> None:
    assert tether_headers.__version__ == "0.1.0"


def test_header_types_names_every_accepted_input() -> None:
    accepted = {str(arg) for arg in typing.get_args(tether_headers.HeaderTypes)}
    assert len(accepted) == 4
    assert any("Headers" in arg for arg in accepted)
