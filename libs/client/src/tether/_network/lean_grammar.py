"""The HTTP/1.1 grammar both directions of `LeanEngine` check, as h11 0.16 reads it.

The patterns are h11's (RFC 9110 §5.1 tokens, §5.5 field values, RFC 9112 §4, §7.1), so
that `LeanEngine` and `H11Engine` agree byte for byte; ``[^\\x00\\s]`` is h11's "vchar or
obs-text".
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["DIGITS", "FIELD_RE", "FIELD_VALUE", "TOKEN", "comma_tokens"]

TOKEN_RE: Final = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
VALUE_RE: Final = rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?"
# One field line: name, colon, optional whitespace, value, optional whitespace, CRLF.
FIELD_RE: Final = rb"(" + TOKEN_RE + rb"):[ \t]*(" + VALUE_RE + rb")[ \t]*\r\n"
TOKEN: Final = re.compile(TOKEN_RE)
FIELD_VALUE: Final = re.compile(VALUE_RE)
# A Content-Length: at most 20 digits, as h11 allows.
DIGITS: Final = re.compile(rb"[0-9]{1,20}")


def comma_tokens(value: bytes) -> list[bytes]:
    """The lowered, non-empty members of a comma-separated field value."""
    return [token for token in (part.strip().lower() for part in value.split(b",")) if token]
