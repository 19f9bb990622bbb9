"""zstd: httpx's output, frames, bounded chunks, truncated, corrupt and bomb input."""

from __future__ import annotations

import os
import tracemalloc

import pytest
import zstandard
from httpx._decoders import ZStandardDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.content._support import chunk_sizes, split
from tether_content import ContentDecoder, DecodingError


def decode_chunks(pieces: list[bytes], **options: int) -> list[bytes]:
    decoder = ContentDecoder("zstd", **options)
    out = [chunk for piece in pieces for chunk in decoder.decode(piece)]
    return out + list(decoder.flush())


def compress(data: bytes, **options: object) -> bytes:
    return zstandard.ZstdCompressor(**options).compress(data)  # type: ignore[arg-type]


def streamed(data: bytes, piece: int = 1000) -> bytes:
    """A frame written by the streaming API: no content size, many blocks."""
    compressor = zstandard.ZstdCompressor().compressobj()
    parts = [compressor.compress(data[i : i + piece]) for i in range(0, len(data), piece)]
    return b"".join(parts) + compressor.flush()


def skippable(payload: bytes, variant: int = 0) -> bytes:
    return (
        (0x184D2A50 + variant).to_bytes(4, "little") + len(payload).to_bytes(4, "little") + payload
    )


bodies = st.one_of(
    st.binary(max_size=3000),
    st.builds(lambda n, b: b * n, st.integers(1, 50_000), st.binary(min_size=1, max_size=20)),
)


@settings(max_examples=200, deadline=None)
@given(
    body=bodies,
    sizes=chunk_sizes,
    level=st.integers(1, 19),
    checksum=st.booleans(),
    content_size=st.booleans(),
)
def test_zstd_matches_httpx_for_any_chunking(
    body: bytes, sizes: list[int], level: int, checksum: bool, content_size: bool
) -> None:
    compressed = compress(
        body, level=level, write_checksum=checksum, write_content_size=content_size
    )
    theirs = ZStandardDecoder()
    expected = theirs.decode(compressed) + theirs.flush()
    chunks = decode_chunks(split(compressed, sizes))
    assert b"".join(chunks) == expected == body


@settings(max_examples=100, deadline=None)
@given(frames=st.lists(bodies, min_size=1, max_size=4), sizes=chunk_sizes)
def test_several_frames_decode_in_order_like_httpx(frames: list[bytes], sizes: list[int]) -> None:
    compressed = b"".join(compress(frame, write_checksum=True) for frame in frames)
    theirs = ZStandardDecoder()
    expected = theirs.decode(compressed) + theirs.flush()
    assert b"".join(decode_chunks(split(compressed, sizes))) == expected == b"".join(frames)


def test_streamed_frames_and_skippable_frames() -> None:
    body = os.urandom(50_000) + bytes(300_000)
    compressed = skippable(b"meta") + streamed(body) + skippable(b"", 15) + compress(b"!")
    theirs = ZStandardDecoder()
    assert theirs.decode(compressed) + theirs.flush() == body + b"!"
    for sizes in ([1], [7, 3], [65536]):
        assert b"".join(decode_chunks(split(compressed, sizes))) == body + b"!"


def test_each_library_call_and_chunk_is_bounded() -> None:
    body = os.urandom(1_000_000)
    chunks = decode_chunks([compress(body)], max_chunk_size=10_000)
    assert b"".join(chunks) == body
    assert max(map(len, chunks)) == 10_000


def test_an_empty_body_is_valid() -> None:
    assert decode_chunks([]) == decode_chunks([b""]) == []


def test_every_truncation_is_reported() -> None:
    compressed = skippable(b"xy") + compress(b"zstd body " * 300, write_checksum=True)
    assert decode_chunks([skippable(b"xy")]) == []  # a body may end between frames
    for cut in range(1, len(compressed)):
        if cut == len(skippable(b"xy")):
            continue
        with pytest.raises(DecodingError, match=r"'zstd'.*truncated"):
            decode_chunks([compressed[:cut]])


def _frame_with_block(header: int, content: bytes) -> bytes:
    # Magic, a descriptor with Single_Segment set and a 1-byte content size of 0.
    return (0xFD2FB528).to_bytes(4, "little") + b"\x20\x00" + header.to_bytes(3, "little") + content


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"not zstd at all", "not a Zstandard frame"),
        (compress(b"abc") + b"trailing", "not a Zstandard frame"),
        (_frame_with_block(1 | 3 << 1, b""), "reserved block type"),
        (_frame_with_block(1 | (200_000 << 3), b""), "over the 128 KiB maximum"),
        (_frame_with_block(1 | 2 << 1 | 5 << 3, b"\xff" * 5), "corrupt data"),
        (compress(b"abc", write_checksum=True)[:-4] + b"\x00" * 4, "corrupt data"),
    ],
)
def test_corrupt_input_raises_decoding_error(body: bytes, match: str) -> None:
    with pytest.raises(DecodingError, match=f"Content-Encoding 'zstd': .*{match}"):
        decode_chunks([body])


def test_a_frame_whose_blocks_disagree_with_its_size_is_refused() -> None:
    # A raw block of 3 bytes in a frame that declares 0 bytes of content.
    with pytest.raises(DecodingError, match="zstd"):
        decode_chunks([_frame_with_block(1 | 0 << 1 | 3 << 3, b"abc")])


def test_a_window_over_8_mib_is_refused() -> None:
    # RFC 9659 section 3: HTTP zstd encoders keep to an 8 MiB window.
    params = zstandard.ZstdCompressionParameters.from_level(19, window_log=24)
    compressed = zstandard.ZstdCompressor(compression_params=params).compressobj()
    data = compressed.compress(os.urandom(64) * 300_000) + compressed.flush()
    with pytest.raises(DecodingError, match="8 MiB RFC 9659 allows"):
        decode_chunks([data])


@pytest.fixture(scope="module")
def zstd_bomb() -> bytes:
    """1 GiB of zeros, compressed 1 MiB at a time (RLE blocks: 4 bytes for 128 KiB)."""
    compressor = zstandard.ZstdCompressor(level=1).compressobj()
    zeros = bytes(1 << 20)
    return b"".join(compressor.compress(zeros) for _ in range(1024)) + compressor.flush()


def test_a_zstd_bomb_hits_the_size_cap(zstd_bomb: bytes) -> None:
    assert len(zstd_bomb) < 100_000
    decoder = ContentDecoder("zstd", max_size=20_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(DecodingError, match="exceeds max_size=20000000"):
            for _ in decoder.decode(zstd_bomb):
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000


def test_a_zstd_bomb_is_inflated_a_bounded_chunk_at_a_time(zstd_bomb: bytes) -> None:
    # httpx's decoder returns the whole gigabyte from this one call.
    chunks = ContentDecoder("zstd").decode(zstd_bomb)
    tracemalloc.start()
    try:
        total = 0
        for chunk in chunks:
            assert len(chunk) <= 128 * 1024  # one block
            total += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == 1 << 30
    assert peak < 1_000_000
