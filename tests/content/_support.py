"""Helpers shared by the tether-content tests: httpx as an oracle, a multipart parser, spies."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import python_multipart
from hypothesis import strategies as st

from tether_content import BodyStream, ContentDecoder

URL = "http://example.org/upload"


def wire(headers: dict[str, str], stream: BodyStream) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Our headers as raw pairs, and the joined body."""
    return [(k.encode(), v.encode()) for k, v in headers.items()], b"".join(stream)


def httpx_wire(method: str = "POST", **kwargs: Any) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """What httpx 0.28 puts on the wire for the same arguments: headers (minus Host) and body."""
    request = httpx.Request(method, URL, **kwargs)
    headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"host"]
    body = b"".join(request.stream)  # type: ignore[arg-type]
    return headers, body


def parse_multipart(body: bytes, boundary: bytes) -> list[tuple[dict[str, str], bytes]]:
    """Parse a multipart body with python-multipart: each part's headers and data."""
    parts: list[tuple[dict[str, str], bytes]] = []
    state: dict[str, Any] = {}

    def on_part_begin() -> None:
        state.update(headers={}, data=bytearray(), field=b"", value=b"")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].decode().lower()] = state["value"].decode()
        state.update(field=b"", value=b"")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        state["data"] += data[start:end]

    def on_part_end() -> None:
        parts.append((state["headers"], bytes(state["data"])))

    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    parser = python_multipart.MultipartParser(boundary, callbacks)
    assert parser.write(body) == len(body)
    parser.finalize()
    return parts


def split(data: bytes, sizes: Iterable[int]) -> list[bytes]:
    """Cut `data` into pieces of the given sizes (cycled), the last one shorter."""
    pieces = []
    sizes = list(sizes) or [len(data) or 1]
    index = position = 0
    while position < len(data):
        size = max(sizes[index % len(sizes)], 1)
        pieces.append(data[position : position + size])
        position += size
        index += 1
    return pieces


chunk_sizes = st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=8)
"""A hypothesis strategy for ways to cut a body into chunks."""


class SpyFile(io.BytesIO):
    """A BytesIO that records the size asked of each read()."""

    def __init__(self, data: bytes, name: str = "spy.bin") -> None:
        super().__init__(data)
        self.name = name
        self.reads: list[int] = []

    def read(self, size: int | None = -1, /) -> bytes:
        self.reads.append(-1 if size is None else size)
        return super().read(size)


class ReadOnly:
    """A binary source with only read(): no seek, tell or fileno."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self._data.read(size)


def feed_all(decoder: ContentDecoder, pieces: Iterable[bytes]) -> int:
    """Feed every piece to `decoder` and drain it; return the decoded size (no flush)."""
    total = 0
    for piece in pieces:
        for chunk in decoder.decode(piece):
            total += len(chunk)
    return total


def network(data: bytes, size: int = 65536) -> Iterator[bytes]:
    """`data` in socket-read-sized pieces."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def iterate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A generator over `chunks` (a one-shot source)."""
    yield from chunks


async def ajoin(stream: Any) -> bytes:
    """Join an async stream."""
    return b"".join([chunk async for chunk in stream])
