"""Send the request the command line describes, show the outcome, pick the exit status.

Exit statuses (also in ``--help`` and docs/cli.md):

- 0: a response arrived, 1xx to 3xx, or any status with ``--no-fail``;
- 1: the request failed (connect, TLS, timeout, protocol, a proxy that refused it or
  could not be reached, too many redirects), a proxy or CA setting in the environment is
  unusable, or the download could not be written; one line on stderr says what and where;
- 2: bad usage, from click: an unknown option, a malformed URL, header, JSON, ``--auth``
  or ``--proxy``, a missing file;
- 4 and 5: a 4xx or 5xx response with ``--fail`` (the default); the response is still
  shown, as ``curl --fail-with-body`` does;
- 130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tether_auth import Auth, BasicAuth, DigestAuth
from tether_urls import URL, InvalidURL

from .._client import Client
from .._config import Timeout
from .._exceptions import HTTPError, ProxyError, StreamError
from .._network.proxy import ProxyConnectionPool
from .._response import Response
from .._transports.http import HTTPTransport
from ._download import download
from ._options import redact
from ._render import Output
from ._verbose import Verbose

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


@dataclass
class Invocation:
    """What the command line asked for, checked and converted."""

    url: str
    method: str = "GET"
    params: list[tuple[str, str | int | float | bool | None]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[tuple[str, str]] = field(default_factory=list)
    content: bytes | None = None
    data: dict[str, Any] | None = None
    files: list[tuple[str, Any]] | None = None
    json: Any = None
    auth: tuple[str, str] | None = None
    auth_type: str = "basic"
    proxy: str | None = None
    timeout: float = 5.0
    follow_redirects: bool = False
    verify: bool = True
    http2: bool = False
    download: Path | None = None
    verbose: bool = False
    include: bool = False
    fail: bool = True


def exit_status(response: Response, fail: bool) -> int:
    """4 for a 4xx response and 5 for a 5xx one when failing on errors, else 0."""
    if fail and response.is_error:
        return response.status_code // 100
    return EXIT_OK


def make_auth(invocation: Invocation) -> Auth | None:
    """Basic or Digest credentials from ``--auth`` and ``--auth-type``."""
    if invocation.auth is None:
        return None
    user, password = invocation.auth
    if invocation.auth_type == "digest":
        return DigestAuth(user, password)
    return BasicAuth(user, password)


# The environment variables the client reads with ``trust_env``, named when they are bad.
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
TLS_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE")


class SettingsError(Exception):
    """The client could not be made from the options and the environment."""


def make_client(invocation: Invocation, verbose: Verbose | None) -> Client:
    """A client with verbose output wired into event hooks.

    The client picks the proxy: ``--proxy``, else the environment's (``trust_env``),
    with the same ``NO_PROXY`` rules as any `tether.Client`.
    """
    hooks: dict[str, list[Any]] = {"request": [], "response": []}
    if verbose is not None:
        hooks["request"].append(verbose.on_request)
        hooks["response"].append(verbose.on_response)
    try:
        return Client(
            proxy=invocation.proxy,
            verify=invocation.verify,
            http2=invocation.http2,
            trust_env=True,
            auth=make_auth(invocation),
            cookies=dict(invocation.cookies),
            timeout=Timeout(invocation.timeout),
            follow_redirects=invocation.follow_redirects,
            event_hooks=hooks,
        )
    except OSError as exc:  # a CA file or directory that cannot be loaded
        found = [name for name in TLS_VARIABLES if os.environ.get(name)]
        raise SettingsError(_named(exc, found)) from exc
    except (InvalidURL, ValueError) as exc:  # a malformed proxy URL in the environment
        # `urllib.request.getproxies` reads either case.
        found = [name for name in PROXY_VARIABLES if os.getenv(name) or os.getenv(name.lower())]
        raise SettingsError(_named(exc, found)) from exc


def _named(exc: Exception, variables: list[str]) -> str:
    """The error, and the environment variables that may have caused it.

    tether's messages show a URL's password as ``[secure]``.
    """
    where = f" (from the environment: {', '.join(variables)})" if variables else ""
    return f"{type(exc).__name__}: {exc}{where}"


def proxy_for(client: Client, url: URL) -> str | None:
    """The URL of the proxy `client` sends `url` through (never its password), or None."""
    transport = client._transport_for_url(url)
    if isinstance(transport, HTTPTransport) and isinstance(transport.pool, ProxyConnectionPool):
        return transport.pool.plan.name
    return None


def proxy_refusal(client: Client, response: Response) -> ProxyError | None:
    """A 407 from the proxy that forwarded the request, as the error a refused tunnel is.

    For an https URL the transport raises `ProxyError` when the proxy answers CONNECT
    with 407; for a forwarded http request the 407 arrives as the response. Either way
    the origin was never reached, so both end the command the same way.
    """
    if response.status_code != 407:
        return None
    request = response.request
    proxy = proxy_for(client, request.url)
    if proxy is None:
        return None
    return ProxyError(
        f"proxy {proxy} refused {request.method} {redact(str(request.url))}: "
        f"{response.status_code} {response.reason_phrase}"
    )


def run(invocation: Invocation) -> int:
    """Send, show, and return the exit status; failures become one line on stderr."""
    # A HEAD response is all head: show it even into a pipe, as `curl -I` does.
    include = invocation.include or invocation.method == "HEAD"
    output = Output(verbose=invocation.verbose, include=include)
    verbose = Verbose(output) if invocation.verbose else None
    try:
        try:
            return _exchange(invocation, output, verbose)
        finally:
            if verbose is not None:  # a request that got no response is shown too
                verbose.flush()
            output.flush()
    except (HTTPError, InvalidURL, StreamError) as exc:  # InvalidURL: a bad Location
        output.error(f"{type(exc).__name__}: {exc}")
    except SettingsError as exc:
        output.error(str(exc))
    except ImportError as exc:  # an optional dependency, such as h2 for --http2
        output.error(str(exc))
    except BrokenPipeError:  # the reader went away (`tether URL | head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename is not None else ""
        output.error(f"cannot write{where}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        output.error("interrupted")
        return EXIT_INTERRUPTED
    return EXIT_FAILED


def _exchange(invocation: Invocation, output: Output, verbose: Verbose | None) -> int:
    extensions = {} if verbose is None else {"trace": verbose.trace}
    with make_client(invocation, verbose) as client:
        if verbose is not None:
            verbose.proxy_for = functools.partial(proxy_for, client)
        request = client.build_request(
            invocation.method,
            invocation.url,
            params=invocation.params,
            headers=invocation.headers,
            content=invocation.content,
            data=invocation.data,
            files=invocation.files,
            json=invocation.json,
            extensions=extensions,
        )
        response = client.send(request, stream=True)
        try:
            if (refusal := proxy_refusal(client, response)) is not None:
                raise refusal
            _show(response, invocation, output)
        finally:
            response.close()
    return exit_status(response, invocation.fail)


def _show(response: Response, invocation: Invocation, output: Output) -> None:
    if output.include and not invocation.verbose:  # verbose output showed it in a hook
        output.response_head(response)
    if invocation.download is not None and response.is_success:
        download(response, invocation.download, output.errors)
    else:
        output.body(response)
    output.flush()
