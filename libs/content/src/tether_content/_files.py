"""Questions asked of file-like objects without reading them: text or binary, size, position.

Sizes come from `os.fstat` only for regular files: a pipe, socket or character
device reports `st_size == 0` whatever it will yield, so for those the size is
unknown and the body goes out chunked. Otherwise a seekable object is measured
by seeking to its end and back (what httpx's `peek_filelike_length` does).
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Generator
from typing import Any

from ._exceptions import InvalidInput

READ_SIZE = 65_536
"""Bytes asked of a file per `read()`: 64 KiB, httpx's chunk size for uploads."""


def is_text_file(obj: object) -> bool:
    """Whether `obj` is a text-mode file (its `read()` returns str)."""
    return isinstance(obj, io.TextIOBase)


def position(fileobj: Any) -> int | None:
    """The current offset of a seekable file, or None if it cannot tell or seek."""
    try:
        if not fileobj.seekable():
            return None
    except (AttributeError, OSError, ValueError):
        pass
    try:
        offset = fileobj.tell()
    except (AttributeError, OSError, ValueError):
        return None
    return offset if isinstance(offset, int) else None


def total_size(fileobj: Any) -> int | None:
    """The size of the whole file in bytes, or None if it cannot be known without reading."""
    try:
        fd = fileobj.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if isinstance(fd, int):
        try:
            info = os.fstat(fd)
        except OSError:
            info = None
        if info is not None and stat.S_ISREG(info.st_mode):
            return info.st_size
    offset = position(fileobj)
    if offset is None:
        return None
    try:
        end = fileobj.seek(0, os.SEEK_END)
        if not isinstance(end, int):
            end = fileobj.tell()
        fileobj.seek(offset)
    except (AttributeError, OSError, ValueError):
        return None
    return end if isinstance(end, int) else None


def rewind(fileobj: Any, offset: int) -> bool:
    """Seek `fileobj` to `offset`; False if it cannot seek."""
    try:
        fileobj.seek(offset)
    except (AttributeError, OSError, ValueError):
        return False
    return True


def as_bytes(chunk: object, source: str) -> bytes:
    """`chunk` as bytes; bytearray and memoryview are copied, anything else is refused."""
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    if isinstance(chunk, str):
        raise InvalidInput(
            f"{source} produced str {_preview(chunk)}, not bytes: "
            "open files in binary mode ('rb') and encode text before sending it"
        )
    raise InvalidInput(f"{source} produced {type(chunk).__name__} {_preview(chunk)}, not bytes")


def read_chunks(fileobj: Any, source: str) -> Generator[bytes, None, None]:
    """Yield a binary file's bytes from its current position in `READ_SIZE` reads."""
    read = fileobj.read
    while True:
        chunk = as_bytes(read(READ_SIZE), source)
        if not chunk:
            return
        yield chunk


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
