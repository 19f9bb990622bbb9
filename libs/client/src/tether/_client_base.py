"""What `Client` and `AsyncClient` share: configuration, merging, auth and redirect steps.

Nothing here sends, reads or waits (DESIGN.md, principle 1). The two shells in
`_client.py` and `_async_client.py` call these methods in the same order and differ
only where one blocks and the other awaits; a test holds them to that.

Invariants:

* A client's state moves UNOPENED -> OPENED (entering its context) -> CLOSED, never
  back; a CLOSED client refuses to send.
* `build_request` is the one place where the client's defaults (base_url, params,
  headers, cookies, timeout) meet a request's own arguments.
* Per-request cookies (``cookies=`` and an explicit ``Cookie`` header) are remembered
  for the request they were given for, so that same-origin redirect hops keep them.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Mapping
from typing import Any

from tether_auth import Auth, BasicAuth, ChallengeError, RequestLike, ResponseLike, to_auth
from tether_cookies import Cookies
from tether_headers import Headers
from tether_urls import URL, QueryParams

from ._config import DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT_CONFIG, Timeout
from ._exceptions import ProtocolError, UnsupportedProtocol
from ._merge import (
    USE_CLIENT_DEFAULT,
    UseClientDefault,
    client_headers,
    enforce_trailing_slash,
    merge_cookies,
    merge_extensions,
    merge_headers,
    merge_params,
    merge_url,
)
from ._redirects import PinnedCookies, build_redirect_request
from ._request import Request
from ._response import Response
from ._types import (
    AuthTypes,
    CookieTypes,
    HeaderTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestExtensions,
    RequestFiles,
    TimeoutTypes,
)

EventHook = Callable[..., Any]

# How many (base_url, string URL) joins a client remembers: the paths an application
# calls again and again, bounded so that unique URLs cannot grow it without end.
_URL_CACHE_SIZE = 256
# The base `Auth` sends the request unchanged and holds no state: one serves every request.
_NO_AUTH = Auth()


class ClientState(enum.Enum):
    """Where a client is in its life."""

    UNOPENED = 1  # built, not yet used as a context manager
    OPENED = 2  # inside `with client:`
    CLOSED = 3  # closed, by `close()` or by leaving its context


def _event_hooks(hooks: Mapping[str, list[EventHook]] | None) -> dict[str, list[EventHook]]:
    hooks = {} if hooks is None else hooks
    if not isinstance(hooks, Mapping):
        raise TypeError(
            "event_hooks must be a dict such as {'request': [...], 'response': [...]}, "
            f"not {type(hooks).__name__}"
        )
    unknown = set(hooks) - {"request", "response"}
    if unknown:
        raise ValueError(
            f"event_hooks takes the keys 'request' and 'response', not {sorted(unknown)!r}"
        )
    checked: dict[str, list[EventHook]] = {}
    for name in ("request", "response"):
        functions: object = hooks.get(name, [])
        if (
            callable(functions)
            or isinstance(functions, (str, bytes))
            or not isinstance(functions, Iterable)
        ):
            raise TypeError(
                f"event_hooks[{name!r}] must be a list of callables, not "
                f"{type(functions).__name__} {functions!r}"
            )
        checked[name] = list(functions)
        for hook in checked[name]:
            if not callable(hook):
                raise TypeError(f"event_hooks[{name!r}] holds {hook!r}, which is not callable")
    return checked


def check_transports(
    client: object, transports: Iterable[object], method: Callable[..., object]
) -> None:
    """Refuse a transport of the other kind: `method` is the one the client calls.

    httpx accepts a WSGITransport in an AsyncClient and fails at the first request with
    an AttributeError; here the constructor says what is wrong.
    """
    name = method.__name__
    for transport in transports:
        if transport is not None and not callable(getattr(transport, name, None)):
            kind = (
                "an AsyncBaseTransport such as ASGITransport or MockTransport"
                if name == "handle_async_request"
                else "a BaseTransport such as WSGITransport or MockTransport"
            )
            raise TypeError(
                f"{type(client).__name__} needs transports with {name}(), {kind}; "
                f"got {type(transport).__name__} {transport!r}"
            )


def _cookie_pairs(header: str) -> dict[str, str]:
    """The ``name=value`` pairs of a Cookie header, keyed by name, in order."""
    pairs = {}
    for pair in header.split(";"):
        pair = pair.strip()
        if pair:
            pairs[pair.partition("=")[0].rstrip()] = pair
    return pairs


AuthFlow = Generator[RequestLike, ResponseLike, None]
AsyncAuthFlow = AsyncGenerator[RequestLike, ResponseLike]


def _yielded(request: object) -> Request:
    if not isinstance(request, Request):
        raise TypeError(f"an auth flow must yield tether Requests, not {type(request).__name__}")
    return request


def first_auth_request(flow: AuthFlow, request: Request) -> Request:
    """The first request an auth flow yields (a flow must yield at least one)."""
    try:
        return _yielded(next(flow))
    except StopIteration:
        raise RuntimeError(f"the auth flow yielded no request for {request!r}") from None
    except ChallengeError as error:
        raise ProtocolError(str(error), request=request) from error


def next_auth_request(flow: AuthFlow, response: Response) -> Request | None:
    """The request an auth flow yields after `response`, or None when the flow is done.

    A malformed challenge is the server's fault: tether_auth's `ChallengeError` becomes
    tether's `ProtocolError`, the one boundary where that conversion happens. Its other
    errors (credentials that cannot be sent, a flow that yields nothing) are the
    caller's and propagate as they are.
    """
    try:
        return _yielded(flow.send(response))
    except StopIteration:
        return None
    except ChallengeError as error:
        raise ProtocolError(str(error), request=response.request) from error


async def afirst_auth_request(flow: AsyncAuthFlow, request: Request) -> Request:
    """`first_auth_request` for an async flow."""
    try:
        return _yielded(await flow.__anext__())
    except StopAsyncIteration:
        raise RuntimeError(f"the auth flow yielded no request for {request!r}") from None
    except ChallengeError as error:
        raise ProtocolError(str(error), request=request) from error


async def anext_auth_request(flow: AsyncAuthFlow, response: Response) -> Request | None:
    """`next_auth_request` for an async flow."""
    try:
        return _yielded(await flow.asend(response))
    except StopAsyncIteration:
        return None
    except ChallengeError as error:
        raise ProtocolError(str(error), request=response.request) from error


class BaseClient:
    """The configuration and the I/O-free steps of a client."""

    def __init__(
        self,
        *,
        auth: AuthTypes | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
        follow_redirects: bool = False,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        event_hooks: Mapping[str, list[EventHook]] | None = None,
        base_url: URL | str = "",
        trust_env: bool = True,
        default_encoding: str | Callable[[bytes], str] = "utf-8",
    ) -> None:
        self._base_url = enforce_trailing_slash(URL(base_url))
        self._url_cache: dict[tuple[URL, str], URL] = {}
        self._auth = to_auth(auth)
        self._params = QueryParams(params)
        self.headers = headers  # the setter adds the default headers
        self._cookies = Cookies(cookies)
        self._timeout = Timeout(timeout)
        self.follow_redirects = follow_redirects
        self.max_redirects = max_redirects
        self._event_hooks = _event_hooks(event_hooks)
        self._trust_env = trust_env
        self._default_encoding = default_encoding
        self._state = ClientState.UNOPENED
        self._pinned: weakref.WeakKeyDictionary[Request, PinnedCookies] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def is_closed(self) -> bool:
        """True once the client has been closed."""
        return self._state is ClientState.CLOSED

    @property
    def trust_env(self) -> bool:
        """Whether environment variables (proxies, certificates, netrc) are honoured."""
        return self._trust_env

    @property
    def max_redirects(self) -> int:
        """How many redirects one request may follow before `TooManyRedirects`."""
        return self._max_redirects

    @max_redirects.setter
    def max_redirects(self, max_redirects: int) -> None:
        if isinstance(max_redirects, bool) or not isinstance(max_redirects, int):
            raise TypeError(f"max_redirects must be an int, not {max_redirects!r}")
        if max_redirects < 0:
            raise ValueError(f"max_redirects must be 0 or more, not {max_redirects!r}")
        self._max_redirects = max_redirects

    @property
    def timeout(self) -> Timeout:
        """The default timeout of every request."""
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: TimeoutTypes) -> None:
        self._timeout = Timeout(timeout)

    @property
    def event_hooks(self) -> dict[str, list[EventHook]]:
        """The hooks called with each request before it is sent and each response."""
        return self._event_hooks

    @event_hooks.setter
    def event_hooks(self, event_hooks: Mapping[str, list[EventHook]]) -> None:
        self._event_hooks = _event_hooks(event_hooks)

    @property
    def auth(self) -> Auth | None:
        """The default authentication of every request."""
        return self._auth

    @auth.setter
    def auth(self, auth: AuthTypes | None) -> None:
        self._auth = to_auth(auth)

    @property
    def base_url(self) -> URL:
        """The URL that relative request URLs are merged onto."""
        return self._base_url

    @base_url.setter
    def base_url(self, url: URL | str) -> None:
        self._base_url = enforce_trailing_slash(URL(url))

    @property
    def headers(self) -> Headers:
        """The headers sent with every request."""
        return self._headers

    @headers.setter
    def headers(self, headers: HeaderTypes | None) -> None:
        self._headers = client_headers(headers)

    @property
    def cookies(self) -> Cookies:
        """The client's cookie jar: sent with matching requests, filled by responses."""
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: CookieTypes) -> None:
        self._cookies = Cookies(cookies)

    @property
    def params(self) -> QueryParams:
        """The query parameters added to every request."""
        return self._params

    @params.setter
    def params(self, params: QueryParamTypes) -> None:
        self._params = QueryParams(params)

    def build_request(
        self,
        method: str,
        url: URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
    ) -> Request:
        """Build a request with the client's defaults merged in, ready for `send()`."""
        full_url = self._merged_url(url)
        merged_headers = merge_headers(self._headers, headers)
        explicit_cookie = Headers(headers).get("cookie") if headers else None
        request = Request(
            method,
            full_url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=merge_params(self._params, params),
            headers=merged_headers,
            cookies=merge_cookies(self._cookies, cookies),
            extensions=merge_extensions(extensions, timeout, self._timeout),
        )
        pinned = PinnedCookies.for_request(request.url, cookies=cookies, header=explicit_cookie)
        if pinned is not None:
            self._pinned[request] = pinned
        return request

    def _merged_url(self, url: URL | str) -> URL:
        """`merge_url` with the client's base_url, remembered for recent string URLs.

        URLs are immutable, so a client that requests the same paths again (the usual
        case) skips parsing and joining them; the table is keyed by base_url as well, so
        setting `base_url` needs no invalidation, and it is cleared when it fills up.
        """
        if type(url) is not str:
            return merge_url(self._base_url, url)
        key = (self._base_url, url)
        cache = self._url_cache
        merged = cache.get(key)
        if merged is None:
            merged = merge_url(self._base_url, url)
            if len(cache) >= _URL_CACHE_SIZE:
                cache.clear()
            cache[key] = merged
        return merged

    def _check_sendable(self, request: Request) -> None:
        """Refuse to send when the client is closed or the URL cannot be sent anywhere."""
        if self._state is ClientState.CLOSED:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        if not request.url.is_absolute_url:
            # httpx fails later and obscurely (KeyError, "unknown url type").
            raise UnsupportedProtocol(
                f"Request URL {str(request.url)!r} is not absolute: it is missing an "
                "'http://' or 'https://' scheme or a host; give a full URL, or set the "
                "client's base_url",
                request=request,
            )

    def _store_cookies(self, response: Response) -> None:
        """Keep the response's cookies in the client's jar."""
        if "set-cookie" in response.headers:
            self._cookies.extract_cookies(response)

    def _opening(self) -> None:
        if self._state is not ClientState.UNOPENED:
            raise RuntimeError(
                "Cannot open a client instance more than once."
                if self._state is ClientState.OPENED
                else "Cannot reopen a client instance, once it has been closed."
            )
        self._state = ClientState.OPENED

    def _build_request_auth(
        self, request: Request, auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT
    ) -> Auth:
        chosen = self._auth if isinstance(auth, UseClientDefault) else to_auth(auth)
        if chosen is not None:
            return chosen
        url = request.url
        if not url.userinfo:  # the usual case: no credentials in the URL to decode
            return _NO_AUTH
        username, password = url.username, url.password
        if username or password:
            return BasicAuth(username=username, password=password)
        return _NO_AUTH

    def _follows(self, follow_redirects: bool | UseClientDefault) -> bool:
        if isinstance(follow_redirects, UseClientDefault):
            return self.follow_redirects
        return follow_redirects

    def _set_retry_cookies(self, request: Request, response: Response, retry: Request) -> None:
        """Add to an auth retry the cookies that the response it answers has set.

        httpx adds them only when the request had no Cookie header at all (and only for
        Digest), so a client with any cookie lost the 401's. Here the response's cookies
        that apply to the retry's URL replace or join the retry's own, by name; an
        explicit ``Cookie`` header (`PinnedCookies.header`) is still sent as given.
        """
        pinned = self._pinned.get(request)
        if pinned is not None and retry is not request:
            self._pinned[retry] = pinned
        if pinned is not None and pinned.header is not None:
            return
        fresh = response.cookies.cookie_header(retry.url)
        if fresh:
            pairs = _cookie_pairs("; ".join(retry.headers.get_list("Cookie")))
            pairs.update(_cookie_pairs(fresh))
            retry.headers["Cookie"] = "; ".join(pairs.values())

    def _build_redirect_request(self, request: Request, response: Response) -> Request:
        pinned = self._pinned.get(request)
        next_request = build_redirect_request(
            request, response, cookies=self._cookies, pinned=pinned
        )
        if pinned is not None:
            self._pinned[next_request] = pinned
        return next_request
