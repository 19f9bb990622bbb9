"""`AsyncBody`: a response's ``aiter_raw/bytes/text/lines``, as one async iterator object.

Not async generators: trio warns about an async generator collected before its end,
and a caller that leaves its loop early (``break``, an exception) always leaves one
behind, even inside ``async with client.stream(...)``, whose exit closes the response
anyway. An object with ``__anext__`` holds no frame to finalize; the connection is
released by the response's ``aclose()`` (or this object's).

It does what the sync ``iter_*`` generators of `_response_body.BodyReader` do, in the
same order: the first step checks the stream (or serves a body already read), each raw
piece goes through the sans-I/O stages of its kind (decode: item -> items), and at the
end of the stream the response is closed and each stage flushed in turn, its output
fed through the stages after it. Errors are converted as `BodyReader._errors()` does,
on the failure path only (a ``with`` per piece costs more than the rest of a step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import tether_content
from tether_content import ByteChunker, ContentDecoder, LineDecoder, TextChunker, TextDecoder

from ._exceptions import StreamConsumed

if TYPE_CHECKING:
    from ._response_body import BodyReader

__all__ = ["BYTES", "LINES", "RAW", "TEXT", "AsyncBody"]

# What an `AsyncBody` yields, each kind built on the one before.
RAW, BYTES, TEXT, LINES = 0, 1, 2, 3

Decode: TypeAlias = Callable[[Any], Sequence[Any]]
Flush: TypeAlias = Callable[[], Sequence[Any]]

_NOTHING: Any = object()


class AsyncBody:
    """`aiter_raw`, `aiter_bytes`, `aiter_text` or `aiter_lines` of one response."""

    __slots__ = ("_body", "_chunk_size", "_decoders", "_flushes", "_kind", "_pending", "_source")

    def __init__(self, body: BodyReader, kind: int, chunk_size: int | None) -> None:
        self._body = body
        self._kind = kind
        self._chunk_size = chunk_size
        self._decoders: tuple[Decode, ...] = ()
        self._flushes: tuple[Flush, ...] = ()
        self._pending: Iterator[Any] = iter(())
        self._source: Any = _NOTHING  # then the stream's iterator, then None at the end

    def __aiter__(self) -> AsyncBody:
        return self

    async def __anext__(self) -> Any:
        item = next(self._pending, _NOTHING)
        while item is _NOTHING:
            source = self._source
            if source is None:
                raise StopAsyncIteration
            try:
                if source is _NOTHING:
                    self._start()
                else:
                    try:
                        raw = await source.__anext__()
                    except StopAsyncIteration:
                        await self._finish()
                    else:
                        self._body._num_bytes_downloaded += len(raw)
                        items: Sequence[Any] = (raw,)
                        for decode in self._decoders:
                            if len(items) == 1:
                                items = decode(items[0])
                            else:
                                items = [out for each in items for out in decode(each)]
                        self._pending = iter(items)
            except BaseException as exc:
                await self._fail(exc)
                raise
            item = next(self._pending, _NOTHING)
        return item

    async def aclose(self) -> None:
        """Stop here: close the stream's iterator (the response stays open)."""
        self._pending = iter(())
        source, self._source = self._source, None
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()

    def _start(self) -> None:
        # The order of the generators' first steps: the text decoder, then the body in
        # memory or the content decoder, then the stream's checks.
        body = self._body
        kind = self._kind
        size = self._chunk_size
        text = body._text_decoder() if kind >= TEXT else None
        content = None if kind == RAW else body._content
        # A chunker of size None only drops empty pieces: kept only where one may come.
        stages: list[tuple[Decode, Flush]] = []
        if content is not None:
            stages.append(_chunks(ByteChunker(size if kind == BYTES else None)))
        else:
            decoder = None if kind == RAW else body._content_decoder()
            body._check_async_stream()
            if decoder is None:
                stages.append(_chunks(ByteChunker(size)))
            else:  # its output is never empty
                stages.append(_listed(decoder))
                if kind == BYTES and size is not None:
                    stages.append(_chunks(ByteChunker(size)))
        if text is not None:
            stages.append(_text(text))  # drops empty strings
            if kind == TEXT and size is not None:
                stages.append(_chunks(TextChunker(size)))
        if kind == LINES:
            stages.append(_chunks(LineDecoder()))
        self._decoders = tuple(decode for decode, _ in stages)
        self._flushes = tuple(flush for _, flush in stages)
        if content is not None:
            self._source = None
            self._pending = iter([*_fed(self._decoders, content), *self._flushed()])
            return
        try:
            self._source = body.stream.__aiter__()  # type: ignore[union-attr]
        except BaseException:
            self._source = None
            raise

    async def _finish(self) -> None:
        """The stream ended: close it and the response, then flush every stage."""
        await self.aclose()
        await self._body.aclose()
        self._pending = iter(self._flushed())

    def _flushed(self) -> list[Any]:
        decoders = self._decoders
        items: list[Any] = []
        for index, flush in enumerate(self._flushes):
            for each in flush():
                items += _fed(decoders[index + 1 :], each)
        return items

    async def _fail(self, exc: BaseException) -> None:
        """Close the stream's iterator; raise `exc` converted as `_errors()` does, if it
        converts it (else the caller raises it again)."""
        await self.aclose()
        if isinstance(exc, tether_content.StreamConsumed):
            raise StreamConsumed() from exc
        self._body._errors().__exit__(type(exc), exc, None)


def _listed(decoder: ContentDecoder) -> tuple[Decode, Flush]:
    return (lambda raw: [*decoder.decode(raw)]), (lambda: [*decoder.flush()])


def _chunks(chunker: ByteChunker | TextChunker | LineDecoder) -> tuple[Decode, Flush]:
    return chunker.decode, chunker.flush


def _text(decoder: TextDecoder) -> tuple[Decode, Flush]:
    def decode(data: bytes) -> tuple[str, ...]:
        text = decoder.decode(data)
        return (text,) if text else ()

    def flush() -> tuple[str, ...]:
        text = decoder.flush()
        return (text,) if text else ()

    return decode, flush


def _fed(decoders: Sequence[Decode], item: Any) -> list[Any]:
    """`item` through `decoders`, each one's output into the next."""
    items = [item]
    for decode in decoders:
        items = [out for each in items for out in decode(each)]
    return items
