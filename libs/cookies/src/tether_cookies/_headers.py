"""Reading Set-Cookie values from, and writing Cookie into, header objects of any shape.

Invariants: every Set-Cookie value is read, even when the header is repeated (never
joined with commas, which Set-Cookie values themselves contain in dates); bytes are
decoded as Latin-1, so every byte maps to one character and back. An object of no
supported shape raises TypeError naming its type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["has_cookie_header", "set_cookie_values"]


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    raise TypeError(f"header values must be str or bytes, got {type(value).__name__}")


def _from_pairs(pairs: Iterable[Any]) -> list[str]:
    values: list[str] = []
    for pair in pairs:
        try:
            name, value = pair
        except (TypeError, ValueError):
            raise TypeError(f"header items must be (name, value) pairs, got {pair!r}") from None
        if _text(name).lower() != "set-cookie":
            continue
        if isinstance(value, (list, tuple)):
            values.extend(_text(item) for item in value)
        else:
            values.append(_text(value))
    return values


def set_cookie_values(headers: Any) -> list[str]:
    """Every Set-Cookie value of a headers object, in order (see `_types` for shapes)."""
    for method in ("get_list", "getlist", "get_all"):
        getter = getattr(headers, method, None)
        if callable(getter):
            return [_text(value) for value in getter("set-cookie") or ()]
    getall = getattr(headers, "getall", None)
    if callable(getall):
        return [_text(value) for value in getall("set-cookie", ())]
    for method in ("multi_items", "items"):
        getter = getattr(headers, method, None)
        if callable(getter):
            return _from_pairs(getter())
    if isinstance(headers, Iterable) and not isinstance(headers, (str, bytes)):
        return _from_pairs(headers)
    raise TypeError(f"cannot read Set-Cookie headers from a {type(headers).__name__} object")


def has_cookie_header(headers: Any) -> bool:
    """Whether request headers already carry a Cookie header (any letter case)."""
    if isinstance(headers, dict):
        return any(isinstance(key, str) and key.lower() == "cookie" for key in headers)
    try:
        return "cookie" in headers
    except TypeError:
        raise TypeError(f"cannot read request headers of type {type(headers).__name__}") from None
