"""`WSGITransport`: send requests to a WSGI app in this thread, without a network.

The app is called as a PEP 3333 server calls it. Invariants:

- Environ strings are "native strings": bytes decoded as latin-1. PATH_INFO is the
  percent-decoded path's bytes, so frameworks recover a UTF-8 path with
  ``.encode("latin-1").decode("utf-8")`` (httpx puts the decoded text there, which
  garbles every non-ASCII path).
- ``wsgi.input`` reads the request body as it is streamed, never all of it up front,
  and ends where the body ends (``wsgi.input_terminated``), so chunked uploads work.
- The status and headers become final at the first non-empty body chunk (or at the end
  of an empty body); until then the app may call start_response again with exc_info,
  and data passed to ``write()`` comes out before the chunks of the iterable.
- The app's iterable is closed exactly once: when the response is closed, or at once if
  no response could be made from it.
- An app's failure before the status is final is raised (or, with
  ``raise_app_exceptions=False``, becomes an empty 500 response, as a server would
  send); after that it is raised from the body stream. A failure of the request body
  itself is always raised, never hidden in a 500.
"""

from __future__ import annotations

import io
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO, cast
from urllib.parse import unquote_to_bytes

import tether_content
from tether_headers import InvalidHeader, validate_header_name, validate_header_value

from .._exceptions import RemoteProtocolError, StreamConsumed, UnsupportedProtocol
from .._response import Response
from .._streams import SyncByteStream, can_iterate_sync
from .base import BaseTransport

if TYPE_CHECKING:
    from _typeshed import OptExcInfo, WriteableBuffer
    from _typeshed.wsgi import WSGIApplication

    from .._request import Request

_DEFAULT_PORTS = {"http": 80, "https": 443}
_JOINED_WITH_SEMICOLONS = {"HTTP_COOKIE"}  # RFC 9113 section 8.2.3: cookie-pairs join with "; "
_EXTENSIONS_VERSION = b"HTTP/1.1"


