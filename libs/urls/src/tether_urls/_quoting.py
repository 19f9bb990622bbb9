"""Percent-encoding (RFC 3986 section 2.1) with an explicit safe set per component.

Invariants:

* Unreserved characters (RFC 3986 section 2.3) are never encoded.
* An existing escape (``%`` and two hex digits) is kept as it is, never double-encoded,
  and its case is preserved (RFC 3986 section 6.2.2.1 allows either case).
* Every other character outside the safe set is encoded as the ``%XX`` escapes of its
  UTF-8 bytes, with upper-case hex digits.
* Each call is one scan of the input by a precompiled pattern: a string that needs no
  encoding is returned as it is, and the work is linear in the input's length.
"""

from __future__ import annotations

import functools
import re
import string
import urllib.parse

from ._exceptions import InvalidURL

# RFC 3986 section 2.3.
UNRESERVED = string.ascii_letters + string.digits + "-._~"
# RFC 3986 section 2.2.
SUB_DELIMS = "!$&'()*+,;="

_PRINTABLE = "".join(chr(code) for code in range(0x20, 0x7F))


def _printable_except(excluded: str) -> str:
    return "".join(char for char in _PRINTABLE if char not in excluded)


# The WHATWG URL Standard's percent-encode sets (url.spec.whatwg.org, section 1.3),
# which httpx 0.28 follows: each lists what a component may carry unencoded.
FRAGMENT_SAFE = _printable_except(' "<>`')
QUERY_SAFE = _printable_except(' "#<>')
PATH_SAFE = _printable_except(' "#<>?`{}')
# The userinfo set, minus ":" for the separate username and password.
USERNAME_SAFE = _printable_except(' "#<>?`{}/:;=@[\\]^|')
# The joined "user:password" keeps its separating ":".
USERINFO_SAFE = USERNAME_SAFE + ":"

_ESCAPES = [f"%{byte:02X}" for byte in range(256)]
_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.lru_cache(maxsize=64)
def _pattern(safe: str) -> re.Pattern[str]:
    """The pattern matching what must be encoded, given the extra safe characters."""
    allowed = "".join(sorted({char for char in UNRESERVED + safe if char.isascii()}))
    escaped = re.escape(allowed)
    if "%" in allowed:
        return re.compile(f"[^{escaped}]+")
    # A "%" that does not start a valid escape is encoded; a valid escape is kept.
    return re.compile(f"%(?![0-9A-Fa-f]{{2}})|[^{escaped}%]+")


def _encode_run(match: re.Match[str]) -> str:
    return "".join([_ESCAPES[byte] for byte in match.group().encode("utf-8")])


def quote_with(pattern: re.Pattern[str], text: str, component: str) -> str:
    """Encode what `pattern` matches in `text`; the fast path for precompiled sets."""
    if pattern.search(text) is None:
        return text
    try:
        return pattern.sub(_encode_run, text)
    except UnicodeEncodeError:
        surrogate = _SURROGATE.search(text)
        position = surrogate.start() if surrogate else 0
        raise InvalidURL(
            f"Invalid character {text[position]!r} in URL {component} at position "
            f"{position}: a lone surrogate cannot be encoded as UTF-8."
        ) from None


FRAGMENT_PATTERN = _pattern(FRAGMENT_SAFE)
QUERY_PATTERN = _pattern(QUERY_SAFE)
PATH_PATTERN = _pattern(PATH_SAFE)
USERINFO_PATTERN = _pattern(USERINFO_SAFE)
USERNAME_PATTERN = _pattern(USERNAME_SAFE)
# application/x-www-form-urlencoded, as urllib.parse.urlencode writes it: only
# unreserved characters stay, and a space becomes "+" (WHATWG URL, section 5.2).
_FORM_PATTERN = re.compile(r"[^A-Za-z0-9\-._~ ]+")


def quote(text: str, safe: str = "") -> str:
    """Percent-encode `text`, leaving unreserved characters, `safe` and valid escapes.

    >>> quote("a b/c%20d")
    'a%20b%2Fc%20d'
    >>> quote("a b/c", safe="/")
    'a%20b/c'
    >>> quote("naïve")
    'na%C3%AFve'
    """
    return quote_with(_pattern(safe), text, "text")


def unquote(text: str) -> str:
    """Decode ``%XX`` escapes as UTF-8; invalid escapes stay, invalid UTF-8 becomes U+FFFD.

    >>> unquote("a%20b%2Fc%zz")
    'a b/c%zz'
    """
    return urllib.parse.unquote(text)


def form_encode(text: str) -> str:
    """Encode one key or value of a query string as HTML forms do (space as "+")."""
    return quote_with(_FORM_PATTERN, text, "query parameter").replace(" ", "+")


def form_decode(text: str) -> str:
    """Decode one key or value of a query string ("+" as space, then escapes)."""
    return urllib.parse.unquote(text.replace("+", " "))
