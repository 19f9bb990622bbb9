"""Charsets, the encoding to use, and incremental text decoding, against httpx."""

from __future__ import annotations

import time
from typing import Any, cast

import httpx
import pytest
from httpx._decoders import TextDecoder as HttpxTextDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.content._support import chunk_sizes, split
from tether_content import (
    InvalidInput,
    TextDecoder,
    charset_from_content_type,
    resolve_encoding,
)

CONTENT_TYPES = [
    "text/html; charset=utf-8",
    "text/html; charset=UTF-8",
    'text/html; charset="ISO-8859-1"',
    "text/html;charset=latin-1",
    "text/html ; Charset = shift_jis ",
    "text/plain; format=flowed; charset=koi8-r",
    "text/plain; charset=utf-8; charset=latin-1",
    'text/plain; name="a;b"; charset=cp1252',
    'text/plain; note="say \\"charset=x\\""; charset=ascii',
    "text/plain; charset=",
    'text/plain; charset=""',
    "text/plain; charset=ütf-8",
    "text/plain; charset",
    "text/plain",
    "application/json",
    "",
    "text/plain; charset=no-such-codec",
    "text/plain; charset=base64",
]


def httpx_charset(content_type: str) -> str | None:
    response = httpx.Response(200, headers=[(b"Content-Type", content_type.encode("utf-8"))])
    charset = response.charset_encoding
    return charset or None


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_charset_matches_httpx(content_type: str) -> None:
    assert charset_from_content_type(content_type) == httpx_charset(content_type)


param_text = st.text(alphabet=st.sampled_from("abcXYZ019-_ ;=\t/.+"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(prefix=param_text, value=st.from_regex(r"[A-Za-z0-9_\-]{0,12}", fullmatch=True))
def test_charset_matches_httpx_for_generated_headers(prefix: str, value: str) -> None:
    content_type = f"text/plain;{prefix}; charset={value}"
    assert charset_from_content_type(content_type) == httpx_charset(content_type)


def test_charset_accepts_bytes_and_none() -> None:
    assert charset_from_content_type(b"text/plain; charset=Latin-1") == "latin-1"
    assert charset_from_content_type(None) is None


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("default", ["utf-8", "latin-1", "ascii"])
def test_encoding_resolution_matches_httpx(content_type: str, default: str) -> None:
    if content_type.endswith("base64"):
        return  # httpx would use the base64 codec for text; see the next test
    response = httpx.Response(
        200, headers=[(b"Content-Type", content_type.encode())], default_encoding=default
    )
    assert resolve_encoding(content_type, default) == response.encoding


@pytest.mark.parametrize("charset", ["base64", "zlib", "rot13", "hex", "undefined"])
def test_a_non_text_codec_charset_is_ignored(charset: str) -> None:
    # A server must not be able to turn .text into a decompressor.
    assert resolve_encoding(f"text/plain; charset={charset}") == "utf-8"


def test_a_callable_default_guesses_from_the_content() -> None:
    seen: list[bytes] = []

    def guess(content: bytes) -> str | None:
        seen.append(content)
        return "cp1252" if content else None

    assert resolve_encoding("text/plain", guess, b"\x80") == "cp1252"
    assert resolve_encoding("text/plain", guess, b"") == "utf-8"
    assert resolve_encoding("text/plain", guess) == "utf-8"  # nothing read yet
    assert resolve_encoding("text/plain; charset=ascii", guess, b"x") == "ascii"
    assert seen == [b"\x80", b""]
    for content in (b"\x80", b""):
        response = httpx.Response(200, content=content, default_encoding=cast(Any, guess))
        assert resolve_encoding(None, guess, content) == response.encoding


def test_bad_defaults_raise_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="default_encoding gave 'nope'"):
        resolve_encoding(None, "nope")

    def weird(content: bytes) -> str:
        return "rot13"

    with pytest.raises(InvalidInput, match=r"default_encoding weird\(\) gave 'rot13'"):
        resolve_encoding(None, weird, b"x")
    with pytest.raises(InvalidInput, match="must be an encoding name or a function, got int"):
        resolve_encoding(None, 3)  # type: ignore[arg-type]


encodings = st.sampled_from(
    ["utf-8", "utf-16", "utf-16-le", "latin-1", "shift_jis", "gb18030", "cp1252"]
)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=200), encoding=encodings, sizes=chunk_sizes, junk=st.binary(max_size=5)
)
def test_incremental_decoding_matches_httpx(
    text: str, encoding: str, sizes: list[int], junk: bytes
) -> None:
    data = text.encode(encoding, errors="replace") + junk
    theirs = HttpxTextDecoder(encoding)
    ours = TextDecoder(encoding)
    expected = "".join(theirs.decode(piece) for piece in split(data, sizes)) + theirs.flush()
    got = "".join(ours.decode(piece) for piece in split(data, sizes)) + ours.flush()
    assert got == expected
    assert ours.encoding == encoding


def test_a_character_split_across_chunks_waits_for_its_last_byte() -> None:
    decoder = TextDecoder("utf-8")
    snowman = "☃".encode()
    assert decoder.decode(snowman[:1]) == ""
    assert decoder.decode(snowman[1:2]) == ""
    assert decoder.decode(snowman[2:]) == "☃"
    assert decoder.decode(b"\xe2") == ""
    assert decoder.flush() == "\ufffd"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("no-such-codec",), "'no-such-codec' is not a known text encoding"),
        (("base64",), "not a known text encoding"),
        ((3,), "3 is not a known text encoding"),
        (("utf-8", "no-handler"), "'no-handler' is not a codecs error handler"),
    ],
)
def test_bad_text_decoders_raise_invalid_input(args: Any, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        TextDecoder(*args)


def test_strict_errors_can_be_asked_for() -> None:
    with pytest.raises(UnicodeDecodeError):
        TextDecoder("utf-8", "strict").decode(b"\xff")


def test_adversarial_content_types_parse_in_linear_time() -> None:
    start = time.perf_counter()
    for content_type in (
        "text/plain" + '; a="' * 25_000,
        "text/plain" + ";" * 100_000,
        "text/plain; a=" + '\\"' * 50_000,
        "text/plain; " + "x=y; " * 20_000 + "charset=ascii",
    ):
        charset_from_content_type(content_type)
    assert charset_from_content_type("text/plain; " + "x=y; " * 20_000 + "charset=ascii") == "ascii"
    assert time.perf_counter() - start < 1
