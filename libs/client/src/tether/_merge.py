"""What a client adds to each request: base_url, params, headers, cookies, timeout.

Plain functions, called by `BaseClient.build_request` (and the client's property
setters) with the client's configuration and the request's arguments; no I/O. Each
follows httpx 0.28's `BaseClient._merge_*`, checked against httpx by the tests, except
where a docstring says otherwise.

base_url is not joined the RFC 3986 way: a relative request URL is *appended* to the
base URL's path, so ``https://x/api`` + ``/users`` is ``https://x/api/users`` (RFC 3986
would give ``https://x/users``). Dot segments are then resolved, so ``../up`` can leave
the base path, as in httpx.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final

import tether_content
from tether_cookies import Cookies, CookieTypes
from tether_headers import Headers, HeaderTypes
from tether_urls import URL, InvalidURL, QueryParams

from .__about__ import __version__
from ._config import Timeout
from ._types import TimeoutTypes

__all__ = [
    "USER_AGENT",
    "USE_CLIENT_DEFAULT",
    "UseClientDefault",
    "accept_encoding",
    "client_headers",
    "default_headers",
    "enforce_trailing_slash",
    "merge_cookies",
    "merge_extensions",
    "merge_headers",
    "merge_params",
    "merge_url",
]

USER_AGENT: Final = f"python-tether/{__version__}"


class UseClientDefault:
    """The marker for "use the client's setting" in per-request arguments.

    It differs from `None`, which means "none at all": ``client.get(url, timeout=None)``
    disables the timeout, while leaving `timeout` out (``USE_CLIENT_DEFAULT``) uses the
    client's. User code does not normally need it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "USE_CLIENT_DEFAULT"

    def __reduce__(self) -> str:
        # Pickles and copies are the one instance.
        return "USE_CLIENT_DEFAULT"


USE_CLIENT_DEFAULT: Final = UseClientDefault()


@functools.cache
def accept_encoding() -> str:
    """The Accept-Encoding value: the codings this installation can decode.

    "gzip, deflate", then "br" and "zstd" when their library is installed. Computed once
    (the first request), not at import, so that an optional codec is not imported early.
    """
    return ", ".join(tether_content.supported_encodings())


def default_headers() -> Headers:
    """A new copy of the headers every client starts with, in httpx's order."""
    return Headers(
        {
            "Accept": "*/*",
            "Accept-Encoding": accept_encoding(),
            "Connection": "keep-alive",
            "User-Agent": USER_AGENT,
        }
    )


def client_headers(headers: HeaderTypes | None) -> Headers:
    """The headers of a client given `headers=`: the defaults, overridden per name.

    What ``Client(headers=...)`` and the ``client.headers = ...`` setter store.
    """
    merged = default_headers()
    merged.update(headers)
    # One lookup builds the name index now; every request's copy shares it (copy on
    # write) instead of building its own.
    _ = "Host" in merged
    return merged


def enforce_trailing_slash(url: URL) -> URL:
    """`url` with a path ending in "/", so that request paths are appended below it.

    What the client stores as `base_url`. Unlike httpx, a query stays a query: httpx
    appends the slash to the query (``https://x/a?k=v`` becomes ``https://x/a?k=v/``,
    encode/httpx#3614); tether gives ``https://x/a/?k=v``.
    """
    path, question, query = url.raw_path.partition(b"?")
    if path.endswith(b"/"):
        return url
    return url.copy_with(raw_path=path + b"/" + question + query)


def merge_url(base_url: URL, url: URL | str) -> URL:
    """The URL to request for `url`, given the client's `base_url` (see the module doc).

    - An absolute `url` (with a scheme and a host) bypasses `base_url`.
    - A relative `url` (no scheme, no host: ``/users``, ``users?page=2``, ``""``) is
      appended to `base_url`'s path, its leading "/" dropped. A query in `base_url` is
      kept, the request URL's own query appended after it (httpx corrupts such a
      base_url, see `enforce_trailing_slash`); the request's fragment wins over the
      base's (httpx drops the request's).
    - With no `base_url` (``""``), `url` is returned as it is, and the transport refuses
      it if it is not absolute.
    - A URL with a host but no scheme (``//other.example/x``) or a scheme but no host
      (``http:/x``) is refused with `InvalidURL`: httpx silently drops the host or scheme
      and appends the path to base_url, which sends the request somewhere the caller did
      not write.

    `base_url` must already end in "/" (`enforce_trailing_slash`).
    """
    merge = URL(url)
    if merge.is_absolute_url or not str(base_url):
        return merge
    if merge.scheme or merge.host:
        raise InvalidURL(
            f"Invalid request URL {str(merge)!r} with base_url {str(base_url)!r}: it has a "
            f"{'scheme' if merge.scheme else 'host'} but no "
            f"{'host' if merge.scheme else 'scheme'}; give a full URL "
            f"('https://host/path') or a path below base_url ('/path')"
        )
    base_path, _, base_query = base_url.raw_path.partition(b"?")
    path, _, query = merge.raw_path.partition(b"?")
    raw_path = base_path + path.lstrip(b"/")
    queries = [part for part in (base_query, query) if part]
    if queries:
        raw_path += b"?" + b"&".join(queries)
    merged = base_url.copy_with(raw_path=raw_path)
    if merge.fragment:
        merged = merged.copy_with(fragment=merge.fragment)
    return merged


def merge_params(client_params: QueryParams, params: Any = None) -> QueryParams | None:
    """The client's query parameters, then the request's, a request's name replacing
    all of the client's values for that name (httpx's `QueryParams.merge`).

    `params` is anything ``QueryParams()`` takes. Returns None when neither has any, so
    that the request URL's own query is left alone.
    """
    if not params and not client_params:
        return None
    return client_params.merge(params)


def merge_headers(client_headers: Headers, headers: HeaderTypes | None = None) -> Headers:
    """A new Headers: the client's, then the request's, a request's name replacing all
    of the client's fields of that name (so `headers={"Accept": ...}` overrides)."""
    merged = Headers(client_headers)  # shares the client's fields until either changes
    if headers:
        merged.update(headers)
    return merged


def merge_cookies(client_cookies: Cookies, cookies: CookieTypes | None = None) -> Cookies | None:
    """A new Cookies: the client's, then the request's (a request's cookie replaces the
    client's cookie of the same name, domain and path). None when neither has any.

    The client's jar is copied, never changed: per-request cookies do not persist.
    """
    if not cookies and not client_cookies:
        return None
    merged = Cookies(client_cookies)
    merged.update(cookies)
    return merged


def merge_extensions(
    extensions: Mapping[str, Any] | None,
    timeout: TimeoutTypes | UseClientDefault,
    client_timeout: Timeout,
) -> dict[str, Any]:
    """The request's extensions, with a ``timeout`` entry unless it already has one.

    The entry is `client_timeout` when `timeout` is `USE_CLIENT_DEFAULT`, else
    ``Timeout(timeout)`` (so ``None`` disables every timeout), as a dict.
    """
    merged = dict(extensions or {})
    if "timeout" not in merged:
        chosen = client_timeout if isinstance(timeout, UseClientDefault) else Timeout(timeout)
        merged["timeout"] = chosen.as_dict()
    return merged
