"""The one way tether announces a deprecated spelling.

Every message has the same shape, "X is deprecated since V; use Y instead.", and
points at the caller's line, so users see where to change their code.
"""

from __future__ import annotations

import warnings


def warn_deprecated(thing: str, *, since: str, instead: str, stacklevel: int = 3) -> None:
    """Warn that `thing` is deprecated since version `since` in favour of `instead`.

    The default `stacklevel` blames the caller of the public function that calls this.
    """
    warnings.warn(
        f"{thing} is deprecated since {since}; use {instead} instead.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
