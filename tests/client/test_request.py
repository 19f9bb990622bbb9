"""`Request`: construction, auto headers, bodies, reading and pickling; httpx as oracle."""

from __future__ import annotations

import io
import pickle
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import tether
import tether_content


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def chunks() -> Iterator[bytes]:
    yield b"hello, "
    yield b"world"


async def async_chunks() -> AsyncIterator[bytes]:
    yield b"hello, "
    yield b"world"


BOUNDARY = "multipart/form-data; boundary=fixed-boundary"

# (method, url, keyword arguments): built by both libraries, compared field by field.
ORACLE: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "https://example.org/", {}),
    ("get", "https://example.org:443/path?q=1", {}),
    ("GET", "http://example.org:8080/", {"headers": {"Accept": "*/*"}}),
    ("GET", "http://user:pass@example.org/", {}),
    ("GET", "https://bücher.de/", {}),
    ("GET", "http://[::1]:8000/", {}),
    ("POST", "https://example.org/", {}),
    ("PUT", "https://example.org/", {"headers": {"X-A": "1"}}),
    ("PATCH", "https://example.org/", {"content": b""}),
    ("DELETE", "https://example.org/", {}),
    ("POST", "https://example.org/", {"content": b"raw bytes"}),
    ("POST", "https://example.org/", {"content": "text é"}),
    ("POST", "https://example.org/", {"json": {"a": [1, 2], "é": None}}),
    ("POST", "https://example.org/", {"data": {"a": "1", "b": ["x", "y"]}}),
    ("POST", "https://example.org/", {"data": {}}),
    ("POST", "https://example.org/", {"json": {"a": 1}, "headers": {"Content-Type": "x/y"}}),
    ("POST", "https://example.org/", {"content": b"abc", "headers": {"Content-Length": "3"}}),
    ("POST", "https://example.org/", {"headers": {"Transfer-Encoding": "chunked"}}),
    ("POST", "https://example.org/", {"headers": {"Host": "other.example"}}),
    (
        "POST",
        "https://example.org/",
        {"files": {"f": ("a.txt", b"data", "text/plain")}, "headers": {"Content-Type": BOUNDARY}},
    ),
    (
        "POST",
        "https://example.org/",
        {"data": {"k": "v"}, "files": [("f", b"x")], "headers": {"Content-Type": BOUNDARY}},
    ),
    ("GET", "https://example.org/", {"cookies": {"session": "abc", "theme": "dark"}}),
    ("GET", "https://example.org/", {"cookies": {"a": "b"}, "headers": {"Cookie": "mine=1"}}),
    ("GET", "https://example.org/", {"params": {"a": "1", "b": ["2", "3"]}}),
    ("GET", "https://example.org/", {"extensions": {"timeout": {"connect": 1.0}}}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), ORACLE)
def test_matches_httpx(method: str, url: str, kwargs: dict[str, Any]) -> None:
    ours = tether.Request(method, url, **kwargs)
    theirs = httpx.Request(method, url, **kwargs)
    assert ours.method == theirs.method
    assert str(ours.url) == str(theirs.url)
    assert ours.headers.raw == theirs.headers.raw
    assert ours.read() == theirs.read()
    assert ours.extensions == theirs.extensions
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "make",
    [lambda: chunks(), lambda: io.BytesIO(b"file body"), lambda: [b"a", b"b"]],
    ids=["generator", "file", "list"],
)
def test_streamed_bodies_match_httpx(make: Callable[[], Any]) -> None:
    ours = tether.Request("POST", "https://example.org/", content=make())
    theirs = httpx.Request("POST", "https://example.org/", content=make())
    assert ours.headers.raw == theirs.headers.raw
    assert ours.read() == theirs.read()


def test_chunked_is_not_added_over_a_caller_content_length() -> None:
    ours = tether.Request(
        "POST", "https://x.test/", headers={"Content-Length": "12"}, content=chunks()
    )
    theirs = httpx.Request(
        "POST", "https://x.test/", headers={"Content-Length": "12"}, content=chunks()
    )
    assert (
        ours.headers.raw == theirs.headers.raw == [(b"Host", b"x.test"), (b"Content-Length", b"12")]
    )


