"""Parameters in header values: parsing, RFC 8187 extended values, charset, formatting."""

from __future__ import annotations

import email.message
import time
from collections.abc import Callable

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_headers import (
    InvalidHeader,
    content_type_charset,
    format_header_params,
    parse_header_params,
)
from tether_headers._params import _scan, _split_simply, decode_extended

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
TOKENS = st.text(st.sampled_from(TOKEN_CHARS), min_size=1, max_size=12)
PARAM_NAMES = TOKENS.filter(lambda name: not name.endswith("*"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html", ("text/html", {})),
        ("  text/html  ", ("text/html", {})),
        ("", ("", {})),
        ('text/html; charset="utf-8"', ("text/html", {"charset": "utf-8"})),
        ("text/html;charset=utf-8", ("text/html", {"charset": "utf-8"})),
        ("text/html ; CharSet = UTF-8 ", ("text/html", {"charset": "UTF-8"})),
        ('a; b="x\\"y\\\\z"', ("a", {"b": 'x"y\\z'})),
        ('a; b="semi;colon"; c=d', ("a", {"b": "semi;colon", "c": "d"})),
        ('a; b="comma, inside"', ("a", {"b": "comma, inside"})),
        ('a; b="\\a\\b"', ("a", {"b": "ab"})),
        ("a; b=1; B=2", ("a", {"b": "1"})),
        ("a; flag; b=2", ("a", {"flag": "", "b": "2"})),
        ("a;;; b=2;", ("a", {"b": "2"})),
        ("a; =orphan; b=2", ("a", {"b": "2"})),
        ("a; b=", ("a", {"b": ""})),
        ('a; b=""', ("a", {"b": ""})),
        ('a; b="unterminated; c=d', ("a", {"b": "unterminated; c=d"})),
        ('a; b="x"trailing; c=d', ("a", {"b": "x", "c": "d"})),
        ("a; b=spaces inside value", ("a", {"b": "spaces inside value"})),
        ("a; b=x=y", ("a", {"b": "x=y"})),
        ("a; b=\tc\t", ("a", {"b": "c"})),
        ('a; b="x\\', ("a", {"b": "x"})),
        ("a; b=café", ("a", {"b": "café"})),
        (
            "attachment; filename*=UTF-8''%E2%82%AC%20rates.txt",
            ("attachment", {"filename": "€ rates.txt"}),
        ),
        (
            "attachment; filename*=utf-8'en'%C3%A9.txt; filename=plain.txt",
            ("attachment", {"filename": "é.txt"}),
        ),
        (
            "attachment; filename=plain.txt; filename*=UTF-8''%C3%A9.txt",
            ("attachment", {"filename": "é.txt"}),
        ),
        (
            "attachment; filename*=ISO-8859-1''%E9.txt",
            ("attachment", {"filename": "é.txt"}),
        ),
        ("attachment; filename*=us-ascii''a%20b", ("attachment", {"filename": "a b"})),
        ("attachment; filename*=\"UTF-8''%C3%A9\"", ("attachment", {"filename": "é"})),
        # Unusable extended values are ignored, so the plain one (if any) stands.
        ("a; filename*=KOI8-R''%C1; filename=x", ("a", {"filename": "x"})),
        ("a; filename*=UTF-8''%FF; filename=x", ("a", {"filename": "x"})),
        ("a; filename*=no-quotes; filename=x", ("a", {"filename": "x"})),
        ("a; filename*=UTF-8'only-one", ("a", {})),
        ("a; *=UTF-8''x", ("a", {})),
        ("a; filename*", ("a", {})),
        ("a; title*=UTF-8''%C3%A9; title*=UTF-8''second", ("a", {"title": "é"})),
        ("a; b=%zz", ("a", {"b": "%zz"})),
    ],
)
def test_parse_header_params(value: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_header_params(value) == expected
    assert parse_header_params(value.encode("utf-8").decode("latin-1").encode("latin-1")) == (
        parse_header_params(value.encode("utf-8").decode("latin-1"))
    )


def test_parse_header_params_reads_bytes_as_latin1() -> None:
    assert parse_header_params(b"a; b=\xe9") == ("a", {"b": "é"})


def test_parse_header_params_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="header value must be str or bytes, not int"):
        parse_header_params(5)  # type: ignore[arg-type]


def _email_params(value: str) -> dict[str, str]:
    message = email.message.Message()
    message["content-type"] = value
    params: dict[str, str] = {}
    for name, param in (message.get_params() or [])[1:]:
        assert isinstance(param, str)
        params.setdefault(name, param)
    return params


