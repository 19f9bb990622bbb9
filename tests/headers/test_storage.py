"""How Headers stores its input: bulk fast paths, the one-at-a-time path, codecs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_headers import InvalidHeader
from tether_headers._storage import (
    ascii_compatible,
    ascii_lower,
    coerce_pairs,
    decode_raw,
    detect,
    encode_raw,
    take,
    to_text,
)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("ascii", True),
        ("utf-8", True),
        ("UTF8", True),
        ("latin-1", True),
        ("cp1252", True),
        ("utf-16", False),
        ("utf-32", False),
        ("cp037", False),
    ],
)
def test_ascii_compatible(encoding: str, expected: bool) -> None:
    assert ascii_compatible(encoding) is expected


@pytest.mark.parametrize("encoding", ["nope", "hex", "base64", "rot13"])
def test_ascii_compatible_refuses_what_is_not_a_text_codec(encoding: str) -> None:
    with pytest.raises(InvalidHeader, match="is not a known text codec"):
        ascii_compatible(encoding)


def test_ascii_lower_lowers_ascii_letters_only() -> None:
    assert ascii_lower("X-Name") == "x-name"
    assert ascii_lower("X-\xc9") == "x-\xc9"  # É as one byte: bytes.lower() keeps it


def test_detect() -> None:
    assert detect(["x"], ["é".encode().decode("latin-1")]) == "utf-8"
    assert detect(["x"], ["\xff"]) == "iso-8859-1"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=8), st.binary(max_size=8)), max_size=6))
def test_decode_then_encode_gives_the_bytes_back(raw: list[tuple[bytes, bytes]]) -> None:
    names, values, ascii_only = decode_raw(raw)
    assert ascii_only == all(name.isascii() and value.isascii() for name, value in raw)
    assert encode_raw(names, values, plain=ascii_only) == raw
    assert encode_raw(names, values, plain=False) == raw


@pytest.mark.parametrize(
    ("headers", "raw", "names", "values"),
    [
        (None, None, [], []),
        ({}, None, [], []),
        ([], None, [], []),
        ({"A": "1"}, None, ["A"], ["1"]),
        ([("A", "1")], None, ["A"], ["1"]),
        ((("A", "1"),), None, ["A"], ["1"]),
        ([(b"A", b"1")], [(b"A", b"1")], [], []),
        ({b"A": b"1"}, [(b"A", b"1")], [], []),
        ([[b"A", b"1"]], None, ["A"], ["1"]),
        ([(b"A", b"1"), ("B", "2")], None, ["A", "B"], ["1", "2"]),
        ([("A", "1"), (b"B", b"\xff")], None, ["A", "B"], ["1", "\xff"]),
    ],
)
def test_take(
    headers: object, raw: list[tuple[bytes, bytes]] | None, names: list[str], values: list[str]
) -> None:
    assert take(headers, None, compatible=True) == (raw, names, values)


def test_take_keeps_bytes_pairs_as_given() -> None:
    pairs = [(b"A", b"1"), (b"B", b"2")]
    raw, _, _ = take(pairs, None, compatible=True)
    assert raw == pairs
    assert raw is not pairs
    assert all(mine is given for mine, given in zip(raw or [], pairs, strict=True))


def test_take_encodes_text_when_the_codec_changes_ascii() -> None:
    assert take({"A": "1"}, "utf-16", compatible=False) == (
        None,
        ["A".encode("utf-16").decode("latin-1")],
        ["1".encode("utf-16").decode("latin-1")],
    )


def test_coerce_pairs_reports_the_bad_pair() -> None:
    with pytest.raises(TypeError, match=r"pairs, got \['x'\]"):
        coerce_pairs([["x"]], "ascii", compatible=True)
    with pytest.raises(InvalidHeader, match=r"value of header 'X' cannot be encoded as ascii"):
        coerce_pairs([("X", "é")], "ascii", compatible=True)


def test_to_text() -> None:
    assert to_text("é", "utf-8") == "Ã©"
    assert to_text(b"\xff", "ascii") == "\xff"
    with pytest.raises(
        InvalidHeader, match=r"header name cannot be encoded as ascii; pass"
    ) as info:
        to_text("é", "ascii")
    assert info.value.name == "é"
    with pytest.raises(TypeError, match="header value of 'X' must be str or bytes, not float"):
        to_text(1.0, "ascii", b"X")
