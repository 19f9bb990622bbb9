"""Spellings that older httpx versions accepted, kept working with a DeprecationWarning.

Code pinned to httpx 0.25-0.27 runs unchanged: ``proxies=``, ``app=`` and
``allow_redirects=`` still work; each goes through `warn_deprecated`, so every message
has one shape. Unknown keyword arguments still raise `TypeError`, naming the argument.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._deprecation import warn_deprecated
from ._merge import UseClientDefault


@dataclass
class OldSpellings:
    """What a client's deprecated constructor arguments amount to."""

    transport: Any = None
    proxy: Any = None
    proxy_mounts: dict[str, Any] = field(default_factory=dict)


def _users_stacklevel() -> int:
    """The `warn_deprecated` stacklevel that blames the first caller outside tether.

    For the function of this module that calls `warn_deprecated`: the old spellings are
    reached through different depths of tether code (``client.get`` -> ``request``,
    ``tether.get`` -> ``request`` -> ``Client``, a ``with`` through contextlib), and the
    warning must point at the user's line in every case.
    """
    level = 2  # 1 is warn_deprecated itself, 2 the function of this module calling it
    frame = sys._getframe(1).f_back
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in (
        "tether",
        "contextlib",
    ):
        level += 1
        frame = frame.f_back
    return level + 1


def _unexpected(owner: str, names: set[str]) -> TypeError:
    name = sorted(names)[0]
    return TypeError(f"{owner}() got an unexpected keyword argument {name!r}")


def init_kwargs(
    deprecated: dict[str, Any],
    *,
    proxy: Any,
    transport: Any,
    app_transport: Callable[..., Any],
    owner: str = "Client",
) -> OldSpellings:
    """Translate a client's ``proxies=`` and ``app=`` into today's arguments.

    ``app=`` becomes ``transport=app_transport(app=app)`` unless a transport is given;
    ``proxies=`` becomes ``proxy=`` (one URL) or per-pattern proxy mounts (a mapping).
    """
    unknown = set(deprecated) - {"app", "proxies"}
    if unknown:
        raise _unexpected(owner, unknown)
    old = OldSpellings(transport=transport, proxy=proxy)
    if "app" in deprecated:
        kind = "ASGITransport" if owner == "AsyncClient" else "WSGITransport"
        warn_deprecated(
            "app=",
            since="httpx 0.27",
            instead=f"transport={kind}(app=...)",
            stacklevel=_users_stacklevel(),
        )
        if transport is None:
            old.transport = app_transport(app=deprecated["app"])
    if "proxies" in deprecated:
        warn_deprecated(
            "proxies=",
            since="httpx 0.26",
            instead="proxy= or mounts=",
            stacklevel=_users_stacklevel(),
        )
        if proxy is not None:
            raise ValueError("proxies= and proxy= cannot be used together; use proxy=")
        proxies = deprecated["proxies"]
        if isinstance(proxies, dict):
            old.proxy_mounts = {str(pattern): url for pattern, url in proxies.items()}
        else:
            old.proxy = proxies
    return old


def request_follow_redirects(
    follow_redirects: bool | UseClientDefault, deprecated: dict[str, Any], owner: str = "request"
) -> bool | UseClientDefault:
    """Accept ``allow_redirects=`` (httpx before 0.20) in place of ``follow_redirects=``."""
    unknown = set(deprecated) - {"allow_redirects"}
    if unknown:
        raise _unexpected(owner, unknown)
    if "allow_redirects" not in deprecated:
        return follow_redirects
    warn_deprecated(
        "allow_redirects=",
        since="httpx 0.20",
        instead="follow_redirects=",
        stacklevel=_users_stacklevel(),
    )
    if not isinstance(follow_redirects, UseClientDefault):
        raise ValueError("allow_redirects= and follow_redirects= cannot be used together")
    return bool(deprecated["allow_redirects"])


def warn_tls_spellings(verify: Any, cert: Any) -> None:
    """Warn about ``verify=<path>`` and ``cert=``, which httpx 0.28 deprecated."""
    if isinstance(verify, str):
        warn_deprecated(
            "verify=<path>",
            since="httpx 0.28",
            instead="verify=ssl.create_default_context(cafile=...) (or capath=...)",
            stacklevel=_users_stacklevel(),
        )
    if cert is not None:
        warn_deprecated(
            "cert=",
            since="httpx 0.28",
            instead="verify=<ssl.SSLContext> with .load_cert_chain()",
            stacklevel=_users_stacklevel(),
        )