WELL_FORMED = [
    'text/html; charset="utf-8"',
    "text/plain; charset=us-ascii; format=flowed",
    'multipart/form-data; boundary="----=_Part_0_123.456"',
    'attachment; filename="report 2024.pdf"; size=1024',
    'a; b="x\\"y"; c=d',
    'a; b="semi;colon"; c=d',
    "a; b=1; b=2",
    "a;b=1;c=2",
    "a; B=Upper",
    'a; b = "spaced"',
]


@pytest.mark.parametrize("value", WELL_FORMED)
def test_parameters_match_the_email_package(value: str) -> None:
    assert parse_header_params(value)[1] == _email_params(value)


# Names without "*" and "'" (the email package reads RFC 2231 continuations), values
# without backslashes: the email package miscounts quotes after an escaped backslash.
SIMPLE_NAMES = st.text(st.sampled_from("abcxyz0129-_."), min_size=1, max_size=8)
QUOTABLE = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="\\"), max_size=20
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(SIMPLE_NAMES, QUOTABLE, max_size=5))
def test_formatted_ascii_parameters_read_the_same_in_the_email_package(
    params: dict[str, str],
) -> None:
    formatted = format_header_params("text/plain", params)
    assert _email_params(formatted) == params


@settings(max_examples=200, deadline=None)
@given(
    TOKENS,
    st.dictionaries(PARAM_NAMES, st.text(max_size=30), max_size=6).filter(
        lambda params: len({name.lower() for name in params}) == len(params)
    ),
)
def test_format_then_parse_round_trips(main: str, params: dict[str, str]) -> None:
    formatted = format_header_params(main, params)
    assert parse_header_params(formatted) == (
        main,
        {name.lower(): value for name, value in params.items()},
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parse_never_fails_on_any_text(value: str) -> None:
    main, params = parse_header_params(value)
    assert isinstance(main, str)
    assert all(name == name.lower() and name for name in params)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=";=\"\\ \tab*'%", max_size=60))
def test_parse_never_fails_on_punctuation_soup(value: str) -> None:
    main, _ = parse_header_params(value)
    assert ";" not in main


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=";=\"x \t*'%,Ab", max_size=40))
def test_the_fast_split_reads_as_the_scanner_does(section: str) -> None:
    # Text without backslashes: when the fast path answers, it must agree.
    text = ";" + section
    fields = _split_simply(text[1:].split(";"))
    if fields is not None:
        assert fields == _scan(text, 0, len(text))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("UTF-8''%E2%82%AC", "€"),
        ("utf-8'de'%C3%BC", "ü"),
        ("ISO-8859-1''%FC", "ü"),
        ("US-ASCII''plain", "plain"),
        (" utf-8 ''x", "x"),
        ("UTF-8''", ""),
        ("UTF-8''%E2%82", None),
        ("latin-2''x", None),
        ("UTF-8'x", None),
        ("no quotes", None),
        ("US-ASCII''%FF", None),
    ],
)
def test_decode_extended(value: str, expected: str | None) -> None:
    assert decode_extended(value) == expected


CHARSETS = [
    "text/html; charset=utf-8",
    'text/html; charset="UTF-8"',
    "text/html; Charset=ISO-8859-1",
    "text/html; charset = latin-1",
    "text/html",
    "application/json; foo=bar",
    "text/plain; format=flowed; charset=us-ascii",
    "text/plain;charset=windows-1252",
    "text/plain; charset=utf-8; charset=latin-1",
    'text/plain; charset="  spaced  "',
    "",
]


@pytest.mark.parametrize("value", CHARSETS)
def test_content_type_charset_matches_httpx(value: str) -> None:
    oracle = httpx.Response(200, headers={"Content-Type": value}).charset_encoding
    expected = oracle.strip() if oracle is not None else None
    assert content_type_charset(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html; charset=", None),
        ('text/html; charset=""', None),
        ("text/html; charset=ütf-8", None),
        ("text/html; charset*=UTF-8''utf-8", "utf-8"),
        (b"text/html; charset=UTF-8", "utf-8"),
    ],
)
def test_content_type_charset_edge_cases(value: str | bytes, expected: str | None) -> None:
    assert content_type_charset(value) == expected


