"""encode_request / encode_response: the exact bytes on the wire, against httpx 0.28."""

from __future__ import annotations

import asyncio
import io
import json as jsonlib
import math
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.content._support import ajoin, httpx_wire, iterate, wire
from tether_content import (
    AsyncIteratorStream,
    ByteStream,
    InvalidInput,
    IteratorStream,
    encode_request,
    encode_response,
)

CONTENTS: list[Any] = [
    b"",
    b"hello",
    "",
    "héllo wörld ☃",
    b"\x00\xff" * 1000,
    [b"a", b"bc"],
    (b"x",),
]


@pytest.mark.parametrize("content", CONTENTS, ids=repr)
def test_content_matches_httpx(content: Any) -> None:
    assert wire(*encode_request(method="POST", content=content)) == httpx_wire(content=content)


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE", "OPTIONS", "POST", "PUT", "PATCH"])
@pytest.mark.parametrize(
    "kwargs", [{}, {"content": b""}, {"content": ""}, {"data": {}}, {"json": None}], ids=repr
)
def test_empty_body_headers_match_httpx_per_method(method: str, kwargs: dict[str, Any]) -> None:
    headers, stream = encode_request(method=method, **kwargs)
    assert wire(headers, stream) == httpx_wire(method, **kwargs)
    assert list(stream) == []


def test_empty_body_without_method_implies_no_headers() -> None:
    headers, stream = encode_request()
    assert headers == {}
    assert isinstance(stream, ByteStream)
    assert stream.content == b""


def test_a_generator_is_sent_chunked() -> None:
    headers, stream = encode_request(content=iterate([b"ab", b"", b"c"]))
    assert headers == {"Transfer-Encoding": "chunked"}
    assert list(stream) == [b"ab", b"c"]  # the empty chunk is dropped
    expected = httpx_wire(content=iterate([b"ab", b"c"]))
    assert wire(*encode_request(method="POST", content=iterate([b"ab", b"c"]))) == expected


def test_a_file_is_sent_with_its_length(tmp_path: Path) -> None:
    path = tmp_path / "body.bin"
    path.write_bytes(b"0123456789" * 10_000)
    with path.open("rb") as ours, path.open("rb") as theirs:
        assert wire(*encode_request(method="POST", content=ours)) == httpx_wire(content=theirs)


def test_a_file_opened_midway_sends_what_is_left(tmp_path: Path) -> None:
    # httpx announces the whole file's size here but sends only the rest: a broken
    # request. The length must match the bytes sent.
    path = tmp_path / "body.bin"
    path.write_bytes(b"0123456789")
    with path.open("rb") as file:
        file.seek(4)
        headers, stream = encode_request(content=file)
        assert headers == {"Content-Length": "6"}
        assert b"".join(stream) == b"456789"


def test_bytes_like_content_is_sent_as_bytes() -> None:
    for content in (bytearray(b"abc"), memoryview(b"abc")):
        headers, stream = encode_request(content=content)  # type: ignore[arg-type]
        assert headers == {"Content-Length": "3"}
        assert list(stream) == [b"abc"]


def test_async_content_is_chunked_and_async_only() -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    headers, stream = encode_request(content=source())
    assert headers == {"Transfer-Encoding": "chunked"}
    assert isinstance(stream, AsyncIteratorStream)
    assert asyncio.run(ajoin(stream)) == b"ab"


FORMS: list[dict[str, Any]] = [
    {"a": "1"},
    {"a": ["1", "2"], "b": "x y"},
    {"flag": True, "off": False, "none": None, "int": 3, "float": 1.5},
    {"list": [1, True, None, 2.25], "tuple": ("a", "b")},
    {"ünï": "ç@d€", "sp ace": "a+b&c=d/é?#"},
    {"empty": "", "emptylist": []},
    {"nested": [[1, 2]], "obj": {"k": "v"}},
]


@pytest.mark.parametrize("data", FORMS, ids=repr)
def test_urlencoded_form_matches_httpx(data: dict[str, Any]) -> None:
    assert wire(*encode_request(method="POST", data=data)) == httpx_wire(data=data)


form_values = st.one_of(
    st.text(max_size=10),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), form_values, min_size=1, max_size=5))
def test_urlencoded_form_matches_httpx_for_any_form(data: dict[str, Any]) -> None:
    try:
        expected = httpx_wire(data=data)
    except UnicodeEncodeError:
        with pytest.raises(InvalidInput, match="UTF-8"):
            encode_request(data=data)
        return
    assert wire(*encode_request(method="POST", data=data)) == expected


def test_urlencoded_text_that_is_not_utf8_encodable_is_refused() -> None:
    with pytest.raises(InvalidInput, match="a form field in data= cannot be encoded as UTF-8"):
        encode_request(data={"k": "\udc80"})


def test_urlencoded_bytes_values_are_percent_encoded() -> None:
    # httpx sends str(b"...") here, "b%27...%27"; the raw bytes are what was meant.
    _, stream = encode_request(data={"k": b"\xff a"})
    assert b"".join(stream) == b"k=%FF+a"


JSONS: list[Any] = [
    {"a": 1, "b": [1, 2.5, None, True, False], "c": {"d": "é☃"}},
    [],
    {},
    0,
    "text",
    1e300,
    -0.0,
    {"emoji": "\U0001f600", "quote": '"\\/', "ctl": "\x00\x1f\n"},
    [[[[]]]],
]


