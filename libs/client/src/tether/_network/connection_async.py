"""`AsyncConnection`: one HTTP/1.1 connection, an asyncio/trio shell around the sans-I/O engine.

Invariants:

1. A connection serves one request at a time; the pool hands it to one caller.
2. Every failure while sending or receiving closes the stream (the bytes in flight are
   unknown) and re-raises: a broken connection is never reused.
3. `reusable` is true only after a complete cycle the engine calls clean; `recycle()`
   then readies the engine for the next request.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable

from . import engine_choice
from .backends._common import IN_PLACE_MAX, IN_PLACE_MIN, READ_SIZE
from .backends.base import AsyncNetworkStream
from .engine import BodyData, Event, ResponseEnd, ResponseHead
from .trace import CONTINUE_WAIT, AsyncTrace, has_body, head_info

__all__ = ["AsyncConnection"]

HeaderList = list[tuple[bytes, bytes]]


class AsyncConnection:
    """One async HTTP/1.1 connection to `where` (``host:port``)."""

    __slots__ = ("_closed", "_engine", "_pending", "_stream", "where")

    def __init__(self, stream: AsyncNetworkStream, where: str) -> None:
        self._stream = stream
        self.where = where
        self._engine = engine_choice.new_engine(where)
        self._pending: deque[Event] = deque()
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<AsyncConnection {self.where} {state}>"

    @property
    def response_started(self) -> bool:
        """Whether any response byte arrived in this cycle (no retry after that)."""
        return self._engine.response_started

    @property
    def reusable(self) -> bool:
        """Whether the connection may carry another request."""
        return not self._closed and self._engine.reusable

    @property
    def stream(self) -> AsyncNetworkStream:
        """The network stream (the ``network_stream`` response extension)."""
        return self._stream

    @property
    def closed(self) -> bool:
        """Whether the connection was closed."""
        return self._closed

    def dropped(self) -> bool:
        """Whether an idle connection has data or EOF waiting: the server closed it."""
        return bool(self._stream.get_extra_info("is_readable"))

    async def send_request(
        self,
        method: bytes,
        target: bytes,
        headers: HeaderList,
        body: AsyncIterable[bytes] | None,
        write_timeout: float | None,
        read_timeout: float | None,
        trace: AsyncTrace | None = None,
        request: object = None,
    ) -> ResponseHead:
        """Send the request (body streamed) and read up to the final response head.

        `trace` (the ``trace`` request extension) hears each phase's ``.started``,
        ``.complete`` and ``.failed``, with `request` in the info, as httpcore reports
        them. With ``Expect: 100-continue`` the body waits for a 1xx (at most
        `CONTINUE_WAIT`); a final response that comes first is returned without sending it,
        and the connection is then not reusable.
        """
        engine = self._engine
        stream = self._stream
        phase = ""
        pieces = None if body is None else body.__aiter__()
        try:
            if trace is not None:
                phase = "http11.send_request_headers"
                await trace(phase + ".started", {"request": request})
            data = engine.start_request(method, target, headers)
            if trace is not None:
                await stream.write(data, write_timeout)
                data = b""
                await trace(phase + ".complete", {"return_value": None})
                phase = "http11.send_request_body"
                await trace(phase + ".started", {"request": request})
            if engine.awaiting_continue and has_body(headers):
                await stream.write(data, write_timeout)
                data = b""
                early = await self._await_continue(read_timeout)
                if early is not None:  # a final answer came first: the body stays unsent
                    if trace is not None:
                        await trace(phase + ".complete", {"return_value": None})
                        phase = "http11.receive_response_headers"
                        await trace(phase + ".started", {"request": request})
                        await trace(phase + ".complete", {"return_value": head_info(early)})
                    return early
            if pieces is not None:
                async for piece in pieces:
                    framed = engine.send_body(piece)
                    if len(framed) >= READ_SIZE:  # large: written as is, never copied
                        if data:
                            await stream.write(data, write_timeout)
                            data = b""
                        await stream.write(framed, write_timeout)
                    else:  # small pieces (and the head) are gathered into one write
                        data += framed
                        if len(data) >= READ_SIZE:
                            await stream.write(data, write_timeout)
                            data = b""
            data += engine.end_body()
            await stream.write(data, write_timeout)
            if trace is not None:
                await trace(phase + ".complete", {"return_value": None})
                phase = "http11.receive_response_headers"
                await trace(phase + ".started", {"request": request})
            while True:
                events = engine.receive(await stream.read(READ_SIZE, read_timeout))
                for index, event in enumerate(events):
                    if type(event) is ResponseHead:
                        self._pending.extend(events[index + 1 :])
                        if trace is not None:
                            await trace(phase + ".complete", {"return_value": head_info(event)})
                        return event
                    # Anything before the final head is a 1xx (RFC 9110 §15.2): skipped.
        except BaseException as exc:
            await self.aclose()
            if trace is not None and phase:
                await trace(phase + ".failed", {"exception": exc})
            # A body left mid-way is closed now, not whenever it is collected: the
            # iterator made here, then the stream (which closes a generator source).
            for part in (pieces, body):
                close = getattr(part, "aclose", None)
                if close is not None:
                    await close()
            raise

    async def _await_continue(self, read_timeout: float | None) -> ResponseHead | None:
        """Wait for ``100 Continue``: None to send the body, or the final response head."""
        engine = self._engine
        stream = self._stream
        wait = CONTINUE_WAIT if read_timeout is None else min(CONTINUE_WAIT, read_timeout)
        while engine.awaiting_continue:
            if not await stream.wait_readable(wait):
                return None  # no answer in time: send the body anyway, as curl does
            events = engine.receive(await stream.read(READ_SIZE, read_timeout))
            for index, event in enumerate(events):
                if type(event) is ResponseHead:
                    self._pending.extend(events[index + 1 :])
                    return event
        return None

    async def next_piece(self, read_timeout: float | None) -> bytes | None:
        """The next piece of the response body, or None at its end."""
        pending = self._pending
        try:
            while not pending:
                data = await self._stream.read(READ_SIZE, read_timeout)
                pending.extend(self._engine.receive(data))
            event = pending.popleft()
            return event.data if type(event) is BodyData else None
        except BaseException:
            await self.aclose()
            raise

    async def rest_of_body(self, read_timeout: float | None, may_read: bool = True) -> bytes | None:
        """The whole rest of a Content-Length body as one piece (raising if it is cut
        short, as `next_piece` does), or None, with nothing read, to read it by `next_piece`.

        A stream that has ``read_exact`` receives it, after any piece that came with the
        head: the blocking one in place, in one copy (tether's async streams have none:
        an event loop cannot wait inside ``BufferedReader.read``). A rest under
        `IN_PLACE_MIN` or a body over `IN_PLACE_MAX` bytes is left to `next_piece`. Each
        read waits at most `read_timeout`.

        A body that has arrived whole (with the head, as a small one does) is returned
        without reading, even when `may_read` is false.
        """
        pending = self._pending
        if pending and type(pending[-1]) is ResponseEnd:
            whole = b"".join([event.data for event in pending if type(event) is BodyData])
            end = pending.pop()
            pending.clear()
            pending.append(end)  # what `next_piece` answers from now on: the end
            return whole
        engine = self._engine
        left = engine.body_left
        if not may_read or left < IN_PLACE_MIN:
            return None
        read_exact = getattr(self._stream, "read_exact", None)
        if read_exact is None or len(pending) > 1:
            return None
        first = b""
        if pending:
            event = pending[0]
            if type(event) is not BodyData:
                return None
            first = event.data
        if len(first) + left > IN_PLACE_MAX:
            return None
        try:
            data: bytes = await read_exact(left, read_timeout, first)
            pending.clear()
            received = len(data) - len(first)
            if received:
                pending.extend(engine.body_received(received))
            if received < left:  # end of file
                pending.extend(engine.receive(b""))
        except BaseException:
            await self.aclose()
            raise
        return data

    def recycle(self) -> None:
        """Ready the engine for the next request (only when `reusable`)."""
        self._pending.clear()  # an unread body that arrived whole
        self._engine.next_cycle()

    async def aclose(self) -> None:
        """Close the stream (idempotent)."""
        if not self._closed:
            self._closed = True
            self._pending.clear()
            await self._stream.aclose()
