"""`ASGITransport`: send requests to an ASGI app on this event loop, without a network.

Unlike httpx's, this transport streams both bodies: the app receives the request body
in ``http.request`` messages as the request stream yields it, and the response body
comes out chunk by chunk as the app sends it, so an endless server-sent-events endpoint
can be read a piece at a time and then closed. It runs under asyncio and trio.

Theory of operation: each request gets one `_AppRun`. The app runs in a background
task (`_backend`) and its messages reach the reader through a bounded queue. Invariants:

- Back-pressure: the queue holds at most `_BUFFERED_CHUNKS` items, so the app's
  ``send()`` of a body chunk waits while the reader has not taken the earlier ones.
- The response starts (`handle_async_request` returns) at the app's first
  ``http.response.body`` message, as an ASGI server starts sending only then; an app
  that fails before that fails the request (or, with ``raise_app_exceptions=False``,
  gets an empty 500 response, as a server would send).
- After the last body chunk, the end of the stream waits for the app to return, so its
  background tasks have run when the body is read, as with httpx. A failure after the
  response started is raised from the body stream.
- Closing the response before its end disconnects the app: ``receive()`` returns
  ``http.disconnect`` and ``send()`` raises an `OSError` (ASGI HTTP spec 2.4); the app
  gets a few scheduling passes to return by itself, then is cancelled and awaited.
  What it raises after the disconnect is not reported. `aclose()` of the transport
  disconnects the runs whose responses were never closed.
- A failure of the request body stream itself is always raised, never turned into a 500.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    MutableMapping,
)
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import tether_content
from tether_headers import InvalidHeader, validate_header_name, validate_header_value

from .._exceptions import RemoteProtocolError, StreamClosed, StreamConsumed
from .._response import Response
from .._streams import AsyncByteStream, can_iterate_async
from ._backend import Backend, BoundedQueue, QueueClosed, Task, current_backend
from .base import AsyncBaseTransport

if TYPE_CHECKING:
    from .._request import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# One chunk may wait for the reader; the app's next send() waits until it is taken.
_BUFFERED_CHUNKS = 1
# After a disconnect, the app gets this many scheduling passes to see http.disconnect
# (or the OSError from send()) and return by itself before it is cancelled.
_DISCONNECT_PASSES = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}
_EXTENSIONS = {"http_version": b"HTTP/1.1"}


class ClientDisconnected(OSError):
    """Raised by ``send()`` once the response was closed (ASGI HTTP spec 2.4)."""


class _Start(NamedTuple):
    status: int
    headers: list[tuple[bytes, bytes]]


class _Failure(NamedTuple):
    error: Exception


class _End:
    """The app sent its last body chunk."""


_END = _End()
_Item = _Start | bytes | _Failure | _End


def _response_headers(headers: object) -> list[tuple[bytes, bytes]]:
    if isinstance(headers, (str, bytes)) or not isinstance(headers, Iterable):
        raise RemoteProtocolError(
            f"The ASGI app sent response headers that are not a list of [name, value] "
            f"pairs: {headers!r:.100}"
        )
    checked = []
    for item in headers:
        try:
            name, value = item
            if not isinstance(name, (bytes, bytearray)) or not isinstance(
                value, (bytes, bytearray)
            ):
                raise TypeError
            pair = (bytes(name), bytes(value))
            validate_header_name(pair[0])
            validate_header_value(pair[0], pair[1])
        except (TypeError, ValueError, InvalidHeader) as exc:
            detail = f" ({exc})" if isinstance(exc, InvalidHeader) else ""
            raise RemoteProtocolError(
                f"The ASGI app sent a malformed response header: {item!r}{detail}; "
                "headers are [name, value] pairs of bytes."
            ) from None
        checked.append(pair)
    return checked


class _AppRun:
    """One call of the app: its task, its receive() and send(), the queue to the reader."""

    def __init__(
        self,
        app: ASGIApp,
        request: Request,
        body: AsyncIterator[bytes],
        backend: Backend,
        forget: Callable[[_AppRun], None],
    ) -> None:
        self._app = app
        self._is_head = request.method == "HEAD"
        self._stream = request.stream
        self._body = body
        self._backend = backend
        self._forget = forget
        self._queue: BoundedQueue[_Item] = BoundedQueue(backend, _BUFFERED_CHUNKS)
        self._request_complete = False
        self._start: _Start | None = None  # sent by the app, held until its first body
        self._started = False
        self._complete = False
        self._disconnected = False
        self._closed = False
        self._ended = False  # the reader took the _End or the _Failure
        # Set once the response is complete or the client is gone: receive() then
        # returns http.disconnect.
        self._over = backend.create_event()
        self.request_error: Exception | None = None
        self.protocol_error: RemoteProtocolError | None = None
        self.late_error: Exception | None = None  # raised after the last body chunk
        self._task: Task | None = None

    def start(self, scope: Scope) -> None:
        self._task = self._backend.start_task(
            functools.partial(self._main, scope), name=f"ASGI app {self._app!r}"
        )

    async def _main(self, scope: Scope) -> None:
        try:
            error: Exception | None = None
            try:
                await self._app(scope, self._receive, self._send)
            except Exception as exc:
                error = exc
            if self._disconnected:
                return
            if self.protocol_error is not None:
                error = self.protocol_error
            if error is None and not self._complete:
                if not self._started and self._start is None:
                    problem = "without sending a response"
                elif not self._started:
                    problem = "after http.response.start without sending http.response.body"
                else:
                    problem = "before the end of the body (more_body was still True)"
                error = RemoteProtocolError(f"The ASGI app returned {problem}.")
            if self._complete:
                self.late_error = error
            elif error is not None:
                with contextlib.suppress(QueueClosed):
                    await self._queue.put(_Failure(error))
        finally:
            with self._backend.shield():
                await self._close_request_body()

    async def _close_request_body(self) -> None:
        # Close the iterator opened here; a body the app left unread can never be
        # resumed, so its stream is closed too (which closes a one-shot source).
        closers = [self._body] if self._request_complete else [self._body, self._stream]
        for closer in closers:
            aclose = getattr(closer, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception as exc:
                    self.request_error = self.request_error or exc

    async def _receive(self) -> Message:
        if not self._request_complete and not self._disconnected:
            try:
                async for chunk in self._body:
                    if chunk:
                        return {"type": "http.request", "body": bytes(chunk), "more_body": True}
            except Exception as exc:
                self.request_error = exc
                raise
            self._request_complete = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._over.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        if self._disconnected:
            raise ClientDisconnected(
                "The client closed the response; the ASGI app's message was not delivered."
            )
        try:
            kind = message.get("type") if isinstance(message, Mapping) else None
            if kind == "http.response.start":
                self._on_start(message)
            elif kind == "http.response.body":
                await self._on_body(message)
            else:
                raise RemoteProtocolError(
                    f"The ASGI app sent an unexpected message: {message!r:.100}; an HTTP "
                    "app sends http.response.start, then http.response.body messages."
                )
        except RemoteProtocolError as exc:
            self.protocol_error = self.protocol_error or exc
            raise

    def _on_start(self, message: Message) -> None:
        if self._start is not None or self._started:
            raise RemoteProtocolError("The ASGI app sent http.response.start twice.")
        status = message.get("status")
        if type(status) is not int or not 100 <= status <= 999:
            raise RemoteProtocolError(
                f"The ASGI app sent a malformed status in http.response.start: {status!r}; "
                "it must be an int from 100 to 999."
            )
        self._start = _Start(status, _response_headers(message.get("headers", [])))

    async def _on_body(self, message: Message) -> None:
        if self._complete:
            raise RemoteProtocolError(
                "The ASGI app sent http.response.body after the end of the response "
                "(an earlier message had more_body=False)."
            )
        if self._start is None and not self._started:
            raise RemoteProtocolError(
                "The ASGI app sent http.response.body before http.response.start."
            )
        body = message.get("body", b"")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise RemoteProtocolError(
                f"The ASGI app sent a body of type {type(body).__name__} in "
                f"http.response.body: {body!r:.60}; a body is bytes."
            )
        more_body = bool(message.get("more_body", False))
        if self._start is not None:
            start, self._start = self._start, None
            self._started = True
            await self._put(start)
        if body and not self._is_head:
            await self._put(bytes(body))
        if not more_body:
            self._complete = True
            self._over.set()
            # If the reader left after the whole body was sent, nothing is lost.
            with contextlib.suppress(QueueClosed):
                await self._queue.put(_END)

    async def _put(self, item: _Item) -> None:
        try:
            await self._queue.put(item)
        except QueueClosed:
            raise ClientDisconnected(
                "The client closed the response; the ASGI app's message was not delivered."
            ) from None

    async def next_item(self) -> _Item:
        try:
            item = await self._queue.get()
        except QueueClosed:
            raise StreamClosed() from None
        if isinstance(item, (_End, _Failure)):
            self._ended = True
        return item

    async def wait(self) -> None:
        """Wait until the app has returned; cancel it if this wait is interrupted."""
        task = cast("Task", self._task)
        try:
            await task.wait()
        except BaseException:
            task.cancel()
            with self._backend.shield():
                await task.wait()
            raise

    async def aclose(self) -> None:
        """Stop reading: let an app that sent its whole body finish, disconnect others."""
        if self._closed:
            return
        self._closed = True
        self._forget(self)
        task = cast("Task", self._task)
        if not self._complete and not self._ended:
            self._disconnected = True
            self._over.set()
        self._queue.close()
        try:
            if self._disconnected:
                with self._backend.shield():
                    for _ in range(_DISCONNECT_PASSES):
                        if task.done:
                            break
                        await self._backend.checkpoint()
                task.cancel()
            await task.wait()
        except BaseException:
            task.cancel()
            with self._backend.shield():
                await task.wait()
            raise


class _ASGIResponseStream(AsyncByteStream):
    """The app's body chunks as it sends them; closing it disconnects an unfinished app."""

    def __init__(self, run: _AppRun, raise_app_exceptions: bool) -> None:
        self._run = run
        self._raise_app_exceptions = raise_app_exceptions

    def __aiter__(self) -> AsyncIterator[bytes]:
        # An iterator object, not an async generator: one dropped half-way through has
        # nothing to finalize (trio warns about such generators).
        return _BodyChunks(self._run, self._raise_app_exceptions)

    async def aclose(self) -> None:
        await self._run.aclose()