def test_cookies_from_a_cookies_object() -> None:
    cookies = tether.Cookies({"a": "1"})
    request = tether.Request("GET", "https://example.org/", cookies=cookies)
    assert request.headers["Cookie"] == "a=1"
    assert tether.Request("GET", "https://example.org/", cookies={}).headers.get("Cookie") is None


def test_method_and_url() -> None:
    request = tether.Request(b"patch", tether.URL("https://example.org/a"))
    assert request.method == "PATCH"
    assert isinstance(request.url, tether.URL)
    assert request.url == tether.URL("https://example.org/a")
    assert repr(request) == "<Request('PATCH', 'https://example.org/a')>"


@pytest.mark.parametrize("method", ["", "GET /", "GET\r\nX: y", "G\x00T", "GÉT", b"G\xc9T"])
def test_invalid_method_is_refused(method: str | bytes) -> None:
    with pytest.raises(ValueError, match="invalid HTTP method"):
        tether.Request(method, "https://example.org/")


def test_method_type_is_checked() -> None:
    with pytest.raises(TypeError, match="got int"):
        tether.Request(42, "https://example.org/")  # type: ignore[arg-type]


def test_bad_url_raises_invalid_url() -> None:
    with pytest.raises(tether.InvalidURL):
        tether.Request("GET", "http://exa mple.org/")


def test_relative_url_gets_no_host() -> None:
    request = tether.Request("GET", "/relative")
    assert request.headers.raw == []
    assert repr(request) == "<Request('GET', '/relative')>"


def test_params_merge_into_the_query() -> None:
    # httpx 0.28 replaces the URL's query with params= (a regression); tether merges.
    request = tether.Request("GET", "https://example.org/?a=1", params={"b": "2"})
    assert str(request.url) == "https://example.org/?a=1&b=2"
    same = tether.Request("GET", "https://example.org/?a=1", params={"a": "3"})
    assert same.url.params == tether.QueryParams("a=3")
    assert str(tether.Request("GET", "https://example.org/?a=1", params={}).url) == (
        "https://example.org/?a=1"
    )


def test_caller_headers_are_kept_as_given() -> None:
    headers = tether.Headers({"X-Token": "t"})
    request = tether.Request("GET", "https://example.org/", headers=headers)
    assert request.headers["x-token"] == "t"
    request.headers["X-Other"] = "o"
    assert "X-Other" not in headers


