"""Splitting a URL string into components (RFC 3986 appendix B) and normalising them.

Invariants:

* `Parts` holds the canonical form: every field is ASCII text, percent-encoded with its
  component's safe set; the scheme and host are lower case; a scheme's default port is
  `None`; `query` and `fragment` are `None` when absent and "" when present but empty.
* Dot segments are removed from the path when the URL has a scheme or an authority
  (RFC 3986 section 5.2.4); a relative reference keeps them, for `URL.join`.
* Every input is checked for length and ASCII control characters before anything else,
  and every step after that is a bounded number of linear scans: no backtracking
  pattern, no nested loop, so parsing is linear in the input's length.
* Every refusal is an `InvalidURL` that names the part and the value at fault.
"""

from __future__ import annotations

import re
from typing import NamedTuple, cast

from ._exceptions import InvalidURL
from ._hosts import _IPV4_LIKE, _check_a_labels, _check_ipv4, encode_host
from ._quoting import (
    FRAGMENT_PATTERN,
    FRAGMENT_SAFE,
    PATH_PATTERN,
    PATH_SAFE,
    QUERY_PATTERN,
    QUERY_SAFE,
    USERINFO_PATTERN,
    USERINFO_SAFE,
    quote_with,
)

# httpx 0.28's cap, so that a hostile URL cannot make every later step slow.
MAX_URL_LENGTH = 65536
# The WHATWG URL Standard's special schemes and their default ports (section 4.1), as httpx.
DEFAULT_PORTS = {"ftp": 21, "http": 80, "https": 443, "ws": 80, "wss": 443}
# RFC 3986 section 3.2.3 allows any number of digits; TCP and UDP ports are 16-bit.
MAX_PORT = 65535

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# RFC 3986 appendix B, with httpx's reading of a leading ":" as an empty scheme.
_URL = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*)?:)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?",
    re.DOTALL,
)
# ASCII control characters (C0 and DEL) are refused anywhere, as httpx does.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _charset(safe: str) -> str:
    return re.escape("".join(sorted(set(safe))))


# The fast path: an absolute URL whose components are already in canonical form apart
# from letter case, with an ASCII host. One match proves that no component needs encoding.
_CANONICAL = re.compile(
    rf"([A-Za-z][A-Za-z0-9+.\-]*)://(?:([{_charset(USERINFO_SAFE)}]*)@)?([A-Za-z0-9\-._~]+)"
    rf"(?::([0-9]{{1,5}}))?(/[{_charset(PATH_SAFE)}]*)?(?:\?([{_charset(QUERY_SAFE)}]*))?"
    rf"(?:#([{_charset(FRAGMENT_SAFE)}]*))?"
)


class Parts(NamedTuple):
    """The canonical components of a URL."""

    scheme: str
    userinfo: str
    host: str
    port: int | None
    path: str
    query: str | None
    fragment: str | None


def check_text(text: str, component: str | None = None) -> None:
    """Refuse over-long text and ASCII control characters, saying where they are."""
    where = "URL" if component is None else f"URL {component} component"
    if len(text) > MAX_URL_LENGTH:
        raise InvalidURL(
            f"{where} too long: {len(text)} characters (the limit is {MAX_URL_LENGTH})"
        )
    bad = _CONTROL.search(text)
    if bad is not None:
        raise InvalidURL(
            f"Invalid non-printable ASCII character in {where}, "
            f"{bad.group()!r} at position {bad.start()}."
        )


def remove_dot_segments(path: str) -> str:
    """Drop "." and ".." segments (RFC 3986 section 5.2.4), keeping a trailing "/"."""
    if "." not in path:
        return path
    segments = path.split("/")
    rooted = segments[0] == "" and len(segments) > 1
    body = segments[1:] if rooted else segments
    kept: list[str] = []
    for segment in body:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if body[-1] in (".", ".."):
        kept.append("")
    joined = "/".join(kept)
    return "/" + joined if rooted else joined


def normalise_port(port: str | None, scheme: str) -> int | None:
    """Return the port as a number, or `None` if absent or the scheme's default."""
    if not port:
        return None
    if not (port.isascii() and port.isdigit()) or len(port.lstrip("0")) > 5:
        raise InvalidURL(f"Invalid port: {port!r}")
    number = int(port)
    if number > MAX_PORT:
        raise InvalidURL(f"Invalid port: {port!r} (the largest port is {MAX_PORT})")
    return None if number == DEFAULT_PORTS.get(scheme) else number


