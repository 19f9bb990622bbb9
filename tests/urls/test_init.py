"""The public door: `__all__`, ownership of public classes, the version."""

from __future__ import annotations

import types
from collections.abc import Callable

import tether_urls


def test_public_api(check_public_api: Callable[[types.ModuleType], None]) -> None:
    check_public_api(tether_urls)
    assert set(tether_urls.__all__) == {
        "InvalidURL",
        "QueryParams",
        "URL",
        "__version__",
        "quote",
        "unquote",
    }


def test_version() -> None:
    from tether_urls.__about__ import __version__

    assert tether_urls.__version__ == __version__ == "0.1.0"
