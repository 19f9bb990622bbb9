"""The one deprecation helper: a single message shape for every deprecated usage."""

from __future__ import annotations

import warnings


def warn_deprecated(what: str, *, since: str, instead: str, stacklevel: int = 2) -> None:
    """Warn "<what> is deprecated since <since>; use <instead> instead".

    `stacklevel` counts from the caller of this helper, as `warnings.warn` does.
    """
    message = f"{what} is deprecated since {since}; use {instead} instead"
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel + 1)
