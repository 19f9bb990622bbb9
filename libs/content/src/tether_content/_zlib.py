"""gzip and deflate stages (RFC 9110 sections 8.4.1.2 and 8.4.1.3), with bounded output.

Every stage of the decoding pipeline has the same three methods:
`feed(data)` stores compressed input, `pull(limit)` returns at most `limit`
decoded bytes (`b""` means "give me more input"), and `finish()` raises
`DecodingError` if the input ended early. State lives in the stage, never in a
caller's generator, so an abandoned iterator loses nothing.

Invariants:
- `zlib`'s `max_length` caps every call's output, and the input it did not get
  to stays in `unconsumed_tail`: a 1 GB bomb of zeros is inflated one `limit`
  at a time (the CVE-2025-66471 fix of urllib3).
- gzip: members that follow the first (RFC 1952 section 2.2) are decoded
  too; bytes after a member that do not start a new one are ignored as
  trailing garbage, as httpx (and `gzip -d`) do.
- deflate: servers send both zlib-wrapped (RFC 1950, what the RFC means) and raw
  (RFC 1951) streams. Like httpx, the zlib format is tried first and raw deflate
  is used if zlib fails before producing any output; the decision waits for 2
  bytes, the size of a zlib header.
- An empty body is valid for every coding (HEAD responses, 204 and 304 carry a
  Content-Encoding but no body); a non-empty body must reach its end marker.
"""

from __future__ import annotations

import zlib

from ._exceptions import DecodingError

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
# How much input deflate keeps to replay as raw deflate if zlib fails: a zlib
# header is 2 bytes, so any failure that matters happens long before this.
_PROBE_LIMIT = 65_536


def _corrupt(encoding: str, exc: Exception) -> DecodingError:
    return DecodingError(f"could not decode Content-Encoding {encoding!r}: corrupt data ({exc})")


def truncated(encoding: str) -> DecodingError:
    """The error for a body that stopped before its coding's end marker."""
    return DecodingError(
        f"could not decode Content-Encoding {encoding!r}: the body ended before the "
        "compressed stream did (truncated)"
    )


class GzipStage:
    """Decodes gzip, one or more members, `limit` bytes per pull."""

    __slots__ = ("_decompressor", "_dry", "_in_member", "_pending", "_seen", "_trailing")

    name = "gzip"

    def __init__(self) -> None:
        self._decompressor = zlib.decompressobj(_GZIP_WBITS)
        self._pending = b""
        self._in_member = True
        self._seen = False
        self._trailing = False
        # True when zlib has neither input nor output left: skip asking it again.
        self._dry = True

    def feed(self, data: bytes) -> None:
        """Store compressed input."""
        if data:
            self._seen = True
            self._dry = False
            self._pending = self._pending + data if self._pending else data

    def pull(self, limit: int) -> bytes:
        """Up to `limit` decoded bytes; `b""` when more input is needed."""
        while True:
            if self._trailing:
                self._pending = b""
                return b""
            if not self._in_member and not self._next_member():
                return b""
            if self._dry:
                return b""
            try:
                out = self._decompressor.decompress(self._pending, limit)
            except zlib.error as exc:
                raise _corrupt(self.name, exc) from None
            self._pending = self._decompressor.unconsumed_tail
            self._dry = len(out) < limit and not self._pending
            if self._decompressor.eof:
                self._pending = self._decompressor.unused_data
                self._in_member = False
            if out or self._in_member:
                return out

    def _next_member(self) -> bool:
        head = self._pending[:2]
        if not head or (len(head) < 2 and _GZIP_MAGIC.startswith(head)):
            return False
        if head != _GZIP_MAGIC:
            self._trailing = True
            return False
        self._decompressor = zlib.decompressobj(_GZIP_WBITS)
        self._in_member = True
        self._dry = False
        return True

    def finish(self) -> None:
        """`DecodingError` if a member was cut short."""
        if self._seen and self._in_member:
            raise truncated(self.name)


class DeflateStage:
    """Decodes deflate, zlib-wrapped or raw, `limit` bytes per pull."""

    __slots__ = ("_decided", "_decompressor", "_dry", "_pending", "_probe", "_seen")

    name = "deflate"

    def __init__(self) -> None:
        self._decompressor = zlib.decompressobj()
        self._pending = b""
        self._probe = b""
        self._decided = False
        self._seen = False
        self._dry = True

    def feed(self, data: bytes) -> None:
        """Store compressed input."""
        if data:
            self._seen = True
            self._dry = False
            self._pending = self._pending + data if self._pending else data
            if not self._decided:
                self._probe = self._probe + data if self._probe else data

    def pull(self, limit: int) -> bytes:
        """Up to `limit` decoded bytes; `b""` when more input is needed."""
        if self._dry or (not self._decided and len(self._probe) < 2):
            return b""
        try:
            out = self._decompressor.decompress(self._pending, limit)
        except zlib.error as exc:
            if self._decided:
                raise _corrupt(self.name, exc) from None
            # Not zlib-wrapped: start again as raw deflate on everything seen so far.
            self._decided = True
            self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
            self._pending, self._probe = self._probe, b""
            return self.pull(limit)
        if not self._decided and (out or len(self._probe) > _PROBE_LIMIT):
            self._decided = True
            self._probe = b""
        # Bytes after the end of the stream are ignored, as httpx does.
        self._pending = b"" if self._decompressor.eof else self._decompressor.unconsumed_tail
        self._dry = len(out) < limit and not self._pending
        return out

    def finish(self) -> None:
        """`DecodingError` if the stream was cut short."""
        if self._seen and not self._decompressor.eof:
            raise truncated(self.name)
