"""LineDecoder: exactly httpx 0.28's iter_lines, for any chunking."""

from __future__ import annotations

import itertools
import time

from httpx._decoders import LineDecoder as HttpxLineDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_content import LineDecoder

line_text = st.text(alphabet=st.sampled_from("ab \r\n\x0b\x0c\x1c\x85\u2028\u2029é"), max_size=60)


def cut(text: str, points: list[int]) -> list[str]:
    bounds = sorted({min(p, len(text)) for p in points} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def run(decoder: LineDecoder | HttpxLineDecoder, chunks: list[str]) -> list[str]:
    lines: list[str] = []
    for chunk in chunks:
        lines += decoder.decode(chunk)
    return lines + decoder.flush()


@settings(max_examples=300, deadline=None)
@given(text=line_text, points=st.lists(st.integers(0, 60), max_size=10))
def test_lines_match_httpx_and_splitlines(text: str, points: list[int]) -> None:
    chunks = cut(text, points)
    # httpx's clients never pass an empty chunk to its LineDecoder.
    expected = run(HttpxLineDecoder(), [chunk for chunk in chunks if chunk])
    assert run(LineDecoder(), chunks) == expected == text.splitlines()


def test_crlf_split_across_chunks_counts_once() -> None:
    decoder = LineDecoder()
    assert decoder.decode("a\r") == []
    assert decoder.decode("\nb") == ["a"]
    assert decoder.flush() == ["b"]
    assert decoder.flush() == []


def test_a_lone_cr_ends_a_line_once_the_next_chunk_shows_no_lf() -> None:
    decoder = LineDecoder()
    assert decoder.decode("a\r") == []
    assert decoder.decode("b\r") == ["a"]
    assert decoder.flush() == ["b"]


def test_a_trailing_cr_alone_makes_an_empty_last_line_like_httpx() -> None:
    ours, theirs = LineDecoder(), HttpxLineDecoder()
    assert ours.decode("x\n\r") == theirs.decode("x\n\r") == ["x"]
    assert ours.flush() == theirs.flush() == [""]


def test_adversarial_inputs_split_in_linear_time() -> None:
    start = time.perf_counter()
    decoder = LineDecoder()
    for char in "x" * 100_000:  # one long line, a character at a time
        assert decoder.decode(char) == []
    assert decoder.flush() == ["x" * 100_000]
    assert len(LineDecoder().decode("\r" * 100_000)) == 99_999
    decoder = LineDecoder()
    lines = []
    for _ in range(50_000):
        lines += decoder.decode("\r")
        lines += decoder.decode("\n")
    assert len(lines) == 50_000
    assert time.perf_counter() - start < 2
