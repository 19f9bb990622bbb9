"""The br stage (RFC 7932), with bounded output where the library allows it.

Same stage interface as `_zlib.py`. brotli >= 1.2 (and brotlicffi >= 1.2)
take `output_buffer_limit` and report `can_accept_more_data()`: the decoder
then keeps the rest of its output internally and hands it out over the next
calls, which is how a bomb is inflated a bounded piece at a time (urllib3's
CVE-2025-66471 fix). The limit is a soft one (the buffer may overshoot by one
internal block), so the output is also cut to `limit` here. Older versions
have no limit: each call's output is then as large as the input makes it, and
only the decoder's `max_size` cap bounds the total.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ._exceptions import DecodingError
from ._zlib import truncated


class BrotliStage:
    """Decodes br, at most `limit` bytes per pull."""

    __slots__ = ("_bounded", "_decompressor", "_error", "_out", "_pending", "_process", "_seen")

    name = "br"

    def __init__(self, module: ModuleType) -> None:
        self._decompressor: Any = module.Decompressor()
        self._error: type[Exception] = getattr(module, "error", Exception)
        # brotli names it process(); brotlicffi names it decompress() (process is an alias).
        self._process: Callable[..., bytes] = (
            getattr(self._decompressor, "process", None) or self._decompressor.decompress
        )
        self._bounded = hasattr(self._decompressor, "can_accept_more_data")
        self._pending = b""
        self._out = b""
        self._seen = False

    def feed(self, data: bytes) -> None:
        """Store compressed input."""
        if data:
            self._seen = True
            self._pending = self._pending + data if self._pending else data

    def pull(self, limit: int) -> bytes:
        """Up to `limit` decoded bytes; `b""` when more input is needed."""
        if not self._out:
            self._out = self._decompress(limit)
        out, self._out = self._out[:limit], self._out[limit:]
        return out

    def _decompress(self, limit: int) -> bytes:
        data, self._pending = self._pending, b""
        try:
            if not self._bounded:
                return self._process(data) if data else b""
            if data and self._decompressor.can_accept_more_data():
                return self._process(data, output_buffer_limit=limit)
            # Output may be left inside the decoder even when it accepts input again;
            # ask for it before asking for more input.
            self._pending = data
            return self._process(b"", output_buffer_limit=limit) if self._seen else b""
        except self._error as exc:
            raise DecodingError(
                f"could not decode Content-Encoding 'br': corrupt data ({exc})"
            ) from None

    def finish(self) -> None:
        """`DecodingError` if the stream was cut short."""
        if not self._seen:
            return
        is_finished = getattr(self._decompressor, "is_finished", None)
        if is_finished is not None:
            if not is_finished():
                raise truncated(self.name)
            return
        try:
            self._decompressor.finish()
        except self._error:
            raise truncated(self.name) from None