class _RequestBodyReader(io.RawIOBase):
    """The request body as a raw binary file, read chunk by chunk as the app asks."""

    def __init__(self, stream: object, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._stream = stream
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._exhausted = False
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._exhausted = True
                return 0
            except Exception as exc:
                self.error = exc
                raise
            self._pending = memoryview(chunk).cast("B")
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        if self.closed:
            return
        # Close the iterator opened here; a body the app left unread can never be
        # resumed, so its stream is closed too (which closes a one-shot source).
        closers = [self._chunks] if self._exhausted else [self._chunks, self._stream]
        try:
            _close_all(*closers)
        finally:
            super().close()


def _parse_status(status: object) -> tuple[int, str]:
    """``"404 Not Found"`` -> ``(404, "Not Found")``; RemoteProtocolError if malformed."""
    if isinstance(status, str):
        code, _, reason = status.partition(" ")
        if (
            len(code) == 3
            and code.isascii()
            and code.isdigit()
            and code[0] != "0"
            and not any(character in reason for character in "\r\n\0")
        ):
            try:
                reason.encode("latin-1")
            except UnicodeEncodeError:
                pass
            else:
                return int(code), reason
    raise RemoteProtocolError(
        f"The WSGI app passed a malformed status to start_response(): {status!r}; "
        "PEP 3333 expects a str such as '200 OK' (three digits, a space, a reason)."
    )


def _encode_headers(headers: object) -> list[tuple[bytes, bytes]]:
    """The app's ``[(name, value), ...]`` as latin-1 bytes, each pair validated."""
    if not isinstance(headers, list):
        raise RemoteProtocolError(
            "The WSGI app passed response headers that are not a list of (name, value) "
            f"tuples to start_response(): {headers!r}"
        )
    encoded = []
    for item in headers:
        try:
            name, value = item
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError
            pair = (name.encode("latin-1"), value.encode("latin-1"))
            validate_header_name(pair[0])
            validate_header_value(pair[0], pair[1])
        except (TypeError, ValueError, InvalidHeader) as exc:
            detail = f" ({exc})" if isinstance(exc, InvalidHeader) else ""
            raise RemoteProtocolError(
                f"The WSGI app passed a malformed response header to start_response(): "
                f"{item!r}{detail}; PEP 3333 expects (str, str) tuples of latin-1 text."
            ) from None
        encoded.append(pair)
    return encoded


class _Exchange:
    """The server's side of one call of the app: start_response, write and the body."""

    def __init__(self) -> None:
        self.status: tuple[int, str] | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.exc_info: OptExcInfo | None = None
        self.headers_sent = False
        self._written: list[bytes] = []

    def start_response(
        self,
        status: str,
        headers: list[tuple[str, str]],
        exc_info: OptExcInfo | None = None,
        /,
    ) -> Callable[[bytes], object]:
        if exc_info is not None and exc_info[1] is not None:
            if self.headers_sent:
                # PEP 3333: too late to change the response; re-raise the app's error.
                raise exc_info[1].with_traceback(exc_info[2])
            self.exc_info = exc_info
        elif self.status is not None:
            raise RemoteProtocolError(
                "The WSGI app called start_response() a second time without exc_info; "
                "PEP 3333 allows that only to report an error (pass sys.exc_info())."
            )
        self.status = _parse_status(status)
        self.headers = _encode_headers(headers)
        return self.write

    def write(self, data: bytes) -> None:
        self._written.append(_checked_chunk(data, "write()"))
        if data:
            self.headers_sent = True

    def body(self, iterator: Iterator[bytes]) -> Iterator[bytes]:
        """The body in order: data written before each chunk, then the chunk."""
        while True:
            yield from self._take_written()
            try:
                chunk = next(iterator)
            except StopIteration:
                break
            yield from self._take_written()
            yield _checked_chunk(chunk, "its iterable")
        yield from self._take_written()

    def _take_written(self) -> list[bytes]:
        written, self._written = self._written, []
        return written


def _checked_chunk(chunk: object, where: str) -> bytes:
    if not isinstance(chunk, bytes):
        raise RemoteProtocolError(
            f"The WSGI app gave a body chunk of type {type(chunk).__name__} through {where}: "
            f"{chunk!r:.60}; PEP 3333 bodies are bytes."
        )
    return chunk


class _WSGIResponseStream(SyncByteStream):
    """The app's body after the first chunk; closing it closes the app's iterable."""

    def __init__(
        self,
        first: bytes,
        rest: Iterator[bytes],
        result: Iterable[bytes],
        reader: _RequestBodyReader,
        wsgi_input: io.BufferedIOBase,
        raise_app_exceptions: bool,
    ) -> None:
        self._first = first
        self._rest = rest
        self._result = result
        self._reader = reader
        self._input = wsgi_input
        self._raise_app_exceptions = raise_app_exceptions
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            if self._first:
                first, self._first = self._first, b""
                yield first
            for chunk in self._rest:
                if chunk:
                    yield chunk
        except Exception as exc:
            if self._reader.error is exc:
                raise
            if self._reader.error is not None:
                raise self._reader.error from exc
            if self._raise_app_exceptions or isinstance(exc, RemoteProtocolError):
                raise
            raise RemoteProtocolError(
                f"The WSGI app failed after the response started, so the body is "
                f"incomplete: {exc!r}"
            ) from exc

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        _close_all(self._rest, self._result, self._input)


def _close_all(*things: object) -> None:
    """Call close() on each thing that has one, even if an earlier close() raises."""
    if not things:
        return
    first, *rest = things
    try:
        close = getattr(first, "close", None)
        if close is not None:
            close()
    finally:
        _close_all(*rest)


class WSGITransport(BaseTransport):
    """A transport that calls a WSGI app in this thread, as a WSGI server would.

    `script_name` is where the app is mounted (``SCRIPT_NAME``); the URL's path is
    ``PATH_INFO``. `remote_addr` is the client address the app sees. `wsgi_errors` is
    the app's ``wsgi.errors`` stream (default: ``sys.stderr``). With
    ``raise_app_exceptions=False`` an exception from the app becomes a 500 response.
    """

    def __init__(
        self,
        app: WSGIApplication,
        raise_app_exceptions: bool = True,
        script_name: str = "",
        remote_addr: str = "127.0.0.1",
        wsgi_errors: TextIO | None = None,
    ) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.script_name = script_name
        self.remote_addr = remote_addr
        self.wsgi_errors = wsgi_errors

    def _environ(self, request: Request) -> dict[str, Any]:
        """The environ of `request`, but for ``wsgi.input``."""
        url = request.url
        port = url.port or _DEFAULT_PORTS.get(url.scheme)
        if port is None:
            raise UnsupportedProtocol(
                f"WSGITransport sends only http and https URLs, not {url.scheme!r} ({url}).",
                request=request,
            )
        raw_path = url.raw_path.partition(b"?")[0]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": self.script_name,
            "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
            "QUERY_STRING": url.query.decode("latin-1"),
            # The host as sent on the wire (IDNA A-labels): environ text is latin-1.
            "SERVER_NAME": url.raw_host.decode("ascii"),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.remote_addr,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": url.scheme,
            "wsgi.input_terminated": True,
            "wsgi.errors": self.wsgi_errors if self.wsgi_errors is not None else sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for raw_name, raw_value in request.headers.raw:
            key = raw_name.decode("latin-1").upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            value = raw_value.decode("latin-1")
            if key in environ:
                separator = "; " if key in _JOINED_WITH_SEMICOLONS else ", "
                value = environ[key] + separator + value
            environ[key] = value
        return environ

    def handle_request(self, request: Request) -> Response:
        """Call the app with `request`; return a response whose body streams from it."""
        if not can_iterate_sync(request.stream):
            raise RuntimeError(
                "WSGITransport cannot send an async request body: WSGI apps read their input "
                "synchronously; use ASGITransport, or sync content."
            )
        environ = self._environ(request)
        try:
            chunks = iter(cast("Iterable[bytes]", request.stream))
        except tether_content.StreamConsumed as exc:
            raise StreamConsumed() from exc
        reader = _RequestBodyReader(request.stream, chunks)
        environ["wsgi.input"] = wsgi_input = io.BufferedReader(reader)
        exchange = _Exchange()
        result: Iterable[bytes] = ()
        body: Iterator[bytes] = iter(())
        try:
            result = self.app(environ, exchange.start_response)
            body = exchange.body(iter(result))
            first = next((chunk for chunk in body if chunk), b"")
            if exchange.status is None:
                raise RemoteProtocolError("The WSGI app returned without calling start_response().")
            exchange.headers_sent = True
            if exchange.exc_info is not None and self.raise_app_exceptions:
                raise exchange.exc_info[1].with_traceback(exchange.exc_info[2])  # type: ignore[union-attr]
        except Exception as exc:
            _close_all(body, result, wsgi_input)
            if reader.error is exc:
                raise
            if reader.error is not None:
                raise reader.error from exc
            if self.raise_app_exceptions:
                raise
            traceback.print_exception(
                type(exc), exc, exc.__traceback__, file=environ["wsgi.errors"]
            )
            return Response(500, extensions={"http_version": _EXTENSIONS_VERSION})
        status_code, reason = exchange.status
        stream = _WSGIResponseStream(
            first, body, result, reader, wsgi_input, self.raise_app_exceptions
        )
        return Response(
            status_code,
            headers=exchange.headers,
            stream=stream,
            extensions={
                "http_version": _EXTENSIONS_VERSION,
                "reason_phrase": reason.encode("latin-1"),
            },
        )
