"""Mount patterns: the keys of ``mounts=`` and of the proxy map, and which URLs they match.

A pattern is ``<scheme>://<host>[:<port>]``, where the scheme ``all`` matches every
scheme, an empty host or ``*`` matches every host, ``*.example.com`` matches the
subdomains of example.com, and ``*example.com`` matches example.com and its subdomains.
An IP network in CIDR form, ``all://10.0.0.0/8`` or ``all://[fd00::]/8``, matches every
address in it (``NO_PROXY`` entries such as ``10.0.0.0/8`` become such patterns).
Patterns are not URLs (``http://`` has an empty host, which `tether_urls.URL` refuses),
so this module parses them itself; only a named host is normalised (lower case, IDNA
A-labels) by `tether_urls.URL`, so ``all://Bücher.de`` matches ``http://xn--bcher-kva.de``.

Sorting patterns puts the most specific first, as httpx's ``URLPattern`` does: one with a
port before one without, then longer hosts, then longer schemes (``all`` counts as no
scheme). Equal priorities keep their order (``sorted()`` is stable). The client tries its
mounts in that order and uses the first that matches.

Where this differs from httpx 0.28 on purpose:

- A port written in a pattern is kept even when it is the scheme's default:
  ``http://example.com:80`` matches only port 80 (httpx drops the port, and then matches
  every port), and ports are compared with the URL's effective port, so
  ``all://example.com:443`` matches ``https://example.com`` (httpx never matches it).
- ``all://*.bücher.de`` works (httpx raises on an IDNA host after a wildcard).
- ``all://10.0.0.0/8`` matches the network (httpx ignores the ``/8`` and matches only
  the host 10.0.0.0).
- Patterns that cannot mean what they say are refused with a message naming them: no
  ``://`` (httpx reads ``http:example.com`` as "every http URL"), an empty pattern or
  scheme, a ``*`` anywhere but at the start of the host.

As in httpx, a path, query, fragment or user information in a pattern is ignored.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from typing import Final

from tether_urls import URL, InvalidURL

__all__ = ["URLPattern"]

# The ports tether_urls.URL drops from a URL (its `port` is None for them).
_DEFAULT_PORTS: Final = {"ftp": 21, "http": 80, "https": 443, "ws": 80, "wss": 443}
_SCHEME: Final = re.compile(r"[a-z][a-z0-9+.\-]*")
_PORT: Final = re.compile(r"[0-9]{1,5}")
_AUTHORITY_END: Final = re.compile(r"[/?#]")
_PREFIX: Final = re.compile(r"/[0-9]{1,3}")


class _HostRule(enum.Enum):
    ANY = "any host"
    EXACT = "this host"
    SUBDOMAINS = "*.name: the subdomains of name"
    DOMAIN = "*name: name and its subdomains"
    NETWORK = "an IP network: the addresses in it"


def effective_port(url: URL) -> int | None:
    """The port a connection to `url` uses: its explicit port, or its scheme's default."""
    return url.port if url.port is not None else _DEFAULT_PORTS.get(url.scheme)


