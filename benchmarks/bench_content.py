"""tether-content against httpx 0.28: multipart uploads, body decoding, text and lines.

Every candidate of a case does the same work on the same input: it builds its
stream or decoder and consumes all of its output. Decoders are fed a body in
64 KiB pieces, like socket reads. httpx's decoders are private classes
(`httpx._decoders`), used here only as the yardstick.
"""

from __future__ import annotations

import gzip
import os
import random
import tempfile
import tracemalloc
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import brotli
import zstandard
from httpx import _content as httpx_content
from httpx import _decoders as httpx_decoders

import tether_content
from benchmarks._harness import Result, compare, report

BOUNDARY = b"bench-boundary"
FILE_SIZE = 50 * 1024 * 1024
BODY_SIZE = 10 * 1024 * 1024
PIECE = 65_536


def _text_body(size: int) -> bytes:
    """Words from a fixed vocabulary: compresses about 2:1, like real text or JSON."""
    rng = random.Random(0)
    letters = b"abcdefghijklmnopqrstuvwxyz"
    words = [bytes(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    out = bytearray()
    while len(out) < size:
        out += b" ".join(rng.choices(words, k=1000)) + b"\n"
    return bytes(out[:size])


def _pieces(data: bytes) -> list[bytes]:
    return [data[i : i + PIECE] for i in range(0, len(data), PIECE)]


def _consume(chunks: Iterable[bytes]) -> int:
    return sum(len(chunk) for chunk in chunks)


def _upload(path: Path) -> dict[str, Callable[[], int]]:
    def tether() -> int:
        with path.open("rb") as file:
            _, stream = tether_content.encode_request(files={"f": file}, boundary=BOUNDARY)
            return _consume(stream)

    def httpx() -> int:
        with path.open("rb") as file:
            _, stream = httpx_content.encode_request(files={"f": file}, boundary=BOUNDARY)
            return _consume(stream)  # type: ignore[arg-type]

    return {"tether": tether, "httpx": httpx}


def _peak_kib(func: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def _decoding(encoding: str, body: bytes, httpx_class: Any) -> dict[str, Callable[[], int]]:
    pieces = _pieces(body)

    def tether() -> int:
        decoder = tether_content.ContentDecoder(encoding)
        total = 0
        for piece in pieces:
            total += _consume(decoder.decode(piece))
        return total + _consume(decoder.flush())

    def httpx() -> int:
        decoder = httpx_class()
        total = 0
        for piece in pieces:
            total += len(decoder.decode(piece))
        return total + len(decoder.flush())

    return {"tether": tether, "httpx": httpx}


def _lines(text: str) -> dict[str, Callable[[], int]]:
    pieces = [text[i : i + 4096] for i in range(0, len(text), 4096)]

    def run(decoder: Any) -> int:
        count = 0
        for piece in pieces:
            count += len(decoder.decode(piece))
        return count + len(decoder.flush())

    return {
        "tether": lambda: run(tether_content.LineDecoder()),
        "httpx": lambda: run(httpx_decoders.LineDecoder()),
    }


def _text(body: bytes) -> dict[str, Callable[[], int]]:
    pieces = _pieces(body)

    def run(decoder: Any) -> int:
        return sum(len(decoder.decode(piece)) for piece in pieces) + len(decoder.flush())

    return {
        "tether": lambda: run(tether_content.TextDecoder("utf-8")),
        "httpx": lambda: run(httpx_decoders.TextDecoder("utf-8")),
    }


def _small_bodies() -> dict[str, Callable[[], object]]:
    form = {"name": "tether", "tags": ["a", "b", "c"], "count": 3, "ok": True}
    document = {"id": 1, "items": [{"k": i, "v": "é" * 5} for i in range(20)]}

    def tether() -> object:
        b"".join(tether_content.encode_request(data=form)[1])
        return b"".join(tether_content.encode_request(json=document)[1])

    def httpx() -> object:
        b"".join(httpx_content.encode_request(data=form)[1])  # type: ignore[arg-type]
        return b"".join(httpx_content.encode_request(json=document)[1])  # type: ignore[arg-type]

    return {"tether": tether, "httpx": httpx}


def main() -> str:
    """Run every case; return the table plus the memory and throughput lines."""
    results: list[Result] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.bin"
        with path.open("wb") as out:
            block = os.urandom(1024 * 1024)
            for _ in range(FILE_SIZE // len(block)):
                out.write(block)
        upload = _upload(path)
        for func in upload.values():
            assert func() > FILE_SIZE
        results += compare("multipart 50 MB file", upload, repeat=5)
        peaks = {name: _peak_kib(func) for name, func in upload.items()}
        notes.append(
            "multipart 50 MB file, peak traced memory while streaming: "
            + ", ".join(f"{name} {kib:.0f} KiB" for name, kib in peaks.items())
        )

    body = _text_body(BODY_SIZE)
    zstd_body = zstandard.ZstdCompressor().compress(body)
    cases = [
        ("gzip", gzip.compress(body, compresslevel=6), httpx_decoders.GZipDecoder),
        ("deflate", zlib.compress(body), httpx_decoders.DeflateDecoder),
        ("br", brotli.compress(body, quality=5), httpx_decoders.BrotliDecoder),
        ("zstd", zstd_body, httpx_decoders.ZStandardDecoder),
    ]
    for encoding, compressed, httpx_class in cases:
        candidates = _decoding(encoding, compressed, httpx_class)
        assert {name: func() for name, func in candidates.items()} == {
            "tether": len(body),
            "httpx": len(body),
        }
        rows = compare(f"decode {encoding} 10 MB", candidates)
        results += rows
        tether_seconds = next(row.seconds for row in rows if row.candidate == "tether")
        notes.append(
            f"decode {encoding} 10 MB: tether {len(body) / tether_seconds / 1e6:.0f} MB/s decoded"
        )

    text = body.decode("ascii").replace(" ", "\r\n", 50_000)
    results += compare("iter_lines 10 MB text", _lines(text))
    results += compare("utf-8 text 10 MB", _text(body))
    results += compare("form + json bodies (small)", _small_bodies())
    return report("tether-content vs httpx 0.28", results) + "\n" + "\n".join(notes)
