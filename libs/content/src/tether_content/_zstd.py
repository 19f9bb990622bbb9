"""The zstd stage (RFC 8878, as an HTTP coding per RFC 9659), with bounded output.

Same stage interface as `_zlib.py`. The `zstandard` library's streaming
decompressor returns everything a call's input decodes to, so a small input can
inflate to gigabytes in one call. To bound each call, this stage reads the
frame format itself (RFC 8878 section 3.1.1) and hands the library exactly one
unit at a time: a frame header, one block, or a checksum. A block decodes to at
most Block_Maximum_Size, 128 KiB (section 3.1.1.2.3), so no call yields more.

Invariants:
- Frames follow one another (section 3.1: a stream may hold several);
  skippable frames (section 3.1.2) are skipped without buffering them.
- The window is limited to 8 MiB: RFC 9659 section 3 requires encoders to stay
  within it, and it bounds the decoder's memory; larger frames are refused.
- A frame's checksum, when present, is verified by the library.
- Input is buffered until a unit is complete, so at most one block (up to
  2 MiB of compressed input, the largest size a block header can state) is held.
- The body must end between frames; anything else is reported as truncated.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ._exceptions import DecodingError
from ._zlib import truncated

_FRAME_MAGIC = 0xFD2FB528
_SKIPPABLE_MAGIC = 0x184D2A50  # the low 4 bits are free (section 3.1.2)
_BLOCK_MAXIMUM_SIZE = 128 * 1024
_WINDOW_LIMIT = 8 * 1024 * 1024

# Field sizes of the frame header (section 3.1.1.1), indexed by their flags.
_DICTIONARY_ID_SIZES = (0, 1, 2, 4)
_CONTENT_SIZE_SIZES = (0, 2, 4, 8)

_RLE_BLOCK = 1
_RESERVED_BLOCK = 3

# What the parser expects next.
_MAGIC, _HEADER, _BLOCK, _CHECKSUM, _SKIP = range(5)


def _corrupt(detail: str) -> DecodingError:
    return DecodingError(f"could not decode Content-Encoding 'zstd': {detail}")


class ZstdStage:
    """Decodes zstd one frame unit at a time: at most 128 KiB per library call."""

    __slots__ = (
        "_buffer",
        "_checksum",
        "_context",
        "_decompressor",
        "_error",
        "_out",
        "_position",
        "_skip",
        "_state",
    )

    name = "zstd"

    def __init__(self, module: ModuleType) -> None:
        self._context: Any = module.ZstdDecompressor(max_window_size=_WINDOW_LIMIT)
        self._error: type[Exception] = module.ZstdError
        self._decompressor: Any = None
        self._buffer = bytearray()
        self._position = 0
        self._state = _MAGIC
        self._checksum = False
        self._skip = 0
        self._out = b""

    def feed(self, data: bytes) -> None:
        """Store compressed input."""
        if self._position:
            del self._buffer[: self._position]
            self._position = 0
        self._buffer += data

    def pull(self, limit: int) -> bytes:
        """Up to `limit` decoded bytes; `b""` when more input is needed."""
        while not self._out:
            unit = self._next_unit()
            if unit is None:
                return b""
            try:
                self._out = self._decompressor.decompress(unit)
            except self._error as exc:
                if "memory" in str(exc):
                    raise _corrupt(
                        "the frame's window is larger than the 8 MiB RFC 9659 allows"
                    ) from None
                raise _corrupt(f"corrupt data ({exc})") from None
            if self._state == _MAGIC and not self._decompressor.eof:
                raise _corrupt("a frame did not end after its last block")
        out, self._out = self._out[:limit], self._out[limit:]
        return out

    def _take(self, size: int) -> bytearray | None:
        end = self._position + size
        if end > len(self._buffer):
            return None
        unit = self._buffer[self._position : end]
        self._position = end
        return unit

    def _peek(self, size: int) -> int | None:
        end = self._position + size
        if end > len(self._buffer):
            return None
        return int.from_bytes(self._buffer[self._position : end], "little")

    def _next_unit(self) -> bytearray | None:
        """The next complete unit to decompress, or None if more input is needed."""
        while True:
            if self._state == _SKIP:
                step = min(self._skip, len(self._buffer) - self._position)
                self._position += step
                self._skip -= step
                if self._skip:
                    return None
                self._state = _MAGIC
            elif self._state == _MAGIC:
                magic = self._peek(4)
                if magic is None:
                    return None
                if magic == _FRAME_MAGIC:
                    self._state = _HEADER
                elif magic & 0xFFFFFFF0 == _SKIPPABLE_MAGIC:
                    size = self._peek(8)
                    if size is None:
                        return None
                    self._position += 8
                    self._skip = size >> 32
                    self._state = _SKIP
                else:
                    raise _corrupt(f"not a Zstandard frame (magic number {magic:#010x})")
            elif self._state == _HEADER:
                return self._frame_header()
            elif self._state == _BLOCK:
                return self._block()
            else:
                unit = self._take(4)
                if unit is not None:
                    self._state = _MAGIC
                return unit

    def _frame_header(self) -> bytearray | None:
        descriptor = self._peek(5)
        if descriptor is None:
            return None
        descriptor >>= 32
        single_segment = descriptor >> 5 & 1
        size = (
            5
            + (0 if single_segment else 1)
            + _DICTIONARY_ID_SIZES[descriptor & 3]
            + (_CONTENT_SIZE_SIZES[descriptor >> 6] or single_segment)
        )
        unit = self._take(size)
        if unit is not None:
            self._checksum = bool(descriptor >> 2 & 1)
            self._decompressor = self._context.decompressobj()
            self._state = _BLOCK
        return unit

    def _block(self) -> bytearray | None:
        header = self._peek(3)
        if header is None:
            return None
        last, kind, size = header & 1, header >> 1 & 3, header >> 3
        if kind == _RESERVED_BLOCK:
            raise _corrupt("a block has the reserved block type")
        if size > _BLOCK_MAXIMUM_SIZE:
            raise _corrupt(f"a block states {size} bytes, over the 128 KiB maximum")
        unit = self._take(3 + (1 if kind == _RLE_BLOCK else size))
        if unit is not None and last:
            self._state = _CHECKSUM if self._checksum else _MAGIC
        return unit

    def finish(self) -> None:
        """`DecodingError` if the body stopped inside a frame."""
        if self._state != _MAGIC or self._position < len(self._buffer):
            raise truncated(self.name)
