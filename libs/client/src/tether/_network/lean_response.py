"""Response heads for `LeanEngine`: status line and header fields, as h11 0.16 reads them.

The common head (CRLF line ends, no obs-fold) is matched in place in the received
bytes: `split_fields` validates the field block by counting whole-line matches of one
regular expression and finds the framing fields by searching the lowered block, both
in C. Anything else (bare LF line ends, folded lines, errors) goes through
`head_lines` and `parse_fields`, which follow h11's rules line by line and name the
first bad line.
"""

from __future__ import annotations

import re
from typing import Final

from .lean_grammar import DIGITS, FIELD_RE, comma_tokens

__all__ = [
    "STATUS_LINE",
    "VERSIONS",
    "Fields",
    "Malformed",
    "blank_line",
    "head_lines",
    "parse_fields",
    "split_fields",
]

HeaderList = list[tuple[bytes, bytes]]

STATUS_LINE: Final = re.compile(rb"HTTP/([0-9]\.[0-9]) ([0-9]{3})(?: ((?:[ \t]|[^\x00\s])*))?")
VERSIONS: Final = {b"1.1": b"HTTP/1.1", b"1.0": b"HTTP/1.0"}
_FIELD_LINE: Final = re.compile(FIELD_RE)
# Only a whole line matches (it follows a CRLF and ends with one, with no CR or LF
# inside), so a block is valid when there are as many matches as line ends.
_FIELDS: Final = re.compile(rb"(?<=\r\n)" + FIELD_RE)


class Malformed(Exception):
    """A response the grammar refuses; `receive` turns it into `RemoteProtocolError`."""


def blank_line(buffer: bytes, start: int) -> int:
    """Where the first blank line (``\\n\\n`` or ``\\n\\r\\n``) starts, or -1."""
    crlf = buffer.find(b"\n\r\n", start)
    lf = buffer.find(b"\n\n", start)
    return crlf if lf < 0 or 0 <= crlf < lf else lf


def head_lines(head: bytes) -> list[bytes]:
    """The lines of a head (h11's rules: LF or CRLF ends a line, obs-fold joins)."""
    lines = [line[:-1] if line[-1:] == b"\r" else line for line in head.split(b"\n")]
    folded: list[bytes] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            if not folded:
                raise Malformed("continuation line at start of headers")
            folded[-1] = folded[-1] + b" " + line.lstrip(b" \t")
        else:
            folded.append(line)
    return [lines[0], *folded]


# What a head's fields say: the fields, Content-Length, chunked, Connection: close.
Fields = tuple[HeaderList, int | None, bool, bool]


def parse_fields(block: bytes) -> Fields:
    """Validate ``name: value\\r\\n`` lines (naming the first bad one), then split them."""
    parsed = split_fields(b"\r\n" + block, 2, len(block) + 2)
    if parsed is None:
        for line in block.split(b"\r\n")[:-1]:
            if _FIELD_LINE.fullmatch(line + b"\r\n") is None:
                raise Malformed(f"illegal header line: {line!r}")
        raise Malformed("illegal header block")  # pragma: no cover - a line fails above
    return parsed


def split_fields(data: bytes, start: int, end: int) -> Fields | None:
    """Split the field lines ``data[start:end]`` and apply the framing rules (None: invalid).

    ``data[start - 2:start]`` is the CRLF ending the line before, and no CR or LF is
    inside a valid line, so ``\\r\\nname:`` in the lowered block finds field `name`
    (its index is the number of line ends before it) without a loop over the fields.
    """
    fields: HeaderList = _FIELDS.findall(data, start, end)
    lowered = data[start - 2 : end].lower()
    if len(fields) != lowered.count(b"\r\n") - 1:
        return None
    length: bytes | None = None
    chunked = close = False
    plain = True  # at most one Content-Length, of digits only; Transfer-Encoding: chunked
    at = lowered.find(b"\r\ncontent-length:")
    if at >= 0:
        length = fields[lowered.count(b"\r\n", 0, at)][1]
        once = lowered.find(b"\r\ncontent-length:", at + 17) < 0
        plain = once and length.isdigit() and len(length) <= 20
    at = lowered.find(b"\r\ntransfer-encoding:")
    if at >= 0:
        chunked = True
        once = lowered.find(b"\r\ntransfer-encoding:", at + 20) < 0
        if not once or fields[lowered.count(b"\r\n", 0, at)][1] != b"chunked":
            plain = False
    if b"close" in lowered:
        at = lowered.find(b"\r\nconnection:")
        while at >= 0:
            if b"close" in comma_tokens(fields[lowered.count(b"\r\n", 0, at)][1]):
                close = True
                break
            at = lowered.find(b"\r\nconnection:", at + 13)
    if not plain:
        fields = _normalise(fields)
        length = next((v for n, v in fields if n.lower() == b"content-length"), None)
    return fields, None if length is None else int(length), chunked, close


def _normalise(fields: HeaderList) -> HeaderList:
    """h11's rules for Content-Length and Transfer-Encoding (RFC 9112 §6.1, §6.3)."""
    out: HeaderList = []
    length: bytes | None = None
    chunked = False
    for name, value in fields:
        lowered = name.lower()
        if lowered == b"content-length":
            lengths = {part.strip() for part in value.split(b",")}
            if len(lengths) != 1:
                raise Malformed("conflicting Content-Length headers")
            value = lengths.pop()
            if DIGITS.fullmatch(value) is None:
                raise Malformed("bad Content-Length")
            if length is None:
                length = value
                out.append((name, value))
            elif length != value:
                raise Malformed("conflicting Content-Length headers")
        elif lowered == b"transfer-encoding":
            if chunked:
                raise Malformed("multiple Transfer-Encoding headers")
            value = value.lower()
            if value != b"chunked":
                raise Malformed("Only Transfer-Encoding: chunked is supported")
            chunked = True
            out.append((name, value))
        else:
            out.append((name, value))
    return out
