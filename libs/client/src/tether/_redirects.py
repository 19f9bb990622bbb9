"""The redirect policy: from a request and its 3xx response, the next request to send.

Sans-I/O: nothing here sends, reads or waits. The sync and async clients both call
`build_redirect_request` once per hop, after storing the redirect response's cookies in
their jar, and `check_redirect_count` before sending each hop.

Invariants, each with a test named after the rule (and the CVE it prevents):

1. Credentials never reach another origin (scheme, host and effective port).
   ``Authorization``, ``Proxy-Authorization`` and ``Cookie`` are removed on a hop to
   another origin; the jar's cookies for the new URL are added back by the jar's own
   RFC 6265 rules (domain, path, Secure).
2. The one exception is httpx's: ``Authorization`` (only) survives an upgrade from
   ``http://host`` on port 80 to ``https://host`` on port 443, the same host, since the
   credential already went to that host in the clear and now goes encrypted.
   ``Proxy-Authorization`` does not (through a proxy, an https request's headers reach
   the origin server: CVE-2023-32681), nor do per-request cookies.
3. A downgrade (``https`` to ``http``) never keeps a credential, even on the same host.
4. Cookies given for one request (``cookies=`` or an explicit ``Cookie`` header) are
   pinned to the origin of that request (`PinnedCookies`): every hop at that origin gets
   them, merged with the jar's current cookies for the hop's URL; other origins never
   do. httpx drops them on every redirect.
5. A body is resent only by 307 and 308. When a redirect turns the request into a GET
   (303; 301 and 302 after a POST, as browsers do), the body and every header that
   describes it (RFC 9110 section 15.4, step 5) are dropped. A body that cannot be
   replayed (a generator) raises `StreamConsumed` instead of sending nothing.
6. Only ``http`` and ``https`` Locations are followed (`UnsupportedProtocol` otherwise,
   as curl's default redirect protocols); an unparsable Location is the server's fault
   (`RemoteProtocolError`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from tether_cookies import Cookies, CookieTypes
from tether_headers import Headers
from tether_urls import URL, InvalidURL

from ._exceptions import RemoteProtocolError, StreamConsumed, TooManyRedirects, UnsupportedProtocol
from ._status_codes import codes
from ._urlpatterns import effective_port

if TYPE_CHECKING:
    from ._request import Request
    from ._response import Response

__all__ = [
    "DEFAULT_REDIRECT_SCHEMES",
    "REDIRECT_STATUS_CODES",
    "Origin",
    "PinnedCookies",
    "build_redirect_request",
    "check_redirect_count",
    "is_https_upgrade",
    "is_same_origin",
    "origin_of",
    "redirect_cookie_header",
    "redirect_headers",
    "redirect_method",
    "redirect_stream",
    "redirect_url",
]

REDIRECT_STATUS_CODES: Final = frozenset({301, 302, 303, 307, 308})
# curl follows http, https, ftp and ftps by default; tether's transports speak only HTTP.
DEFAULT_REDIRECT_SCHEMES: Final = frozenset({"http", "https"})

# RFC 9110 section 15.4, step 5: "If the request method has been changed to GET or HEAD,
# remove content-specific header fields", plus the framing headers of the dropped body.
_BODY_HEADERS: Final = (
    "Content-Length",
    "Transfer-Encoding",
    "Content-Type",
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Content-Digest",
    "Digest",
)
_USERINFO: Final = re.compile(r"(//[^/?#@]*?:)[^/?#@]*@")


def _redact(text: str) -> str:
    """`text` with any password of a URL in it replaced by "[secure]"."""
    return _USERINFO.sub(r"\1[secure]@", text)


class Origin(NamedTuple):
    """A URL's origin (RFC 6454): scheme, host (lower-case ASCII) and effective port."""

    scheme: str
    host: str
    port: int | None


def origin_of(url: URL) -> Origin:
    """The origin of `url`; a default port is made explicit (``http://h`` is port 80)."""
    return Origin(url.scheme, url.raw_host.decode("ascii").lower(), effective_port(url))


def is_same_origin(url: URL, other: URL) -> bool:
    """Whether two URLs share scheme, host and effective port."""
    return origin_of(url) == origin_of(other)


