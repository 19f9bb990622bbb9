"""Body streams: what `encode_request` and `encode_response` hand to a transport.

Invariants:
- Every stream has both `__iter__` and `__aiter__`; `supports_sync` and
  `supports_async` say which of them works. The other raises `StreamModeError`
  at once, with a message naming the source and the fix, so a sync generator
  given to an async client fails clearly instead of with Python's bare
  "'async for' requires an object with __aiter__".
- Iterating a stream again replays its source when the source allows it (bytes,
  lists and other re-iterable containers, seekable files, which are rewound to the
  offset they had when the stream was built) and raises `StreamConsumed` naming
  the source when it does not (generators and other iterators, pipes, async
  sources). The check runs when iteration starts, not at the first chunk.
- Streams never yield empty chunks: under chunked framing an empty chunk would
  read as the end of the body.
- `close()`/`aclose()` stop an iteration in progress and close a one-shot
  generator source; they never close a file the caller owns.
"""

from __future__ import annotations

import inspect
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Generator,
    Iterable,
    Iterator,
)
from typing import Any, ClassVar

from ._exceptions import InvalidInput, StreamConsumed, StreamModeError
from ._files import (
    READ_SIZE,
    as_bytes,
    is_text_file,
    position,
    read_chunks,
    rewind,
    total_size,
)
from ._types import SupportsAreadBytes, SupportsReadBytes


def _describe(source: object) -> str:
    return f"{type(source).__module__}.{type(source).__qualname__}".removeprefix("builtins.")


class ByteStream:
    """A body held in memory: iterable sync and async, and replayable."""

    __slots__ = ("_body",)

    supports_sync: ClassVar[bool] = True
    supports_async: ClassVar[bool] = True

    def __init__(self, stream: bytes) -> None:
        """Wrap the bytes `stream` (httpx's name), sent as one chunk (or not at all if empty)."""
        if not isinstance(stream, bytes):
            raise InvalidInput(f"ByteStream needs bytes, got {type(stream).__name__}")
        self._body = stream

    @property
    def content(self) -> bytes:
        """The whole body."""
        return self._body

    @property
    def content_length(self) -> int:
        """The body's size in bytes."""
        return len(self._body)

    @property
    def replayable(self) -> bool:
        """Always True: the bytes can be sent any number of times."""
        return True

    def __iter__(self) -> Iterator[bytes]:
        """Yield the body (nothing if it is empty)."""
        return iter((self._body,) if self._body else ())

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield the body (nothing if it is empty)."""
        return self._agen()

    async def _agen(self) -> AsyncIterator[bytes]:
        if self._body:
            yield self._body

    def close(self) -> None:
        """Nothing to release."""

    async def aclose(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return f"<ByteStream [{len(self._body)} bytes]>"


class IteratorStream:
    """A body read from a sync iterable of bytes or a binary file, chunk by chunk."""

    __slots__ = ("_active", "_content_length", "_file", "_source", "_start", "_started")

    supports_sync: ClassVar[bool] = True
    supports_async: ClassVar[bool] = False

    def __init__(self, source: Iterable[bytes] | SupportsReadBytes) -> None:
        """Wrap `source`: an iterable of bytes, or an object with a binary `read(size)`."""
        self._source: Any = source
        self._started = False
        self._active: Generator[bytes, None, None] | None = None
        self._file = hasattr(source, "read")
        self._start: int | None = None
        self._content_length: int | None = None
        if self._file:
            if is_text_file(source):
                raise InvalidInput(
                    f"content= got a text-mode file ({_describe(source)}); "
                    "open it in binary mode ('rb')"
                )
            self._start = position(source)
            size = total_size(source)
            if size is not None and self._start is not None:
                self._content_length = max(size - self._start, 0)
        elif not isinstance(source, Iterable):
            raise InvalidInput(
                f"IteratorStream needs an iterable of bytes, got {_describe(source)}"
            )

    @property
    def content_length(self) -> int | None:
        """The number of bytes a seekable file has left from its starting offset; else None."""
        return self._content_length

    @property
    def replayable(self) -> bool:
        """Whether the source can be iterated more than once."""
        if self._file:
            return self._start is not None
        return not isinstance(self._source, Iterator)

    def __iter__(self) -> Iterator[bytes]:
        """Start (or restart) iterating the source; `StreamConsumed` if it is one-shot."""
        if self._started and not self._rewind():
            raise StreamConsumed(self._consumed_message())
        self._started = True
        chunks = read_chunks(self._source, "the content= file") if self._file else self._iterate()
        self._active = chunks
        return chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Always raises `StreamModeError`: this body is sync only."""
        raise StreamModeError(
            f"the body is a sync source ({_describe(self._source)}) and cannot be "
            "iterated with 'async for': use a sync client, or pass bytes or an async iterable"
        )

    def _rewind(self) -> bool:
        if not self.replayable:
            return False
        return not self._file or rewind(self._source, self._start or 0)

    def _iterate(self) -> Generator[bytes, None, None]:
        for chunk in self._source:
            data = chunk if type(chunk) is bytes else as_bytes(chunk, "the content= iterable")
            if data:
                yield data

    def _consumed_message(self) -> str:
        kind = "a non-seekable file" if self._file else "a one-shot iterator"
        return (
            f"the body was already read from {kind} ({_describe(self._source)}) and cannot be "
            "sent again (a redirect or an auth retry needs it twice); "
            "pass bytes, a list or a seekable file instead"
        )

    def close(self) -> None:
        """Stop an iteration in progress; close a one-shot generator source."""
        if self._active is not None:
            self._active.close()
            self._active = None
        if self._started and inspect.isgenerator(self._source):
            self._source.close()

    async def aclose(self) -> None:
        """Same as `close()`: there is no async resource to release."""
        self.close()

    def __repr__(self) -> str:
        return f"<IteratorStream [{_describe(self._source)}]>"


