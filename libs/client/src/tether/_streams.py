"""Body streams: httpx's public base classes, and the wrappers the client puts around them.

A transport hands a response body over as a `SyncByteStream` (``__iter__`` and
``close()``) or an `AsyncByteStream` (``__aiter__`` and ``aclose()``), and a request
body reaches a transport the same way. Both base classes are ABCs so that
tether_content's streams, which do not import the client, count as instances too:
`ByteStream` and `MultipartStream` are registered as both, `IteratorStream` as a
`SyncByteStream` and `AsyncIteratorStream` as an `AsyncByteStream`, so
``isinstance(tether_content.ByteStream(b""), tether.SyncByteStream)`` holds, as it
does for ``httpx.ByteStream``. A stream that is neither (any iterable of bytes with a
``close()``) is still accepted: `can_iterate_sync` and `can_iterate_async` decide by
the stream's ``supports_sync``/``supports_async`` flags when it has them, else by
whether it is iterable that way.

Invariants:
- `BoundStream` closes the stream it wraps at most once, and runs its ``on_close``
  callback exactly once, even when closing the inner stream raises.
- `DetachedStream` (the body of an unpickled request or response) never yields: it
  raises `StreamClosed`, since the bytes were never sent along.
"""

from __future__ import annotations

from abc import ABCMeta
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
)
from typing import Any, ClassVar, TypeAlias

import tether_content

from ._exceptions import StreamClosed, StreamConsumed

__all__ = [
    "AsyncByteStream",
    "AsyncStreamIterator",
    "BoundStream",
    "DetachedStream",
    "StreamTypes",
    "SyncByteStream",
    "can_iterate_async",
    "can_iterate_sync",
    "iterate_async",
    "iterate_sync",
]


