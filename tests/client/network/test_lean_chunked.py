"""Chunked bodies for the lean engine: a ChunkedReader fed in pieces keeps its place."""

from __future__ import annotations

import pytest

from tether import RemoteProtocolError
from tether._network.engine import BodyData, Event
from tether._network.lean_chunked import ChunkedReader
from tether._network.lean_response import Malformed

BODY = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT"


def _feed(reader: ChunkedReader, pieces: list[bytes]) -> tuple[bytes, bytes]:
    """Feed `pieces` as an engine does (unread bytes kept); the body and the rest."""
    events: list[Event] = []
    buffer = b""
    for piece in pieces:
        buffer += piece
        buffer = buffer[reader.read(buffer, 0, events) :]
        if reader.done:
            break
    return b"".join(e.data for e in events if isinstance(e, BodyData)), buffer


@pytest.mark.parametrize("size", [1, 2, 3, 7, len(BODY)])
def test_any_piece_size_gives_the_same_body(size: int) -> None:
    reader = ChunkedReader("example.test:80", 100)
    pieces = [BODY[i : i + size] for i in range(0, len(BODY), size)]
    body, rest = _feed(reader, pieces)
    assert reader.done
    assert body == b"hello world"
    assert reader.received == 11
    assert b"NEXT".startswith(rest)  # what followed the body in the last piece fed


def test_a_reader_starts_again_for_the_next_body() -> None:
    reader = ChunkedReader("example.test:80", 100)
    _feed(reader, [BODY])
    reader.start()
    assert not reader.done
    assert reader.received == 0
    assert _feed(reader, [b"3\r\nabc\r\n0\r\n\r\n"]) == (b"abc", b"")


def test_bad_footer_and_long_size_line_are_refused() -> None:
    with pytest.raises(Malformed, match="malformed chunk footer"):
        _feed(ChunkedReader("example.test:80", 100), [b"1\r\naXY"])
    with pytest.raises(RemoteProtocolError, match=r"chunk header line from example\.test:80"):
        _feed(ChunkedReader("example.test:80", 10), [b"1" * 11])
