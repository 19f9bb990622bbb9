"""`Response`: metadata, decoding, streaming, errors, the client hook; httpx as oracle."""

from __future__ import annotations

import datetime
import gzip
import itertools
import json
import pickle
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import brotli
import httpx
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

import tether
import tether_content


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def gen(*parts: bytes) -> Iterator[bytes]:
    yield from parts


async def agen(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


class Closing(tether.SyncByteStream):
    def __init__(self, *parts: bytes) -> None:
        self.parts = parts
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        yield from self.parts

    def close(self) -> None:
        self.closed += 1


class Failing(tether.SyncByteStream, tether.AsyncByteStream):
    """A transport stream that breaks after its first chunk."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"partial"
        raise tether.ReadError("connection reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"partial"
        raise tether.ReadError("connection reset")


BODY = "Grüße, 世界! " * 50
ENCODED = {
    "gzip": gzip.compress(BODY.encode()),
    "deflate": zlib.compress(BODY.encode()),
    "br": brotli.compress(BODY.encode()),
    "zstd": zstandard.ZstdCompressor().compress(BODY.encode()),
    "identity": BODY.encode(),
    "gzip, br": brotli.compress(gzip.compress(BODY.encode())),
}

# Keyword arguments given to both libraries' Response(); the results must agree.
ORACLE: list[dict[str, Any]] = [
    {},
    {"content": b"plain bytes"},
    {"content": "text content"},
    {"text": "héllo wörld"},
    {"html": "<p>é</p>"},
    {"json": {"a": [1, 2.5, None], "é": True}},
    {"content": "é".encode("latin-1"), "headers": {"Content-Type": "text/plain; charset=latin-1"}},
    {"content": "é".encode("cp1252"), "headers": {"Content-Type": "text/plain; charset=CP1252"}},
    {"content": b"caf\xc3\xa9", "headers": {"Content-Type": "text/plain; charset=unknown-x"}},
    {"content": b"caf\xc3\xa9", "headers": {"Content-Type": 'text/plain; charset="utf-8"'}},
    {"content": "é".encode("latin-1"), "default_encoding": "latin-1"},
    {"content": "é".encode("utf-16"), "default_encoding": lambda body: "utf-16"},
    {"content": b"\xff\xfe bad utf-8"},
    {"content": b'{"x": 1}', "headers": {"Content-Type": "application/json"}},
    {"content": b"data", "headers": {"Content-Encoding": "identity, unknown"}},
    {"content": ENCODED["gzip"], "headers": {"Content-Encoding": "gzip"}},
    {"content": ENCODED["deflate"], "headers": {"Content-Encoding": "deflate"}},
    {"content": deflate_raw(b"raw deflate"), "headers": {"Content-Encoding": "deflate"}},
    {"content": ENCODED["br"], "headers": {"Content-Encoding": "br"}},
    {"content": ENCODED["zstd"], "headers": {"Content-Encoding": "zstd"}},
    {"content": ENCODED["gzip, br"], "headers": {"Content-Encoding": "gzip, br"}},
    {
        "content": ENCODED["gzip, br"],
        "headers": [("Content-Encoding", "gzip"), ("content-encoding", "br")],
    },
    {
        "text": "x",
        "headers": {"Link": '<https://x.test/2>; rel="next", <https://x.test/9>; rel=last'},
    },
    {"text": "x", "headers": {"Link": "<https://x.test/a>, <https://x.test/b>; rel=prev"}},
    {"text": "x", "headers": {"Content-Length": "1", "X-A": "1"}},
    {"content": b"x", "extensions": {"reason_phrase": b"Cool", "http_version": b"HTTP/2"}},
]


def summary(response: Any) -> dict[str, Any]:
    try:
        parsed = response.json()
    except ValueError:
        parsed = "<not json>"
    return {
        "headers": response.headers.raw,
        "content": response.content,
        "text": response.text,
        "encoding": response.encoding,
        "charset": response.charset_encoding,
        "json": parsed,
        "links": response.links,
        "reason": response.reason_phrase,
        "version": response.http_version,
        "repr": repr(response),
        "lines": list(response.iter_lines()),
        "closed": (response.is_closed, response.is_stream_consumed),
    }


@pytest.mark.parametrize("kwargs", ORACLE)
@pytest.mark.parametrize("status", [200, 404])
def test_matches_httpx(kwargs: dict[str, Any], status: int) -> None:
    assert summary(tether.Response(status, **kwargs)) == summary(httpx.Response(status, **kwargs))


@pytest.mark.parametrize(
    "status", [100, 101, 200, 204, 301, 302, 303, 304, 307, 308, 404, 418, 500, 599, 600]
)
@pytest.mark.parametrize("location", [None, "https://elsewhere.test/"])
def test_status_flags_match_httpx(status: int, location: str | None) -> None:
    headers = {} if location is None else {"Location": location}
    ours, theirs = tether.Response(status, headers=headers), httpx.Response(status, headers=headers)
    for name in (
        "is_informational",
        "is_success",
        "is_redirect",
        "is_client_error",
        "is_server_error",
        "is_error",
        "has_redirect_location",
        "reason_phrase",
    ):
        assert getattr(ours, name) == getattr(theirs, name), name
    ours.request = tether.Request("GET", "https://example.org/")
    theirs.request = httpx.Request("GET", "https://example.org/")
    if theirs.is_success:
        assert ours.raise_for_status() is ours
        assert theirs.raise_for_status() is theirs
    else:
        with pytest.raises(httpx.HTTPStatusError):
            theirs.raise_for_status()
        with pytest.raises(tether.HTTPStatusError) as info:
            ours.raise_for_status()
        assert info.value.response is ours
        assert info.value.request is ours.request


def test_raise_for_status_message() -> None:
    request = tether.Request("POST", "https://user:hunter2@example.org/a")
    response = tether.Response(404, request=request)
    with pytest.raises(tether.HTTPStatusError) as info:
        response.raise_for_status()
    message = str(info.value)
    assert "404 Not Found" in message
    assert "a client error" in message
    assert "POST https://user:[secure]@example.org/a" in message
    assert "hunter2" not in message
    assert "developer.mozilla.org/en-US/docs/Web/HTTP/Status/404" in message
    redirect = tether.Response(
        301, headers={"Location": "https://u:pw@elsewhere.test/"}, request=request
    )
    with pytest.raises(
        tether.HTTPStatusError, match="redirect location is https://u:\\[secure\\]@"
    ):
        redirect.raise_for_status()
    with pytest.raises(tether.HTTPStatusError, match="a server error: 503"):
        tether.Response(503, request=request).raise_for_status()
    with pytest.raises(tether.HTTPStatusError, match="an informational response: 101"):
        tether.Response(101, request=request).raise_for_status()
    with pytest.raises(tether.HTTPStatusError, match="an invalid status code: 600"):
        tether.Response(600, request=request).raise_for_status()
    relative = tether.Response(302, headers={"Location": "/next"}, request=request)
    with pytest.raises(tether.HTTPStatusError, match="location is /next"):
        relative.raise_for_status()
    broken = tether.Response(302, headers={"Location": "http://[bad"}, request=request)
    with pytest.raises(tether.HTTPStatusError, match=r"location is http://\[bad"):
        broken.raise_for_status()


def test_raise_for_status_needs_a_request() -> None:
    with pytest.raises(RuntimeError, match="request instance has not been set"):
        tether.Response(200).raise_for_status()


def test_status_code_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="status_code must be an int, got str '200'"):
        tether.Response("200")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tether.Response(True)
    assert tether.Response(tether.codes.OK).status_code == 200


def test_metadata_defaults() -> None:
    response = tether.Response(200, extensions={"reason_phrase": "Text"})
    assert response.http_version == "HTTP/1.1"
    assert response.reason_phrase == "Text"
    assert response.history == []
    assert response.next_request is None
    assert response.links == {}
    assert response.charset_encoding is None
    assert repr(response) == "<Response [200 Text]>"
    with pytest.raises(RuntimeError, match="request instance"):
        _ = response.request
    with pytest.raises(RuntimeError, match="request instance"):
        _ = response.url
    with pytest.raises(RuntimeError, match=r"'\.elapsed' may only be accessed"):
        _ = response.elapsed


def test_request_url_history_next_request() -> None:
    request = tether.Request("GET", "https://example.org/a")
    first = tether.Response(302, request=request)
    response = tether.Response(200, request=request, history=(first,))
    assert response.request is request
    assert response.url == tether.URL("https://example.org/a")
    assert response.history == [first]
    other = tether.Request("GET", "https://example.org/b")
    response.request = other
    response.next_request = other
    assert response.url == other.url
    assert response.next_request is other


def test_cookies() -> None:
    request = tether.Request("GET", "https://example.org/")
    response = tether.Response(
        200,
        headers=[("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Domain=example.org")],
        request=request,
    )
    assert isinstance(response.cookies, tether.Cookies)
    assert dict(response.cookies) == {"a": "1", "b": "2"}
    assert response.cookies is response.cookies
    with pytest.raises(RuntimeError):
        _ = tether.Response(200, headers={"Set-Cookie": "a=1"}).cookies


def test_json_kwargs_and_errors() -> None:
    response = tether.Response(200, content=b'{"n": 1.5}')
    assert response.json(parse_float=str) == {"n": "1.5"}
    with pytest.raises(json.JSONDecodeError):
        tether.Response(200, content=b"not json").json()
    with pytest.raises(tether.ResponseNotRead):
        tether.Response(200, content=gen(b"{}")).json()


def test_encoding_rules() -> None:
    response = tether.Response(200, content="é".encode("latin-1"))
    response.encoding = "latin-1"
    assert response.text == "é"
    with pytest.raises(ValueError, match="after `text` has been accessed"):
        response.encoding = "utf-8"
    guessed = tether.Response(200, content=gen(b"abc"), default_encoding=lambda body: "ascii")
    assert guessed.encoding == "utf-8"  # not read yet: httpx falls back to utf-8 and keeps it
    fresh = tether.Response(200, content=gen(b"abc"), default_encoding=lambda body: "ascii")
    fresh.read()
    assert fresh.encoding == "ascii"
    unknown = tether.Response(200, content=b"abc")
    unknown.encoding = "no-such-codec"
    with pytest.raises(LookupError, match="no-such-codec"):
        _ = unknown.text
    silent = tether.Response(200, content=b"abc", default_encoding=lambda body: None)
    assert silent.encoding == "utf-8"


def test_in_memory_body_chunking() -> None:
    response = tether.Response(200, content=b"abcdefg")
    assert list(response.iter_bytes()) == [b"abcdefg"]
    assert list(response.iter_bytes(3)) == [b"abc", b"def", b"g"]
    assert list(response.iter_text(2)) == ["ab", "cd", "ef", "g"]
    with pytest.raises(tether.StreamConsumed):
        list(response.iter_raw(4))  # the stream was consumed when the bytes were read
    with pytest.raises(ValueError, match="chunk_size"):
        list(tether.Response(200, content=b"x").iter_bytes(0))


@pytest.mark.parametrize("chunk_size", [None, 1, 2, 5, 64, 10_000])
@pytest.mark.parametrize("encoding", list(ENCODED))
def test_streamed_decoding_matches_httpx(chunk_size: int | None, encoding: str) -> None:
    raw = ENCODED[encoding]
    parts = [raw[i : i + 7] for i in range(0, len(raw), 7)]
    headers = {"Content-Encoding": encoding, "Content-Type": "text/plain; charset=utf-8"}
    for method in ("iter_bytes", "iter_text"):
        ours = tether.Response(200, headers=headers, content=gen(*parts))
        theirs = httpx.Response(200, headers=headers, content=gen(*parts))
        got = list(getattr(ours, method)(chunk_size))
        assert got == list(getattr(theirs, method)(chunk_size))
        assert ours.num_bytes_downloaded == len(raw)
        assert ours.is_closed
        assert ours.is_stream_consumed


@pytest.mark.parametrize("chunk_size", [None, 1, 3, 1000])
def test_iter_raw_keeps_the_encoding(chunk_size: int | None) -> None:
    raw = ENCODED["gzip"]
    response = tether.Response(
        200, headers={"Content-Encoding": "gzip"}, content=gen(raw[:5], raw[5:])
    )
    got = list(response.iter_raw(chunk_size))
    assert b"".join(got) == raw
    if chunk_size is not None:
        assert all(len(chunk) == chunk_size for chunk in got[:-1])
    assert response.num_bytes_downloaded == len(raw)


@pytest.mark.parametrize(
    "parts",
    [
        (b"one\ntwo\r\nthree\rfour",),
        (b"one\r", b"\ntwo\n", b"\n", b"three"),
        (b"caf\xc3", b"\xa9\nna", b"\xc3\xafve\n"),
        (b"",),
        (b"\n\n",),
    ],
)
def test_iter_lines_matches_httpx(parts: tuple[bytes, ...]) -> None:
    ours = list(tether.Response(200, content=gen(*parts)).iter_lines())
    assert ours == list(httpx.Response(200, content=gen(*parts)).iter_lines())


def test_stream_errors() -> None:
    response = tether.Response(200, content=gen(b"a", b"b"))
    with pytest.raises(tether.ResponseNotRead):
        _ = response.content
    with pytest.raises(tether.ResponseNotRead):
        _ = response.text
    assert list(response.iter_raw()) == [b"a", b"b"]
    with pytest.raises(tether.StreamConsumed):
        list(response.iter_raw())
    with pytest.raises(tether.StreamConsumed):
        response.read()
    closed = tether.Response(200, content=gen(b"a"))
    closed.close()
    assert closed.is_closed
    with pytest.raises(tether.StreamClosed):
        closed.read()
    with pytest.raises(tether.StreamClosed):
        list(closed.iter_lines())


def test_read_closes_the_transport_stream() -> None:
    stream = Closing(b"hello ", b"world")
    response = tether.Response(200, stream=stream)
    assert response.stream is stream
    assert response.read() == b"hello world"
    assert response.read() == b"hello world"
    assert stream.closed == 1
    assert response.is_closed
    response.close()
    assert stream.closed == 1


def test_breaking_off_iteration_leaves_the_stream_to_close() -> None:
    stream = Closing(b"a", b"b")
    response = tether.Response(200, stream=stream)
    for _ in response.iter_bytes():
        break
    assert stream.closed == 0
    response.close()
    assert stream.closed == 1


def test_decoding_error_carries_the_request() -> None:
    request = tether.Request("GET", "https://example.org/")
    bad = gzip.compress(b"hello")[:-6] + b"garbage!"
    response = tether.Response(
        200, headers={"Content-Encoding": "gzip"}, stream=Closing(bad), request=request
    )
    with pytest.raises(tether.DecodingError) as info:
        response.read()
    assert info.value.request is request
    assert isinstance(info.value, tether_content.DecodingError)
    assert isinstance(info.value, tether.RequestError)
    assert response.is_closed
    assert isinstance(response.stream, Closing)
    assert response.stream.closed == 1


def test_decoding_error_when_built_from_bytes() -> None:
    with pytest.raises(tether.DecodingError, match="gzip") as info:
        tether.Response(200, content=b"not gzip", headers={"Content-Encoding": "gzip"})
    with pytest.raises(RuntimeError):
        _ = info.value.request


def test_transport_error_gets_the_request() -> None:
    request = tether.Request("GET", "https://example.org/")
    response = tether.Response(200, stream=Failing(), request=request)
    with pytest.raises(tether.ReadError) as info:
        response.read()
    assert info.value.request is request
    own = tether.Request("GET", "https://other.example/")

    class Own(tether.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            raise tether.ReadError("mine", request=own)

    with pytest.raises(tether.ReadError) as info:
        tether.Response(200, stream=Own(), request=request).read()
    assert info.value.request is own


def test_sync_use_of_async_stream() -> None:
    response = tether.Response(200, content=agen(b"x"))
    with pytest.raises(RuntimeError, match="Attempted to call a sync iterator on an async stream"):
        response.read()
    with pytest.raises(RuntimeError, match="sync close on an async stream"):
        response.close()
    assert not response.is_closed


@pytest.mark.anyio
async def test_async_use_of_sync_stream(anyio_backend: str) -> None:
    response = tether.Response(200, content=gen(b"x"))
    with pytest.raises(RuntimeError, match="async iterator on a sync stream"):
        await response.aread()
    with pytest.raises(RuntimeError, match="async close on a sync stream"):
        await response.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("encoding", list(ENCODED))
async def test_async_decoding(anyio_backend: str, encoding: str) -> None:
    raw = ENCODED[encoding]
    headers = {"Content-Encoding": encoding}
    response = tether.Response(200, headers=headers, content=agen(raw[:9], raw[9:]))
    assert [chunk async for chunk in response.aiter_bytes(100)] == [
        chunk for chunk in httpx.Response(200, headers=headers, content=raw).iter_bytes(100)
    ]
    assert response.is_closed
    assert response.num_bytes_downloaded == len(raw)
    text = tether.Response(200, headers=headers, content=agen(raw))
    assert "".join([part async for part in text.aiter_text(7)]) == BODY


@pytest.mark.anyio
async def test_async_reading(anyio_backend: str) -> None:
    response = tether.Response(200, content=agen(b"a\r", b"\nb\n", b"c"))
    with pytest.raises(tether.ResponseNotRead):
        _ = response.content
    assert await response.aread() == b"a\r\nb\nc"
    assert await response.aread() == b"a\r\nb\nc"
    assert [line async for line in response.aiter_lines()] == ["a", "b", "c"]
    assert [text async for text in response.aiter_text(4)] == ["a\r\nb", "\nc"]
    assert [chunk async for chunk in response.aiter_bytes(4)] == [b"a\r\nb", b"\nc"]
    lines = tether.Response(200, content=agen(b"x\ny", b"z\n"))
    assert [line async for line in lines.aiter_lines()] == ["x", "yz"]
    with pytest.raises(tether.StreamConsumed):
        [chunk async for chunk in lines.aiter_raw()]


@pytest.mark.anyio
async def test_async_stream_errors(anyio_backend: str) -> None:
    response = tether.Response(200, content=agen(b"a", b"b"))
    assert [chunk async for chunk in response.aiter_raw(1)] == [b"a", b"b"]
    with pytest.raises(tether.StreamConsumed):
        await response.aread()
    closed = tether.Response(200, content=agen(b"a"))
    await closed.aclose()
    await closed.aclose()
    with pytest.raises(tether.StreamClosed):
        await closed.aread()
    request = tether.Request("GET", "https://example.org/")
    failing = tether.Response(200, stream=Failing(), request=request)
    with pytest.raises(tether.ReadError) as info:
        await failing.aread()
    assert info.value.request is request
    assert failing.is_closed
    bad = tether.Response(200, headers={"Content-Encoding": "br"}, content=agen(b"\xff\xff\xff"))
    with pytest.raises(tether.DecodingError):
        await bad.aread()


class Counted(tether.AsyncByteStream):
    """An async body of `count` pieces that records how it was closed."""

    def __init__(self, count: int) -> None:
        self.left = count
        self.closes = 0

    def __aiter__(self) -> Counted:
        return self

    async def __anext__(self) -> bytes:
        if not self.left:
            raise StopAsyncIteration
        self.left -= 1
        return b"line\n"

    async def aclose(self) -> None:
        self.closes += 1


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["raw", "bytes", "text", "lines"])
async def test_async_iterators_close_like_generators(anyio_backend: str, kind: str) -> None:
    """`aclose()` (what `contextlib.aclosing` calls) stops the iterator and closes the
    stream's iterator, not the response; a finished or failed one stays finished."""
    stream = Counted(3)
    response = tether.Response(200, stream=stream)
    iterator = getattr(response, f"aiter_{kind}")()
    assert await iterator.__anext__() in (b"line\n", "line\n", "line")
    await iterator.aclose()
    assert stream.closes == 1
    assert not response.is_closed
    assert [item async for item in iterator] == []
    with pytest.raises(tether.StreamConsumed):
        await getattr(response, f"aiter_{kind}")().__anext__()
    await response.aclose()
    whole = tether.Response(200, stream=Counted(3))
    items = [item async for item in getattr(whole, f"aiter_{kind}")()]
    assert "".join(i if isinstance(i, str) else i.decode() for i in items).count("line") == 3
    assert whole.is_closed
    assert whole.num_bytes_downloaded == 15
    request = tether.Request("GET", "https://example.org/")
    failing = tether.Response(200, stream=Failing(), request=request)
    broken = getattr(failing, f"aiter_{kind}")()
    with pytest.raises(tether.ReadError) as info:
        async for _ in broken:
            pass
    assert info.value.request is request
    assert [item async for item in broken] == []


def test_transfer_encoding_is_not_added_over_content_length() -> None:
    response = tether.Response(200, headers={"Content-Length": "2"}, content=gen(b"ab"))
    assert response.headers.raw == [(b"Content-Length", b"2")]
    same = httpx.Response(200, headers={"Content-Length": "2"}, content=gen(b"ab"))
    assert same.headers.raw == response.headers.raw


def test_num_bytes_downloaded_of_a_built_response() -> None:
    # httpx resets the counter to 0 after reading bytes given to the constructor.
    assert tether.Response(200, content=b"abc").num_bytes_downloaded == 3
    assert tether.Response(200, content=gen(b"abc")).num_bytes_downloaded == 0


def test_bind_records_elapsed_on_close() -> None:
    stream = Closing(b"body")
    response = tether.Response(200, stream=stream)
    request = tether.Request("GET", "https://example.org/")
    calls: list[str] = []
    started = time.perf_counter()
    response.bind(
        request, started=started, default_encoding="latin-1", on_close=lambda: calls.append("x")
    )
    assert response.request is request
    assert response.default_encoding == "latin-1"
    assert isinstance(response.stream, tether.SyncByteStream)
    with pytest.raises(RuntimeError):
        _ = response.elapsed
    assert response.read() == b"body"
    assert stream.closed == 1
    assert calls == ["x"]
    assert (
        datetime.timedelta(0)
        <= response.elapsed
        <= datetime.timedelta(seconds=time.perf_counter() - started)
    )


def test_bind_of_a_response_already_in_memory() -> None:
    response = tether.Response(200, content=b"in memory")
    response.bind(tether.Request("GET", "https://example.org/"), started=time.perf_counter())
    assert isinstance(response.elapsed, datetime.timedelta)
    plain = tether.Response(200, content=b"x")
    plain.bind(tether.Request("GET", "https://example.org/"))
    with pytest.raises(RuntimeError):
        _ = plain.elapsed
    assert plain.default_encoding == "utf-8"


@pytest.mark.anyio
async def test_bind_async(anyio_backend: str) -> None:
    response = tether.Response(200, content=agen(b"a", b"b"))
    response.bind(tether.Request("GET", "https://example.org/"), started=time.perf_counter())
    assert [chunk async for chunk in response.aiter_bytes()] == [b"a", b"b"]
    assert response.is_closed
    assert response.elapsed >= datetime.timedelta(0)


def test_elapsed_is_settable() -> None:
    response = tether.Response(200)
    response.elapsed = datetime.timedelta(seconds=2)
    assert response.elapsed == datetime.timedelta(seconds=2)


def test_pickle_of_a_read_response() -> None:
    request = tether.Request("GET", "https://example.org/")
    response = tether.Response(
        200,
        json={"a": 1},
        headers={"Set-Cookie": "a=1"},
        request=request,
        extensions={"http_version": b"HTTP/2"},
    )
    assert response.cookies["a"] == "1"
    copy = pickle.loads(pickle.dumps(response))
    assert type(copy) is tether.Response
    assert copy.json() == {"a": 1}
    assert copy.text == '{"a":1}'
    assert copy.headers == response.headers
    assert copy.request.url == request.url
    assert copy.is_closed
    assert copy.extensions == {}
    assert copy.cookies["a"] == "1"
    assert list(copy.iter_bytes()) == [b'{"a":1}']


def test_pickle_of_a_streaming_response() -> None:
    copy = pickle.loads(pickle.dumps(tether.Response(200, content=gen(b"x"))))
    with pytest.raises(tether.ResponseNotRead):
        _ = copy.content
    with pytest.raises(tether.StreamClosed):
        copy.read()
    theirs = pickle.loads(pickle.dumps(httpx.Response(200, content=gen(b"x"))))
    with pytest.raises(httpx.StreamClosed):
        theirs.read()


def test_equality_is_identity() -> None:
    response = tether.Response(200)
    assert response == response
    assert response != tether.Response(200)


@given(
    body=st.binary(max_size=2000),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
    chunk_size=st.none() | st.integers(min_value=1, max_value=300),
)
def test_gzip_body_in_any_split_and_chunking(
    body: bytes, cuts: list[int], chunk_size: int | None
) -> None:
    raw = gzip.compress(body)
    edges = sorted({0, len(raw), *(cut % (len(raw) + 1) for cut in cuts)})
    parts = [raw[start:end] for start, end in itertools.pairwise(edges)]
    response = tether.Response(200, headers={"Content-Encoding": "gzip"}, content=gen(*parts))
    chunks = list(response.iter_bytes(chunk_size))
    assert b"".join(chunks) == body
    assert all(chunks)
    if chunk_size is not None:
        assert all(len(chunk) == chunk_size for chunk in chunks[:-1])
    assert response.num_bytes_downloaded == len(raw)
