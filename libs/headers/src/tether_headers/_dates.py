"""HTTP dates (RFC 9110 section 5.6.7): written as IMF-fixdate, read in all three forms.

* IMF-fixdate: ``Sun, 06 Nov 1994 08:49:37 GMT`` (the only form senders may generate);
* obsolete RFC 850: ``Sunday, 06-Nov-94 08:49:37 GMT``;
* obsolete asctime: ``Sun Nov  6 08:49:37 1994``.

Parsing is forgiving in the ways section 5.6.7 allows ("recipients ... ought to be
robust"): names in any case, a one-digit day, ``UTC`` for ``GMT``, surrounding whitespace;
the day name is not checked against the date. A second of 60 (a leap second, which the
grammar allows) reads as 59. Anything else returns None rather than raising: a bad
Expires or Last-Modified is common and is best treated as absent, as caches do
(RFC 9111 section 5.3: an invalid Expires means "already expired", which callers
express by the None). Results are timezone-aware datetimes in UTC.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from ._exceptions import InvalidHeader
from ._types import DateTypes

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTHS, start=1)}
_DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = "(" + "|".join(_MONTHS) + ")"
_TIME = r"(\d\d):(\d\d):(\d\d)"
_FLAGS = re.IGNORECASE | re.ASCII
_IMF_FIXDATE = re.compile(rf"{_DAY}, (\d\d?) {_MONTH} (\d{{4}}) {_TIME} (?:GMT|UTC)", _FLAGS)
_RFC850 = re.compile(rf"{_LONG_DAY}, (\d\d?)-{_MONTH}-(\d\d) {_TIME} (?:GMT|UTC)", _FLAGS)
_ASCTIME = re.compile(rf"{_DAY} {_MONTH} ( \d|\d\d?) {_TIME} (\d{{4}})", _FLAGS)
# The longest valid form ("Wednesday, 09-Nov-94 08:49:37 GMT") with room for padding; a
# longer input is not a date and is refused before any regex looks at it.
_MAX_LENGTH = 64


def _full_year(two_digits: int, current_year: int) -> int:
    """RFC 9110 section 5.6.7: a two-digit year more than 50 years ahead is in the past."""
    year = current_year - current_year % 100 + two_digits
    if year > current_year + 50:
        year -= 100
    elif year <= current_year - 50:
        year += 100
    return year


def parse_http_date(value: str | bytes) -> datetime | None:
    """Read an HTTP date in any of the three forms; None if `value` is not one.

    >>> parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")
    datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=datetime.timezone.utc)
    >>> parse_http_date("Sun Nov  6 08:49:37 1994") == parse_http_date(
    ...     "Sunday, 06-Nov-94 08:49:37 GMT"
    ... )
    True
    >>> parse_http_date("yesterday") is None
    True
    """
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    elif not isinstance(value, str):
        raise TypeError(f"an HTTP date must be str or bytes, not {type(value).__name__}")
    if len(value) > _MAX_LENGTH:
        return None
    value = value.strip(" \t")
    match = _IMF_FIXDATE.fullmatch(value)
    if match is not None:
        day, month, year, hour, minute, second = match.groups()
        full_year = int(year)
    else:
        match = _RFC850.fullmatch(value)
        if match is not None:
            day, month, year, hour, minute, second = match.groups()
            full_year = _full_year(int(year), datetime.now(timezone.utc).year)
        else:
            match = _ASCTIME.fullmatch(value)
            if match is None:
                return None
            month, day, hour, minute, second, year = match.groups()
            full_year = int(year)
    try:
        return datetime(
            full_year,
            _MONTH_NUMBERS[month.lower()],
            int(day),
            int(hour),
            int(minute),
            59 if second == "60" else int(second),
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None


def format_http_date(when: DateTypes | None = None) -> str:
    """Write a moment as an IMF-fixdate, the form RFC 9110 section 5.6.7 requires of senders.

    `when` is an aware datetime (converted to UTC), a naive one (taken to be UTC already),
    seconds since the epoch, or None for now. Fractions of a second are dropped. A moment
    that cannot be written (out of range, not finite) raises `InvalidHeader`.

    >>> from datetime import datetime, timezone
    >>> format_http_date(datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc))
    'Sun, 06 Nov 1994 08:49:37 GMT'
    >>> format_http_date(0)
    'Thu, 01 Jan 1970 00:00:00 GMT'
    """
    if when is None:
        when = time.time()
    if isinstance(when, datetime):
        moment = when
        if moment.tzinfo is not None:
            try:
                moment = moment.astimezone(timezone.utc)
            except (OverflowError, ValueError) as exc:
                raise InvalidHeader(f"cannot write {when!r} as an HTTP date: {exc}") from None
    elif isinstance(when, (int, float)) and not isinstance(when, bool):
        try:
            moment = datetime.fromtimestamp(when, timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise InvalidHeader(f"cannot write {when!r} as an HTTP date: {exc}") from None
    else:
        raise TypeError(
            f"an HTTP date is written from a datetime or a number, not {type(when).__name__}"
        )
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} GMT"
    )
