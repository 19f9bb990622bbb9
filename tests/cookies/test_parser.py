"""The Set-Cookie parser (RFC 6265 section 5.2)."""

from __future__ import annotations

import pickle
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_cookies import SetCookie, parse_set_cookie


def test_name_value_and_every_attribute() -> None:
    parsed = parse_set_cookie(
        "sid=abc123; Domain=.Example.com; Path=/app; Expires=Wed, 21 Oct 2037 07:28:00 GMT;"
        " Max-Age=60; Secure; HttpOnly; SameSite=None; Partitioned; Priority=High"
    )
    assert parsed == SetCookie(
        "sid",
        "abc123",
        domain="example.com",
        path="/app",
        expires=2139722880,
        max_age=60,
        secure=True,
        http_only=True,
        same_site="None",
    )


def test_whitespace_around_names_values_and_attributes_is_trimmed() -> None:
    parsed = parse_set_cookie(" \tname \t=  value\t ;  PATH  =  /x  ;   secure ")
    assert parsed == SetCookie("name", "value", path="/x", secure=True)


def test_attribute_names_are_case_insensitive() -> None:
    parsed = parse_set_cookie("a=b; mAx-AgE=5; HTTPONLY; sAmEsItE=STRICT; dOmAiN=x.org")
    assert parsed == SetCookie(
        "a", "b", domain="x.org", max_age=5, http_only=True, same_site="Strict"
    )


def test_quoted_values_keep_their_quotes() -> None:
    # RFC 6265 5.2 does not unquote; browsers send the quotes back as received.
    parsed = parse_set_cookie('a="quoted value"; Path=/')
    assert parsed is not None
    assert parsed.value == '"quoted value"'


def test_value_may_contain_equals_signs_and_be_empty() -> None:
    assert parse_set_cookie("a=b=c==") == SetCookie("a", "b=c==")
    assert parse_set_cookie("a=") == SetCookie("a", "")


def test_non_ascii_values_are_kept() -> None:
    parsed = parse_set_cookie("name=välue-✓; Path=/")
    assert parsed is not None
    assert parsed.value == "välue-✓"


def test_duplicate_attributes_last_wins() -> None:
    parsed = parse_set_cookie("a=b; Path=/one; Path=/two; Max-Age=1; Max-Age=2; Secure; Secure")
    assert parsed == SetCookie("a", "b", path="/two", max_age=2, secure=True)


def test_later_invalid_path_resets_to_default() -> None:
    parsed = parse_set_cookie("a=b; Path=/one; Path=relative")
    assert parsed is not None
    assert parsed.path is None


def test_domain_of_only_a_dot_means_no_domain() -> None:
    parsed = parse_set_cookie("a=b; Domain=example.com; Domain=.")
    assert parsed is not None
    assert parsed.domain is None


@pytest.mark.parametrize(
    ("max_age", "expected"),
    [("10", 10), ("0", 0), ("-5", -5), ("007", 7), ("-0", 0), ("1" * 40, 10**12)],
)
def test_max_age_values(max_age: str, expected: int) -> None:
    parsed = parse_set_cookie(f"a=b; Max-Age={max_age}")
    assert parsed is not None
    assert parsed.max_age == expected


@pytest.mark.parametrize("max_age", ["", "-", "+5", "5s", "1.5", " ", "0x10", "٣"])
def test_invalid_max_age_is_ignored(max_age: str) -> None:
    parsed = parse_set_cookie(f"a=b; Max-Age={max_age}")
    assert parsed is not None
    assert parsed.max_age is None


@pytest.mark.parametrize(
    "line",
    ["", "novalue", "=value", " = value", ";a=b", "a=b\x00", "\x7fa=b", "a=b; Path=\x01"],
)
def test_lines_to_ignore_give_none(line: str) -> None:
    assert parse_set_cookie(line) is None


def test_repr_lists_the_attributes() -> None:
    parsed = parse_set_cookie("a=b; Domain=x.org; Path=/; Expires=Thu, 01 Jan 2037 00:00:00 GMT")
    assert repr(parsed) == "<SetCookie a=b; Domain=x.org; Path=/; Expires=2114380800>"
    assert repr(parse_set_cookie("a=b; SameSite=Lax")) == "<SetCookie a=b; SameSite=Lax>"


def test_set_cookie_is_immutable_and_pickles() -> None:
    parsed = parse_set_cookie("a=b; Secure")
    assert parsed is not None
    with pytest.raises(AttributeError):
        parsed.name = "c"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(parsed)) == parsed


# -- adversarial input: linear time, no exception ------------------------------------------------

_HUNDRED_KB = 100_000


@pytest.mark.parametrize(
    "line",
    [
        "a=" + "x" * _HUNDRED_KB,
        "a=b" + "; Secure" * (_HUNDRED_KB // 8),
        "a=b" + ";" * _HUNDRED_KB,
        "a=b; Expires=" + "1 " * (_HUNDRED_KB // 2),
        "a=b; Max-Age=" + "9" * _HUNDRED_KB,
        "a=b" + "; Expires=Wed, 21 Oct 2037 07:28:00 GMT" * 2500,
        "a=b" + "; Domain=" + "a." * (_HUNDRED_KB // 2),
        "=" * _HUNDRED_KB,
        "a=b; " + "x=" * (_HUNDRED_KB // 2),
        "a" * _HUNDRED_KB + "=b",
        "é" * _HUNDRED_KB + "=b",
    ],
    ids=lambda line: repr(line[:20]),
)
def test_hundred_kilobyte_lines_parse_quickly(line: str) -> None:
    start = time.perf_counter()
    parse_set_cookie(line)
    assert time.perf_counter() - start < 0.5


def test_thousands_of_attributes_keep_the_last() -> None:
    line = "a=b" + "".join(f"; Path=/p{i}" for i in range(5000))
    parsed = parse_set_cookie(line)
    assert parsed is not None
    assert parsed.path == "/p4999"


# -- properties ---------------------------------------------------------------------------------

_token = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=";="),
    min_size=1,
    max_size=20,
)
_value = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=";"),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_is_ignored_without_raising(line: str) -> None:
    parsed = parse_set_cookie(line)
    if parsed is not None:
        assert parsed.name
        assert "\x00" not in parsed.name + parsed.value
        assert ";" not in parsed.name + parsed.value


@settings(max_examples=200, deadline=None)
@given(
    name=_token,
    value=_value,
    path=st.one_of(st.none(), _value.map(lambda text: "/" + text)),
    max_age=st.one_of(st.none(), st.integers(-(10**9), 10**9)),
    secure=st.booleans(),
    http_only=st.booleans(),
    same_site=st.sampled_from([None, "Strict", "Lax", "None"]),
)
def test_well_formed_lines_round_trip(
    name: str,
    value: str,
    path: str | None,
    max_age: int | None,
    secure: bool,
    http_only: bool,
    same_site: str | None,
) -> None:
    parts = [f"{name}={value}"]
    if path is not None:
        parts.append(f"Path={path}")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    if same_site is not None:
        parts.append(f"SameSite={same_site.lower()}")
    parsed = parse_set_cookie("; ".join(parts))
    assert parsed == SetCookie(
        name,
        value,
        path=path,
        max_age=max_age,
        secure=secure,
        http_only=http_only,
        same_site=same_site,
    )
