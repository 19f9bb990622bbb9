"""`Response`: an HTTP response, with httpx 0.28's API.

A response holds its status, headers and a body stream; the body is read once, from
the stream, through the decoders of `_response_body` (Content-Encoding, then charset,
then lines), and kept in memory by `read()`. A response built with bytes (``content=``,
``text=``, ``html=``, ``json=``) is read at once, as httpx does.

Invariants:
- The stream is iterated at most once: a second iteration raises `StreamConsumed`,
  iteration after `close()` raises `StreamClosed`, and iterating a sync-only stream
  with ``async for`` (or the reverse) raises `RuntimeError`, all as httpx.
- `is_closed` becomes True exactly once, when the stream is closed, which happens when
  the body has been read to its end, on `close()`/`aclose()`, or when reading fails.
- `elapsed` exists once the response is closed (and bound to a client).

The client's hook is `bind(request, started=..., default_encoding=...)`: it attaches
the request, and wraps the transport's stream in a `BoundStream` whose closing closes
the transport's stream and then records `elapsed` (``perf_counter()`` minus `started`)
and runs an optional `on_close` callback. A response already closed when bound (its
body came in memory, as from `MockTransport`) gets its `elapsed` at once; httpx leaves
such a response without one.

Other differences from httpx 0.28: `num_bytes_downloaded` of a response built from
bytes counts them (httpx resets it to 0), `raise_for_status()` writes the URL with its
password as ``[secure]``, and a non-int `status_code` is refused with `TypeError`.
"""

from __future__ import annotations

import datetime
import json as jsonlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import tether_content
from tether_cookies import Cookies
from tether_headers import Headers, HeaderTypes, parse_links

from ._exceptions import HTTPStatusError
from ._response_body import BodyReader
from ._status_codes import codes
from ._streams import BoundStream, DetachedStream, StreamTypes

if TYPE_CHECKING:
    from tether_urls import URL

    from ._request import Request

__all__ = ["Response"]

_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_ERROR_KINDS = {
    1: "an informational response",
    3: "a redirect response",
    4: "a client error",
    5: "a server error",
}


