"""Which proxy each URL goes through: ``proxy=``, ``proxies=`` or the environment.

A client turns the result into mounts (pattern -> proxy transport, or None for "no
proxy": the client's own transport), as httpx 0.28 does:

- ``proxy=`` means ``{"all://": proxy}``, whatever else is set;
- otherwise, with ``trust_env`` and no ``transport=``, the environment:
  ``HTTP_PROXY``, ``HTTPS_PROXY`` and ``ALL_PROXY`` (lower case wins, as
  `urllib.request.getproxies` reads them; a value without a scheme means ``http://``)
  become the ``http://``, ``https://`` and ``all://`` mounts, and each ``NO_PROXY``
  entry a mount without proxy: ``*`` turns every proxy off, an entry with ``://`` is
  a mount pattern, an IP address or ``localhost`` matches that host exactly, an IPv4
  or IPv6 network in CIDR form (``10.0.0.0/8``) every address in it, and any other
  name matches the name and its subdomains (``example.com`` and ``.example.com`` both
  match ``api.example.com``).

httpx reads ``10.0.0.0/8`` as the single host 10.0.0.0; tether matches the network.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tether_urls import URL

from ._proxy import Proxy

__all__ = ["environment_proxies", "proxy_map"]


def environment_proxies() -> dict[str, str | None]:
    """The mount patterns the proxy environment variables ask for (None: no proxy)."""
    from urllib.request import getproxies  # imported when used: it is a large module

    found = getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        url = found.get(scheme)
        if url:
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for entry in (entry.strip() for entry in found.get("no", "").split(",")):
        if entry == "*":
            return {}
        if entry:
            mounts[_no_proxy_pattern(entry)] = None
    return mounts


def _no_proxy_pattern(entry: str) -> str:
    if "://" in entry:
        return entry
    address, slash, prefix = entry.partition("/")
    address = address.strip("[]")
    try:
        network = ipaddress.ip_network(address + slash + prefix, strict=False)
    except ValueError:
        if entry.lower() == "localhost":
            return f"all://{entry}"
        return f"all://*{entry}"
    host = address if network.version == 4 else f"[{address}]"
    return f"all://{host}{slash}{prefix}"


def proxy_map(
    proxy: Any, proxy_mounts: dict[str, Any], *, allow_env: bool
) -> dict[str, Proxy | None]:
    """Mount pattern -> the `Proxy` to use, or None for a direct connection."""
    if proxy is not None:
        return {"all://": _as_proxy(proxy)}
    if proxy_mounts:  # the deprecated proxies= mapping
        return {
            pattern: None if url is None else _as_proxy(url)
            for pattern, url in proxy_mounts.items()
        }
    if not allow_env:
        return {}
    return {
        pattern: None if url is None else Proxy(url)
        for pattern, url in environment_proxies().items()
    }


def _as_proxy(proxy: Any) -> Proxy:
    if isinstance(proxy, Proxy):
        return proxy
    if isinstance(proxy, str | URL):
        return Proxy(proxy)
    raise TypeError(
        f"proxy= must be a URL string, a tether.URL or a tether.Proxy, not {type(proxy).__name__}"
    )
