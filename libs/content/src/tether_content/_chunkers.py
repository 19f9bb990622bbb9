"""Re-chunking for `iter_bytes(chunk_size)` and `iter_text(chunk_size)`, as httpx 0.28.

Invariant: with a `chunk_size`, every chunk but the last has exactly that
size and the last is shorter and non-empty; with None, each non-empty input
passes through unchanged. Nothing is copied more than once.
"""

from __future__ import annotations

from ._exceptions import InvalidInput


def _chunk_size(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"chunk_size must be a positive int or None, got {value!r}")
    return value


class ByteChunker:
    """Regroups byte chunks into chunks of exactly `chunk_size` bytes.

    >>> chunker = ByteChunker(4)
    >>> chunker.decode(b"abcdef") + chunker.flush()
    [b'abcd', b'ef']
    """

    __slots__ = ("_buffer", "_size")

    def __init__(self, chunk_size: int | None = None) -> None:
        """Chunks of `chunk_size` bytes; None passes chunks through."""
        self._size = _chunk_size(chunk_size)
        self._buffer = bytearray()

    def decode(self, data: bytes) -> list[bytes]:
        """The full chunks now available."""
        size = self._size
        if size is None:
            return [data] if data else []
        if not self._buffer and len(data) == size:
            return [data]
        buffer = self._buffer
        buffer += data
        if len(buffer) < size:
            return []
        end = len(buffer) - len(buffer) % size
        chunks = [bytes(buffer[start : start + size]) for start in range(0, end, size)]
        del buffer[:end]
        return chunks

    def flush(self) -> list[bytes]:
        """The last, shorter chunk, if any."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        return [rest] if rest else []


class TextChunker:
    """Regroups text chunks into chunks of exactly `chunk_size` characters.

    >>> chunker = TextChunker(2)
    >>> chunker.decode("abc") + chunker.flush()
    ['ab', 'c']
    """

    __slots__ = ("_length", "_parts", "_size")

    def __init__(self, chunk_size: int | None = None) -> None:
        """Chunks of `chunk_size` characters; None passes chunks through."""
        self._size = _chunk_size(chunk_size)
        self._parts: list[str] = []
        self._length = 0

    def decode(self, text: str) -> list[str]:
        """The full chunks now available."""
        size = self._size
        if size is None:
            return [text] if text else []
        self._parts.append(text)
        self._length += len(text)
        if self._length < size:
            return []
        value = "".join(self._parts)
        end = len(value) - len(value) % size
        rest = value[end:]
        self._parts = [rest] if rest else []
        self._length = len(rest)
        return [value[start : start + size] for start in range(0, end, size)]

    def flush(self) -> list[str]:
        """The last, shorter chunk, if any."""
        rest = "".join(self._parts)
        self._parts = []
        self._length = 0
        return [rest] if rest else []
