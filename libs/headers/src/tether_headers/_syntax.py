"""The pieces of RFC 9110 field-value grammar that the parsers share.

Every scanner here starts at a position and returns a later one, and each uses only
anchored regexes whose repeated parts cannot overlap, so a scan is linear in what it
reads and a parser that only moves forward is linear in its input: no 100 KB value can
make one slow.
"""

from __future__ import annotations

import re
from typing import cast

from ._types import HeaderText

# RFC 9110 section 5.6.3: OWS = *( SP / HTAB ).
WHITESPACE = " \t"
_OWS = re.compile(r"[ \t]*")
# Section 5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE. The closing
# quote is optional here so that an unterminated string ends the input, as browsers
# read it, instead of failing.
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)(")?', re.DOTALL)
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
_COMMA_OR_QUOTE = re.compile(r'[",]')
# What a quoted-string may hold without escaping: qdtext less obs-text (section 5.6.4).
_NEEDS_ESCAPE = re.compile(r'["\\]')
_QDTEXT = re.compile(r"[\t\x20-\x7e]*")


def skip_whitespace(text: str, pos: int) -> int:
    """The position of the first character at or after `pos` that is not SP or HTAB."""
    # A pattern that may match nothing always matches.
    return cast("re.Match[str]", _OWS.match(text, pos)).end()


def read_quoted(text: str, pos: int) -> tuple[str, int]:
    """Read the quoted-string at `pos` (a ``"``): its unescaped content and the end.

    An unterminated string runs to the end of `text` (a last lone backslash excepted).
    """
    match = cast("re.Match[str]", _QUOTED.match(text, pos))
    content = match.group(1)
    if "\\" in content:
        content = _QUOTED_PAIR.sub(r"\1", content)
    return content, match.end()


def skip_quoted(text: str, pos: int) -> int:
    """The end of the quoted-string at `pos` (a ``"``), or of `text` if unterminated."""
    return cast("re.Match[str]", _QUOTED.match(text, pos)).end()


def find_comma(text: str, pos: int) -> int:
    """The position of the next comma at or after `pos` outside quoted-strings, or -1."""
    comma = text.find(",", pos)
    # Without backslashes, quotes pair up in order: an even number before the comma
    # means it is outside them.
    if comma < 0 or (text.count('"', pos, comma) % 2 == 0 and text.find("\\", pos, comma) < 0):
        return comma
    while True:
        match = _COMMA_OR_QUOTE.search(text, pos)
        if match is None:
            return -1
        if match.group() == ",":
            return match.start()
        pos = skip_quoted(text, match.start())


def quote(value: str) -> str | None:
    """`value` as a quoted-string, or None if it holds characters a quoted-string cannot."""
    if _QDTEXT.fullmatch(value) is None:
        return None
    return '"' + _NEEDS_ESCAPE.sub(r"\\\g<0>", value) + '"'


def as_text(value: HeaderText, what: str) -> str:
    """`value` as text, bytes read as latin-1 (one character per byte)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
