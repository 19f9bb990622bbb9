"""`AsyncClient`: the asyncio/trio shell around `BaseClient`.

Its twin, `_client.py`, has the same methods in the same order; a test strips
``async``/``await`` and the async spellings of names and requires the two files to be
identical, so a fix made in one shell cannot be forgotten in the other.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any

from tether_auth import Auth
from tether_urls import URL

from ._client_base import (
    BaseClient,
    ClientState,
    EventHook,
    afirst_auth_request,
    anext_auth_request,
    check_transports,
)
from ._compat import init_kwargs, request_follow_redirects, warn_tls_spellings
from ._config import DEFAULT_LIMITS, DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT_CONFIG, Limits
from ._merge import USE_CLIENT_DEFAULT, UseClientDefault
from ._proxy_env import proxy_map
from ._redirects import check_redirect_count
from ._request import Request
from ._response import Response
from ._transports.asgi import ASGITransport
from ._transports.base import AsyncBaseTransport
from ._transports.http import AsyncHTTPTransport
from ._types import (
    AuthTypes,
    CertTypes,
    CookieTypes,
    HeaderTypes,
    ProxyTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestExtensions,
    RequestFiles,
    TimeoutTypes,
    VerifyTypes,
)
from ._urlpatterns import URLPattern


class AsyncClient(BaseClient):
    """An async HTTP client (asyncio or trio) with pooling, redirects, cookies and auth.

    Use it as an async context manager, or call `aclose()` when done.
    """

    def __init__(
        self,
        *,
        auth: AuthTypes | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        verify: VerifyTypes = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        proxy: ProxyTypes | None = None,
        mounts: Mapping[str, AsyncBaseTransport | None] | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
        follow_redirects: bool = False,
        limits: Limits = DEFAULT_LIMITS,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        event_hooks: Mapping[str, list[EventHook]] | None = None,
        base_url: URL | str = "",
        transport: AsyncBaseTransport | None = None,
        default_encoding: str | Callable[[bytes], str] = "utf-8",
        **deprecated: Any,
    ) -> None:
        super().__init__(
            auth=auth,
            params=params,
            headers=headers,
            cookies=cookies,
            timeout=timeout,
            follow_redirects=follow_redirects,
            max_redirects=max_redirects,
            event_hooks=event_hooks,
            base_url=base_url,
            trust_env=trust_env,
            default_encoding=default_encoding,
        )
        warn_tls_spellings(verify, cert)
        old = init_kwargs(
            deprecated,
            proxy=proxy,
            transport=transport,
            app_transport=ASGITransport,
            owner="AsyncClient",
        )
        settings: dict[str, Any] = {"verify": verify, "cert": cert, "trust_env": trust_env}
        settings.update(limits=limits, http1=http1, http2=http2)
        self._transport = old.transport or AsyncHTTPTransport(**settings)
        proxies = proxy_map(
            old.proxy, old.proxy_mounts, allow_env=trust_env and old.transport is None
        )
        mounted: dict[str, AsyncBaseTransport | None] = {
            pattern: None if url is None else AsyncHTTPTransport(proxy=url, **settings)
            for pattern, url in proxies.items()
        }
        mounted.update(mounts or {})
        self._mounts: dict[URLPattern, AsyncBaseTransport | None] = dict(
            sorted(
                ((URLPattern(key), value) for key, value in mounted.items()),
                key=lambda item: item[0],
            )
        )
        transports = [self._transport, *self._mounts.values()]
        check_transports(self, transports, AsyncBaseTransport.handle_async_request)

    def _transport_for_url(self, url: URL) -> AsyncBaseTransport:
        for pattern, transport in self._mounts.items():
            if pattern.matches(url):
                return self._transport if transport is None else transport
        return self._transport

    async def request(
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
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Build and send a request; the response's body is read before it is returned."""
        follow_redirects = request_follow_redirects(follow_redirects, deprecated)
        request = self.build_request(
            method,
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            timeout=timeout,
            extensions=extensions,
        )
        return await self.send(request, auth=auth, follow_redirects=follow_redirects)

    @asynccontextmanager
    async def stream(
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
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
    ) -> AsyncIterator[Response]:
        """Send a request and yield its response unread; the body is streamed on demand.

        The response is closed when the block exits, whether or not it was read.
        """
        request = self.build_request(
            method,
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            timeout=timeout,
            extensions=extensions,
        )
        response = await self.send(
            request, auth=auth, follow_redirects=follow_redirects, stream=True
        )
        try:
            yield response
        finally:
            await response.aclose()

    async def send(
        self,
        request: Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> Response:
        """Send a request built by `build_request()` (or by hand).

        With ``stream=True`` the body is left unread: read or close the response.
        """
        self._check_sendable(request)
        follow = self._follows(follow_redirects)
        chosen_auth = self._build_request_auth(request, auth)
        response = await self._send_handling_auth(request, chosen_auth, follow, history=[])
        try:
            if not stream:
                await response.aread()
            return response
        except BaseException:
            await response.aclose()
            raise

    async def _send_handling_auth(
        self, request: Request, auth: Auth, follow_redirects: bool, history: list[Response]
    ) -> Response:
        if type(auth) is Auth:  # no authentication: no flow to drive
            return await self._send_handling_redirects(request, follow_redirects, history)
        flow = auth.async_auth_flow(request)
        try:
            request = await afirst_auth_request(flow, request)
            while True:
                response = await self._send_handling_redirects(request, follow_redirects, history)
                try:
                    next_request = await anext_auth_request(flow, response)
                    if next_request is None:
                        return response
                    response.history = list(history)
                    await response.aread()
                    self._set_retry_cookies(request, response, next_request)
                    request = next_request
                    history.append(response)
                except BaseException:
                    await response.aclose()
                    raise
        finally:
            await flow.aclose()

    async def _send_handling_redirects(
        self, request: Request, follow_redirects: bool, history: list[Response]
    ) -> Response:
        while True:
            check_redirect_count(history, self.max_redirects, request)
            for hook in self._event_hooks["request"]:
                await hook(request)
            response = await self._send_single_request(request)
            try:
                for hook in self._event_hooks["response"]:
                    await hook(response)
                response.history = list(history)
                if not response.has_redirect_location:
                    return response
                request = self._build_redirect_request(request, response)
                history = [*history, response]
                if not follow_redirects:
                    response.next_request = request
                    return response
                await response.aread()
            except BaseException:
                await response.aclose()
                raise

    async def _send_single_request(self, request: Request) -> Response:
        transport = self._transport_for_url(request.url)
        started = time.perf_counter()
        response = await transport.handle_async_request(request)
        try:
            response.bind(request, started=started, default_encoding=self._default_encoding)
            self._store_cookies(response)
        except BaseException:  # an interrupt (or a bad cookie) must not keep the connection
            await response.aclose()
            raise
        return response

    async def get(
        self,
        url: URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Send a GET request."""
        return await self.request(
            "GET",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            **deprecated,
        )

    async def options(
        self,
        url: URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Send an OPTIONS request."""
        return await self.request(
            "OPTIONS",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            **deprecated,
        )

    async def head(
        self,
        url: URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Send a HEAD request."""
        return await self.request(
            "HEAD",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            **deprecated,
        )

    async def post(
        self,
        url: URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Send a POST request."""
        return await self.request(
            "POST",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            **deprecated,
        )

    async def put(
        self,
        url: URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Send a PUT request."""
        return await self.request(
            "PUT",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            **deprecated,
        )

    async def patch(
        self,
        url: URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Send a PATCH request."""
        return await self.request(
            "PATCH",
            url,
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            **deprecated,
        )

    async def delete(
        self,
        url: URL | str,
        *,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
        **deprecated: Any,
    ) -> Response:
        """Send a DELETE request."""
        return await self.request(
            "DELETE",
            url,
            params=params,
            headers=headers,
            cookies=cookies,
            auth=auth,
            follow_redirects=follow_redirects,
            timeout=timeout,
            extensions=extensions,
            **deprecated,
        )

    async def aclose(self) -> None:
        """Close the transport and every mounted transport; later requests are refused."""
        if self._state is not ClientState.CLOSED:
            self._state = ClientState.CLOSED
            await self._transport.aclose()
            for transport in self._mounts.values():
                if transport is not None:
                    await transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        self._opening()
        await self._transport.__aenter__()
        for transport in self._mounts.values():
            if transport is not None:
                await transport.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self._state = ClientState.CLOSED
        await self._transport.__aexit__(exc_type, exc_value, traceback)
        for transport in self._mounts.values():
            if transport is not None:
                await transport.__aexit__(exc_type, exc_value, traceback)
