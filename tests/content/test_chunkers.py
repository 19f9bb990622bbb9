"""ByteChunker and TextChunker: httpx 0.28's iter_bytes/iter_text(chunk_size) regrouping."""

from __future__ import annotations

import time
from typing import Any

import pytest
from httpx._decoders import ByteChunker as HttpxByteChunker
from httpx._decoders import TextChunker as HttpxTextChunker
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_content import ByteChunker, InvalidInput, TextChunker


def run(chunker: Any, pieces: list[Any]) -> list[Any]:
    out: list[Any] = []
    for piece in pieces:
        out += chunker.decode(piece)
    out += chunker.flush()
    return out


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.binary(max_size=40), max_size=10),
    size=st.one_of(st.none(), st.integers(1, 50)),
)
def test_byte_chunks_match_httpx(pieces: list[bytes], size: int | None) -> None:
    ours = run(ByteChunker(size), pieces)
    assert ours == run(HttpxByteChunker(size), pieces)
    if size is not None and ours:
        assert all(len(chunk) == size for chunk in ours[:-1])
        assert 0 < len(ours[-1]) <= size


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.text(max_size=40), max_size=10),
    size=st.one_of(st.none(), st.integers(1, 50)),
)
def test_text_chunks_match_httpx(pieces: list[str], size: int | None) -> None:
    assert run(TextChunker(size), pieces) == run(HttpxTextChunker(size), pieces)


def test_an_exact_chunk_passes_through_uncopied() -> None:
    data = b"x" * 16
    assert ByteChunker(16).decode(data)[0] is data


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "8"])
@pytest.mark.parametrize("chunker", [ByteChunker, TextChunker])
def test_bad_chunk_sizes_raise_invalid_input(chunker: Any, size: Any) -> None:
    with pytest.raises(InvalidInput, match="chunk_size must be a positive int or None"):
        chunker(size)


def test_many_small_pieces_regroup_in_linear_time() -> None:
    start = time.perf_counter()
    assert len(run(ByteChunker(100_000), [b"x"] * 100_000)) == 1
    assert len(run(TextChunker(100_000), ["x"] * 100_000)) == 1
    assert len(run(ByteChunker(1), [b"y" * 100_000])) == 100_000
    assert time.perf_counter() - start < 2