def _ascii(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("ascii", errors="ignore")
    return str(value)


def _redacted(url: str) -> str:
    from tether_urls import URL, InvalidURL

    try:
        parsed = URL(url)
    except (InvalidURL, TypeError, ValueError):
        return url
    if not parsed.password:
        return url
    marker = "tether-redacted-password"
    return str(parsed.copy_with(password=marker)).replace(marker, "[secure]")


class Response(BodyReader):
    """An HTTP response: status, headers, body (streamed or in memory) and metadata."""

    status_code: int
    headers: Headers
    stream: StreamTypes
    next_request: Request | None
    extensions: dict[str, Any]
    history: list[Response]
    default_encoding: tether_content.DefaultEncoding

    def __init__(
        self,
        status_code: int,
        *,
        headers: HeaderTypes | None = None,
        content: tether_content.ResponseContent | None = None,
        text: str | None = None,
        html: str | None = None,
        json: Any = None,
        stream: StreamTypes | None = None,
        request: Request | None = None,
        extensions: Mapping[str, Any] | None = None,
        history: Sequence[Response] | None = None,
        default_encoding: tether_content.DefaultEncoding = "utf-8",
    ) -> None:
        if isinstance(status_code, bool) or not isinstance(status_code, int):
            raise TypeError(
                f"status_code must be an int, got {type(status_code).__name__} {status_code!r}"
            )
        self.status_code = status_code
        self.headers = Headers(headers)
        self._request = request
        self.next_request = None
        self.extensions = {} if extensions is None else dict(extensions)
        self.history = [] if history is None else list(history)
        self.default_encoding = default_encoding
        self._init_body()
        self._cookies: Cookies | None = None
        self._elapsed: datetime.timedelta | None = None
        if stream is not None:
            self.stream = stream
            return
        body_headers, body = tether_content.encode_response(content, text, html, json)
        for name, value in body_headers.items():
            if name.lower() == "transfer-encoding" and "Content-Length" in self.headers:
                continue
            self.headers.setdefault(name, value)
        self.stream = body
        if isinstance(body, tether_content.ByteStream):
            self.read()

    # -- metadata -----------------------------------------------------------------------

    @property
    def request(self) -> Request:
        """The request this responds to; `RuntimeError` if none was attached."""
        if self._request is None:
            raise RuntimeError("The request instance has not been set on this response.")
        return self._request

    @request.setter
    def request(self, value: Request) -> None:
        self._request = value

    @property
    def url(self) -> URL:
        """The URL of the request."""
        return self.request.url

    @property
    def http_version(self) -> str:
        """The HTTP version, from the transport ("HTTP/1.1" if it said nothing)."""
        version = self.extensions.get("http_version")
        return "HTTP/1.1" if version is None else _ascii(version)

    @property
    def reason_phrase(self) -> str:
        """The reason phrase sent by the server, else the standard one for the status."""
        phrase = self.extensions.get("reason_phrase")
        return codes.get_reason_phrase(self.status_code) if phrase is None else _ascii(phrase)

    @property
    def elapsed(self) -> datetime.timedelta:
        """The time from sending the request to closing the response."""
        if self._elapsed is None:
            raise RuntimeError(
                "'.elapsed' may only be accessed after the response has been read or closed."
            )
        return self._elapsed

    @elapsed.setter
    def elapsed(self, value: datetime.timedelta) -> None:
        self._elapsed = value

    @property
    def is_informational(self) -> bool:
        """True for a 1xx status."""
        return codes.is_informational(self.status_code)

    @property
    def is_success(self) -> bool:
        """True for a 2xx status."""
        return codes.is_success(self.status_code)

    @property
    def is_redirect(self) -> bool:
        """True for a 3xx status (with or without a Location header)."""
        return codes.is_redirect(self.status_code)

    @property
    def is_client_error(self) -> bool:
        """True for a 4xx status."""
        return codes.is_client_error(self.status_code)

    @property
    def is_server_error(self) -> bool:
        """True for a 5xx status."""
        return codes.is_server_error(self.status_code)

    @property
    def is_error(self) -> bool:
        """True for a 4xx or 5xx status."""
        return codes.is_error(self.status_code)

    @property
    def has_redirect_location(self) -> bool:
        """True for a 301, 302, 303, 307 or 308 response that has a Location header."""
        return self.status_code in _REDIRECT_CODES and "Location" in self.headers

    def raise_for_status(self) -> Response:
        """Return the response if its status is 2xx; else raise `HTTPStatusError`."""
        request = self._request
        if request is None:
            raise RuntimeError(
                "Cannot call `raise_for_status` as the request instance has not been set "
                "on this response."
            )
        if self.is_success:
            return self
        kind = _ERROR_KINDS.get(self.status_code // 100, "an invalid status code")
        lines = [
            f"{request.method} {_redacted(str(request.url))} got {kind}: "
            f"{self.status_code} {self.reason_phrase}"
        ]
        if self.has_redirect_location:
            lines.append(f"The redirect location is {_redacted(self.headers['Location'])}")
        lines.append(
            f"See https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/{self.status_code}"
        )
        raise HTTPStatusError("\n".join(lines), request=request, response=self)

    @property
    def cookies(self) -> Cookies:
        """The cookies the response's Set-Cookie headers set (needs the request's URL)."""
        if self._cookies is None:
            cookies = Cookies()
            cookies.extract_cookies(self)
            self._cookies = cookies
        return self._cookies

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """The Link header's links, keyed by their ``rel`` (or their URL)."""
        header = self.headers.get("Link")
        return {} if header is None else parse_links(header)

    def json(self, **kwargs: Any) -> Any:
        """The body parsed as JSON (`json.loads` keyword arguments are passed through)."""
        return jsonlib.loads(self.content, **kwargs)

    # -- the client's hook --------------------------------------------------------------

    def bind(
        self,
        request: Request,
        *,
        started: float | None = None,
        default_encoding: tether_content.DefaultEncoding | None = None,
        on_close: Callable[[], object] | None = None,
    ) -> None:
        """Attach the response to the client that received it (used by the clients).

        Sets `request` (and `default_encoding` if given); with `started` (a
        ``time.perf_counter()`` reading taken before sending), `elapsed` is recorded when
        the response closes, and `on_close` is called then.
        """
        self._request = request
        if default_encoding is not None:
            self.default_encoding = default_encoding

        def closed() -> None:
            if started is not None:
                self._elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
            if on_close is not None:
                on_close()

        if self.is_closed:
            closed()
        else:
            self.stream = BoundStream(self.stream, closed)

    # -- the rest -----------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}]>"

    def __getstate__(self) -> dict[str, Any]:
        # The stream, decoder, extensions and cookie jar hold live objects: they stay.
        dropped = ("extensions", "stream", "is_closed", "_decoder", "_cookies")
        return {k: v for k, v in self.__dict__.items() if k not in dropped}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.is_closed = True
        self.extensions = {}
        self.stream = DetachedStream()
        self._decoder = None
        self._cookies = None
