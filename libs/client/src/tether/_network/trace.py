"""What the connections share for the ``trace`` extension and ``Expect: 100-continue``.

The ``trace`` request extension is httpcore's: a callback ``(event_name, info)``,
awaited by the async transport, called at the start, end and failure of each phase
(``connection.connect_tcp``, ``connection.start_tls``, ``http11.send_request_headers``,
``http11.send_request_body``, ``http11.receive_response_headers``,
``http11.receive_response_body``, ``http11.response_closed``) with ``.started``,
``.complete`` or ``.failed`` appended. ``.started`` info holds the phase's arguments,
``.complete`` its ``return_value`` and ``.failed`` its ``exception``. Without a callback
nothing of this runs: every call site checks ``trace is not None`` first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from .engine import ResponseHead

__all__ = [
    "CONTINUE_WAIT",
    "AsyncTrace",
    "Trace",
    "atraced_call",
    "has_body",
    "head_info",
    "traced_call",
]

T = TypeVar("T")

Trace = Callable[[str, dict[str, Any]], object]
"""A sync trace callback."""

AsyncTrace = Callable[[str, dict[str, Any]], Awaitable[object]]
"""An async trace callback (awaited)."""

# How long a request with ``Expect: 100-continue`` holds its body back waiting for the
# server's 100 (RFC 9110 §10.1.1 leaves it open): curl waits 1 s (CURL_EXPECT_100_TIMEOUT).
CONTINUE_WAIT: Final = 1.0


def has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether request `headers` announce a body (a non-zero Content-Length, or chunks)."""
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"transfer-encoding":
            return True
        if lowered == b"content-length":
            return value.strip() not in (b"0", b"")
    return False


def head_info(head: ResponseHead) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]]]:
    """The ``return_value`` of ``http11.receive_response_headers.complete``, as httpcore's."""
    return (head.http_version, head.status, head.reason, head.headers)


def traced_call(trace: Trace | None, name: str, info: dict[str, Any], call: Callable[[], T]) -> T:
    """``call()``, reported to `trace` as `name` started, complete (its result) or failed."""
    if trace is None:
        return call()
    trace(name + ".started", info)
    try:
        result = call()
    except BaseException as exc:
        trace(name + ".failed", {"exception": exc})
        raise
    trace(name + ".complete", {"return_value": result})
    return result


async def atraced_call(
    trace: AsyncTrace | None, name: str, info: dict[str, Any], call: Callable[[], Awaitable[T]]
) -> T:
    """``await call()``, reported to `trace` (awaited) like `traced_call`."""
    if trace is None:
        return await call()
    await trace(name + ".started", info)
    try:
        result = await call()
    except BaseException as exc:
        await trace(name + ".failed", {"exception": exc})
        raise
    await trace(name + ".complete", {"return_value": result})
    return result
