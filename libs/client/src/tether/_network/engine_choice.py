"""Which HTTP/1.1 engine new connections use.

`LeanEngine` by default; ``TETHER_HTTP11_ENGINE=h11`` in the environment (read once,
when tether is imported) selects `H11Engine`, the reference implementation. This is an
internal setting, for comparing the engines and as a fallback; `use_engine` switches at
run time (benchmarks, tests) and affects connections opened afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Final

from .engine import H11Engine
from .engine_lean import LeanEngine

__all__ = ["ENGINES", "new_engine", "use_engine"]

ENGINES: Final[dict[str, Callable[[str], H11Engine | LeanEngine]]] = {
    "h11": H11Engine,
    "lean": LeanEngine,
}
_VARIABLE: Final = "TETHER_HTTP11_ENGINE"


def _chosen(name: str) -> Callable[[str], H11Engine | LeanEngine]:
    try:
        return ENGINES[name.strip().lower()]
    except KeyError:
        raise ValueError(
            f"unknown HTTP/1.1 engine {name!r} (from {_VARIABLE}): "
            f"expected one of {', '.join(sorted(ENGINES))}"
        ) from None


new_engine: Callable[[str], H11Engine | LeanEngine] = _chosen(os.environ.get(_VARIABLE) or "lean")


def use_engine(name: str) -> None:
    """Make connections opened from now on use engine `name` (``lean`` or ``h11``)."""
    global new_engine
    new_engine = _chosen(name)
