"""Checks that a header name and value are safe to put on the wire.

Rules (RFC 9110):

* a field name is a token (section 5.1, token grammar in section 5.6.2): one or more of
  ``!#$%&'*+-.^_`|~``, digits and ASCII letters;
* a field value holds no CR, LF or NUL (section 5.5: "a recipient of CR, LF, or NUL
  within a field value MUST either reject the message or replace each of those
  characters with SP"). These three are what turn one header into two (header
  injection, request smuggling); other control characters and surrounding whitespace
  are left for the protocol layer, since section 5.5 lets recipients retain them.

The checks work on text in which every character stands for one byte (latin-1), which is
how `Headers` stores names and values; `bytes` are accepted and read that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ._exceptions import InvalidHeader, preview
from ._syntax import as_text
from ._types import HeaderText

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKENS = re.compile(rf"(?:{TOKEN.pattern})(?:,(?:{TOKEN.pattern}))*")
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")
_CHARACTER_NAMES = {"\r": "CR", "\n": "LF", "\x00": "NUL"}


def check_name(name: str, shown: str | None = None) -> None:
    """Raise `InvalidHeader` unless `name` (one char per byte) is an RFC 9110 token."""
    if TOKEN.fullmatch(name) is None:
        shown = name if shown is None else shown
        if not name:
            raise InvalidHeader("header name is empty (RFC 9110 section 5.1)", name=shown)
        raise InvalidHeader(
            f"header name {preview(shown)} is not a token (RFC 9110 section 5.6.2)",
            name=shown,
        )


def check_value(name: str, value: str, shown_value: str | None = None) -> None:
    """Raise `InvalidHeader` if `value` holds CR, LF or NUL; `name` is shown, not checked."""
    bad = _FORBIDDEN_IN_VALUE.search(value)
    if bad is not None:
        shown = value if shown_value is None else shown_value
        where = bad.start()
        raise InvalidHeader(
            f"header {name!r} has a value with {_CHARACTER_NAMES[bad.group()]} at index "
            f"{where} (RFC 9110 section 5.5): {preview(shown, name, where)}",
            name=name,
        )


def check_fields(names: list[str], values: list[str], show: Callable[[str], str]) -> None:
    """Check stored names and values in bulk; `show` turns stored text into readable text.

    Two regex passes in all: one over the names joined by commas, one over the values.
    """
    joined = ",".join(names)
    # A name holding the comma itself would pass as two tokens: count the commas too.
    if names and (_TOKENS.fullmatch(joined) is None or joined.count(",") != len(names) - 1):
        bad = next(name for name in names if TOKEN.fullmatch(name) is None)
        check_name(bad, show(bad))
    if _FORBIDDEN_IN_VALUE.search("".join(values)) is not None:
        name, value = next(
            (name, value)
            for name, value in zip(names, values, strict=True)
            if _FORBIDDEN_IN_VALUE.search(value) is not None
        )
        check_value(show(name), value, show(value))


def validate_header_name(name: HeaderText) -> None:
    """Raise `InvalidHeader` unless `name` is a valid header name (an RFC 9110 token).

    >>> validate_header_name("X-Request-Id")
    >>> validate_header_name("Bad Name")
    Traceback (most recent call last):
    ...
    tether_headers.InvalidHeader: header name 'Bad Name' is not a token (RFC 9110 section 5.6.2)
    """
    check_name(as_text(name, "header name"))


def validate_header_value(name: HeaderText, value: HeaderText) -> None:
    """Raise `InvalidHeader` if `value` holds CR, LF or NUL; `name` is used in the message.

    Values of credential headers (Authorization, Proxy-Authorization, Cookie, Set-Cookie)
    are shown as ``[secure]`` in the message.

    >>> validate_header_value("X-Note", "fine")
    >>> validate_header_value("Authorization", "Bearer abc\\r\\nX-Evil: 1")
    Traceback (most recent call last):
    ...
    tether_headers.InvalidHeader: header 'Authorization' has a value with CR at index 10 (RFC 9110 section 5.5): [secure]
    """  # noqa: E501
    check_value(as_text(name, "header name"), as_text(value, "header value"))
