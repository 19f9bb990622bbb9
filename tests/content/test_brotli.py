"""br: httpx's output, bounded chunks, truncated, corrupt and bomb input, old library APIs."""

from __future__ import annotations

import sys
import tracemalloc
from types import ModuleType
from typing import Any

import brotli
import pytest
from httpx._decoders import BrotliDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.content._support import chunk_sizes, feed_all, network, split
from tether_content import ContentDecoder, DecodingError
from tether_content._decoder import MAX_CHUNK_SIZE


def decode_chunks(pieces: list[bytes], **options: int) -> list[bytes]:
    decoder = ContentDecoder("br", **options)
    out = [chunk for piece in pieces for chunk in decoder.decode(piece)]
    return out + list(decoder.flush())


bodies = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda n, b: b * n, st.integers(1, 20000), st.binary(min_size=1, max_size=30)),
)


@settings(max_examples=200, deadline=None)
@given(body=bodies, sizes=chunk_sizes, quality=st.integers(0, 11))
def test_br_matches_httpx_for_any_chunking(body: bytes, sizes: list[int], quality: int) -> None:
    compressed = brotli.compress(body, quality=quality)
    theirs = BrotliDecoder()
    expected = theirs.decode(compressed) + theirs.flush()
    chunks = decode_chunks(split(compressed, sizes), max_chunk_size=4096)
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert b"".join(chunks) == expected == body


def test_an_empty_body_is_valid() -> None:
    assert decode_chunks([]) == decode_chunks([b""]) == []


def test_every_truncation_is_reported() -> None:
    # httpx's BrotliDecoder (with the brotli package) accepts a cut-short stream silently.
    compressed = brotli.compress(b"brotli body that is long enough " * 40)
    for cut in range(1, len(compressed)):
        with pytest.raises(DecodingError, match=r"'br'.*truncated"):
            decode_chunks([compressed[:cut]])


@pytest.mark.parametrize(
    "body",
    [b"\xff" * 20, brotli.compress(b"abc") + b"extra", b"\x0b\x00\x80a\x03" + b"\x00"],
)
def test_corrupt_input_raises_decoding_error(body: bytes) -> None:
    with pytest.raises(DecodingError, match="Content-Encoding 'br': corrupt data"):
        decode_chunks([body])


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    """1 GiB of zeros, compressed 1 MiB at a time."""
    compressor = brotli.Compressor(quality=0)
    zeros = bytes(1 << 20)
    parts = [compressor.process(zeros) for _ in range(1024)]
    return b"".join(parts) + bytes(compressor.finish())


def test_a_brotli_bomb_hits_the_size_cap(brotli_bomb: bytes) -> None:
    decoder = ContentDecoder("br", max_size=5_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(DecodingError, match="exceeds max_size=5000000"):
            feed_all(decoder, network(brotli_bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000


def test_a_brotli_bomb_is_inflated_a_bounded_chunk_at_a_time(brotli_bomb: bytes) -> None:
    decoder = ContentDecoder("br")
    chunks = decoder.decode(brotli_bomb[:65536])  # decodes to ~100 MB
    tracemalloc.start()
    try:
        for _ in range(200):
            assert len(next(chunks)) <= MAX_CHUNK_SIZE
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # a few chunks' worth, not the 50 MB decoded


class _OldDecompressor:
    """brotli < 1.2: process() without output_buffer_limit, no can_accept_more_data()."""

    def __init__(self) -> None:
        self._inner = brotli.Decompressor()

    def process(self, data: bytes) -> bytes:
        return bytes(self._inner.process(data))

    def is_finished(self) -> bool:
        return bool(self._inner.is_finished())


class _CffiDecompressor:
    """brotlicffi < 1.2: decompress() and finish(), no is_finished()."""

    def __init__(self) -> None:
        self._inner = brotli.Decompressor()

    def decompress(self, data: bytes) -> bytes:
        return bytes(self._inner.process(data))

    def finish(self) -> bytes:
        if not self._inner.is_finished():
            raise brotli.error("brotli: decoder is not finished")
        return b""


@pytest.fixture(params=[_OldDecompressor, _CffiDecompressor], ids=["brotli-1.1", "brotlicffi"])
def old_brotli(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    fake = ModuleType("brotli")
    fake.Decompressor = request.param  # type: ignore[attr-defined]
    fake.error = brotli.error  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "brotli", fake)
    return fake


def test_older_brotli_apis_still_decode(old_brotli: Any) -> None:
    body = b"older library " * 10_000
    chunks = decode_chunks(split(brotli.compress(body), [100]))
    assert b"".join(chunks) == body
    assert max(map(len, chunks)) <= MAX_CHUNK_SIZE  # output is still cut to the bound


def test_older_brotli_apis_report_truncation(old_brotli: Any) -> None:
    with pytest.raises(DecodingError, match="truncated"):
        decode_chunks([brotli.compress(b"x" * 1000)[:-2]])


def test_older_brotli_apis_still_honour_the_cap(old_brotli: Any) -> None:
    with pytest.raises(DecodingError, match="max_size=1000"):
        decode_chunks([brotli.compress(bytes(100_000))], max_size=1000)


def test_a_decompressor_without_any_end_check_is_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    class Bare:
        def __init__(self) -> None:
            self._inner = brotli.Decompressor()

        def decompress(self, data: bytes) -> bytes:
            return bytes(self._inner.process(data))

        def finish(self) -> bytes:
            return b""

    fake = ModuleType("brotli")
    fake.Decompressor = Bare  # type: ignore[attr-defined]
    fake.error = brotli.error  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "brotli", fake)
    assert b"".join(decode_chunks([brotli.compress(b"abc")])) == b"abc"
