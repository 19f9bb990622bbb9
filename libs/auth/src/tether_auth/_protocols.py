"""The shapes of request and response that the auth flows work on.

tether-auth imports no other tether package: a flow takes any object with these
attributes. ``httpx.Request`` and ``httpx.Response`` fit, and so do tether's; so does a
small dataclass in a test. Members are read-only properties, so a plain attribute of a
narrower type (``dict[str, str]`` for headers) satisfies them too.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Protocol


class URLLike(Protocol):
    """The parts of a URL that authentication reads."""

    @property
    def host(self) -> str:
        """The host, as NetRC looks it up and Digest scopes its pre-authentication."""
        ...

    @property
    def raw_path(self) -> bytes:
        """The request target, path and query (``b"/a?b=c"``): Digest's ``uri``."""
        ...


class RequestLike(Protocol):
    """A request that a flow can read and sign.

    `headers` should look names up case-insensitively, as ``httpx.Headers`` does; a
    plain ``dict`` works when its keys use the usual capitalisation. `content` is the
    whole body, available once `read()` or `aread()` has run.
    """

    @property
    def method(self) -> str:
        """The method, upper case (``"GET"``)."""
        ...

    @property
    def url(self) -> URLLike:
        """The URL being requested."""
        ...

    @property
    def headers(self) -> MutableMapping[str, str]:
        """The request headers; flows set ``Authorization`` here."""
        ...

    @property
    def content(self) -> bytes:
        """The body, once read."""
        ...

    def read(self) -> bytes:
        """Load the body into memory (sync clients)."""
        ...

    async def aread(self) -> bytes:
        """Load the body into memory (async clients)."""
        ...


class ResponseLike(Protocol):
    """A response that a flow can inspect.

    Several ``WWW-Authenticate`` fields must come back from `headers` joined with
    ``", "``, which is what ``httpx.Headers`` does (RFC 9110 section 5.3).
    """

    @property
    def status_code(self) -> int:
        """The status code (``401`` asks for credentials)."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers."""
        ...

    @property
    def request(self) -> RequestLike:
        """The request this response answers."""
        ...

    def read(self) -> bytes:
        """Load the body into memory (sync clients)."""
        ...

    async def aread(self) -> bytes:
        """Load the body into memory (async clients)."""
        ...
