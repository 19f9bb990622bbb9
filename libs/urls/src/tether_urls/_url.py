"""URL: a parsed, normalised, immutable URL with httpx 0.28's API.

Invariants: `_parts` is the canonical `Parts` of the URL, set once in `__init__` (or by
`_of`) and never changed; everything else (the string form, `params`, the decoded
properties) is derived from it, the string and params lazily and at most once.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

from ._exceptions import InvalidURL
from ._hosts import decode_host
from ._parse import (
    DEFAULT_PORTS,
    SCHEME,
    Parts,
    check_text,
    normalise,
    parse,
    remove_dot_segments,
    split,
    split_authority,
)
from ._query import QueryParams
from ._quoting import USERNAME_PATTERN, quote_with, unquote
from ._types import QueryParamTypes, URLTypes

# The keyword arguments of URL() and their types, as httpx 0.28 has them.
_KEYWORDS: dict[str, type] = {
    "scheme": str,
    "username": str,
    "password": str,
    "userinfo": bytes,
    "host": str,
    "port": int,
    "netloc": bytes,
    "path": str,
    "query": bytes,
    "raw_path": bytes,
    "fragment": str,
    "params": object,
}
# Characters that each keyword component cannot hold, since they would end it.
_DELIMITERS = {"path": "?#", "query": "#", "userinfo": "@", "netloc": "@/?#"}


class RawURL(NamedTuple):
    """The deprecated `URL.raw` tuple."""

    raw_scheme: bytes
    raw_host: bytes
    port: int | None
    raw_path: bytes


def _text(key: str, value: Any) -> str | None:
    """Check one keyword argument's type, and return it as text."""
    expected = _KEYWORDS.get(key)
    if expected is None:
        raise TypeError(f"{key!r} is an invalid keyword argument for URL()")
    if value is None:
        return None
    if not isinstance(value, expected):
        raise TypeError(
            f"Argument {key!r} must be {expected.__name__} but got {type(value).__name__}"
        )
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            raise InvalidURL(f"Invalid URL component {key!r}: {value!r} is not ASCII") from None
    text = str(value)
    check_text(text, key)
    for delimiter in _DELIMITERS.get(key, ""):
        if delimiter in text:
            raise InvalidURL(f"Invalid URL component {key!r}: {text!r} contains {delimiter!r}")
    return text


def _override(raw: dict[str, str | None], kwargs: dict[str, Any]) -> None:
    """Apply URL() keyword arguments to raw components, as httpx 0.28 reads them."""
    if "params" in kwargs:
        params = kwargs.pop("params")
        kwargs["query"] = str(QueryParams(params)).encode("ascii") if params else None
    given = {key: _text(key, value) for key, value in kwargs.items()}
    if "scheme" in given:
        scheme = given["scheme"] or ""
        if scheme and not SCHEME.fullmatch(scheme):
            raise InvalidURL(f"Invalid URL component 'scheme': {scheme!r}")
    if "netloc" in given:
        # As in httpx, netloc replaces both the host and the port keywords.
        _, given["host"], given["port"] = split_authority(given.pop("netloc") or "")
    if "username" in given or "password" in given:
        # A username or password given alone keeps the other one.
        user, _, password = (raw["userinfo"] or "").partition(":")
        if "username" in given:
            user = quote_with(USERNAME_PATTERN, given.pop("username") or "", "username")
        if "password" in given:
            password = quote_with(USERNAME_PATTERN, given.pop("password") or "", "password")
        raw["userinfo"] = f"{user}:{password}" if password else user
    if "raw_path" in given:
        path, question, query = (given.pop("raw_path") or "").partition("?")
        raw["path"], raw["query"] = path, query if question else None
    host = given.get("host")
    if host and ":" in host and not (host[0] == "[" and host[-1] == "]"):
        given["host"] = f"[{host}]"
    raw.update(given)


