"""Body streams: sync/async use, replay, one-shot sources, close."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.content._support import ReadOnly, SpyFile, ajoin, iterate
from tether_content import (
    AsyncIteratorStream,
    ByteStream,
    InvalidInput,
    IteratorStream,
    StreamConsumed,
    StreamModeError,
    encode_request,
)


def test_byte_stream_replays_sync_and_async() -> None:
    stream = ByteStream(b"body")
    assert stream.supports_sync
    assert stream.supports_async
    assert stream.replayable
    assert list(stream) == list(stream) == [b"body"]
    assert asyncio.run(ajoin(stream)) == b"body"
    assert stream.content == b"body"
    assert stream.content_length == 4
    assert repr(stream) == "<ByteStream [4 bytes]>"
    stream.close()
    asyncio.run(stream.aclose())
    assert list(stream) == [b"body"]


def test_empty_byte_stream_yields_nothing() -> None:
    stream = ByteStream(b"")
    assert list(stream) == []
    assert asyncio.run(ajoin(stream)) == b""


def test_byte_stream_needs_bytes() -> None:
    with pytest.raises(InvalidInput, match="ByteStream needs bytes, got str"):
        ByteStream("text")  # type: ignore[arg-type]


def test_a_list_source_replays() -> None:
    stream = IteratorStream([b"a", b"b"])
    assert stream.replayable
    assert list(stream) == list(stream) == [b"a", b"b"]


def test_a_generator_source_is_one_shot() -> None:
    stream = IteratorStream(iterate([b"a", b"b"]))
    assert not stream.replayable
    assert list(stream) == [b"a", b"b"]
    with pytest.raises(
        StreamConsumed, match=r"one-shot iterator .*generator.* cannot be sent again"
    ):
        iter(stream)  # raised when iteration starts, not at the first chunk


def test_a_plain_iterator_source_is_one_shot_too() -> None:
    # httpx only checks for generators, so a second pass over iter([...]) silently sends
    # an empty body; here it is refused.
    stream = IteratorStream(iter([b"a"]))
    assert list(stream) == [b"a"]
    with pytest.raises(StreamConsumed, match="list_iterator"):
        list(stream)


def test_a_seekable_file_is_rewound_to_where_it_started(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"0123456789")
    with path.open("rb") as file:
        file.seek(3)
        stream = IteratorStream(file)
        assert stream.replayable
        assert stream.content_length == 7
        assert b"".join(stream) == b"3456789"
        assert b"".join(stream) == b"3456789"


def test_files_are_read_in_64k_chunks() -> None:
    spy = SpyFile(b"x" * 200_000)
    stream = IteratorStream(spy)
    chunks = list(stream)
    assert [len(chunk) for chunk in chunks] == [65536, 65536, 65536, 3392]
    assert set(spy.reads) == {65536}


def test_a_read_only_source_is_chunked_and_one_shot() -> None:
    headers, stream = encode_request(content=ReadOnly(b"abc"))  # type: ignore[arg-type]
    assert headers == {"Transfer-Encoding": "chunked"}
    assert isinstance(stream, IteratorStream)
    assert not stream.replayable
    assert b"".join(stream) == b"abc"
    with pytest.raises(StreamConsumed, match="non-seekable file"):
        list(stream)


def test_a_pipe_is_not_measured_with_fstat() -> None:
    # fstat reports st_size == 0 for a pipe whatever it holds; httpx would send
    # "Content-Length: 0" followed by data.
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"piped")
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        headers, stream = encode_request(content=pipe)
        assert headers == {"Transfer-Encoding": "chunked"}
        assert b"".join(stream) == b"piped"


def test_chunks_must_be_bytes() -> None:
    stream = IteratorStream(["text"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match="produced str 'text', not bytes"):
        list(stream)
    stream = IteratorStream([1])  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match="produced int 1, not bytes"):
        list(stream)
    assert list(IteratorStream([bytearray(b"a"), memoryview(b"b")])) == [b"a", b"b"]  # type: ignore[list-item]


def test_a_file_read_returning_str_is_refused() -> None:
    class Texty:
        def read(self, size: int) -> str:
            return "x" * 50

    with pytest.raises(InvalidInput, match="binary mode"):
        list(IteratorStream(Texty()))  # type: ignore[arg-type]


def test_not_an_iterable_is_refused() -> None:
    with pytest.raises(InvalidInput, match="needs an iterable of bytes, got int"):
        IteratorStream(3)  # type: ignore[arg-type]


def test_sync_stream_refuses_async_iteration() -> None:
    stream = IteratorStream(iterate([b"a"]))
    assert stream.supports_sync
    assert not stream.supports_async
    with pytest.raises(StreamModeError, match=r"sync source .*'async for'.*use a sync client"):
        stream.__aiter__()
    assert isinstance(StreamModeError("x"), RuntimeError)


async def _agen(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def test_async_stream_refuses_sync_iteration() -> None:
    stream = AsyncIteratorStream(_agen(b"a"))
    assert stream.supports_async
    assert not stream.supports_sync
    with pytest.raises(StreamModeError, match=r"async source .*'for'.*use an async client"):
        iter(stream)


def test_an_async_generator_is_one_shot() -> None:
    stream = AsyncIteratorStream(_agen(b"a", b"", b"b"))
    assert stream.content_length is None
    assert not stream.replayable
    assert asyncio.run(ajoin(stream)) == b"ab"
    with pytest.raises(StreamConsumed, match="one-shot async source"):
        stream.__aiter__()


def test_an_async_iterable_replays() -> None:
    class Source:
        def __aiter__(self) -> AsyncIterator[bytes]:
            return _agen(b"x", b"y")

    stream = AsyncIteratorStream(Source())
    assert stream.replayable
    assert asyncio.run(ajoin(stream)) == b"xy"
    assert asyncio.run(ajoin(stream)) == b"xy"


def test_an_aread_source_is_read_in_chunks() -> None:
    class AsyncFile:
        def __init__(self) -> None:
            self.data = io.BytesIO(b"z" * 70_000)
            self.sizes: list[int] = []

        async def aread(self, size: int) -> bytes:
            self.sizes.append(size)
            return self.data.read(size)

    source = AsyncFile()
    stream = AsyncIteratorStream(source)
    assert asyncio.run(ajoin(stream)) == b"z" * 70_000
    assert source.sizes == [65536, 65536, 65536]
    assert not stream.replayable


def test_async_chunks_must_be_bytes() -> None:
    stream = AsyncIteratorStream(_agen("no"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="not bytes"):
        asyncio.run(ajoin(stream))


def test_not_an_async_iterable_is_refused() -> None:
    with pytest.raises(InvalidInput, match="needs an async iterable of bytes, got list"):
        AsyncIteratorStream([b"x"])  # type: ignore[arg-type]


def test_close_runs_a_generator_s_cleanup() -> None:
    closed: list[bool] = []

    def source() -> Iterator[bytes]:
        try:
            yield b"a"
            yield b"b"
        finally:
            closed.append(True)

    stream = IteratorStream(source())
    chunks = iter(stream)
    assert next(chunks) == b"a"
    stream.close()
    assert closed == [True]
    asyncio.run(stream.aclose())  # closing twice is harmless


def test_close_does_not_close_the_caller_s_file() -> None:
    file = io.BytesIO(b"abc")
    stream = IteratorStream(file)
    next(iter(stream))
    stream.close()
    assert not file.closed
    assert b"".join(stream) == b"abc"


def test_aclose_runs_an_async_generator_s_cleanup() -> None:
    closed: list[bool] = []

    async def source() -> AsyncIterator[bytes]:
        try:
            yield b"a"
            yield b"b"
        finally:
            closed.append(True)

    async def main() -> None:
        stream = AsyncIteratorStream(source())
        chunks = stream.__aiter__()
        assert await chunks.__anext__() == b"a"
        await stream.aclose()
        stream.close()

    asyncio.run(main())
    assert closed == [True]


@pytest.mark.parametrize(
    "stream",
    [IteratorStream([b"a"]), AsyncIteratorStream(_agen()), ByteStream(b"")],
    ids=lambda s: type(s).__name__,
)
def test_reprs_name_the_source(stream: Any) -> None:
    assert type(stream).__name__ in repr(stream)
