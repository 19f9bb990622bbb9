"""Request URLs as the cookie rules see them (RFC 6265 sections 5.1.2-5.1.4).

Invariants:
- An `Origin` is built once per distinct URL string (a small cache keeps the last few
  hundred) and is immutable: scheme, canonical host, path, whether the host is an IP
  address, whether the origin is secure, and the store keys a lookup visits.
- The host is canonicalised per RFC 6265 section 5.1.2: lower-cased and converted to
  A-labels (IDNA); IPv6 literals lose their brackets.
- Only absolute URLs with a host are accepted; anything else raises CookieError with
  the URL in the message, its password redacted.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ._exceptions import CookieError

__all__ = ["Origin", "default_path", "domain_match", "origin_of", "path_match"]

# Browsers treat these as potentially trustworthy origins (W3C Secure Contexts,
# section 3.1) and send or accept Secure cookies over them even without TLS:
# Chrome 89+ and Firefox 75+ do so for localhost and loopback addresses.
_SECURE_SCHEMES = frozenset({"https", "wss"})
_LOOPBACK_V4 = re.compile(r"127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\Z")
# Characters that cannot appear in a host name we would compare or store.
_BAD_HOST = re.compile(r"[\x00-\x20\x7f/\\?#@]")
_PASSWORD = re.compile(r"(//[^/@:]*:)[^/@]*@")

_CACHE_SIZE = 512
_MAX_HOST = 253


def redact(url: str) -> str:
    """The URL with any password in its userinfo replaced by `[secure]`."""
    return _PASSWORD.sub(r"\1[secure]@", url)


def is_ip_address(host: str) -> bool:
    """Whether a canonical host is an IPv6 literal or looks like an IPv4 address.

    A host whose last label is numeric can only be an IPv4 address (WHATWG URL,
    "ends in a number"), so it is never treated as a domain name.
    """
    if ":" in host:
        return True
    last = host.removesuffix(".").rpartition(".")[2]
    return last.isdigit() or last.lower().startswith("0x")


class Origin:
    """The parts of a request URL that decide which cookies it sends and accepts."""

    __slots__ = ("domain_keys", "host", "is_ip", "path", "scheme", "secure")

    def __init__(self, scheme: str, host: str, path: str) -> None:
        self.scheme = scheme
        self.host = host
        self.path = path
        self.is_ip = is_ip_address(host)
        self.secure = (
            scheme in _SECURE_SCHEMES
            or host == "localhost"
            or host.endswith(".localhost")
            or host == "::1"
            or _LOOPBACK_V4.match(host) is not None
        )
        # The store keys whose cookies may domain-match this host: the host itself,
        # each parent domain (with and without the leading dot of Set-Cookie domain
        # cookies) and "" (cookies set without a domain, sent everywhere as httpx does).
        keys = [host, "." + host]
        # A DNS name has at most 253 octets (RFC 1035 2.3.4); longer hosts get no
        # parent-domain cookies, which also keeps this walk linear in the host length.
        if not self.is_ip and len(host) <= _MAX_HOST:
            rest = host.partition(".")[2]
            while rest:
                keys += (rest, "." + rest)
                rest = rest.partition(".")[2]
        keys.append("")
        self.domain_keys = tuple(keys)

    def __repr__(self) -> str:
        return f"Origin({self.scheme!r}, {self.host!r}, {self.path!r})"


def _canonical_host(host: str, url: str) -> str:
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise CookieError(f"cannot convert the host of {redact(url)!r} to IDNA") from None
    host = host.lower()
    if _BAD_HOST.search(host):
        raise CookieError(f"invalid host {host!r} in URL {redact(url)!r}")
    return host


def _parse(url: str) -> Origin:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise CookieError(f"cannot parse URL {redact(url)!r}: {exc}") from None
    if not parts.scheme or not host:
        raise CookieError(f"cookies need an absolute URL with a host, got {redact(url)!r}")
    return Origin(parts.scheme.lower(), _canonical_host(host, url), parts.path or "/")


_cache: dict[str, Origin] = {}


def origin_of(url: object) -> Origin:
    """The Origin of a URL: a string, or any object whose str() is an absolute URL."""
    text = url if isinstance(url, str) else str(url)
    origin = _cache.get(text)
    if origin is None:
        origin = _parse(text)
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[text] = origin
    return origin


def default_path(uri_path: str) -> str:
    """The default-path of RFC 6265 section 5.1.4 for a request path.

    >>> default_path("/docs/index.html"), default_path("/index.html"), default_path("")
    ('/docs', '/', '/')
    """
    if not uri_path.startswith("/"):
        return "/"
    cut = uri_path.rfind("/")
    return "/" if cut == 0 else uri_path[:cut]


def path_match(request_path: str, cookie_path: str) -> bool:
    """Whether a request path path-matches a cookie path (RFC 6265 section 5.1.4).

    >>> path_match("/docs/a", "/docs"), path_match("/docsx", "/docs")
    (True, False)
    """
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (
        cookie_path.endswith("/") or request_path[len(cookie_path) : len(cookie_path) + 1] == "/"
    )


def domain_match(host: str, domain: str) -> bool:
    """Whether a canonical host domain-matches a cookie domain (RFC 6265 section 5.1.3).

    >>> domain_match("www.example.com", "example.com"), domain_match("1.2.3.4", "3.4")
    (True, False)
    """
    if host == domain:
        return True
    return (
        host.endswith(domain)
        and host[-len(domain) - 1 : -len(domain)] == "."
        and not is_ip_address(host)
    )