@pytest.mark.parametrize("value", JSONS, ids=repr)
def test_json_matches_httpx_byte_for_byte(value: Any) -> None:
    assert wire(*encode_request(method="POST", json=value)) == httpx_wire(json=value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_json_matches_httpx_for_any_value(value: Any) -> None:
    try:
        expected = httpx_wire(json=value)
    except (ValueError, UnicodeEncodeError):
        with pytest.raises(InvalidInput):
            encode_request(json=value)
        return
    assert wire(*encode_request(method="POST", json=value)) == expected


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (math.nan, "JSON"),
        ({"x": math.inf}, "JSON"),
        ({"x": object()}, "not JSON serializable"),
        ({1j: 1}, "keys must be"),
        ("\ud800", "UTF-8"),
    ],
)
def test_json_that_cannot_be_sent_raises_invalid_input(value: Any, match: str) -> None:
    with pytest.raises(InvalidInput, match=match) as info:
        encode_request(json=value)
    assert isinstance(info.value, (TypeError, ValueError))


def test_circular_and_deep_json_raise_invalid_input() -> None:
    circular: list[Any] = []
    circular.append(circular)
    with pytest.raises(InvalidInput, match="Circular"):
        encode_request(json=circular)
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidInput, match="JSON"):
        encode_request(json=deep)


def test_data_as_bytes_is_deprecated_but_sent_as_content() -> None:
    with pytest.warns(DeprecationWarning, match="is deprecated since") as record:
        headers, stream = encode_request(data=b"raw")  # type: ignore[arg-type]
    message = str(record[0].message)
    assert message == (
        "data=<bytes, str or iterable> is deprecated since tether-content 0.1.0 (as in httpx); "
        "use content=<...> to upload raw bytes/text content instead"
    )
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = httpx_wire(data=b"raw")
    assert wire(headers, stream) == expected


def test_data_as_str_or_iterable_is_deprecated_too() -> None:
    with pytest.warns(DeprecationWarning, match=r"deprecated since .*; use content="):
        headers, stream = encode_request(data="héllo")  # type: ignore[arg-type]
    assert b"".join(stream) == "héllo".encode()
    with pytest.warns(DeprecationWarning, match="data=<bytes, str or iterable>"):
        headers, stream = encode_request(data=[b"a", b"b"])  # type: ignore[arg-type]
    assert headers == {"Transfer-Encoding": "chunked"}


def test_argument_priority_is_httpx_s() -> None:
    headers, stream = encode_request(content=b"c", data={"d": "1"}, json={"j": 1})
    assert b"".join(stream) == b"c"
    headers, stream = encode_request(data={"d": "1"}, json={"j": 1})
    assert b"".join(stream) == b"d=1"
    headers, stream = encode_request(files={}, data={"d": "1"})
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    headers, stream = encode_request(files={"f": b"x"}, json={"j": 1}, boundary=b"b")
    assert headers["Content-Type"] == "multipart/form-data; boundary=b"


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ({"a": "b"}, "use data= for form fields"),
        (42, "got int"),
        (None.__class__, "got type"),
        ("\udcff", "UTF-8"),
    ],
)
def test_unusable_content_raises_invalid_input(content: Any, match: str) -> None:
    with pytest.raises(InvalidInput, match=match) as info:
        encode_request(content=content)
    assert isinstance(info.value, TypeError)


def test_text_mode_file_content_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("x")
    with path.open() as file, pytest.raises(InvalidInput, match="binary mode"):
        encode_request(content=file)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="binary mode"):
        encode_request(content=io.StringIO("x"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": b"bytes"},
        {"content": "text ☃"},
        {"text": "plain ☃"},
        {"text": ""},
        {"html": "<p>é</p>"},
        {"json": {"a": [1, "é"]}},
        {"content": [b"a", b"b"]},
        {},
    ],
    ids=repr,
)
def test_response_encoding_matches_httpx(kwargs: dict[str, Any]) -> None:
    response = __import__("httpx").Response(200, **kwargs)
    expected = ([(k, v) for k, v in response.headers.raw], b"".join(response.stream))
    assert wire(*encode_response(**kwargs)) == expected


def test_response_text_must_be_str() -> None:
    with pytest.raises(InvalidInput, match="text= must be str, got bytes"):
        encode_response(text=b"x")  # type: ignore[arg-type]


def test_response_content_iterator_is_an_iterator_stream() -> None:
    headers, stream = encode_response(content=iterate([b"a"]))
    assert isinstance(stream, IteratorStream)
    assert headers == {"Transfer-Encoding": "chunked"}


def test_large_adversarial_inputs_encode_in_linear_time() -> None:
    start = time.perf_counter()
    big = '"\\\r\n%&=+' * 12_500  # 100 KB of every character that needs escaping
    _, stream = encode_request(data={big: big})
    assert len(b"".join(stream)) > 200_000
    _, stream = encode_request(json={big: [big] * 3})
    assert jsonlib.loads(b"".join(stream)) == {big: [big] * 3}
    _, stream = encode_request(files={big: (big, b"x")}, boundary=b"b")
    assert len(b"".join(stream)) > 200_000
    assert time.perf_counter() - start < 2
