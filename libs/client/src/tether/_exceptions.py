"""tether's exceptions: httpx's names and classes, so ``except httpx.X`` keeps working.

::

    HTTPError
    ├── RequestError                     a request could not be completed
    │   ├── TransportError               ... because of the transport
    │   │   ├── TimeoutException
    │   │   │   ├── ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout
    │   │   ├── NetworkError
    │   │   │   ├── ConnectError, ReadError, WriteError, CloseError
    │   │   ├── ProtocolError
    │   │   │   ├── LocalProtocolError, RemoteProtocolError
    │   │   ├── ProxyError
    │   │   └── UnsupportedProtocol
    │   ├── DecodingError                the body could not be decoded
    │   └── TooManyRedirects
    └── HTTPStatusError                  raise_for_status() on a 4xx or 5xx response
    InvalidURL                           (tether_urls) a URL could not be parsed
    CookieConflict                       (tether_cookies) several cookies match one name
    StreamError (RuntimeError)           a stream was used the wrong way round
    ├── StreamConsumed, StreamClosed, ResponseNotRead, RequestNotRead
    PoolClosed (RuntimeError)            sent through a transport that was closed

Errors raised by the component packages are converted at the one boundary where the
client calls them; `DecodingError` also subclasses `tether_content.DecodingError`, so
either name catches it. Every exception pickles, request and response included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tether_content

if TYPE_CHECKING:
    from ._request import Request
    from ._response import Response


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class HTTPError(Exception):
    """The base class of every error a request or a response can raise."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, self.__dict__))


class RequestError(HTTPError):
    """A request could not be sent, or its response could not be received."""

    def __init__(self, message: str, *, request: Request | None = None) -> None:
        super().__init__(message)
        self._request = request

    @property
    def request(self) -> Request:
        """The request that failed."""
        if self._request is None:
            raise RuntimeError(
                f"this {type(self).__name__} has no .request: it was raised outside a request"
            )
        return self._request

    @request.setter
    def request(self, request: Request) -> None:
        self._request = request


class TransportError(RequestError):
    """The transport failed to send the request or receive the response."""


class TimeoutException(TransportError):
    """A timeout elapsed."""


class ConnectTimeout(TimeoutException):
    """Connecting to the server took longer than the connect timeout."""


class ReadTimeout(TimeoutException):
    """Receiving data from the server took longer than the read timeout."""


class WriteTimeout(TimeoutException):
    """Sending data to the server took longer than the write timeout."""


class PoolTimeout(TimeoutException):
    """No connection of the pool became free within the pool timeout."""


class NetworkError(TransportError):
    """A network operation failed."""


class ConnectError(NetworkError):
    """The connection could not be established."""


class ReadError(NetworkError):
    """Receiving data from the server failed."""


class WriteError(NetworkError):
    """Sending data to the server failed."""


class CloseError(NetworkError):
    """Closing a connection failed."""


class ProtocolError(TransportError):
    """The HTTP protocol was violated."""


class LocalProtocolError(ProtocolError):
    """The client was about to violate the protocol (e.g. an invalid header)."""


class RemoteProtocolError(ProtocolError):
    """The server violated the protocol (e.g. a malformed response)."""


class ProxyError(TransportError):
    """The proxy refused or failed the request."""


class UnsupportedProtocol(TransportError):
    """The URL's scheme has no transport (e.g. ``ftp://``), or the URL has no scheme."""


class DecodingError(RequestError, tether_content.DecodingError):
    """The response body could not be decoded with its Content-Encoding or charset."""


class TooManyRedirects(RequestError):
    """More redirects than `max_redirects` were followed."""


class HTTPStatusError(HTTPError):
    """`raise_for_status()` met a 4xx or 5xx response."""

    def __init__(self, message: str, *, request: Request, response: Response) -> None:
        super().__init__(message)
        self.request = request
        self.response = response


class PoolClosed(RuntimeError):
    """A request was sent through a transport (its connection pool) that was closed.

    A `RuntimeError`, as httpx's closed client raises: sending through a closed pool
    is a mistake of the calling code, not a failure of the network, so it is no
    `TransportError`, and a loop that retries transport errors does not retry it.
    Requests waiting for a connection when the pool closes fail with it too.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)


class StreamError(RuntimeError):
    """A stream was used in a way that cannot work (the base of the four below)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class StreamConsumed(StreamError):
    """The content was already streamed once and cannot be streamed again."""

    def __init__(self) -> None:
        super().__init__(
            "The content was already streamed and cannot be streamed again: a request whose "
            "body is an iterator cannot be resent for a redirect or an auth challenge, and a "
            "response can be streamed only once (read() it to keep the bytes)."
        )


class StreamClosed(StreamError):
    """The stream was closed before it was read."""

    def __init__(self) -> None:
        super().__init__("The stream is closed; its content can no longer be read or streamed.")


class ResponseNotRead(StreamError):
    """A streamed response's content was accessed before `read()`."""

    def __init__(self) -> None:
        super().__init__(
            "The response is streamed and not read yet: call read() or aread() before "
            "using .content, .text or .json()."
        )


class RequestNotRead(StreamError):
    """A streamed request's content was accessed before `read()`."""

    def __init__(self) -> None:
        super().__init__(
            "The request body is a stream and not read yet: call read() or aread() before "
            "using .content."
        )
