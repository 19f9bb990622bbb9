"""The shared grammar scanners: quoted-strings, commas, whitespace, quoting."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_headers._syntax import (
    as_text,
    find_comma,
    quote,
    read_quoted,
    skip_quoted,
    skip_whitespace,
)


@pytest.mark.parametrize(
    ("text", "pos", "expected"),
    [
        ('"abc" rest', 0, ("abc", 5)),
        ('x"a\\"b"', 1, ('a"b', 7)),
        ('"a\\\\"b', 0, ("a\\", 5)),
        ('"open', 0, ("open", 5)),
        ('"ends in \\', 0, ("ends in ", 9)),
        ('""', 0, ("", 2)),
        ('"a\\\nb"', 0, ("a\nb", 6)),
    ],
)
def test_read_quoted(text: str, pos: int, expected: tuple[str, int]) -> None:
    assert read_quoted(text, pos) == expected
    assert skip_quoted(text, pos) == expected[1]


@pytest.mark.parametrize(
    ("text", "pos", "expected"),
    [
        ("a,b", 0, 1),
        ("a,b", 2, -1),
        ('"a,b",c', 0, 5),
        ('"a\\",b",c', 0, 7),
        ('"unterminated,', 0, -1),
        ('x"', 0, -1),
        ("", 0, -1),
    ],
)
def test_find_comma(text: str, pos: int, expected: int) -> None:
    assert find_comma(text, pos) == expected


@pytest.mark.parametrize(
    ("text", "pos", "expected"),
    [(" \t x", 0, 3), ("x", 0, 0), ("a  ", 1, 3), ("\n", 0, 0)],
)
def test_skip_whitespace(text: str, pos: int, expected: int) -> None:
    assert skip_whitespace(text, pos) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", '""'),
        ("a b", '"a b"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("tab\t", '"tab\t"'),
        ("é", None),
        ("line\n", None),
        ("\x7f", None),
    ],
)
def test_quote(value: str, expected: str | None) -> None:
    assert quote(value) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.just("\t")))
def test_quote_then_read_round_trips(value: str) -> None:
    quoted = quote(value)
    assert quoted is not None
    assert read_quoted(quoted + ", rest", 0) == (value, len(quoted))


def _reference_find_comma(text: str, pos: int) -> int:
    quoted = escaped = False
    for index in range(pos, len(text)):
        char = text[index]
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            return index
    return -1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='a,"\\ ', max_size=30), st.integers(0, 5))
def test_find_comma_matches_a_character_by_character_reading(text: str, pos: int) -> None:
    pos = min(pos, len(text))
    assert find_comma(text, pos) == _reference_find_comma(text, pos)


def test_as_text() -> None:
    assert as_text("é", "x") == "é"
    assert as_text(b"\xe9", "x") == "é"
    with pytest.raises(TypeError, match="thing must be str or bytes, not float"):
        as_text(1.5, "thing")  # type: ignore[arg-type]


def test_scanners_are_linear() -> None:
    start = time.perf_counter()
    read_quoted('"' + "\\a" * 100_000 + '"', 0)
    find_comma('"x",' * 50_000, 0)
    find_comma('"' * 100_000, 0)
    quote("x" * 100_000)
    assert time.perf_counter() - start < 1.0