class URL:
    """A normalised URL with IDNA support, parsed once.

    >>> url = URL("HTTPS://user:secret@Bücher.example:443/a/./b/../c?q=1#top")
    >>> url
    URL('https://user:[secure]@xn--bcher-kva.example/a/c?q=1#top')
    >>> url.host, url.raw_host, url.port, url.path, url.query
    ('bücher.example', b'xn--bcher-kva.example', None, '/a/c', b'q=1')
    >>> str(url.join("../d?x=2"))
    'https://user:secret@xn--bcher-kva.example/d?x=2'
    """

    __slots__ = ("_params", "_parts", "_str")

    _parts: Parts
    _str: str | None
    _params: QueryParams | None

    def __init__(self, url: URL | str = "", **kwargs: Any) -> None:
        """Parse `url`, then apply any keyword components (see `copy_with`)."""
        if kwargs:
            if isinstance(url, str):
                raw = split(url)
            elif isinstance(url, URL):
                raw = url._raw()
            else:
                raise TypeError(_bad_url_type(url))
            _override(raw, kwargs)
            self._parts = normalise(raw)
        elif isinstance(url, str):
            self._parts = parse(url)
        elif isinstance(url, URL):
            self._parts = url._parts
        else:
            raise TypeError(_bad_url_type(url))
        self._str = self._params = None

    @classmethod
    def _of(cls, parts: Parts) -> URL:
        url = cls.__new__(cls)
        url._parts = parts
        url._str = url._params = None
        return url

    def _raw(self) -> dict[str, str | None]:
        scheme, userinfo, host, port, path, query, fragment = self._parts
        has_authority = bool(userinfo or host or port is not None)
        return {
            "scheme": scheme,
            "authority": "" if has_authority else None,
            "userinfo": userinfo,
            "host": f"[{host}]" if ":" in host else host,
            "port": None if port is None else str(port),
            "path": path,
            "query": query,
            "fragment": fragment,
        }

    @property
    def scheme(self) -> str:
        """The scheme, lower case: "https"."""
        return self._parts.scheme

    @property
    def raw_scheme(self) -> bytes:
        """The scheme as ASCII bytes: b"https"."""
        return self._parts.scheme.encode("ascii")

    @property
    def userinfo(self) -> bytes:
        """The userinfo as percent-encoded bytes: b"jo%40example.com:secret"."""
        return self._parts.userinfo.encode("ascii")

    @property
    def username(self) -> str:
        """The username, percent-decoded: "jo@example.com"."""
        return unquote(self._parts.userinfo.partition(":")[0])

    @property
    def password(self) -> str:
        """The password, percent-decoded."""
        return unquote(self._parts.userinfo.partition(":")[2])

    @property
    def host(self) -> str:
        """The host, lower case, IDNA labels decoded, IPv6 without brackets: "bücher.example"."""
        return decode_host(self._parts.host)

    @property
    def raw_host(self) -> bytes:
        """The host as sent on the wire, IDNA-encoded ASCII: b"xn--bcher-kva.example"."""
        return self._parts.host.encode("ascii")

    @property
    def port(self) -> int | None:
        """The port, or None when absent or the scheme's default (http 80, https 443...)."""
        return self._parts.port

    @property
    def netloc(self) -> bytes:
        """The host and port, for a Host header: b"example.com:8080", b"[::1]"."""
        host, port = self._parts.host, self._parts.port
        if ":" in host:
            host = f"[{host}]"
        return (host if port is None else f"{host}:{port}").encode("ascii")

    @property
    def path(self) -> str:
        """The path, percent-decoded, "/" when empty."""
        return unquote(self._parts.path or "/")

    @property
    def query(self) -> bytes:
        """The query string as percent-encoded bytes, without the "?"."""
        return (self._parts.query or "").encode("ascii")

    @property
    def params(self) -> QueryParams:
        """The query string parsed into QueryParams."""
        if self._params is None:
            self._params = QueryParams(self._parts.query)
        return self._params

    @property
    def raw_path(self) -> bytes:
        """The path and query as percent-encoded bytes: the target of an HTTP request."""
        path, query = self._parts.path or "/", self._parts.query
        return (path if query is None else f"{path}?{query}").encode("ascii")

    @property
    def fragment(self) -> str:
        """The fragment, percent-decoded, without the "#"."""
        return unquote(self._parts.fragment or "")

    @property
    def is_absolute_url(self) -> bool:
        """True when the URL has a scheme and a host."""
        return bool(self._parts.scheme and self._parts.host)

    @property
    def is_relative_url(self) -> bool:
        """True when the URL lacks a scheme or a host."""
        return not (self._parts.scheme and self._parts.host)

    @property
    def raw(self) -> RawURL:
        """Deprecated (as in httpx): the scheme, host, port and target as one tuple."""
        warnings.warn(
            "URL.raw is deprecated; use raw_scheme, raw_host, port and raw_path instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return RawURL(self.raw_scheme, self.raw_host, self.port, self.raw_path)

    def copy_with(self, **kwargs: Any) -> URL:
        """A copy with some components replaced.

        Keywords: scheme, username, password, userinfo (bytes), host, port (int),
        netloc (bytes), path, query (bytes), raw_path (bytes), fragment, params.

        >>> str(URL("https://example.com/a").copy_with(path="/b c", port=8443))
        'https://example.com:8443/b%20c'
        """
        return URL(self, **kwargs) if kwargs else self

    def copy_set_param(self, key: str, value: Any = None) -> URL:
        """A copy where the query parameter `key` has the one value `value`."""
        return self.copy_with(params=self.params.set(key, value))

    def copy_add_param(self, key: str, value: Any = None) -> URL:
        """A copy with `value` appended to the query parameter `key`."""
        return self.copy_with(params=self.params.add(key, value))

    def copy_remove_param(self, key: str) -> URL:
        """A copy without the query parameter `key`."""
        return self.copy_with(params=self.params.remove(key))

    def copy_merge_params(self, params: QueryParamTypes) -> URL:
        """A copy with `params` merged into the query, replacing keys it names."""
        return self.copy_with(params=self.params.merge(params))

    def join(self, url: URLTypes) -> URL:
        """Resolve `url` against this URL as a base (RFC 3986 section 5.2.2).

        >>> str(URL("https://example.com/a/b?q").join("../c"))
        'https://example.com/c'
        """
        if isinstance(url, URL):
            ref = url._parts
        elif isinstance(url, str):
            ref = parse(url)
        else:
            raise TypeError(_bad_url_type(url))
        return URL._of(_resolve(self._parts, ref))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, URL):
            return str(self) == str(other)
        if isinstance(other, str):
            try:
                return str(self) == str(URL(other))
            except InvalidURL:
                return False
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __str__(self) -> str:
        if self._str is None:
            self._str = _serialise(self._parts, self._parts.userinfo)
        return self._str

    def __repr__(self) -> str:
        userinfo = self._parts.userinfo
        if ":" in userinfo:
            userinfo = userinfo.partition(":")[0] + ":[secure]"
        return f"{type(self).__name__}({_serialise(self._parts, userinfo)!r})"

    def __reduce__(self) -> tuple[type[URL], tuple[str]]:
        return (type(self), (str(self),))


