"""HTTP dates: IMF-fixdate written; IMF-fixdate, RFC 850 and asctime read."""

from __future__ import annotations

import email.utils
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_headers import InvalidHeader, format_http_date, parse_http_date
from tether_headers._dates import _full_year

UTC = timezone.utc
NOV_6_1994 = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", NOV_6_1994),
        ("Sunday, 06-Nov-94 08:49:37 GMT", NOV_6_1994),
        ("Sun Nov  6 08:49:37 1994", NOV_6_1994),
        ("Sun Nov 06 08:49:37 1994", NOV_6_1994),
        ("  Sun, 06 Nov 1994 08:49:37 GMT\t", NOV_6_1994),
        ("sun, 06 nov 1994 08:49:37 gmt", NOV_6_1994),
        ("SUN, 06 NOV 1994 08:49:37 UTC", NOV_6_1994),
        ("Sun, 6 Nov 1994 08:49:37 GMT", NOV_6_1994),
        # The day name is not checked against the date.
        ("Mon, 06 Nov 1994 08:49:37 GMT", NOV_6_1994),
        (b"Sun, 06 Nov 1994 08:49:37 GMT", NOV_6_1994),
        ("Thu, 01 Jan 1970 00:00:00 GMT", datetime(1970, 1, 1, tzinfo=UTC)),
        ("Fri, 31 Dec 9999 23:59:59 GMT", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("Sat, 01 Jan 0001 00:00:00 GMT", datetime(1, 1, 1, tzinfo=UTC)),
        ("Tue, 30 Jun 2015 23:59:60 GMT", datetime(2015, 6, 30, 23, 59, 59, tzinfo=UTC)),
        ("Thu, 29 Feb 2024 12:00:00 GMT", datetime(2024, 2, 29, 12, tzinfo=UTC)),
        ("Wednesday, 29-Feb-24 12:00:00 GMT", datetime(2024, 2, 29, 12, tzinfo=UTC)),
    ],
)
def test_parse_http_date(value: str | bytes, expected: datetime) -> None:
    parsed = parse_http_date(value)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "0",
        "-1",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 PST",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 30 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sat, 01 Jan 0000 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT" + " " * 100,
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun Nov  6 08:49:37 94",
        "Sun, ٠٦ Nov ١٩٩٤ 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\n",
        "x" * 100_000,
    ],
)
def test_invalid_dates_are_none(value: str) -> None:
    assert parse_http_date(value) is None


def test_parse_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="not int"):
        parse_http_date(784111777)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("two_digits", "current", "expected"),
    [
        (94, 2025, 1994),
        (25, 2025, 2025),
        (75, 2025, 2075),
        (76, 2025, 1976),
        (0, 2025, 2000),
        (99, 2000, 1999),
        (50, 2000, 2050),
        (51, 2000, 1951),
        (10, 2080, 2110),
        (31, 2080, 2031),
        (30, 2080, 2130),
    ],
)
def test_two_digit_years_are_within_fifty_years(
    two_digits: int, current: int, expected: int
) -> None:
    assert _full_year(two_digits, current) == expected


def test_rfc850_years_are_read_relative_to_now() -> None:
    this_year = datetime.now(UTC).year
    parsed = parse_http_date(f"Monday, 01-Jan-{this_year % 100:02d} 00:00:00 GMT")
    assert parsed is not None
    assert parsed.year == this_year


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (NOV_6_1994, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (datetime(1994, 11, 6, 8, 49, 37), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (
            datetime(1994, 11, 6, 9, 49, 37, 999_999, tzinfo=timezone(timedelta(hours=1))),
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784111777.9, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (datetime(1, 1, 1), "Mon, 01 Jan 0001 00:00:00 GMT"),
        (datetime(999, 5, 4, 3, 2, 1), "Sat, 04 May 0999 03:02:01 GMT"),
    ],
)
def test_format_http_date(when: datetime | float, expected: str) -> None:
    assert format_http_date(when) == expected


def test_format_defaults_to_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    written = parse_http_date(format_http_date())
    assert written is not None
    assert before <= written <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("when", "error", "message"),
    [
        (float("nan"), InvalidHeader, "cannot write nan as an HTTP date"),
        (float("inf"), InvalidHeader, "cannot write inf"),
        (1e20, InvalidHeader, "cannot write 1e"),
        (
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
            InvalidHeader,
            "cannot write datetime",
        ),
        ("Sun, 06 Nov 1994", TypeError, "not str"),
        (True, TypeError, "not bool"),
    ],
)
def test_format_refuses_what_it_cannot_write(
    when: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        format_http_date(when)  # type: ignore[arg-type]


MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 1),
    max_value=datetime(9999, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
)


@settings(max_examples=200, deadline=None)
@given(MOMENTS)
def test_format_then_parse_round_trips(moment: datetime) -> None:
    assert parse_http_date(format_http_date(moment)) == moment.replace(microsecond=0)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=253_402_300_799))
def test_format_matches_the_email_package(seconds: int) -> None:
    assert format_http_date(seconds) == email.utils.formatdate(seconds, usegmt=True)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    )
)
def test_parse_matches_the_email_package(moment: datetime) -> None:
    text = format_http_date(moment)
    assert parse_http_date(text) == email.utils.parsedate_to_datetime(text)


@settings(max_examples=200, deadline=None)
@given(MOMENTS)
def test_all_three_forms_agree(moment: datetime) -> None:
    asctime = moment.strftime("%a %b ") + f"{moment.day:2d}" + moment.strftime(" %H:%M:%S ")
    asctime += f"{moment.year:04d}"
    assert parse_http_date(asctime) == moment.replace(microsecond=0)
    this_year = datetime.now(UTC).year
    if abs(moment.year - this_year) < 50:
        long_day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        rfc850 = f"{long_day[moment.weekday()]}, {moment.day:02d}-{moment.strftime('%b')}-"
        rfc850 += f"{moment.year % 100:02d} {moment.strftime('%H:%M:%S')} GMT"
        assert parse_http_date(rfc850) == moment.replace(microsecond=0)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parse_never_fails(value: str) -> None:
    parsed = parse_http_date(value)
    assert parsed is None or parsed.tzinfo is UTC


def test_long_input_is_refused_quickly() -> None:
    start = time.perf_counter()
    for _ in range(100):
        parse_http_date("Sun, 06 Nov 1994 " * 6_000)
    assert time.perf_counter() - start < 1.0
