"""The input types of tether-cookies: what its functions accept, in one place.

Requests and responses are taken by shape, not by class, so httpx's, Starlette's and
tether's objects all work (and any other with the same attributes):

- a URL is a `str` or any object whose `str()` is an absolute URL (httpx.URL,
  starlette.datastructures.URL, tether_urls.URL, yarl.URL);
- response headers are read with the first of these the object has: `get_list(name)`
  (httpx, tether), `getlist(name)` (Starlette, Werkzeug), `get_all(name)`
  (email.message, urllib responses), `getall(name, default)` (multidict, aiohttp),
  `multi_items()`, `items()` (a plain mapping, whose values may be lists), or an
  iterable of (name, value) pairs (ASGI's raw headers; bytes are decoded as Latin-1);
- request headers need `__contains__` and `__setitem__` (a case-insensitive mapping
  such as httpx.Headers, or a plain dict).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Any, Literal, Protocol, Union

if TYPE_CHECKING:
    from ._cookies import Cookies

__all__ = [
    "CookieTypes",
    "FileFormat",
    "PathType",
    "RequestLike",
    "ResponseLike",
]


class ResponseLike(Protocol):
    """A response: the URL it answered and its headers (see the module docstring)."""

    @property
    def url(self) -> Any: ...

    @property
    def headers(self) -> Any: ...


class RequestLike(Protocol):
    """A request: its URL and mutable headers (see the module docstring)."""

    @property
    def url(self) -> Any: ...

    @property
    def headers(self) -> Any: ...


# What `Cookies(...)` and `Cookies.update(...)` accept, as httpx's CookieTypes.
CookieTypes = Union["Cookies", CookieJar, Mapping[str, str], Sequence[tuple[str, str]]]
PathType = Union[str, "os.PathLike[str]"]
FileFormat = Literal["netscape", "json"]
