"""Which Content-Encodings can be decoded here, and the lazy imports of the optional codecs.

gzip and deflate come with Python (zlib). br needs `brotli` (CPython) or
`brotlicffi` (PyPy), zstd needs `zstandard`: they are imported the first time
a body needs them, never at import time, and their absence is reported with
the extra to install. Availability is checked with `importlib.util.find_spec`,
which finds a module without importing it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

from ._exceptions import DecodingError

# Accept-Encoding order, as httpx 0.28 advertises them.
_ALL_ENCODINGS = ("gzip", "deflate", "br", "zstd")

_MODULES = {"br": ("brotli", "brotlicffi"), "zstd": ("zstandard",)}
_EXTRAS = {"br": "brotli", "zstd": "zstd"}


def _available(module: str) -> bool:
    # A module already imported (or hidden with None) may have no __spec__ to find.
    if module in sys.modules:
        return sys.modules[module] is not None
    return importlib.util.find_spec(module) is not None


def supported_encodings() -> tuple[str, ...]:
    """The Content-Encodings this installation can decode, in Accept-Encoding order.

    gzip and deflate always; br and zstd when their optional library is
    installed. "identity" is implied and not listed.

    >>> supported_encodings()[:2]
    ('gzip', 'deflate')
    """
    return tuple(
        name
        for name in _ALL_ENCODINGS
        if name not in _MODULES or any(_available(module) for module in _MODULES[name])
    )


def load_codec(encoding: str) -> ModuleType:
    """Import the library for "br" or "zstd"; `DecodingError` naming the extra if missing."""
    for module in _MODULES[encoding]:
        try:
            return importlib.import_module(module)
        except ImportError:
            continue
    extra = _EXTRAS[encoding]
    names = " or ".join(repr(module) for module in _MODULES[encoding])
    raise DecodingError(
        f"the response uses Content-Encoding {encoding!r}, which needs the {names} package: "
        f"install 'tether[{extra}]' (or 'tether-content[{extra}]')"
    )