class _BodyChunks:
    def __init__(self, run: _AppRun, raise_app_exceptions: bool) -> None:
        self._run = run
        self._raise_app_exceptions = raise_app_exceptions
        self._finished = False

    def __aiter__(self) -> _BodyChunks:
        return self

    async def __anext__(self) -> bytes:
        if self._finished:
            raise StopAsyncIteration
        item = await self._run.next_item()
        if isinstance(item, bytes):
            return item
        self._finished = True
        await self._run.wait()
        error = self._error(item)
        if error is None:
            raise StopAsyncIteration
        raise error

    def _error(self, item: _Item) -> Exception | None:
        """What the reader sees at the end: the request's error, the app's, or none."""
        run = self._run
        if run.request_error is not None:
            return run.request_error
        error = item.error if isinstance(item, _Failure) else run.late_error
        if error is None or self._raise_app_exceptions or isinstance(error, RemoteProtocolError):
            return error
        if not isinstance(item, _Failure):
            return None  # the whole response was sent: what failed later is the app's affair
        wrapped = RemoteProtocolError(
            f"The ASGI app failed after the response started, so the body is incomplete: {error!r}"
        )
        wrapped.__cause__ = error
        return wrapped


class ASGITransport(AsyncBaseTransport):
    """A transport that calls an ASGI 3 app on the running asyncio or trio event loop.

    `root_path` is where the app is mounted; `client` is the ``(host, port)`` the app
    sees as its client. With ``raise_app_exceptions=False`` an exception raised by the
    app before its response started becomes an empty 500 response.
    """

    def __init__(
        self,
        app: ASGIApp,
        raise_app_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 123),
    ) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.root_path = root_path
        self.client = client
        self._runs: set[_AppRun] = set()

    def _scope(self, request: Request) -> Scope:
        url = request.url
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.partition(b"?")[0],
            "query_string": url.query,
            "root_path": self.root_path,
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "client": self.client,
            "server": (url.host, url.port or _DEFAULT_PORTS.get(url.scheme)),
        }

    async def handle_async_request(self, request: Request) -> Response:
        """Start the app on `request`; return once its response starts, body streaming."""
        backend = current_backend()
        if not can_iterate_async(request.stream):
            raise RuntimeError(
                "ASGITransport cannot send a sync-only request body (an iterator or a file "
                "read with for): ASGI apps receive it asynchronously; use async content."
            )
        try:
            body = cast("AsyncIterable[bytes]", request.stream).__aiter__()
        except tether_content.StreamConsumed as exc:
            raise StreamConsumed() from exc
        run = _AppRun(self.app, request, body, backend, self._runs.discard)
        self._runs.add(run)
        run.start(self._scope(request))
        try:
            item = await run.next_item()
        except BaseException:
            await run.aclose()
            raise
        if isinstance(item, _Failure):
            await run.aclose()
            if run.request_error is not None:
                raise run.request_error
            if self.raise_app_exceptions:
                raise item.error
            return Response(500, extensions=dict(_EXTENSIONS))
        # A run puts its _Start before any other item but a _Failure.
        start = cast("_Start", item)
        return Response(
            start.status,
            headers=start.headers,
            stream=_ASGIResponseStream(run, self.raise_app_exceptions),
            extensions=dict(_EXTENSIONS),
        )

    async def aclose(self) -> None:
        """Disconnect the apps whose responses are still open."""
        for run in list(self._runs):
            await run.aclose()
