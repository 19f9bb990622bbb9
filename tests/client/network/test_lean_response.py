"""Response heads for the lean engine: whole-line matching and the framing search."""

from __future__ import annotations

import pytest

from tether._network.lean_response import Malformed, parse_fields, split_fields

BLOCK = b"Server: x\r\nContent-Length: 12\r\nConnection: keep-alive\r\n"


def test_split_fields_reads_the_block_in_place() -> None:
    data = b"HTTP/1.1 200 OK\r\n" + BLOCK + b"\r\nbody"
    start = data.index(b"\r\n") + 2
    end = data.index(b"\r\n\r\n") + 2
    fields, length, chunked, close = split_fields(data, start, end) or ([], None, None, None)
    assert fields == [(b"Server", b"x"), (b"Content-Length", b"12"), (b"Connection", b"keep-alive")]
    assert (length, chunked, close) == (12, False, False)


@pytest.mark.parametrize(
    "block",
    [
        b"A: b\nC: d\r\n",  # a bare LF: "C: d" follows LF, not CRLF
        b"A: b\rC: d\r\n",  # a bare CR inside a line
        b"Bad Name: x\r\n",  # "Name: x" would match on its own, mid-line
        b" folded\r\n",
        b"A: b\r\n\tmore\r\n",
    ],
)
def test_a_block_that_is_not_all_whole_lines_is_not_split(block: bytes) -> None:
    assert split_fields(b"\r\n" + block, 2, len(block) + 2) is None


def test_framing_fields_are_found_by_name_at_a_line_start_only() -> None:
    block = (
        b"X-Content-Length: 5\r\nX-Note: connection: close\r\n"
        b"content-LENGTH: 7\r\nTRANSFER-ENCODING: chunked\r\nConnection: a, Close\r\n"
    )
    fields, length, chunked, close = parse_fields(block)
    assert len(fields) == 5
    assert (length, chunked, close) == (7, True, True)
    _, length, chunked, close = parse_fields(b"X-Connection: close\r\nX: closed\r\n")
    assert (length, chunked, close) == (None, False, False)


def test_irregular_framing_fields_follow_h11s_rules() -> None:
    fields, length, _, _ = parse_fields(b"Content-Length: 3, 3\r\ncontent-length: 3\r\n")
    assert (fields, length) == ([(b"Content-Length", b"3")], 3)
    with pytest.raises(Malformed, match="conflicting Content-Length"):
        parse_fields(b"Content-Length: 3\r\nContent-Length: 4\r\n")
    with pytest.raises(Malformed, match="Only Transfer-Encoding: chunked"):
        parse_fields(b"Transfer-Encoding: gzip\r\n")
    with pytest.raises(Malformed, match=r"illegal header line: b'Bad Name: x'"):
        parse_fields(b"A: b\r\nBad Name: x\r\n")