def is_https_upgrade(url: URL, location: URL) -> bool:
    """Whether `location` is `url` upgraded from http on port 80 to https on port 443."""
    before, after = origin_of(url), origin_of(location)
    return (
        before.host == after.host
        and (before.scheme, before.port) == ("http", 80)
        and (after.scheme, after.port) == ("https", 443)
    )


@dataclass(frozen=True)
class PinnedCookies:
    """The cookies given for one request rather than kept in the client's jar.

    `origin` is the origin of the request they were given for; they are sent to every
    hop of its redirect chain at that origin, and to no other. `cookies` are the
    per-request ``cookies=`` and `header` an explicit ``Cookie`` header (sent as it is,
    without the jar's cookies, as on the first request).
    """

    origin: Origin
    cookies: Cookies | None = None
    header: str | None = None

    @classmethod
    def for_request(
        cls, url: URL, *, cookies: CookieTypes | None = None, header: str | None = None
    ) -> PinnedCookies | None:
        """The pinned cookies of a request to `url`, or None when it was given none.

        `cookies` is the request's ``cookies=`` argument and `header` the value of the
        ``Cookie`` header in its ``headers=`` argument, as ``client.request()`` got them.
        """
        if not cookies and header is None:
            return None
        return cls(origin_of(url), Cookies(cookies) if cookies else None, header)


def redirect_method(method: str, status_code: int) -> str:
    """The method of the request that follows a `status_code` redirect of `method`.

    303 turns every method but HEAD into GET (RFC 9110 section 15.4.4); 302 does too,
    as browsers do; 301 turns POST into GET, as browsers do; 307 and 308 keep it.
    """
    if status_code in (codes.SEE_OTHER, codes.FOUND) and method != "HEAD":
        return "GET"
    if status_code == codes.MOVED_PERMANENTLY and method == "POST":
        return "GET"
    return method


def _location(request: Request, response: Response) -> str:
    values = {value.strip(" \t") for value in response.headers.get_list("Location")}
    if not values:
        raise ValueError(
            f"the {response.status_code} response to {request.method} "
            f"{_redact(str(request.url))} has no Location header: it is not a redirect"
        )
    if len(values) > 1:
        listed = ", ".join(repr(_redact(value)) for value in sorted(values))
        raise RemoteProtocolError(
            f"The redirect response has several different Location headers ({listed})",
            request=request,
        )
    return values.pop()


def redirect_url(
    request: Request,
    response: Response,
    *,
    allowed_schemes: Collection[str] = DEFAULT_REDIRECT_SCHEMES,
) -> URL:
    """The URL that `response`'s Location header redirects `request` to.

    A relative or scheme-relative (``//host/path``) Location is resolved against the
    request's URL (RFC 3986 section 5); a Location with a scheme but no host
    (``https:/path``, encode/httpx#771) takes the request's host, and its port when the
    scheme is the same. The request's fragment is kept when the Location has none
    (RFC 9110 section 10.2.2). An unparsable Location raises `RemoteProtocolError`;
    a scheme not in `allowed_schemes` raises `UnsupportedProtocol`.
    """
    location = _location(request, response)
    try:
        url = URL(location)
        if url.scheme and not url.host:
            if url.scheme not in allowed_schemes:
                raise _unsupported(request, url.scheme, location, allowed_schemes)
            same_scheme = url.scheme == request.url.scheme
            url = url.copy_with(
                host=request.url.host, port=request.url.port if same_scheme else None
            )
        if url.is_relative_url:
            url = request.url.join(url)
    except InvalidURL as exc:
        raise RemoteProtocolError(
            f"Invalid URL in the Location header {_redact(location)!r} of the "
            f"{response.status_code} response: {exc}",
            request=request,
        ) from None
    if url.scheme not in allowed_schemes:
        raise _unsupported(request, url.scheme, location, allowed_schemes)
    if request.url.fragment and not url.fragment:
        url = url.copy_with(fragment=request.url.fragment)
    return url


