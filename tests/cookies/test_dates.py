"""The cookie-date algorithm of RFC 6265 section 5.1.1."""

from __future__ import annotations

import calendar
import datetime
import email.utils
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_cookies import parse_cookie_date

WHEN = calendar.timegm((2015, 10, 21, 7, 28, 0))


@pytest.mark.parametrize(
    "text",
    [
        "Wed, 21 Oct 2015 07:28:00 GMT",  # IMF-fixdate (RFC 9110)
        "Wednesday, 21-Oct-15 07:28:00 GMT",  # RFC 850
        "Wed Oct 21 07:28:00 2015",  # asctime()
        "21 Oct 2015 07:28:00",
        "Wed, 21-Oct-2015 07:28:00 UTC",
        "wed, 21 OCTOBER 2015 07:28:00 gmt",
        "2015 Oct 21 07:28:00",
        "07:28:00 21 Oct 2015",
        "Wed,21/Oct/2015;07:28:00",
        "Wed, 21 Oct 2015 7:28:0 GMT",
    ],
)
def test_formats_seen_in_the_wild(text: str) -> None:
    assert parse_cookie_date(text) == WHEN


@pytest.mark.parametrize(
    ("year", "full"), [("70", 1970), ("99", 1999), ("00", 2000), ("69", 2069), ("2038", 2038)]
)
def test_two_digit_years(year: str, full: int) -> None:
    assert parse_cookie_date(f"01 Jan {year} 00:00:00") == calendar.timegm((full, 1, 1, 0, 0, 0))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "Wed, 21 Oct 2015 GMT",  # no time
        "Wed, Oct 2015 07:28:00 GMT",  # no day of month
        "Wed, 21 2015 07:28:00 GMT",  # no month
        "Wed, 21 Oct 07:28:00 GMT",  # no year
        "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 0 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 1600 07:28:00 GMT",
        "Wed, 21 Oct 2015 24:00:00 GMT",
        "Wed, 21 Oct 2015 07:60:00 GMT",
        "Wed, 21 Oct 2015 07:28:60 GMT",
        "Fri, 30 Feb 2015 07:28:00 GMT",
        "Wed, 21 Oct 20155 07:28:00 GMT",
        "Wed, 210 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 007:28:00 GMT",
    ],
)
def test_malformed_dates_give_none(text: str) -> None:
    assert parse_cookie_date(text) is None


def test_leap_day_is_valid_only_in_leap_years() -> None:
    assert parse_cookie_date("29 Feb 2016 00:00:00") == calendar.timegm((2016, 2, 29, 0, 0, 0))
    assert parse_cookie_date("29 Feb 2015 00:00:00") is None


def test_years_beyond_9999_are_clamped() -> None:
    assert parse_cookie_date("01 Jan 99999 00:00:00") is None  # five digits: not a year
    assert parse_cookie_date("31 Dec 9999 23:59:59") == calendar.timegm((9999, 12, 31, 23, 59, 59))


def test_trailing_garbage_after_a_production_is_allowed() -> None:
    assert parse_cookie_date("21st Octember 2015xyz 07:28:00pm") == WHEN


def test_long_adversarial_input_is_linear() -> None:
    text = "1:1:1x " * 20_000 + "a" * 100_000
    start = time.perf_counter()
    assert parse_cookie_date(text) is None
    assert time.perf_counter() - start < 0.5


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime.datetime(1601, 1, 1), max_value=datetime.datetime(9999, 1, 1))
)
def test_http_dates_round_trip(moment: datetime.datetime) -> None:
    moment = moment.replace(microsecond=0, tzinfo=datetime.timezone.utc)
    text = email.utils.format_datetime(moment, usegmt=True)
    assert parse_cookie_date(text) == calendar.timegm(moment.utctimetuple())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_an_int_or_none(text: str) -> None:
    result = parse_cookie_date(text)
    assert result is None or isinstance(result, int)
