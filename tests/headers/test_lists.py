"""Comma-separated header lists that respect quoted-strings."""

from __future__ import annotations

import time

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_headers import parse_header_list


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("gzip", ["gzip"]),
        ("gzip, br", ["gzip", "br"]),
        ("gzip,br", ["gzip", "br"]),
        (" gzip ,\tbr\t", ["gzip", "br"]),
        (",,gzip,, ,br,", ["gzip", "br"]),
        ('"a, b", c', ['"a, b"', "c"]),
        ('W/"x,y", "z"', ['W/"x,y"', '"z"']),
        ('a="q\\",x", b', ['a="q\\",x"', "b"]),
        ('"unterminated, x', ['"unterminated, x']),
        ('a, "b\\', ["a", '"b\\']),
        ("no-cache, max-age=0", ["no-cache", "max-age=0"]),
        ('private="x, y", no-store', ['private="x, y"', "no-store"]),
        ("été, naïve", ["été", "naïve"]),
        (b"a, \xe9", ["a", "é"]),
    ],
)
def test_parse_header_list(value: str | bytes, expected: list[str]) -> None:
    assert parse_header_list(value) == expected


@pytest.mark.parametrize(
    "value",
    ["gzip, br", "a,b,,c", " x , y ", "deflate", "identity, gzip, br, zstd", ""],
)
def test_agrees_with_httpx_split_when_nothing_is_quoted(value: str) -> None:
    oracle = httpx.Headers({"X": value}).get_list("x", split_commas=True)
    assert parse_header_list(value) == [item for item in oracle if item]


ELEMENTS = st.one_of(
    st.text(st.sampled_from("abcXYZ019-_/.=!#*"), min_size=1, max_size=10),
    st.text(st.sampled_from('ab ,;\\"'), max_size=10).map(
        lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ELEMENTS, max_size=8), st.sampled_from([",", ", ", " ,\t", ",,"]))
def test_join_then_parse_round_trips(elements: list[str], separator: str) -> None:
    assert parse_header_list(separator.join(elements)) == elements


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_elements_are_never_empty_or_padded(value: str) -> None:
    for element in parse_header_list(value):
        assert element
        assert element == element.strip(" \t")


def test_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="not list"):
        parse_header_list(["a"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a," * 50_000, id="commas"),
        pytest.param('"' * 100_000, id="quotes"),
        pytest.param('"' + "\\" * 100_000, id="backslashes"),
        pytest.param('"x' + ", y" * 30_000, id="unterminated"),
        pytest.param('"a",' * 25_000, id="quoted-elements"),
        pytest.param(" " * 100_000, id="spaces"),
    ],
)
def test_adversarial_lists_parse_quickly(value: str) -> None:
    start = time.perf_counter()
    parse_header_list(value)
    assert time.perf_counter() - start < 1.0
