"""gzip and deflate: httpx's output, bounded chunks, truncated, corrupt and bomb input."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import pytest
from httpx._decoders import DeflateDecoder, GZipDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.content._support import chunk_sizes, feed_all, network, split
from tether_content import ContentDecoder, DecodingError
from tether_content._decoder import MAX_CHUNK_SIZE

ONE_GIB = 1 << 30


def decode_chunks(encoding: str, pieces: list[bytes], **options: int) -> list[bytes]:
    decoder = ContentDecoder(encoding, **options)
    out = [chunk for piece in pieces for chunk in decoder.decode(piece)]
    return out + list(decoder.flush())


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


bodies = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda n, b: b * n, st.integers(1, 5000), st.binary(min_size=1, max_size=30)),
)


@settings(max_examples=200, deadline=None)
@given(body=bodies, sizes=chunk_sizes)
def test_gzip_matches_httpx_for_any_chunking(body: bytes, sizes: list[int]) -> None:
    compressed = gzip.compress(body)
    theirs = GZipDecoder()
    expected = theirs.decode(compressed) + theirs.flush()
    assert b"".join(decode_chunks("gzip", split(compressed, sizes))) == expected == body


@settings(max_examples=200, deadline=None)
@given(body=bodies, sizes=chunk_sizes, wrapped=st.booleans())
def test_deflate_matches_httpx_for_any_chunking(
    body: bytes, sizes: list[int], wrapped: bool
) -> None:
    compressed = zlib.compress(body) if wrapped else raw_deflate(body)
    theirs = DeflateDecoder()
    expected = theirs.decode(compressed) + theirs.flush()
    # httpx decides zlib-or-raw on its first chunk, so it is fed the body whole; the
    # decision here waits for 2 bytes, so even 1-byte chunks work.
    assert b"".join(decode_chunks("deflate", split(compressed, sizes))) == expected == body


def test_every_chunk_is_bounded() -> None:
    body = bytes(range(256)) * 4000
    for encoding, compressed in (("gzip", gzip.compress(body)), ("deflate", zlib.compress(body))):
        chunks = decode_chunks(encoding, [compressed], max_chunk_size=1000)
        assert b"".join(chunks) == body
        assert max(map(len, chunks)) == 1000


def test_gzip_members_after_the_first_are_decoded() -> None:
    # RFC 1952 section 2.2: a gzip file is a series of members. httpx stops at the first.
    compressed = gzip.compress(b"first ") + gzip.compress(b"second ") + gzip.compress(b"")
    assert b"".join(decode_chunks("gzip", split(compressed, [3]))) == b"first second "


@pytest.mark.parametrize("garbage", [b"\x00\x00\x00", b"junk after", b"\x1f"])
def test_trailing_garbage_after_a_gzip_member_is_ignored_like_httpx(garbage: bytes) -> None:
    compressed = gzip.compress(b"payload") + garbage
    theirs = GZipDecoder()
    assert b"".join(decode_chunks("gzip", [compressed])) == theirs.decode(compressed) == b"payload"


def test_trailing_bytes_after_a_deflate_stream_are_ignored_like_httpx() -> None:
    compressed = zlib.compress(b"payload") + b"trailing"
    assert b"".join(decode_chunks("deflate", [compressed])) == DeflateDecoder().decode(compressed)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_an_empty_body_is_valid(encoding: str) -> None:
    # HEAD responses, 204 and 304 carry Content-Encoding without a body.
    assert decode_chunks(encoding, []) == []
    assert decode_chunks(encoding, [b""]) == []


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),
    ],
)
def test_every_truncation_is_reported(encoding: str, compress: object) -> None:
    assert callable(compress)
    compressed = compress(b"some body that compresses " * 20)
    for cut in range(1, len(compressed)):
        with pytest.raises(DecodingError, match=f"'{encoding}'.*truncated"):
            decode_chunks(encoding, [compressed[:cut]])


def test_a_second_gzip_member_cut_short_is_reported() -> None:
    compressed = gzip.compress(b"one") + gzip.compress(b"two")[:-3]
    with pytest.raises(DecodingError, match="truncated"):
        decode_chunks("gzip", [compressed])


@pytest.mark.parametrize(
    ("encoding", "body", "match"),
    [
        ("gzip", b"not gzip at all", "incorrect header check"),
        ("gzip", gzip.compress(b"abc")[:-8] + b"\x00" * 8, "incorrect data check"),
        ("gzip", b"\x1f\x8b\x08\x00" + b"\xff" * 40, "corrupt data"),
        ("deflate", zlib.compress(b"abc")[:-4] + b"\x00\x00\x00\x00", "corrupt data"),
        ("deflate", b"\xff\xff\xff\xff\xff", "corrupt data"),
    ],
)
def test_corrupt_input_raises_decoding_error(encoding: str, body: bytes, match: str) -> None:
    with pytest.raises(DecodingError, match=f"Content-Encoding '{encoding}': .*{match}"):
        decode_chunks(encoding, [body])


def _gzip_bomb() -> bytes:
    """1 GiB of zeros, compressed 1 MiB at a time: the plain text never exists."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [compressor.compress(zeros) for _ in range(ONE_GIB // len(zeros))]
    return b"".join(parts) + compressor.flush()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _gzip_bomb()


def test_a_gzip_bomb_hits_the_size_cap(gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 5_000_000
    decoder = ContentDecoder("gzip", max_size=10_000_000)
    start = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(DecodingError, match=r"exceeds max_size=10000000 bytes \(.*gzip\)"):
            feed_all(decoder, network(gzip_bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000
    assert decoder.decoded_size > 10_000_000
    assert time.perf_counter() - start < 2


def test_a_gzip_bomb_is_inflated_a_bounded_chunk_at_a_time(gzip_bomb: bytes) -> None:
    # Without a cap, one 64 KiB network read of the bomb inflates to ~15 MB at once in
    # httpx; here it comes out in pieces of at most MAX_CHUNK_SIZE, and memory stays flat.
    decoder = ContentDecoder("gzip")
    tracemalloc.start()
    try:
        seen = 0
        for piece in network(gzip_bomb[: 5 * 65536]):
            for chunk in decoder.decode(piece):
                assert len(chunk) <= MAX_CHUNK_SIZE
                seen += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen > 50_000_000
    assert peak < 2_000_000  # a few chunks' worth, not the 75 MB decoded
