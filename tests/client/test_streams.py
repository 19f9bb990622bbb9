"""`SyncByteStream`, `AsyncByteStream` and the client's stream wrappers."""

from __future__ import annotations

import pickle
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

import tether
import tether_content
from tether._streams import (
    BoundStream,
    DetachedStream,
    can_iterate_async,
    can_iterate_sync,
    iterate_async,
    iterate_sync,
)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def one_shot() -> Iterator[bytes]:
    yield b"a"
    yield b"b"


async def async_one_shot() -> AsyncIterator[bytes]:
    yield b"a"
    yield b"b"


class Closing:
    """A plain iterable with close()/aclose() that counts its closes."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.closed += 1


def test_exported_like_httpx() -> None:
    for name in ("SyncByteStream", "AsyncByteStream", "ByteStream"):
        assert name in tether.__all__
        assert hasattr(httpx, name)
    assert tether.ByteStream is tether_content.ByteStream
    assert tether.SyncByteStream.__module__ == "tether"


def test_base_classes_need_their_iterator() -> None:
    with pytest.raises(NotImplementedError, match="SyncByteStream"):
        iter(tether.SyncByteStream())
    with pytest.raises(NotImplementedError, match="AsyncByteStream"):
        tether.AsyncByteStream().__aiter__()
    tether.SyncByteStream().close()  # the default close() releases nothing, and works


@pytest.mark.anyio
async def test_async_base_close_does_nothing(anyio_backend: str) -> None:
    stream = tether.AsyncByteStream()
    await stream.aclose()
    await stream.aclose()


@pytest.mark.parametrize(
    ("stream", "sync", "async_"),
    [
        (tether_content.ByteStream(b"x"), True, True),
        (tether_content.IteratorStream(one_shot()), True, False),
        (tether_content.AsyncIteratorStream(async_one_shot()), False, True),
        (tether_content.MultipartStream({"a": "b"}, {"f": b"x"}), True, True),
    ],
    ids=["bytes", "iterator", "async-iterator", "multipart"],
)
def test_content_streams_are_registered(stream: object, sync: bool, async_: bool) -> None:
    assert isinstance(stream, tether.SyncByteStream) is sync
    assert isinstance(stream, tether.AsyncByteStream) is async_
    assert can_iterate_sync(stream) is sync
    assert can_iterate_async(stream) is async_


def test_subclasses_and_plain_iterables() -> None:
    class Sync(tether.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b"s"

    class Async(tether.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"a"

    assert can_iterate_sync(Sync())
    assert not can_iterate_async(Sync())
    assert can_iterate_async(Async())
    assert not can_iterate_sync(Async())
    assert can_iterate_sync([b"x"])
    assert not can_iterate_async([b"x"])
    assert not can_iterate_sync(42)
    assert not can_iterate_async(42)


def test_iterate_sync_converts_stream_consumed() -> None:
    stream = tether_content.IteratorStream(one_shot())
    assert list(iterate_sync(stream)) == [b"a", b"b"]
    with pytest.raises(tether.StreamConsumed) as info:
        list(iterate_sync(stream))
    assert isinstance(info.value.__cause__, tether_content.StreamConsumed)


@pytest.mark.anyio
async def test_iterate_async_converts_stream_consumed(anyio_backend: str) -> None:
    stream = tether_content.AsyncIteratorStream(async_one_shot())
    assert [chunk async for chunk in iterate_async(stream)] == [b"a", b"b"]
    with pytest.raises(tether.StreamConsumed):
        [chunk async for chunk in iterate_async(stream)]


def test_detached_stream_raises_stream_closed() -> None:
    stream = DetachedStream()
    assert isinstance(stream, tether.SyncByteStream)
    assert isinstance(stream, tether.AsyncByteStream)
    with pytest.raises(tether.StreamClosed):
        iter(stream)
    with pytest.raises(tether.StreamClosed):
        stream.__aiter__()
    assert isinstance(pickle.loads(pickle.dumps(stream)), DetachedStream)


def test_bound_stream_closes_once_and_calls_back() -> None:
    inner = Closing([b"x", b"y"])
    calls: list[str] = []
    bound = BoundStream(inner, lambda: calls.append("closed"))
    assert bound.stream is inner
    assert bound.supports_sync
    assert bound.supports_async
    assert list(bound) == [b"x", b"y"]
    bound.close()
    bound.close()
    assert inner.closed == 1
    assert calls == ["closed"]


def test_bound_stream_calls_back_when_closing_fails() -> None:
    class Failing(Closing):
        def close(self) -> None:
            raise tether.CloseError("boom")

    calls: list[str] = []
    bound = BoundStream(Failing([]), lambda: calls.append("closed"))
    with pytest.raises(tether.CloseError):
        bound.close()
    assert calls == ["closed"]


def test_bound_stream_of_a_stream_without_close() -> None:
    calls: list[str] = []
    bound = BoundStream([b"x"], lambda: calls.append("closed"))
    assert bound.supports_sync
    assert not bound.supports_async
    bound.close()
    assert calls == ["closed"]


@pytest.mark.anyio
async def test_bound_stream_async(anyio_backend: str) -> None:
    inner = Closing([b"x"])
    calls: list[str] = []
    bound = BoundStream(inner, lambda: calls.append("closed"))
    assert [chunk async for chunk in bound] == [b"x"]
    await bound.aclose()
    await bound.aclose()
    assert inner.closed == 1
    assert calls == ["closed"]
    plain = BoundStream(tether_content.AsyncIteratorStream(async_one_shot()), lambda: None)
    assert plain.supports_async
    assert not plain.supports_sync
    no_aclose = BoundStream([b"x"], lambda: calls.append("again"))
    await no_aclose.aclose()
    assert calls == ["closed", "again"]


@pytest.mark.anyio
async def test_iterate_async_refused_at_start(anyio_backend: str) -> None:
    stream = tether_content.AsyncIteratorStream(async_one_shot())
    assert [chunk async for chunk in stream] == [b"a", b"b"]
    with pytest.raises(tether.StreamConsumed):
        [chunk async for chunk in iterate_async(stream)]


@pytest.mark.anyio
async def test_iterate_async_closes_an_abandoned_source(anyio_backend: str) -> None:
    finished: list[str] = []

    async def source() -> AsyncIterator[bytes]:
        try:
            yield b"a"
            yield b"b"
        finally:
            finished.append("closed")

    iterator = iterate_async(source())
    assert await iterator.__anext__() == b"a"
    await iterator.aclose()
    assert finished == ["closed"]
