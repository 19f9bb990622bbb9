"""How a `Response` reads its body: raw bytes, decoded bytes, text and lines.

The pipeline is ``stream -> iter_raw (re-chunked) -> ContentDecoder -> iter_bytes ->
TextDecoder -> iter_text -> LineDecoder -> iter_lines``, built from tether_content's
sans-I/O pieces. The sync iterators are generators; the async ones are one iterator
object, `AsyncBody` (``_response_body_async``), which runs the same pieces in the same
order, since an async generator left unfinished makes trio warn when it is collected.

Invariants:
- `iter_raw`, `AsyncBody` and the two ``read`` shortcuts are the only code that
  touches the stream; they check, in this order, "already consumed"
  (`StreamConsumed`), "closed" (`StreamClosed`) and "wrong kind of stream"
  (`RuntimeError`), then mark the stream consumed, and close the response when the
  stream ends.
- Errors are converted in `_errors()`: tether_content's `DecodingError` becomes
  tether's `DecodingError`, and a `RequestError` raised without a request (by the
  transport's stream) gets the response's request attached.
- Once read, the body lives in `_content` and every `iter_*` serves it from there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import tether_content
from tether_content import ByteChunker, ContentDecoder, LineDecoder, TextChunker, TextDecoder
from tether_headers import Headers

from ._exceptions import (
    DecodingError,
    RequestError,
    ResponseNotRead,
    StreamClosed,
    StreamConsumed,
)
from ._response_body_async import BYTES, LINES, RAW, TEXT, AsyncBody
from ._streams import (
    StreamTypes,
    can_iterate_async,
    can_iterate_sync,
    iterate_async,
    iterate_sync,
)

if TYPE_CHECKING:
    from ._request import Request

__all__ = ["BodyReader"]


class _ConvertErrors:
    """The error conversion of the module docstring, as a context manager (a class:
    cheaper to enter than a generator-based one, and entered twice per response)."""

    __slots__ = ("_body",)

    def __init__(self, body: BodyReader) -> None:
        self._body = body

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if isinstance(exc, RequestError):
            if exc._request is None:
                exc._request = self._body._request
        elif isinstance(exc, tether_content.DecodingError):
            raise DecodingError(str(exc), request=self._body._request) from exc


class BodyReader:
    """The body half of `Response` (a mixin: it needs `stream`, `headers`, `_request`)."""

    stream: StreamTypes
    headers: Headers
    default_encoding: tether_content.DefaultEncoding
    _request: Request | None
    is_closed: bool
    is_stream_consumed: bool

    def _init_body(self) -> None:
        self.is_closed = False
        self.is_stream_consumed = False
        self._num_bytes_downloaded = 0
        self._content: bytes | None = None
        self._text: str | None = None
        self._encoding: str | None = None
        self._decoder: ContentDecoder | None = None

    def _errors(self) -> _ConvertErrors:
        return _ConvertErrors(self)

    # -- the body in memory -------------------------------------------------------------

    @property
    def content(self) -> bytes:
        """The decoded body; `ResponseNotRead` if it is streamed and not read yet."""
        if self._content is None:
            raise ResponseNotRead()
        return self._content

    @property
    def text(self) -> str:
        """The body decoded to text with `encoding`."""
        if self._text is None:
            content = self.content
            if content:
                decoder = self._text_decoder()
                self._text = decoder.decode(content) + decoder.flush()
            else:
                self._text = ""
        return self._text

    @property
    def encoding(self) -> str | None:
        """The text encoding: the Content-Type charset, else `default_encoding`, else utf-8.

        A `default_encoding` function is called with the body if it has been read; before
        that "utf-8" is used (and kept), as httpx does.
        """
        if self._encoding is None:
            self._encoding = tether_content.resolve_encoding(
                self.headers.get("Content-Type"), self.default_encoding, self._content
            )
        return self._encoding

    @encoding.setter
    def encoding(self, value: str) -> None:
        if self._text is not None:
            raise ValueError("Setting encoding after `text` has been accessed is not allowed.")
        self._encoding = value

    @property
    def charset_encoding(self) -> str | None:
        """The charset named by the Content-Type header (lowercased), if any."""
        return tether_content.charset_from_content_type(self.headers.get("Content-Type"))

    @property
    def num_bytes_downloaded(self) -> int:
        """How many raw (still encoded) bytes have been read from the stream."""
        return self._num_bytes_downloaded

    def _text_decoder(self) -> TextDecoder:
        encoding = self.encoding or "utf-8"
        try:
            return TextDecoder(encoding)
        except tether_content.InvalidInput as exc:
            raise LookupError(f"unknown text encoding {encoding!r} for the response body") from exc

    def _content_decoder(self) -> ContentDecoder:
        if self._decoder is None:
            self._decoder = ContentDecoder(self.headers.get_list("Content-Encoding"))
        return self._decoder

    # -- sync ---------------------------------------------------------------------------

    def read(self) -> bytes:
        """Read the whole body into memory (once), close the stream, and return it."""
        if self._content is None:
            try:
                if "Content-Encoding" in self.headers:
                    self._content = b"".join(self.iter_bytes())
                else:  # nothing to decode: skip the decoder and chunker stages
                    self._content = self._read_raw()
            except Exception:
                if not self.is_closed and can_iterate_sync(self.stream):
                    self.close()
                raise
        return self._content

    def _read_raw(self) -> bytes:
        """`iter_raw` joined, without its generator (the body of `read`)."""
        self._check_sync_stream()
        parts = []
        stream = self.stream
        with self._errors():
            # The network transport's stream can hand the rest over whole (one copy).
            read_rest = getattr(stream, "read_rest", None)
            rest = None if read_rest is None else read_rest()
            if rest is not None:
                self._num_bytes_downloaded += len(rest)
                parts.append(rest)
            else:
                # A stream that raises only tether's errors needs no converting wrapper.
                plain = getattr(stream, "plain_errors", False)
                raws = iter(stream) if plain else iterate_sync(stream)  # type: ignore[arg-type]
                for raw in raws:
                    self._num_bytes_downloaded += len(raw)
                    parts.append(raw)
        self.close()
        return b"".join(parts)  # one part: that very object, not a copy

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Yield the decoded body, in chunks of `chunk_size` bytes (None: as received)."""
        chunker = ByteChunker(chunk_size)
        if self._content is not None:
            yield from chunker.decode(self._content)
        else:
            with self._errors():
                decoder = self._content_decoder()
                for raw in self.iter_raw():
                    for decoded in decoder.decode(raw):
                        yield from chunker.decode(decoded)
                for decoded in decoder.flush():
                    yield from chunker.decode(decoded)
        yield from chunker.flush()

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """Yield the body as text, in chunks of `chunk_size` characters (None: as decoded)."""
        chunker = TextChunker(chunk_size)
        decoder = self._text_decoder()
        for data in self.iter_bytes():
            yield from chunker.decode(decoder.decode(data))
        yield from chunker.decode(decoder.flush())
        yield from chunker.flush()

    def iter_lines(self) -> Iterator[str]:
        """Yield the body's lines, without their line breaks."""
        decoder = LineDecoder()
        for text in self.iter_text():
            yield from decoder.decode(text)
        yield from decoder.flush()

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Yield the body as received (still Content-Encoded), in `chunk_size` chunks."""
        chunker = ByteChunker(chunk_size)
        self._check_sync_stream()
        stream = self.stream
        with self._errors():
            # A stream that raises only tether's errors needs no converting wrapper.
            plain = getattr(stream, "plain_errors", False)
            raws = iter(stream) if plain else iterate_sync(stream)  # type: ignore[arg-type]
            for raw in raws:
                self._num_bytes_downloaded += len(raw)
                yield from chunker.decode(raw)
        yield from chunker.flush()
        self.close()

    def _check_sync_stream(self) -> None:
        """Refuse a consumed, closed or async-only stream; else mark it consumed."""
        if self.is_stream_consumed:
            raise StreamConsumed()
        if self.is_closed:
            raise StreamClosed()
        if not can_iterate_sync(self.stream):
            raise RuntimeError("Attempted to call a sync iterator on an async stream.")
        self.is_stream_consumed = True
        self._num_bytes_downloaded = 0

    def close(self) -> None:
        """Close the body stream (releasing the connection); later reads raise."""
        if not can_iterate_sync(self.stream):
            raise RuntimeError("Attempted to call a sync close on an async stream.")
        if not self.is_closed:
            self.is_closed = True
            close = getattr(self.stream, "close", None)
            if close is not None:
                with self._errors():
                    close()

    # -- async --------------------------------------------------------------------------

    async def aread(self) -> bytes:
        """Read the whole body into memory (once), close the stream, and return it."""
        if self._content is None:
            try:
                if "Content-Encoding" in self.headers:
                    parts = AsyncBody(self, BYTES, None)
                    try:
                        self._content = b"".join([part async for part in parts])
                    finally:
                        await parts.aclose()
                else:  # nothing to decode: skip the decoder and chunker stages
                    self._content = await self._aread_raw()
            except Exception:
                if not self.is_closed and can_iterate_async(self.stream):
                    await self.aclose()
                raise
        return self._content

    async def _aread_raw(self) -> bytes:
        """`aiter_raw` joined, without its generator (the body of `aread`)."""
        self._check_async_stream()
        parts = []
        stream = self.stream
        with self._errors():
            aread_rest = getattr(stream, "aread_rest", None)
            rest = None if aread_rest is None else await aread_rest()
            if rest is not None:
                self._num_bytes_downloaded += len(rest)
                parts.append(rest)
            elif getattr(stream, "plain_errors", False):  # no converting wrapper
                async for raw in stream:  # type: ignore[union-attr]
                    self._num_bytes_downloaded += len(raw)
                    parts.append(raw)
            else:
                raws = iterate_async(stream)
                try:
                    async for raw in raws:
                        self._num_bytes_downloaded += len(raw)
                        parts.append(raw)
                finally:
                    await raws.aclose()
        await self.aclose()
        return b"".join(parts)

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Yield the decoded body, in chunks of `chunk_size` bytes (None: as received)."""
        return AsyncBody(self, BYTES, chunk_size)

    def aiter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        """Yield the body as text, in chunks of `chunk_size` characters (None: as decoded)."""
        return AsyncBody(self, TEXT, chunk_size)

    def aiter_lines(self) -> AsyncIterator[str]:
        """Yield the body's lines, without their line breaks."""
        return AsyncBody(self, LINES, None)

    def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Yield the body as received (still Content-Encoded), in `chunk_size` chunks."""
        return AsyncBody(self, RAW, chunk_size)

    def _check_async_stream(self) -> None:
        """Refuse a consumed, closed or sync-only stream; else mark it consumed."""
        if self.is_stream_consumed:
            raise StreamConsumed()
        if self.is_closed:
            raise StreamClosed()
        if not can_iterate_async(self.stream):
            raise RuntimeError("Attempted to call an async iterator on a sync stream.")
        self.is_stream_consumed = True
        self._num_bytes_downloaded = 0

    async def aclose(self) -> None:
        """Close the body stream (releasing the connection); later reads raise."""
        if not can_iterate_async(self.stream):
            raise RuntimeError("Attempted to call an async close on a sync stream.")
        if not self.is_closed:
            self.is_closed = True
            aclose = getattr(self.stream, "aclose", None)
            if aclose is not None:
                with self._errors():
                    await aclose()
