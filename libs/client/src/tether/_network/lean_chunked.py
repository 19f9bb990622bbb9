"""Chunked response bodies for `LeanEngine` (RFC 9112 §7.1), decoded as h11 0.16 does.

A `ChunkedReader` decodes one body at a time from the bytes the engine received, in
as many pieces as they arrive: it keeps where it stopped (in a size line, in a chunk's
data, in its CRLF footer or in the trailer section) between calls. Chunk extensions
are skipped, trailer fields are checked like header fields and dropped. A size line
or a trailer section longer than the head limit is refused, as h11 refuses it.
"""

from __future__ import annotations

import re
from typing import Final

from .._exceptions import RemoteProtocolError
from .engine import BodyData, Event
from .lean_response import Malformed, blank_line, head_lines, parse_fields

__all__ = ["ChunkedReader"]

_CHUNK_LINE: Final = re.compile(rb"([0-9A-Fa-f]{1,20})(?:;.*)?[ \t]*\r\n")

# Where the reader stands: a size line, chunk data, a chunk's footer, the trailer.
_SIZE: Final = 0
_DATA: Final = 1
_FOOTER: Final = 2
_TRAILER: Final = 3


class ChunkedReader:
    """Decodes chunked bodies, one after the other, for one connection."""

    __slots__ = ("_footer", "_max_line", "_origin", "_remaining", "_state", "done", "received")

    def __init__(self, origin: str, max_line: int) -> None:
        """`origin` names the server in messages; `max_line` bounds a size line or trailer."""
        self._origin = origin
        self._max_line = max_line
        self.start()

    def start(self) -> None:
        """Begin a new body."""
        self._state = _SIZE
        self._remaining = 0
        self._footer = b""
        self.done = False
        self.received = 0

    def read(self, buffer: bytes, position: int, events: list[Event]) -> int:
        """Decode from `position`, appending `BodyData`; returns where it stopped.

        `done` turns true once the trailer section has been read.
        """
        end = len(buffer)
        state = self._state
        while True:
            if state == _SIZE:
                stop = buffer.find(b"\r\n", position)
                if stop < 0:
                    if end - position > self._max_line:
                        raise self._too_long()
                    break
                match = _CHUNK_LINE.fullmatch(buffer, position, stop + 2)
                if match is None:
                    raise Malformed(f"illegal chunk header: {buffer[position : stop + 2]!r}")
                position = stop + 2
                size = int(match[1], 16)
                if size:
                    self._remaining = size
                    state = _DATA
                else:
                    state = _TRAILER
            elif state == _DATA:
                if position == end:
                    break
                remaining = self._remaining
                take = remaining if remaining <= end - position else end - position
                events.append(BodyData(buffer[position : position + take]))
                position += take
                self.received += take
                remaining -= take
                self._remaining = remaining
                if remaining:
                    break
                if buffer[position : position + 2] == b"\r\n":  # the whole footer is here
                    position += 2
                    state = _SIZE
                else:
                    state = _FOOTER
                    self._footer = b"\r\n"
            elif state == _FOOTER:
                if position == end:
                    break
                want = self._footer
                got = buffer[position : position + len(want)]
                if got != want[: len(got)]:
                    raise Malformed(f"malformed chunk footer: {got!r} (expected {want!r})")
                position += len(got)
                self._footer = want[len(got) :]
                if self._footer:
                    break
                state = _SIZE
            else:  # trailer fields: read, checked as h11 checks them, dropped
                if buffer[position : position + 1] == b"\n":
                    position += 1
                elif buffer[position : position + 2] == b"\r\n":
                    position += 2
                else:
                    cut = blank_line(buffer, position)
                    if cut < 0:
                        if end - position > self._max_line:
                            raise self._too_long()
                        break
                    lines = head_lines(b"\n" + buffer[position:cut])[1:]
                    parse_fields(b"".join(line + b"\r\n" for line in lines))  # may raise
                    position = cut + (3 if buffer[cut + 1] == 13 else 2)
                self.done = True
                break
        self._state = state
        return position

    def _too_long(self) -> RemoteProtocolError:
        return RemoteProtocolError(
            f"the chunk header line from {self._origin} exceed {self._max_line} bytes"
        )
