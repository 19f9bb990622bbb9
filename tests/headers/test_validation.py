"""Header name and value checks (RFC 9110 sections 5.1, 5.5, 5.6.2), with h11 as an oracle."""

from __future__ import annotations

import time

import h11
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tether_headers import InvalidHeader, validate_header_name, validate_header_value

TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _h11_accepts_name(name: bytes) -> bool:
    try:
        h11.Request(method="GET", target="/", headers=[(b"Host", b"x"), (name, b"v")])
    except h11.LocalProtocolError:
        return False
    return True


@pytest.mark.parametrize(
    "name",
    ["Content-Type", "x", "X-Token!#$%&'*+-.^_`|~", "0", TCHAR, b"Accept", b"a"],
)
def test_tokens_are_valid_names(name: str | bytes) -> None:
    validate_header_name(name)


@pytest.mark.parametrize(
    "name",
    ["", " ", "Bad Name", "X:", "X\r\n", "X\x00", "(x)", "a/b", 'a"b', "é", "a\tb", "x{", b"x\xff"],
)
def test_non_tokens_are_refused(name: str | bytes) -> None:
    with pytest.raises(InvalidHeader, match="header name") as info:
        validate_header_name(name)
    assert info.value.name is not None


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=6) | st.text(TCHAR + ' :;,"()/é\x7f', max_size=6))
def test_names_are_judged_as_h11_judges_them(name: bytes | str) -> None:
    raw = name if isinstance(name, bytes) else name.encode("utf-8")
    # h11 also judges these by meaning (a second Host, a Content-Length of "v"), which
    # is not the syntax this property compares.
    assume(raw.lower() not in (b"host", b"content-length", b"transfer-encoding"))
    try:
        validate_header_name(raw)
    except InvalidHeader:
        accepted = False
    else:
        accepted = True
    assert accepted == _h11_accepts_name(raw)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "text/html",
        "  padded  ",
        "tab\tinside",
        "ctl \x01 \x7f kept",
        "é",
        b"\xff\xfe",
        "x" * 10_000,
    ],
)
def test_values_without_cr_lf_nul_are_valid(value: str | bytes) -> None:
    validate_header_value("X-Name", value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "a\rb",
            r"header 'X-Name' has a value with CR at index 1 \(RFC 9110 section 5\.5\): 'a\\rb'",
        ),
        ("a\nb", r"with LF at index 1"),
        ("\x00", r"with NUL at index 0"),
        (b"ok\r\n", r"with CR at index 2"),
        ("a\r\nSet-Cookie: x=1", r"'a\\r\\nSet-Cookie: x=1'"),
    ],
)
def test_values_with_cr_lf_nul_are_refused(value: str | bytes, message: str) -> None:
    with pytest.raises(InvalidHeader, match=message) as info:
        validate_header_value("X-Name", value)
    assert info.value.name == "X-Name"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_values_are_refused_exactly_when_they_hold_cr_lf_or_nul(value: str) -> None:
    forbidden = any(char in value for char in "\r\n\x00")
    try:
        validate_header_value("X", value)
    except InvalidHeader:
        assert forbidden
    else:
        assert not forbidden


@pytest.mark.parametrize("name", ["Authorization", "PROXY-AUTHORIZATION", "cookie", b"Set-Cookie"])
def test_secret_values_are_redacted(name: str | bytes) -> None:
    with pytest.raises(InvalidHeader) as info:
        validate_header_value(name, "s3cr3t\r\n")
    assert "s3cr3t" not in str(info.value)
    assert "[secure]" in str(info.value)


def test_long_bad_values_are_shown_around_the_bad_character() -> None:
    value = "a" * 50_000 + "\n" + "b" * 50_000
    with pytest.raises(InvalidHeader) as info:
        validate_header_value("X", value)
    message = str(info.value)
    assert "index 50000" in message
    assert "\\n" in message
    assert "(100001 characters)" in message
    assert len(message) < 250


def test_long_bad_names_are_shown_cut() -> None:
    with pytest.raises(InvalidHeader) as info:
        validate_header_name("x" * 100_000 + " ")
    assert len(str(info.value)) < 250


def test_wrong_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match="header name must be str or bytes, not int"):
        validate_header_name(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="header value must be str or bytes, not NoneType"):
        validate_header_value("X", None)  # type: ignore[arg-type]


def test_checks_are_fast_on_huge_input() -> None:
    start = time.perf_counter()
    validate_header_name("x" * 100_000)
    validate_header_value("X", "v" * 100_000)
    with pytest.raises(InvalidHeader):
        validate_header_name("x" * 100_000 + "(")
    assert time.perf_counter() - start < 1.0
