"""The module-level functions: one request each, through a short-lived `Client`.

They are a convenience for scripts; anything that sends more than one request should
use a `Client`, which keeps connections alive between requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tether_urls import URL

from ._client import Client
from ._compat import request_follow_redirects
from ._config import DEFAULT_TIMEOUT_CONFIG
from ._merge import USE_CLIENT_DEFAULT
from ._response import Response
from ._types import (
    AuthTypes,
    CookieTypes,
    HeaderTypes,
    ProxyTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestFiles,
    TimeoutTypes,
    VerifyTypes,
)

# What older httpx versions accepted here: translated, with a DeprecationWarning.
_OLD_SPELLINGS = frozenset({"allow_redirects", "cert", "proxies"})


def _check_names(deprecated: dict[str, Any], owner: str) -> None:
    """Raise TypeError, as Python would, for a keyword argument nobody ever accepted."""
    unknown = sorted(set(deprecated) - _OLD_SPELLINGS)
    if unknown:
        raise TypeError(f"{owner}() got an unexpected keyword argument {unknown[0]!r}")


def _client(
    deprecated: dict[str, Any],
    *,
    cookies: CookieTypes | None,
    proxy: ProxyTypes | None,
    timeout: TimeoutTypes,
    verify: VerifyTypes,
    trust_env: bool,
) -> Client:
    client_only = {key: deprecated.pop(key) for key in ("cert", "proxies") if key in deprecated}
    return Client(
        cookies=cookies,
        proxy=proxy,
        timeout=timeout,
        verify=verify,
        trust_env=trust_env,
        **client_only,
    )


def request(
    method: str,
    url: URL | str,
    *,
    params: QueryParamTypes | None = None,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send one request with a new client and return its response, read.

    ``cert=``, ``proxies=`` and ``allow_redirects=`` from older httpx versions are
    accepted with a DeprecationWarning.
    """
    _check_names(deprecated, "request")
    options = dict(deprecated)
    with _client(
        options, cookies=cookies, proxy=proxy, timeout=timeout, verify=verify, trust_env=trust_env
    ) as client:
        # False is also the client default, so allow_redirects= may stand in for it.
        follow = request_follow_redirects(
            follow_redirects or USE_CLIENT_DEFAULT, options, "request"
        )
        return client.request(
            method,
            url,
            params=params,
            content=content,
            data=data,
            files=files,
            json=json,
            headers=headers,
            auth=auth,
            follow_redirects=follow,
        )


@contextmanager
def stream(
    method: str,
    url: URL | str,
    *,
    params: QueryParamTypes | None = None,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    trust_env: bool = True,
    **deprecated: Any,
) -> Iterator[Response]:
    """Send one request with a new client and yield its response unread (streamed)."""
    _check_names(deprecated, "stream")
    options = dict(deprecated)
    with _client(
        options, cookies=cookies, proxy=proxy, timeout=timeout, verify=verify, trust_env=trust_env
    ) as client:
        follow = request_follow_redirects(follow_redirects or USE_CLIENT_DEFAULT, options, "stream")
        with client.stream(
            method,
            url,
            params=params,
            content=content,
            data=data,
            files=files,
            json=json,
            headers=headers,
            auth=auth,
            follow_redirects=follow,
        ) as response:
            yield response


def _no_body(
    method: str,
    url: URL | str,
    params: QueryParamTypes | None,
    headers: HeaderTypes | None,
    cookies: CookieTypes | None,
    auth: AuthTypes | None,
    proxy: ProxyTypes | None,
    follow_redirects: bool,
    verify: VerifyTypes,
    timeout: TimeoutTypes,
    trust_env: bool,
    deprecated: dict[str, Any],
) -> Response:
    return request(
        method,
        url,
        params=params,
        headers=headers,
        cookies=cookies,
        auth=auth,
        proxy=proxy,
        follow_redirects=follow_redirects,
        verify=verify,
        timeout=timeout,
        trust_env=trust_env,
        **deprecated,
    )


def get(
    url: URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send a GET request with a new client."""
    _check_names(deprecated, "get")
    return _no_body(
        "GET", url, params, headers, cookies, auth, proxy, follow_redirects, verify, timeout,
        trust_env, deprecated,
    )  # fmt: skip


def options(
    url: URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send an OPTIONS request with a new client."""
    _check_names(deprecated, "options")
    return _no_body(
        "OPTIONS", url, params, headers, cookies, auth, proxy, follow_redirects, verify, timeout,
        trust_env, deprecated,
    )  # fmt: skip


def head(
    url: URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send a HEAD request with a new client."""
    _check_names(deprecated, "head")
    return _no_body(
        "HEAD", url, params, headers, cookies, auth, proxy, follow_redirects, verify, timeout,
        trust_env, deprecated,
    )  # fmt: skip


def delete(
    url: URL | str,
    *,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    follow_redirects: bool = False,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    verify: VerifyTypes = True,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send a DELETE request with a new client."""
    _check_names(deprecated, "delete")
    return _no_body(
        "DELETE", url, params, headers, cookies, auth, proxy, follow_redirects, verify, timeout,
        trust_env, deprecated,
    )  # fmt: skip


def post(
    url: URL | str,
    *,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send a POST request with a new client."""
    _check_names(deprecated, "post")
    return request(
        "POST", url, content=content, data=data, files=files, json=json, params=params,
        headers=headers, cookies=cookies, auth=auth, proxy=proxy,
        follow_redirects=follow_redirects, verify=verify, timeout=timeout, trust_env=trust_env,
        **deprecated,
    )  # fmt: skip


def put(
    url: URL | str,
    *,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send a PUT request with a new client."""
    _check_names(deprecated, "put")
    return request(
        "PUT", url, content=content, data=data, files=files, json=json, params=params,
        headers=headers, cookies=cookies, auth=auth, proxy=proxy,
        follow_redirects=follow_redirects, verify=verify, timeout=timeout, trust_env=trust_env,
        **deprecated,
    )  # fmt: skip


def patch(
    url: URL | str,
    *,
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    params: QueryParamTypes | None = None,
    headers: HeaderTypes | None = None,
    cookies: CookieTypes | None = None,
    auth: AuthTypes | None = None,
    proxy: ProxyTypes | None = None,
    follow_redirects: bool = False,
    verify: VerifyTypes = True,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,
    trust_env: bool = True,
    **deprecated: Any,
) -> Response:
    """Send a PATCH request with a new client."""
    _check_names(deprecated, "patch")
    return request(
        "PATCH", url, content=content, data=data, files=files, json=json, params=params,
        headers=headers, cookies=cookies, auth=auth, proxy=proxy,
        follow_redirects=follow_redirects, verify=verify, timeout=timeout, trust_env=trust_env,
        **deprecated,
    )  # fmt: skip
