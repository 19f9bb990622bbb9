"""`Request`: an HTTP request, as httpx 0.28 builds it.

The constructor turns httpx's arguments into a method, a `URL`, `Headers` and a body
stream (encoded by tether_content). The headers it adds follow httpx's order:
``Host`` first, then ``Content-Length: 0`` for a bodiless POST/PUT/PATCH, then the
caller's headers, the ``Cookie`` header built from `cookies=`, and last the headers
the body implies (``Content-Length`` or ``Transfer-Encoding``, ``Content-Type``). A
header the caller set is never replaced, and ``Transfer-Encoding: chunked`` is not
added when the caller gave a ``Content-Length``. With `stream=` nothing is added.

Where tether differs from httpx 0.28:
- `params=` is merged into the URL's own query (``?a=1`` + ``{"b": 2}`` gives
  ``?a=1&b=2``), as httpx did before 0.28 and documents; 0.28 replaces the query.
- An unpickled request that had been read keeps a replayable body stream (httpx's
  raises `StreamClosed`); one that had not been read raises `StreamClosed`, as httpx.
- The method must be an HTTP token: a method holding a space, CR or LF is refused
  here with a `ValueError` rather than on the wire.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import tether_content
from tether_cookies import Cookies, CookieTypes
from tether_headers import Headers, HeaderTypes
from tether_urls import URL, QueryParams

from ._exceptions import RequestNotRead
from ._streams import (
    DetachedStream,
    StreamTypes,
    can_iterate_async,
    can_iterate_sync,
    iterate_async,
    iterate_sync,
)

__all__ = ["Request"]

QueryParamInput = (
    QueryParams
    | Mapping[str, Any]
    | list[tuple[str, Any]]
    | tuple[tuple[str, Any], ...]
    | str
    | bytes
)

# RFC 9110 section 5.6.2: a method is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# The usual methods, already valid and upper-case: no regex for them.
_KNOWN_METHODS = {
    name: name for name in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
}


def _method(method: object) -> str:
    if isinstance(method, bytes):
        try:
            text = method.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(f"invalid HTTP method {method!r}: it is not ASCII") from None
    elif isinstance(method, str):
        text = method
    else:
        raise TypeError(f"the HTTP method must be str or bytes, got {type(method).__name__}")
    if not _TOKEN.fullmatch(text):
        raise ValueError(f"invalid HTTP method {text!r}: a method is a token such as 'GET'")
    return text.upper()


class Request:
    """An HTTP request: method, URL, headers, body stream and extensions."""

    method: str
    url: URL
    headers: Headers
    stream: StreamTypes
    extensions: dict[str, Any]

    def __init__(
        self,
        method: str | bytes,
        url: URL | str,
        *,
        params: QueryParamInput | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        content: tether_content.RequestContent | None = None,
        data: tether_content.RequestData | None = None,
        files: tether_content.RequestFiles | None = None,
        json: Any | None = None,
        stream: StreamTypes | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        known = _KNOWN_METHODS.get(method) if type(method) is str else None
        self.method = known or _method(method)
        # A URL is immutable: kept as given (with its cached string), not copied.
        self.url = url if type(url) is URL else URL(url)
        if params is not None:
            self.url = self.url.copy_merge_params(params)
        self.headers = Headers(headers)
        self.extensions = {} if extensions is None else dict(extensions)
        self._content: bytes | None = None
        if cookies:
            Cookies(cookies).set_cookie_header(self)
        if stream is not None:
            self.stream = stream
            return
        boundary = (  # only a multipart body (files=) has one
            tether_content.boundary_from_content_type(self.headers.get("Content-Type"))
            if files
            else None
        )
        body_headers, body = tether_content.encode_request(
            content, data, files, json, boundary, method=self.method
        )
        self._prepare(body_headers)
        self.stream = body
        if isinstance(body, tether_content.ByteStream):
            self._content = body.content

    def _prepare(self, body_headers: dict[str, str]) -> None:
        # tether_content adds "Content-Length: 0" for a bodiless POST/PUT/PATCH; httpx
        # puts that one right after Host, before the caller's headers.
        empty_body = self.method in _BODY_METHODS and body_headers == {"Content-Length": "0"}
        if not empty_body:
            for name, value in body_headers.items():
                if name.lower() == "transfer-encoding" and "Content-Length" in self.headers:
                    continue
                self.headers.setdefault(name, value)
        auto: list[tuple[bytes, bytes]] = []
        if "Host" not in self.headers and self.url.host:
            auto.append((b"Host", self.url.netloc))
        if (
            empty_body
            and "Content-Length" not in self.headers
            and "Transfer-Encoding" not in self.headers
        ):
            auto.append((b"Content-Length", b"0"))
        if auto:
            self.headers = Headers.from_wire([*auto, *self.headers.raw])

    @property
    def content(self) -> bytes:
        """The body; `RequestNotRead` if it is a stream not read yet."""
        if self._content is None:
            raise RequestNotRead()
        return self._content

    def read(self) -> bytes:
        """Read the body stream into memory (once) and return it.

        A streamed body is then replaced with an in-memory stream, so the request can be
        sent again (a redirect or an auth retry).
        """
        if self._content is None:
            if not can_iterate_sync(self.stream):
                raise RuntimeError(
                    "Attempted to read an async request body with read(); use 'await aread()'."
                )
            self._content = b"".join(iterate_sync(self.stream))
            self.stream = tether_content.ByteStream(self._content)
        return self._content

    async def aread(self) -> bytes:
        """Read the body stream into memory (once) and return it; the async `read()`."""
        if self._content is None:
            if not can_iterate_async(self.stream):
                raise RuntimeError(
                    "Attempted to read a sync request body with aread(); use read()."
                )
            self._content = b"".join([chunk async for chunk in iterate_async(self.stream)])
            self.stream = tether_content.ByteStream(self._content)
        return self._content

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({self.method!r}, {str(self.url)!r})>"

    def __getstate__(self) -> dict[str, Any]:
        # Extensions may hold callbacks and live objects, and a stream may be a
        # generator: neither travels; the bytes do when they were read.
        return {k: v for k, v in self.__dict__.items() if k not in ("extensions", "stream")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.extensions = {}
        content = self.__dict__.get("_content")
        self.stream = DetachedStream() if content is None else tether_content.ByteStream(content)
