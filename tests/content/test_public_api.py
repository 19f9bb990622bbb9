"""The one public door: __all__, __module__, and the documented entry points."""

from __future__ import annotations

import types
from collections.abc import Callable

import tether_content


def test_public_api(check_public_api: Callable[[types.ModuleType], None]) -> None:
    check_public_api(tether_content)


def test_version() -> None:
    from tether_content.__about__ import __version__

    assert tether_content.__version__ == __version__ == "0.1.0"


def test_private_modules_are_not_re_exported() -> None:
    assert not [
        name for name in tether_content.__all__ if name.startswith("_") and name != "__version__"
    ]


def test_public_classes_name_the_package() -> None:
    classes = [getattr(tether_content, name) for name in tether_content.__all__]
    owned = [cls for cls in classes if isinstance(cls, type)]
    assert len(owned) >= 15
    assert {cls.__module__ for cls in owned} == {"tether_content"}
