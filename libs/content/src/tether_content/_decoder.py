"""Content-Encoding decoding: a pipeline of stages with bounded output and a size cap.

Invariants:
- Codings are listed in the order they were applied, so they are decoded in
  reverse: for "gzip, br" the br stage runs first (RFC 9110 section 8.4).
  Several Content-Encoding header lines join, in order, into one list.
- "identity" and codings this package does not know are skipped, as httpx does
  (a server that mislabels an uncompressed body still works).
- At most `max_encodings` (5) real codings are decoded; more is refused before
  any decoding. 5 is urllib3's limit from its CVE-2025-66418 fix: no server
  stacks more, and each stage costs memory.
- Each stage pulls from the one before it only when it has run dry, and yields
  at most `max_chunk_size` bytes per chunk, so memory stays bounded by the
  stages' buffers whatever the compression ratio (see `_zlib.py`). With no
  coding, chunks pass through unchanged (they are already in memory).
- The total decoded size is counted, and `max_size` (off by default) raises
  `DecodingError` as soon as it is crossed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from ._brotli import BrotliStage
from ._codecs import load_codec
from ._exceptions import DecodingError, InvalidInput, StreamError
from ._zlib import DeflateStage, GzipStage
from ._zstd import ZstdStage

MAX_ENCODINGS = 5
"""urllib3's cap on stacked Content-Encodings (CVE-2025-66418)."""

MAX_CHUNK_SIZE = 262_144
"""The default bound on one decoded chunk: 256 KiB.

Small enough that a bomb never holds more than this per stage, large enough that
zlib's `max_length` costs nothing measurable (64 KiB measured 6% slower on gzip,
see benchmarks/bench_content.py).
"""


class _Stage(Protocol):
    name: str

    def feed(self, data: bytes) -> None: ...

    def pull(self, limit: int) -> bytes: ...

    def finish(self) -> None: ...


class _Identity:
    """No coding: chunks pass through as they are."""

    __slots__ = ("_pending",)

    name = "identity"

    def __init__(self) -> None:
        self._pending: list[bytes] = []

    def feed(self, data: bytes) -> None:
        if data:
            self._pending.append(data)

    def pull(self, limit: int) -> bytes:
        return self._pending.pop(0) if self._pending else b""

    def finish(self) -> None:
        return None


def _make_stage(encoding: str) -> _Stage:
    if encoding == "gzip":
        return GzipStage()
    if encoding == "deflate":
        return DeflateStage()
    if encoding == "br":
        return BrotliStage(load_codec("br"))
    return ZstdStage(load_codec("zstd"))


_KNOWN = frozenset({"gzip", "deflate", "br", "zstd"})


def parse_content_encoding(value: str | Iterable[str] | None) -> list[str]:
    """The codings of one or more Content-Encoding values, lowercased, in order applied."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    codings = []
    for item in values:
        if not isinstance(item, str):
            raise InvalidInput(f"Content-Encoding values must be str, got {type(item).__name__}")
        codings += [token.strip().lower() for token in item.split(",") if token.strip()]
    return codings


def _positive(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{what} must be a positive int, got {value!r}")
    return value


class ContentDecoder:
    """Decodes a response body sent with some Content-Encoding, in bounded chunks.

    Feed raw chunks to `decode()` and iterate what it returns, then iterate
    `flush()` once at the end of the body:

    >>> import gzip
    >>> decoder = ContentDecoder("gzip")
    >>> b"".join(decoder.decode(gzip.compress(b"hello")))
    b'hello'
    >>> list(decoder.flush())
    []
    """

    __slots__ = ("_chunk_size", "_encodings", "_finished", "_max_size", "_stages", "_total")

    def __init__(
        self,
        content_encoding: str | Iterable[str] | None = None,
        *,
        max_size: int | None = None,
        max_chunk_size: int = MAX_CHUNK_SIZE,
        max_encodings: int = MAX_ENCODINGS,
    ) -> None:
        """Prepare the stages for `content_encoding` (one header value, or several).

        `max_size` caps the total decoded size; `max_chunk_size` bounds each chunk.
        A coding whose library is missing raises `DecodingError` naming the extra.
        """
        self._max_size = None if max_size is None else _positive(max_size, "max_size")
        self._chunk_size = _positive(max_chunk_size, "max_chunk_size")
        limit = _positive(max_encodings, "max_encodings")
        codings = [c for c in parse_content_encoding(content_encoding) if c in _KNOWN]
        if len(codings) > limit:
            raise DecodingError(
                f"the response stacks {len(codings)} content codings "
                f"({', '.join(codings[: limit + 1])}{', ...' if len(codings) > limit + 1 else ''})"
                f"; at most {limit} are decoded"
            )
        self._encodings = tuple(codings)
        stages = [_make_stage(coding) for coding in reversed(codings)]
        self._stages: list[_Stage] = stages or [_Identity()]
        self._total = 0
        self._finished = False

    @property
    def encodings(self) -> tuple[str, ...]:
        """The codings decoded, in the order the server applied them."""
        return self._encodings

    @property
    def decoded_size(self) -> int:
        """How many decoded bytes have been produced so far."""
        return self._total

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Take the next raw chunk; return an iterator of decoded chunks.

        Iterate it to the end before the next call for bounded memory; input not
        yet decoded is kept, so a chunk left unread is not lost.
        """
        if self._finished:
            raise StreamError("ContentDecoder.decode() was called after flush()")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidInput(f"decode() needs bytes, got {type(data).__name__}")
        self._stages[0].feed(bytes(data))
        return self._drain()

    def flush(self) -> Iterator[bytes]:
        """Signal the end of the body: yield what is left, then check nothing was cut short."""
        self._finished = True
        return self._flush()

    def _flush(self) -> Iterator[bytes]:
        yield from self._drain()
        for stage in self._stages:
            stage.finish()

    def decode_all(self, data: bytes) -> bytes:
        """Decode a whole body at once (it must fit in memory; `max_size` still applies)."""
        return b"".join(self.decode(data)) + b"".join(self.flush())

    def _drain(self) -> Iterator[bytes]:
        last = len(self._stages) - 1
        while True:
            chunk = self._pull(last)
            if not chunk:
                return
            self._total += len(chunk)
            if self._max_size is not None and self._total > self._max_size:
                raise DecodingError(
                    f"the decoded body exceeds max_size={self._max_size} bytes "
                    f"(Content-Encoding: {', '.join(self._encodings) or 'identity'})"
                )
            yield chunk

    def _pull(self, index: int) -> bytes:
        stage = self._stages[index]
        while True:
            out = stage.pull(self._chunk_size)
            if out or index == 0:
                return out
            upstream = self._pull(index - 1)
            if not upstream:
                return b""
            stage.feed(upstream)

    def __repr__(self) -> str:
        return f"<ContentDecoder [{', '.join(self._encodings) or 'identity'}]>"
