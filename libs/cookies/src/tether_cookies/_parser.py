"""The Set-Cookie parser of RFC 6265 section 5.2.

Invariants:
- `parse_set_cookie` is a pure function of one header value: it never raises, and it
  returns None for every line that section 5.2 (or rfc6265bis) says to ignore: no "="
  in the name-value pair, an empty name, a control character anywhere (CTLs other
  than HTAB; the curl CVE-2022-35252 class), or a name plus value over 4096 octets.
- Attributes are processed left to right, each one seen once: the work is linear in
  the length of the line however many attributes it has. Unknown attributes, and any
  attribute whose value exceeds 1024 octets, are ignored; for a repeated attribute the
  last valid one wins (RFC 6265 section 5.3, "the last attribute in the
  cookie-attribute-list").
- Times are not resolved here: Max-Age stays relative, so the store decides "now".
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ._dates import parse_cookie_date

__all__ = ["SetCookie", "parse_set_cookie"]

# rfc6265bis, storage model: a line with a CTL other than HTAB is ignored entirely.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# rfc6265bis, "Cookie Name and Value Limits": name + value at most 4096 octets,
# each attribute value at most 1024 octets. Browsers enforce the same figures.
MAX_NAME_VALUE_OCTETS = 4096
MAX_ATTRIBUTE_OCTETS = 1024
_MAX_AGE = re.compile(r"-?[0-9]+\Z")
_SAME_SITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
_WSP = " \t"


def _octets(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class SetCookie(NamedTuple):
    """One parsed Set-Cookie header value: the cookie and its attributes, unresolved.

    An immutable named tuple. `domain` is lower-cased without its leading dot (None
    when absent or empty); `path` is None when absent or not starting with "/" (the
    store then uses the default-path); `max_age` is in seconds and `expires` in seconds
    since the epoch; `same_site` is "Strict", "Lax", "None" or None.

    >>> cookie = parse_set_cookie("sid=abc; Path=/; Max-Age=60; Secure; HttpOnly")
    >>> cookie
    <SetCookie sid=abc; Path=/; Max-Age=60; Secure; HttpOnly>
    >>> cookie.name, cookie.value, cookie.max_age, cookie.secure
    ('sid', 'abc', 60, True)
    """

    name: str
    value: str
    domain: str | None = None
    path: str | None = None
    expires: int | None = None
    max_age: int | None = None
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None

    def __repr__(self) -> str:
        parts = [f"{self.name}={self.value}"]
        if self.domain is not None:
            parts.append(f"Domain={self.domain}")
        if self.path is not None:
            parts.append(f"Path={self.path}")
        if self.expires is not None:
            parts.append(f"Expires={self.expires}")
        if self.max_age is not None:
            parts.append(f"Max-Age={self.max_age}")
        if self.secure:
            parts.append("Secure")
        if self.http_only:
            parts.append("HttpOnly")
        if self.same_site is not None:
            parts.append(f"SameSite={self.same_site}")
        return f"<SetCookie {'; '.join(parts)}>"


# Max-Age values longer than this are clamped rather than converted (int() of a huge
# digit string is slow, and refused past 4300 digits on Python 3.11+); the store caps
# lifetimes at 400 days anyway.
_MAX_AGE_DIGITS = 12
_HUGE_AGE = 10**_MAX_AGE_DIGITS


def parse_set_cookie(line: str) -> SetCookie | None:
    """Parse one Set-Cookie header value; None if RFC 6265 says to ignore it.

    >>> parse_set_cookie("lang=en-US; Domain=.Example.COM; SameSite=lax")
    <SetCookie lang=en-US; Domain=example.com; SameSite=Lax>
    >>> parse_set_cookie("no-equals-sign") is None
    True
    """
    if _CONTROL.search(line):
        return None
    pair, _, attributes = line.partition(";")
    name, equals, value = pair.partition("=")
    if not equals:
        return None
    name = name.strip(_WSP)
    value = value.strip(_WSP)
    if not name:
        return None
    # A UTF-8 character is at most 4 octets: only long text needs encoding to measure.
    if len(name) + len(value) > MAX_NAME_VALUE_OCTETS // 4 and (
        _octets(name) + _octets(value) > MAX_NAME_VALUE_OCTETS
    ):
        return None
    domain = path = same_site = None
    expires = max_age = None
    secure = http_only = False
    if attributes:
        for attribute in attributes.split(";"):
            key, _, argument = attribute.partition("=")
            key = key.strip(_WSP).lower()
            argument = argument.strip(_WSP)
            if len(argument) > MAX_ATTRIBUTE_OCTETS // 4 and (
                _octets(argument) > MAX_ATTRIBUTE_OCTETS
            ):
                continue
            if key == "path":
                path = argument if argument.startswith("/") else None
            elif key == "expires":
                date = parse_cookie_date(argument)
                if date is not None:
                    expires = date
            elif key == "max-age":
                if _MAX_AGE.match(argument):
                    negative = argument.startswith("-")
                    digits = argument.lstrip("-").lstrip("0") or "0"
                    age = _HUGE_AGE if len(digits) > _MAX_AGE_DIGITS else int(digits)
                    max_age = -age if negative else age
            elif key == "domain":
                if argument:
                    domain = argument.removeprefix(".").lower() or None
            elif key == "secure":
                secure = True
            elif key == "httponly":
                http_only = True
            elif key == "samesite":
                # An unknown value means "Default" enforcement (rfc6265bis), i.e. none.
                same_site = _SAME_SITE.get(argument.lower())
    return SetCookie(name, value, domain, path, expires, max_age, secure, http_only, same_site)