def test_bad_content_type_raises_type_error() -> None:
    with pytest.raises(TypeError, match="content="):
        tether.Request("POST", "https://example.org/", content=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        httpx.Request("POST", "https://example.org/", content=42)  # type: ignore[arg-type]


def test_raw_data_is_deprecated_as_in_httpx() -> None:
    with pytest.warns(DeprecationWarning, match="content="):
        request = tether.Request("POST", "https://example.org/", data=b"raw")  # type: ignore[arg-type]
    assert request.content == b"raw"


def test_stream_argument_adds_no_headers() -> None:
    stream = tether.ByteStream(b"abc")
    request = tether.Request("POST", "https://example.org/", stream=stream)
    assert request.stream is stream
    assert request.headers.raw == []
    with pytest.raises(tether.RequestNotRead):
        _ = request.content
    assert request.read() == b"abc"
    assert request.content == b"abc"


def test_generator_body_must_be_read() -> None:
    request = tether.Request("POST", "https://example.org/", content=chunks())
    assert request.headers["Transfer-Encoding"] == "chunked"
    with pytest.raises(tether.RequestNotRead, match=r"read\(\)"):
        _ = request.content
    assert isinstance(request.stream, tether.SyncByteStream)
    assert request.read() == b"hello, world"
    assert request.read() == b"hello, world"
    # The one-shot stream was replaced by a replayable one.
    assert isinstance(request.stream, tether.ByteStream)
    assert list(request.stream) == list(request.stream) == [b"hello, world"]


def test_consumed_generator_raises_tether_stream_consumed() -> None:
    request = tether.Request("POST", "https://example.org/", content=chunks())
    assert isinstance(request.stream, tether.SyncByteStream)
    assert b"".join(request.stream) == b"hello, world"
    with pytest.raises(tether.StreamConsumed) as info:
        request.read()
    assert isinstance(info.value.__cause__, tether_content.StreamConsumed)


def test_sync_read_of_async_body_is_refused() -> None:
    request = tether.Request("POST", "https://example.org/", content=async_chunks())
    with pytest.raises(RuntimeError, match="aread"):
        request.read()


@pytest.mark.anyio
async def test_aread(anyio_backend: str) -> None:
    request = tether.Request("POST", "https://example.org/", content=async_chunks())
    assert isinstance(request.stream, tether.AsyncByteStream)
    assert await request.aread() == b"hello, world"
    assert await request.aread() == b"hello, world"
    assert request.content == b"hello, world"
    assert isinstance(request.stream, tether.AsyncByteStream)
    assert [chunk async for chunk in request.stream] == [b"hello, world"]


@pytest.mark.anyio
async def test_async_read_of_sync_body_is_refused(anyio_backend: str) -> None:
    request = tether.Request("POST", "https://example.org/", content=chunks())
    with pytest.raises(RuntimeError, match=r"read\(\)"):
        await request.aread()


@pytest.mark.anyio
async def test_aread_of_a_multipart_body(anyio_backend: str) -> None:
    request = tether.Request(
        "POST",
        "https://example.org/",
        files={"f": ("a.txt", b"data")},
        headers={"Content-Type": BOUNDARY},
    )
    with pytest.raises(tether.RequestNotRead):
        _ = request.content
    body = await request.aread()
    assert body.startswith(b"--fixed-boundary\r\n")
    assert request.headers["Content-Length"] == str(len(body))


def test_extensions_are_a_fresh_dict() -> None:
    given = {"trace": None}
    request = tether.Request("GET", "https://example.org/", extensions=given)
    assert request.extensions == given
    assert tether.Request("GET", "https://example.org/").extensions == {}


def test_equality_is_identity_as_in_httpx() -> None:
    first = tether.Request("GET", "https://example.org/")
    second = tether.Request("GET", "https://example.org/")
    assert first == first
    assert first != second
    assert (httpx.Request("GET", "https://x/") == httpx.Request("GET", "https://x/")) is False


def test_pickle_of_a_read_request() -> None:
    request = tether.Request(
        "POST", "https://example.org/", json={"a": 1}, extensions={"timeout": {"read": 1.0}}
    )
    copy = pickle.loads(pickle.dumps(request))
    assert type(copy) is tether.Request
    assert copy.method == "POST"
    assert copy.url == request.url
    assert copy.headers == request.headers
    assert copy.content == b'{"a":1}'
    assert copy.extensions == {}
    # Beyond httpx: the body stays sendable.
    assert isinstance(copy.stream, tether.ByteStream)
    assert list(copy.stream) == [b'{"a":1}']


def test_pickle_of_a_streaming_request() -> None:
    request = tether.Request("POST", "https://example.org/", content=chunks())
    copy = pickle.loads(pickle.dumps(request))
    with pytest.raises(tether.RequestNotRead):
        _ = copy.content
    with pytest.raises(tether.StreamClosed):
        copy.read()
    theirs = pickle.loads(pickle.dumps(httpx.Request("POST", "https://x/", content=chunks())))
    with pytest.raises(httpx.StreamClosed):
        theirs.read()


@pytest.mark.anyio
async def test_pickle_of_a_streaming_request_async(anyio_backend: str) -> None:
    request = tether.Request("POST", "https://example.org/", content=async_chunks())
    copy = pickle.loads(pickle.dumps(request))
    with pytest.raises(tether.StreamClosed):
        await copy.aread()
