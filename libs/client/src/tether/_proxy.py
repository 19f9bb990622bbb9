"""`Proxy`: where and how to reach a proxy server, as an immutable value.

The credentials may come in the URL's userinfo or as ``auth=``; either way they are
taken out of the URL (so it never appears with a password in a log) and kept apart.
The network transport turns them into a ``Proxy-Authorization`` header.
"""

from __future__ import annotations

import ssl

from tether_headers import Headers, HeaderTypes
from tether_urls import URL

# http and https proxies (RFC 9110 section 9.3.6 CONNECT), SOCKS5 with local or remote
# name resolution (RFC 1928), as httpx accepts.
PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h"})


class Proxy:
    """A proxy: its URL, optional credentials, extra headers and TLS context."""

    __slots__ = ("_auth", "_headers", "_ssl_context", "_url")

    def __init__(
        self,
        url: URL | str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        auth: tuple[str, str] | None = None,
        headers: HeaderTypes | None = None,
    ) -> None:
        parsed = URL(url)
        if parsed.scheme not in PROXY_SCHEMES:
            raise ValueError(
                f"Unknown scheme for proxy URL {parsed!r}: use one of "
                f"{', '.join(sorted(PROXY_SCHEMES))}"
            )
        if auth is not None and (
            not isinstance(auth, tuple)
            or len(auth) != 2
            or not all(isinstance(a, str) for a in auth)
        ):
            raise TypeError(
                "Proxy auth= must be a (username, password) tuple of str, "
                f"got {type(auth).__name__}"
            )
        if parsed.username or parsed.password:
            auth = (parsed.username, parsed.password)
            parsed = parsed.copy_with(username=None, password=None)
        self._url = parsed
        self._auth = auth
        self._headers = Headers(headers)
        self._ssl_context = ssl_context

    @property
    def url(self) -> URL:
        """The proxy's URL, without credentials."""
        return self._url

    @property
    def auth(self) -> tuple[str, str] | None:
        """The (username, password) to authenticate with, if any."""
        return self._auth

    @property
    def raw_auth(self) -> tuple[bytes, bytes] | None:
        """The credentials as UTF-8 bytes, as a Proxy-Authorization header carries them."""
        if self._auth is None:
            return None
        username, password = self._auth
        return (username.encode("utf-8"), password.encode("utf-8"))

    @property
    def headers(self) -> Headers:
        """Headers sent to the proxy (not to the origin)."""
        return self._headers

    @property
    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for an https proxy, or None for the default."""
        return self._ssl_context

    def __repr__(self) -> str:
        text = repr(str(self._url))
        if self._auth is not None:
            text += f", auth=({self._auth[0]!r}, '********')"
        if self._headers:
            text += f", headers={dict(self._headers)!r}"
        return f"Proxy({text})"
