"""The one exception of tether-headers, and the helpers that keep its messages safe.

Every message names the header (or parameter) at fault and shows the offending value
through `preview()`: a `repr()`, cut to a window around the bad character when long, and
replaced by ``[secure]`` for headers that carry credentials.
"""

from __future__ import annotations

# Headers whose values are credentials: never echoed in an error message. The repr of
# `Headers` hides the first two only, as httpx does.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

# How much of a bad value a message shows; enough to recognise it, not to flood a log.
_PREVIEW_CHARS = 60


class InvalidHeader(ValueError):
    """A header name, value, parameter or date that cannot be used.

    Raised when building `Headers` from values that cannot be encoded, by
    `Headers.validate()` and the `validate_header_*` functions when a name is not an
    RFC 9110 token or a value holds CR, LF or NUL, and by the formatting helpers. It is a
    `ValueError`, so ``except ValueError`` keeps working. `name` is the header or
    parameter at fault, when there is one.
    """

    name: str | None

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


def preview(value: str, name: str | None = None, at: int | None = None) -> str:
    """Show `value` safely in a message: redacted for secret headers, cut when long."""
    if name is not None and name.lower() in SECRET_HEADERS:
        return "[secure]"
    if len(value) <= _PREVIEW_CHARS:
        return repr(value)
    start = 0 if at is None else max(0, at - _PREVIEW_CHARS // 2)
    end = start + _PREVIEW_CHARS
    head = "..." if start > 0 else ""
    tail = "..." if end < len(value) else ""
    return f"{head}{value[start:end]!r}{tail} ({len(value)} characters)"