# Not abstract: as in httpx, the base classes can be instantiated and a subclass need
# only override what it uses; ABCMeta is there for `register()`.
class SyncByteStream(metaclass=ABCMeta):  # noqa: B024
    """The base class of sync body streams: iterate it for bytes, then `close()` it."""

    def __iter__(self) -> Iterator[bytes]:
        """Yield the body's bytes; subclasses must implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} subclasses SyncByteStream but does not define __iter__()"
        )

    def close(self) -> None:  # noqa: B027
        """Release what the stream holds (nothing, by default)."""


class AsyncByteStream(metaclass=ABCMeta):  # noqa: B024
    """The base class of async body streams: ``async for`` it, then `aclose()` it."""

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield the body's bytes; subclasses must implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} subclasses AsyncByteStream but does not define __aiter__()"
        )

    async def aclose(self) -> None:  # noqa: B027
        """Release what the stream holds (nothing, by default)."""


for _both in (tether_content.ByteStream, tether_content.MultipartStream):
    SyncByteStream.register(_both)
    AsyncByteStream.register(_both)
SyncByteStream.register(tether_content.IteratorStream)
AsyncByteStream.register(tether_content.AsyncIteratorStream)
del _both


StreamTypes: TypeAlias = "SyncByteStream | AsyncByteStream | tether_content.BodyStream"
"""What a request or response body stream may be (tether_content's streams included)."""


def can_iterate_sync(stream: object) -> bool:
    """Whether `stream` can be read with ``for``."""
    flag = getattr(stream, "supports_sync", None)
    if isinstance(flag, bool):
        return flag
    return isinstance(stream, Iterable)


def can_iterate_async(stream: object) -> bool:
    """Whether `stream` can be read with ``async for``."""
    flag = getattr(stream, "supports_async", None)
    if isinstance(flag, bool):
        return flag
    return isinstance(stream, AsyncIterable)


def iterate_sync(stream: Any) -> Iterator[bytes]:
    """Iterate a sync stream, turning tether_content's `StreamConsumed` into tether's."""
    try:
        yield from stream
    except tether_content.StreamConsumed as exc:
        raise StreamConsumed() from exc


def iterate_async(stream: Any) -> AsyncStreamIterator:
    """Iterate an async stream, turning tether_content's `StreamConsumed` into tether's."""
    return AsyncStreamIterator(stream)


class AsyncStreamIterator:
    """`iterate_async`'s iterator.

    An async iterator object, not an async generator: one left unfinished (a caller
    that breaks out of its loop) needs no finalizer, where trio warns about every
    async generator collected before its end. The stream's iterator is closed when it
    ends, fails, or this one is closed (`aclose`), whichever comes first.
    """

    __slots__ = ("_iterator", "_stream")

    def __init__(self, stream: Any) -> None:
        self._stream: Any = stream
        self._iterator: Any = None

    def __aiter__(self) -> AsyncStreamIterator:
        return self

    async def __anext__(self) -> bytes:
        iterator = self._iterator
        if iterator is None:
            if self._stream is None:  # ended or closed
                raise StopAsyncIteration
            try:
                iterator = self._iterator = self._stream.__aiter__()
            except tether_content.StreamConsumed as exc:
                self._stream = None
                raise StreamConsumed() from exc
        try:
            chunk: bytes = await iterator.__anext__()
        except BaseException as exc:
            await self.aclose()
            if isinstance(exc, tether_content.StreamConsumed):
                raise StreamConsumed() from exc
            raise
        return chunk

    async def aclose(self) -> None:
        """Close the stream's iterator (once); later iteration ends at once."""
        iterator, self._iterator, self._stream = self._iterator, None, None
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


class DetachedStream(SyncByteStream, AsyncByteStream):
    """The body of an unpickled request or response: gone, so reading it raises."""

    supports_sync: ClassVar[bool] = True
    supports_async: ClassVar[bool] = True

    def __iter__(self) -> Iterator[bytes]:
        """Raise `StreamClosed`: the body did not travel with the pickle."""
        raise StreamClosed()

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Raise `StreamClosed`: the body did not travel with the pickle."""
        raise StreamClosed()

    def __reduce__(self) -> tuple[Any, ...]:
        return (DetachedStream, ())


class BoundStream(SyncByteStream, AsyncByteStream):
    """A transport's response body, tied to its response by `Response.bind()`.

    A stream whose class sets ``plain_errors = True`` promises to raise only tether's
    own exceptions (the network transport's do), and is iterated without the
    `iterate_sync`/`iterate_async` wrapper that converts tether_content's.

    Closing it (`close()` or `aclose()`) closes the transport's stream, which releases
    the connection, and then calls `on_close`, with which the response records
    `elapsed`. It iterates the way the transport's stream does: `supports_sync` and
    `supports_async` are the wrapped stream's, so one class serves both clients.
    """

    plain_errors: bool  # the transport's stream raises only tether's exceptions
    supports_sync: bool  # it can be read with ``for``
    supports_async: bool  # it can be read with ``async for``

    def __init__(self, stream: Any, on_close: Callable[[], object]) -> None:
        self._stream = stream
        self._on_close: Callable[[], object] | None = on_close
        # Read on every response, several times: worked out once, from the stream's class.
        self.plain_errors = bool(getattr(stream, "plain_errors", False))
        self.supports_sync = can_iterate_sync(stream)
        self.supports_async = can_iterate_async(stream)

    @property
    def stream(self) -> Any:
        """The transport's stream."""
        return self._stream

    def __iter__(self) -> Iterator[bytes]:
        """Yield the transport's bytes."""
        stream = self._stream
        if self.plain_errors:  # nothing to convert: no wrapper
            return iter(stream)
        return iterate_sync(stream)

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield the transport's bytes."""
        stream = self._stream
        if self.plain_errors:  # nothing to convert: no wrapper
            return stream.__aiter__()  # type: ignore[no-any-return]
        return iterate_async(stream)

    def read_rest(self) -> bytes | None:
        """The rest of the body in one piece, from the transport's stream's `read_rest`;
        None (nothing read) if it has none or declines."""
        read_rest = getattr(self._stream, "read_rest", None)
        rest: bytes | None = None if read_rest is None else read_rest()
        return rest

    async def aread_rest(self) -> bytes | None:
        """The rest of the body in one piece, from the transport's stream's `aread_rest`;
        None (nothing read) if it has none or declines."""
        aread_rest = getattr(self._stream, "aread_rest", None)
        rest: bytes | None = None if aread_rest is None else await aread_rest()
        return rest

    def close(self) -> None:
        """Close the transport's stream, then run the close callback (each once)."""
        callback, self._on_close = self._on_close, None
        if callback is None:
            return
        try:
            close = getattr(self._stream, "close", None)
            if close is not None:
                close()
        finally:
            callback()

    async def aclose(self) -> None:
        """Close the transport's stream, then run the close callback (each once)."""
        callback, self._on_close = self._on_close, None
        if callback is None:
            return
        try:
            aclose = getattr(self._stream, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            callback()