@pytest.mark.parametrize(
    ("main", "params", "expected"),
    [
        ("text/plain", {}, "text/plain"),
        ("text/plain", {"charset": "utf-8"}, "text/plain; charset=utf-8"),
        ("a", {"b": "two words"}, 'a; b="two words"'),
        ("a", {"b": ""}, 'a; b=""'),
        ("a", {"b": 'q"b\\s'}, 'a; b="q\\"b\\\\s"'),
        ("a", {"b": "semi;colon"}, 'a; b="semi;colon"'),
        ("a", {"b": "tab\there"}, 'a; b="tab\there"'),
        ("a", {"filename": "€.txt"}, "a; filename*=UTF-8''%E2%82%AC.txt"),
        ("a", {"b": "line\nbreak"}, "a; b*=UTF-8''line%0Abreak"),
        ("a", {"b": "!#$&+-.^_`|~"}, "a; b=!#$&+-.^_`|~"),
        ("a", {"b": "x y€"}, "a; b*=UTF-8''x%20y%E2%82%AC"),
        ("a", [("b", "1"), ("c", "2")], "a; b=1; c=2"),
        ("", {"b": "1"}, "; b=1"),
    ],
)
def test_format_header_params(
    main: str, params: dict[str, str] | list[tuple[str, str]], expected: str
) -> None:
    assert format_header_params(main, params) == expected


@pytest.mark.parametrize(
    ("main", "params", "error", "message"),
    [
        ("a;b", {}, InvalidHeader, r"must not hold ';': 'a;b'"),
        ("a\r\n", {}, InvalidHeader, r"must not hold '\\r'"),
        ("a\x00", {}, InvalidHeader, r"must not hold '\\x00'"),
        ("a", {"bad name": "x"}, InvalidHeader, r"parameter name 'bad name' is not a token"),
        ("a", {"": "x"}, InvalidHeader, r"parameter name '' is not a token"),
        ("a", {"name*": "x"}, InvalidHeader, r"without a trailing '\*'"),
        ("a", [("b", "1"), ("B", "2")], InvalidHeader, r"parameter 'B' is given twice"),
        ("a", {"b": "\ud800"}, InvalidHeader, r"parameter 'b' has a value that cannot be"),
        ("a", {"b": 1}, TypeError, r"must be str, got \('b', 1\)"),
        ("a", [(1, "x")], TypeError, r"must be str"),
        (b"a", {}, TypeError, r"main header value must be str, not bytes"),
    ],
)
def test_format_header_params_refuses_bad_input(
    main: object, params: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        format_header_params(main, params)  # type: ignore[arg-type]


def _fast(func: Callable[[], object], limit: float = 1.0) -> None:
    start = time.perf_counter()
    func()
    assert time.perf_counter() - start < limit


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a; b=" + "x" * 100_000, id="long-value"),
        pytest.param('a; b="' + "x" * 100_000, id="unterminated-quote"),
        pytest.param('a; b="' + "\\x" * 50_000 + '"', id="escapes"),
        pytest.param("a" + "; p=v" * 20_000, id="many-params"),
        pytest.param("a" + ";" * 100_000, id="semicolons"),
        pytest.param("a; b" + "=" * 100_000, id="equals"),
        pytest.param("a; " + " " * 100_000 + "b=c", id="spaces"),
        pytest.param("a; b=" + " " * 100_000 + "c", id="spaces-in-value"),
        pytest.param('a; b="' + '\\"' * 50_000, id="escaped-quotes"),
        pytest.param("a" + "; " + "'" * 100_000, id="quotes"),
        pytest.param("a; " + "".join(f"p{i}*=UTF-8''%41;" for i in range(10_000)), id="ext"),
        pytest.param("a; b=" + "é" * 100_000, id="non-ascii"),
        pytest.param("".join(f"; p{i}" for i in range(20_000)), id="flags"),
    ],
)
def test_adversarial_values_parse_quickly(value: str) -> None:
    _fast(lambda: parse_header_params(value))
    _fast(lambda: content_type_charset(value))


def test_many_parameters_are_all_read() -> None:
    value = "a" + "".join(f"; p{i}=v{i}" for i in range(10_000))
    params = parse_header_params(value)[1]
    assert len(params) == 10_000
    assert params["p9999"] == "v9999"


def test_formatting_is_fast_on_long_values() -> None:
    _fast(lambda: format_header_params("a", {"b": "x" * 100_000}))
    _fast(lambda: format_header_params("a", {"b": "é" * 100_000}))
    _fast(lambda: format_header_params("a", {f"p{i}": "v" for i in range(10_000)}))
