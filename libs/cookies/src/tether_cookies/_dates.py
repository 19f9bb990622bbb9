"""The cookie-date parser of RFC 6265 section 5.1.1.

Invariants:
- Parsing is one regex scan for the date-tokens plus constant work per token, so it is
  linear in the input; callers already drop attribute values over 1024 octets
  (rfc6265bis, "The Set-Cookie Header Field": attribute values longer than 1024 octets
  are ignored).
- Every malformed date yields None (the Expires attribute is then ignored, RFC 6265
  section 5.2.1); nothing raises.
"""

from __future__ import annotations

import calendar
import re

__all__ = ["parse_cookie_date"]

# delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E; a date-token is a run of
# anything else.
_TOKEN = re.compile(r"[^\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
# Each production may be followed by a non-digit and then anything ("*OCTET").
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9]|\Z)")
_DAY = re.compile(r"([0-9]{1,2})(?:[^0-9]|\Z)")
_YEAR = re.compile(r"([0-9]{2,4})(?:[^0-9]|\Z)")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# Years past this are clamped: the store caps lifetimes far below it anyway.
_MAX_YEAR = 9999


def parse_cookie_date(text: str) -> int | None:
    """Parse an Expires value into seconds since the epoch (UTC), or None if malformed.

    >>> parse_cookie_date("Wed, 21 Oct 2015 07:28:00 GMT")
    1445412480
    >>> parse_cookie_date("not a date") is None
    True
    """
    time: tuple[int, int, int] | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    for token in _TOKEN.findall(text):
        if time is None:
            match = _TIME.match(token)
            if match:
                time = (int(match[1]), int(match[2]), int(match[3]))
                continue
        if day is None:
            match = _DAY.match(token)
            if match:
                day = int(match[1])
                continue
        if month is None:
            number = _MONTHS.get(token[:3].lower())
            if number is not None:
                month = number
                continue
        if year is None:
            match = _YEAR.match(token)
            if match:
                year = int(match[1])
    if time is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    year = min(year, _MAX_YEAR)
    if day > calendar.monthrange(year, month)[1]:
        return None
    return calendar.timegm((year, month, day, hour, minute, second))
