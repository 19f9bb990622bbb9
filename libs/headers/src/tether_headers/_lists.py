"""Comma-separated header lists (RFC 9110 section 5.6.1): ``gzip, br`` or ``W/"a,b", "c"``."""

from __future__ import annotations

from ._syntax import WHITESPACE, as_text, find_comma
from ._types import HeaderText


def parse_header_list(value: HeaderText) -> list[str]:
    """Split a list-valued header at the commas that are outside quoted-strings.

    Elements are stripped of surrounding whitespace and kept otherwise as written
    (quotes included, so ``W/"x"`` stays an ETag); empty elements are dropped, as RFC
    9110 section 5.6.1 asks of recipients. Bytes are read as latin-1.

    >>> parse_header_list('gzip, , br')
    ['gzip', 'br']
    >>> parse_header_list('"a, b", W/"c"')
    ['"a, b"', 'W/"c"']
    """
    text = as_text(value, "header value")
    elements = []
    start = 0
    while True:
        comma = find_comma(text, start)
        element = text[start:] if comma < 0 else text[start:comma]
        element = element.strip(WHITESPACE)
        if element:
            elements.append(element)
        if comma < 0:
            return elements
        start = comma + 1