def _unsupported(
    request: Request, scheme: str, location: str, allowed_schemes: Collection[str]
) -> UnsupportedProtocol:
    allowed = ", ".join(repr(name) for name in sorted(allowed_schemes))
    return UnsupportedProtocol(
        f"Refusing to follow the redirect to {_redact(location)!r}: its scheme {scheme!r} "
        f"is not one of {allowed}",
        request=request,
    )


def redirect_cookie_header(
    url: URL, *, cookies: Cookies | None = None, pinned: PinnedCookies | None = None
) -> str | None:
    """The Cookie header of a redirect hop to `url`, or None for no header.

    `cookies` is the client's jar (with the redirect response's cookies already stored);
    `pinned` the first request's own cookies, used only at their origin (invariant 4).
    """
    if pinned is not None and origin_of(url) == pinned.origin:
        if pinned.header is not None:
            return pinned.header
        merged = Cookies(cookies)
        merged.update(pinned.cookies)
        return merged.cookie_header(url) or None
    if cookies is None:
        return None
    return cookies.cookie_header(url) or None


def redirect_headers(
    request: Request,
    url: URL,
    method: str,
    *,
    status_code: int | None = None,
    cookies: Cookies | None = None,
    pinned: PinnedCookies | None = None,
) -> Headers:
    """The headers of the hop from `request` to `url` with `method` (invariants 1-5).

    `status_code` is the redirect's (a 303 always drops the body's headers); `cookies`
    and `pinned` make the Cookie header (`redirect_cookie_header`).
    """
    headers = Headers(request.headers)
    if not is_same_origin(request.url, url):
        if not is_https_upgrade(request.url, url):
            headers.pop("Authorization", None)
        headers.pop("Proxy-Authorization", None)
        headers["Host"] = url.netloc.decode("ascii")
    if _drops_body(request.method, method, status_code):
        for name in _BODY_HEADERS:
            headers.pop(name, None)
    headers.pop("Cookie", None)
    cookie = redirect_cookie_header(url, cookies=cookies, pinned=pinned)
    if cookie is not None:
        headers["Cookie"] = cookie
    return headers


def _drops_body(old_method: str, new_method: str, status_code: int | None) -> bool:
    return new_method == "GET" and (old_method != "GET" or status_code == codes.SEE_OTHER)


def redirect_stream(request: Request, method: str, *, status_code: int | None = None) -> Any:
    """The body of the hop: None when it becomes a GET (invariant 5), else the request's.

    Raise `StreamConsumed` when the body must be resent but its stream is one-shot.
    """
    if _drops_body(request.method, method, status_code):
        return None
    stream = request.stream
    if getattr(stream, "replayable", True) is False:
        raise StreamConsumed()
    return stream


def build_redirect_request(
    request: Request,
    response: Response,
    *,
    cookies: Cookies | None = None,
    pinned: PinnedCookies | None = None,
    allowed_schemes: Collection[str] = DEFAULT_REDIRECT_SCHEMES,
) -> Request:
    """The request that follows `response`, a redirect (it has a Location) to `request`.

    `cookies` is the client's jar, into which the client has already stored the
    redirect response's Set-Cookie headers; `pinned` is the first request's own cookies
    (`PinnedCookies.for_request`), kept across the whole chain. The new request shares
    the original's extensions (timeout and the rest) and, for 307 and 308, its body.
    """
    from ._request import Request

    status_code = response.status_code
    method = redirect_method(request.method, status_code)
    url = redirect_url(request, response, allowed_schemes=allowed_schemes)
    headers = redirect_headers(
        request, url, method, status_code=status_code, cookies=cookies, pinned=pinned
    )
    stream = redirect_stream(request, method, status_code=status_code)
    return Request(method, url, headers=headers, stream=stream, extensions=dict(request.extensions))


def check_redirect_count(history: Sequence[Any], max_redirects: int, request: Request) -> None:
    """Raise `TooManyRedirects` when following `request` would exceed `max_redirects`.

    `history` holds the redirect responses already followed; call this before sending
    each request of the chain. As in httpx, ``max_redirects=0`` allows no redirect.
    """
    if len(history) > max_redirects:
        raise TooManyRedirects(
            f"Exceeded maximum allowed redirects: max_redirects={max_redirects}, and "
            f"{_redact(str(request.url))} would be redirect number {len(history)}",
            request=request,
        )