def _bad_url_type(url: object) -> str:
    return f"Invalid type for url: expected str or URL, got {type(url).__name__}: {url!r}"


def _serialise(parts: Parts, userinfo: str) -> str:
    """Recompose a URL string (RFC 3986 section 5.3)."""
    scheme, _, host, port, path, query, fragment = parts
    text = f"{scheme}:" if scheme else ""
    if userinfo or host or port is not None:
        if ":" in host:
            host = f"[{host}]"
        text += f"//{userinfo}@{host}" if userinfo else f"//{host}"
        if port is not None:
            text += f":{port}"
    text += path
    if query is not None:
        text += "?" + query
    if fragment is not None:
        text += "#" + fragment
    return text


def _resolve(base: Parts, ref: Parts) -> Parts:
    """Transform a reference against a base, RFC 3986 section 5.2.2, on canonical parts."""
    if ref.scheme:
        return ref._replace(path=remove_dot_segments(ref.path))
    scheme = base.scheme
    if ref.userinfo or ref.host or ref.port is not None:
        port = None if ref.port == DEFAULT_PORTS.get(scheme) else ref.port
        path = remove_dot_segments(ref.path)
        return Parts(scheme, ref.userinfo, ref.host, port, path, ref.query, ref.fragment)
    query = ref.query
    if not ref.path:
        path = base.path
        if query is None:
            query = base.query
    elif ref.path[0] == "/":
        path = remove_dot_segments(ref.path)
    else:
        # RFC 3986 section 5.2.3: merge with the base path's directory.
        has_authority = bool(base.userinfo or base.host or base.port is not None)
        if has_authority and not base.path:
            path = "/" + ref.path
        else:
            path = base.path[: base.path.rfind("/") + 1] + ref.path
        path = remove_dot_segments(path)
    return Parts(scheme, base.userinfo, base.host, base.port, path, query, ref.fragment)
