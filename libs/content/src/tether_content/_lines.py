"""Splitting streamed text into lines, as httpx 0.28's `iter_lines` does.

Invariant: for any way of cutting a text into chunks, the lines produced equal
`text.splitlines()` of the whole text. So every line boundary `str.splitlines`
knows counts (\\n, \\r, \\r\\n, \\v, \\f, \\x1c-\\x1e, \\x85, U+2028, U+2029),
line ends are dropped, and a final line without an end is still produced. A
chunk ending in \\r is held back until the next chunk shows whether \\n
follows, so a \\r\\n split across chunks counts once.
"""

from __future__ import annotations

_LINE_BOUNDARIES = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


class LineDecoder:
    """Turns chunks of text into complete lines.

    >>> lines = LineDecoder()
    >>> lines.decode("one\\r") + lines.decode("\\ntwo\\nthr") + lines.flush()
    ['one', 'two', 'thr']
    """

    __slots__ = ("_held_cr", "_partial")

    def __init__(self) -> None:
        """Start with no partial line."""
        self._partial: list[str] = []
        self._held_cr = False

    def decode(self, text: str) -> list[str]:
        """The lines completed by `text`; an unfinished last line is kept for later."""
        if self._held_cr:
            text = "\r" + text
            self._held_cr = False
        if text.endswith("\r"):
            self._held_cr = True
            text = text[:-1]
        if not text:
            return []
        lines = text.splitlines()
        if text[-1] not in _LINE_BOUNDARIES:
            tail = lines.pop()
            if not lines:
                self._partial.append(tail)
                return []
        else:
            tail = None
        if self._partial:
            self._partial.append(lines[0])
            lines[0] = "".join(self._partial)
            self._partial = []
        if tail is not None:
            self._partial.append(tail)
        return lines

    def flush(self) -> list[str]:
        """The last line, if the text did not end with a line break."""
        if not self._partial and not self._held_cr:
            return []
        line = "".join(self._partial)
        self._partial = []
        self._held_cr = False
        return [line]