class URLPattern:
    """One mount pattern: `matches(url)` says whether it applies, sorting orders them.

    >>> URLPattern("all://*.example.com").matches(URL("https://api.example.com/x"))
    True
    >>> sorted([URLPattern("all://"), URLPattern("http://example.com:8080")])
    [URLPattern('http://example.com:8080'), URLPattern('all://')]
    """

    __slots__ = ("_name", "_network", "_rule", "host", "pattern", "port", "scheme")

    pattern: str
    scheme: str
    """The scheme to match, lower case; "" for ``all``."""
    host: str
    """The host as written, lower case and IDNA-decoded (``*.bücher.de``); "" for any."""
    port: int | None
    _rule: _HostRule
    _name: str  # the ASCII host that the rule compares with; "" for ANY
    _network: ipaddress.IPv4Network | ipaddress.IPv6Network | None

    def __init__(self, pattern: str) -> None:
        if not isinstance(pattern, str):
            raise TypeError(f"a mount pattern must be a str, not {type(pattern).__name__}")
        scheme, separator, rest = pattern.partition("://")
        if not separator:
            hint = f"; instead of {pattern!r}, use '{pattern}://'" if pattern.isalpha() else ""
            raise ValueError(
                f"Invalid mount pattern {pattern!r}: a pattern has the form "
                f"'<scheme>://<host>', such as 'https://', 'all://' or 'all://example.com'"
                f"{hint}"
            )
        scheme = scheme.lower()
        if not _SCHEME.fullmatch(scheme):
            raise ValueError(
                f"Invalid scheme {scheme!r} in mount pattern {pattern!r}: use a scheme such "
                f"as 'http' or 'https', or 'all' for every scheme"
            )
        authority, *tail = _AUTHORITY_END.split(rest, maxsplit=1)
        host, port = _split_port(pattern, authority.rpartition("@")[2])
        self.pattern = pattern
        self.scheme = "" if scheme == "all" else scheme
        self.port = port
        self._network = _network(host, f"/{tail[0]}" if tail else "")
        if self._network is not None:
            self._rule, self._name = _HostRule.NETWORK, ""
            self.host = str(self._network)
        else:
            self._rule, self._name, self.host = _parse_host(pattern, host)

    def matches(self, url: URL) -> bool:
        """Whether this pattern applies to `url` (scheme, host and port all match)."""
        if self.scheme and self.scheme != url.scheme:
            return False
        if self.port is not None and self.port != effective_port(url):
            return False
        if self._rule is _HostRule.ANY:
            return True
        if self._network is not None:
            try:
                return ipaddress.ip_address(url.host) in self._network
            except ValueError:  # a name, not an address
                return False
        host = url.raw_host.decode("ascii").lower()
        if self._rule is _HostRule.EXACT:
            return host == self._name
        if host.endswith("." + self._name) and len(host) > len(self._name) + 1:
            return True
        return self._rule is _HostRule.DOMAIN and host == self._name

    @property
    def priority(self) -> tuple[int, int, int]:
        """The sort key: a port first, then longer hosts, then longer schemes."""
        # A network ranks below every named host, above "any host".
        host = -len(self.host) if self._network is None else -1
        return (0 if self.port is not None else 1, host, -len(self.scheme))

    def __lt__(self, other: URLPattern) -> bool:
        if not isinstance(other, URLPattern):
            return NotImplemented
        return self.priority < other.priority

    def __eq__(self, other: object) -> bool:
        return isinstance(other, URLPattern) and self.pattern == other.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"URLPattern({self.pattern!r})"


def _split_port(pattern: str, authority: str) -> tuple[str, int | None]:
    """Split ``host[:port]`` (the host may be a bracketed IPv6 address)."""
    if authority.startswith("["):
        end = authority.find("]") + 1
        if not end or authority[end : end + 1] not in ("", ":"):
            raise InvalidURL(f"Invalid IPv6 host {authority!r} in mount pattern {pattern!r}")
        host, port = authority[:end], authority[end + 1 :]
    else:
        host, _, port = authority.partition(":")
    if not port:
        return host, None
    if not _PORT.fullmatch(port) or int(port) > 65535:
        raise InvalidURL(
            f"Invalid port {port!r} in mount pattern {pattern!r}: a port is a number "
            f"from 0 to 65535"
        )
    return host, int(port)


def _network(host: str, tail: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network of an IP host followed by a ``/prefix``, or None."""
    if not _PREFIX.fullmatch(tail):
        return None
    try:
        return ipaddress.ip_network(host.strip("[]") + tail, strict=False)
    except ValueError:
        return None


def _parse_host(pattern: str, host: str) -> tuple[_HostRule, str, str]:
    """Return (rule, ASCII name to compare with, host as shown) of a pattern's host."""
    if host in ("", "*"):
        return _HostRule.ANY, "", ""
    rule, wildcard = _HostRule.EXACT, ""
    if host.startswith("*."):
        rule, wildcard, host = _HostRule.SUBDOMAINS, "*.", host[2:]
    elif host.startswith("*"):
        rule, wildcard, host = _HostRule.DOMAIN, "*", host[1:]
    if "*" in host or not host:
        raise ValueError(
            f"Invalid host in mount pattern {pattern!r}: a '*' may only open the host, "
            f"as in 'all://*', 'all://*.example.com' or 'all://*example.com'"
        )
    try:
        url = URL(f"http://{host}/")
    except InvalidURL as exc:
        raise InvalidURL(f"Invalid host {host!r} in mount pattern {pattern!r}: {exc}") from None
    return rule, url.raw_host.decode("ascii"), wildcard + url.host