class AsyncIteratorStream:
    """A body read from an async iterable of bytes or an object with `aread(size)`."""

    __slots__ = ("_active", "_source", "_started")

    supports_sync: ClassVar[bool] = False
    supports_async: ClassVar[bool] = True

    def __init__(self, source: AsyncIterable[bytes] | SupportsAreadBytes) -> None:
        """Wrap `source`: an async iterable of bytes, or an object with `aread(size)`."""
        if not hasattr(source, "aread") and not isinstance(source, AsyncIterable):
            raise InvalidInput(
                f"AsyncIteratorStream needs an async iterable of bytes, got {_describe(source)}"
            )
        self._source: Any = source
        self._started = False
        self._active: AsyncGenerator[bytes, None] | None = None

    @property
    def content_length(self) -> None:
        """Always None: an async source's size is not known in advance."""
        return None

    @property
    def replayable(self) -> bool:
        """Whether the source can be iterated more than once (async iterables, not iterators)."""
        return not hasattr(self._source, "aread") and not isinstance(self._source, AsyncIterator)

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Start (or restart) iterating the source; `StreamConsumed` if it is one-shot."""
        if self._started and not self.replayable:
            raise StreamConsumed(
                f"the body was already read from a one-shot async source "
                f"({_describe(self._source)}) and cannot be sent again (a redirect or an "
                "auth retry needs it twice); pass bytes instead"
            )
        self._started = True
        chunks = self._aread() if hasattr(self._source, "aread") else self._aiterate()
        self._active = chunks
        return chunks

    def __iter__(self) -> Iterator[bytes]:
        """Always raises `StreamModeError`: this body is async only."""
        raise StreamModeError(
            f"the body is an async source ({_describe(self._source)}) and cannot be "
            "iterated with 'for': use an async client, or pass bytes or a sync iterable"
        )

    async def _aread(self) -> AsyncGenerator[bytes, None]:
        aread = self._source.aread
        while True:
            chunk = as_bytes(await aread(READ_SIZE), "the content= async file")
            if not chunk:
                return
            yield chunk

    async def _aiterate(self) -> AsyncGenerator[bytes, None]:
        async for chunk in self._source:
            data = chunk if type(chunk) is bytes else as_bytes(chunk, "the content= iterable")
            if data:
                yield data

    def close(self) -> None:
        """Forget an iteration in progress (use `aclose()` to run its cleanup)."""
        self._active = None

    async def aclose(self) -> None:
        """Stop an iteration in progress; close a one-shot async generator source."""
        if self._active is not None:
            await self._active.aclose()
            self._active = None
        if self._started and inspect.isasyncgen(self._source):
            await self._source.aclose()

    def __repr__(self) -> str:
        return f"<AsyncIteratorStream [{_describe(self._source)}]>"