def split_authority(authority: str) -> tuple[str, str, str | None]:
    """Split "userinfo@host:port" at its last "@"; the port is `None` without a ":"."""
    userinfo, _, hostport = authority.rpartition("@")
    if hostport[:1] == "[":
        end = hostport.find("]")
        if end == -1:
            raise InvalidURL(f"Invalid IPv6 address: {hostport!r} (no closing ']')")
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest and rest[0] != ":":
            raise InvalidURL(f"Invalid host: {rest!r} follows the IPv6 address {host!r}")
        return userinfo, host, rest[1:] if rest else None
    host, colon, port = hostport.partition(":")
    return userinfo, host, port if colon else None


def split(url: str) -> dict[str, str | None]:
    """Split a URL string into raw components, keyed as `Parts` plus "authority"."""
    check_text(url)
    # Every string matches, as each group is optional.
    match = cast("re.Match[str]", _URL.match(url))
    scheme, authority, path, query, fragment = match.groups()
    userinfo, host, port = split_authority(authority) if authority else ("", "", None)
    return {
        "scheme": scheme or "",
        "authority": authority,
        "userinfo": userinfo,
        "host": host,
        "port": port,
        "path": path,
        "query": query,
        "fragment": fragment,
    }


def normalise(raw: dict[str, str | None]) -> Parts:
    """Validate and normalise raw components into their canonical form."""
    scheme = (raw["scheme"] or "").lower()
    userinfo = quote_with(USERINFO_PATTERN, raw["userinfo"] or "", "userinfo")
    host = encode_host(raw["host"] or "")
    port = normalise_port(raw["port"], scheme)
    path = raw["path"] or ""
    has_authority = bool(userinfo or host or port is not None)
    if not host and scheme in DEFAULT_PORTS and (has_authority or raw["authority"] is not None):
        raise InvalidURL(f"Invalid URL: a {scheme!r} URL needs a host, and its host is empty")
    if has_authority:
        # RFC 3986 section 3.3.
        if path and path[0] != "/":
            raise InvalidURL(
                f"Invalid path {path!r}: a URL with an authority needs an empty path "
                "or one that starts with '/'"
            )
    elif not scheme:
        # RFC 3986 sections 3.3 and 4.2: either would read as something else.
        if path[:2] == "//":
            raise InvalidURL(f"Invalid path {path!r}: a relative URL's path cannot start with '//'")
        if path[:1] == ":":
            raise InvalidURL(f"Invalid path {path!r}: a relative URL's path cannot start with ':'")
    if scheme or has_authority:
        path = remove_dot_segments(path)
    query = raw["query"]
    fragment = raw["fragment"]
    return Parts(
        scheme,
        userinfo,
        host,
        port,
        quote_with(PATH_PATTERN, path, "path"),
        None if query is None else quote_with(QUERY_PATTERN, query, "query"),
        None if fragment is None else quote_with(FRAGMENT_PATTERN, fragment, "fragment"),
    )


def parse(url: str) -> Parts:
    """Parse and normalise a URL string."""
    if len(url) <= MAX_URL_LENGTH:
        match = _CANONICAL.fullmatch(url)
        if match is not None:
            return _from_canonical(match)
    return normalise(split(url))


def _from_canonical(match: re.Match[str]) -> Parts:
    scheme, userinfo, host, port, path, query, fragment = match.groups()
    scheme = scheme.lower()
    host = host.lower()
    if host[-1].isdigit() and _IPV4_LIKE.fullmatch(host):
        _check_ipv4(host)
    elif "xn--" in host:
        _check_a_labels(host)
    number: int | None = None
    if port is not None:
        number = int(port)
        if number > MAX_PORT:
            raise InvalidURL(f"Invalid port: {port!r} (the largest port is {MAX_PORT})")
        if number == DEFAULT_PORTS.get(scheme):
            number = None
    if path is None:
        path = ""
    elif "/." in path:
        path = remove_dot_segments(path)
    return Parts(scheme, userinfo or "", host, number, path, query, fragment)
