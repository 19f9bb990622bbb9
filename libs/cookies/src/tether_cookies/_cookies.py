"""Cookies: httpx's cookie mapping over an RFC 6265 cookie jar."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from http.cookiejar import Cookie, CookieJar

from ._exceptions import CookieConflict, InvalidCookie
from ._headers import has_cookie_header, set_cookie_values
from ._jar import RFC6265CookieJar, cookie_header, extract
from ._persist import dump, load_file, save_file
from ._rules import make_cookie
from ._types import CookieTypes, FileFormat, PathType, RequestLike, ResponseLike

__all__ = ["Cookies"]

# What would break the Cookie header or smuggle another cookie into it: control
# characters (RFC 6265bis refuses them), ";" which separates cookies, and "=" or
# white space in a name. HTAB is allowed in values, as rfc6265bis allows it.
_BAD_NAME = re.compile(r"[\x00-\x20\x7f;=]")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f;]")
_BAD_DOMAIN = re.compile(r"[\x00-\x20\x7f/\\?#@;]")


def _checked(name: object, value: object) -> tuple[str, str]:
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError(
            "cookie names and values must be str, got "
            f"{type(name).__name__} and {type(value).__name__}"
        )
    if not name or _BAD_NAME.search(name):
        raise InvalidCookie(f"invalid cookie name {name!r}")
    if _BAD_VALUE.search(value):
        raise InvalidCookie(f"invalid value for cookie {name!r}: {value!r}")
    return name, value


def _oldest_first(jar: CookieJar) -> list[Cookie]:
    return jar.by_creation() if isinstance(jar, RFC6265CookieJar) else list(jar)


def _same_domain(stored: str, wanted: str) -> bool:
    return stored.removeprefix(".") == wanted.lower().removeprefix(".")


class Cookies(MutableMapping[str, str]):
    """HTTP cookies as a mutable mapping of name to value, over an RFC 6265 jar.

    The API is httpx's `Cookies`; `jar` is an `http.cookiejar.CookieJar` (an
    `RFC6265CookieJar` unless you passed your own jar in).

    >>> cookies = Cookies({"session": "abc"})
    >>> cookies.set("theme", "dark", domain="example.com")
    >>> cookies["session"], len(cookies)
    ('abc', 2)
    >>> cookies.extract_from_headers("https://example.com/", {"Set-Cookie": "id=7; Path=/"})
    >>> cookies.cookie_header("https://example.com/")
    'session=abc; theme=dark; id=7'
    """

    __slots__ = ("jar",)

    jar: CookieJar

    def __init__(self, cookies: CookieTypes | None = None) -> None:
        if isinstance(cookies, CookieJar):
            self.jar = cookies
            return
        self.jar = RFC6265CookieJar()
        if cookies is not None:
            self.update(cookies)

    # -- httpx's API --------------------------------------------------------------------

    def extract_cookies(self, response: ResponseLike) -> None:
        """Store the cookies that a response's Set-Cookie headers set, by RFC 6265 rules."""
        self.extract_from_headers(response.url, response.headers)

    def set_cookie_header(self, request: RequestLike) -> None:
        """Set the Cookie header of a request, unless it already has one."""
        headers = request.headers
        if has_cookie_header(headers):
            return
        value = self.cookie_header(request.url)
        if value:
            headers["Cookie"] = value

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        """Set a cookie. Without a domain it is sent to every host (as in httpx)."""
        name, value = _checked(name, value)
        if not isinstance(domain, str) or _BAD_DOMAIN.search(domain):
            raise InvalidCookie(f"invalid cookie domain {domain!r}")
        if not isinstance(path, str) or re.search(r"[\x00-\x1f\x7f;]", path):
            raise InvalidCookie(f"invalid cookie path {path!r}")
        domain = domain.lower()
        cookie = make_cookie(
            name,
            value,
            domain=domain,
            domain_specified=bool(domain),
            path=path,
            path_specified=bool(path),
        )
        self.jar.set_cookie(cookie)

    def _matches(self, name: str, domain: str | None, path: str | None) -> list[Cookie]:
        return [
            cookie
            for cookie in self.jar
            if cookie.name == name
            and (domain is None or _same_domain(cookie.domain, domain))
            and (path is None or cookie.path == path)
        ]

    def get(  # type: ignore[override]
        self,
        name: str,
        default: str | None = None,
        domain: str | None = None,
        path: str | None = None,
    ) -> str | None:
        """The value of the cookie called `name`, optionally narrowed by domain and path.

        Raise CookieConflict when several cookies match.
        """
        found = self._matches(name, domain, path)
        if len(found) > 1:
            where = ", ".join(f"{c.domain or '(any domain)'}{c.path}" for c in found)
            raise CookieConflict(f"Multiple cookies exist with name={name} ({where})")
        if not found or found[0].value is None:
            return default
        return found[0].value

    def delete(self, name: str, domain: str | None = None, path: str | None = None) -> None:
        """Delete the cookies called `name`, optionally narrowed by domain and path."""
        for cookie in self._matches(name, domain, path):
            self.jar.clear(cookie.domain, cookie.path, cookie.name)

    def clear(self, domain: str | None = None, path: str | None = None) -> None:
        """Delete every cookie, or those of a domain, a path, or both."""
        if domain is None and path is None:
            self.jar.clear()
            return
        for cookie in list(self.jar):
            if (domain is None or _same_domain(cookie.domain, domain)) and (
                path is None or cookie.path == path
            ):
                self.jar.clear(cookie.domain, cookie.path, cookie.name)

    def update(self, cookies: CookieTypes | None = None) -> None:  # type: ignore[override]
        """Add cookies from a dict, a list of pairs, a CookieJar or another Cookies."""
        if cookies is None:
            return
        if isinstance(cookies, Cookies):
            cookies = cookies.jar
        if isinstance(cookies, CookieJar):
            for cookie in _oldest_first(cookies):
                self.jar.set_cookie(cookie)
            return
        if isinstance(cookies, Mapping):
            for name, value in cookies.items():
                self.set(name, value)
            return
        pairs: object = cookies
        if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
            raise TypeError(
                "cookies must be a dict, a list of (name, value) pairs, a CookieJar or"
                f" Cookies, got {type(pairs).__name__}"
            )
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"cookie items must be (name, value) pairs, got {pair!r}")
            self.set(pair[0], pair[1])

    def __setitem__(self, name: str, value: str) -> None:
        self.set(name, value)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __delitem__(self, name: str) -> None:
        self.delete(name)

    def __len__(self) -> int:
        return len(self.jar)

    def __iter__(self) -> Iterator[str]:
        return (cookie.name for cookie in self.jar)

    def __bool__(self) -> bool:
        jar = self.jar
        # Asked on every request (is there any cookie to merge?): an empty tether jar
        # answers without taking its lock and listing its cookies.
        if type(jar) is RFC6265CookieJar and not jar._cookies:
            return False
        return any(True for _ in jar)

    def __repr__(self) -> str:
        inner = ", ".join(
            f"<Cookie {cookie.name}={cookie.value} for {cookie.domain} />" for cookie in self.jar
        )
        return f"<Cookies[{inner}]>"

    # -- beyond httpx: sans-I/O entry points and persistence ---------------------------

    def extract_from_headers(self, url: object, headers: object) -> None:
        """Store the cookies of the Set-Cookie values in `headers`, received from `url`.

        `url` is a string or any object whose str() is an absolute URL; `headers` may be
        any of the shapes listed in the package README (httpx or Starlette headers, a
        dict, a list of pairs...).
        """
        extract(self.jar, url, set_cookie_values(headers))

    def cookie_header(self, url: object) -> str:
        """The Cookie header value to send to `url` ("" when no cookie applies)."""
        return cookie_header(self.jar, url)

    def save(
        self, path: PathType, *, format: FileFormat = "netscape", session: bool = True
    ) -> None:
        """Write the cookies to a Netscape cookies.txt or a JSON file.

        Expired cookies are never written; session cookies are unless `session=False`.
        """
        text = dump(_oldest_first(self.jar), format, now=int(time.time()), session=session)
        save_file(text, path)

    def load(
        self, path: PathType, *, format: FileFormat | None = None, session: bool = True
    ) -> None:
        """Add the cookies of a cookies.txt or JSON file (format guessed when None).

        Raise CookieFileError, naming the file and line, for a corrupt file. Expired
        cookies are skipped; session cookies too when `session=False`.
        """
        for cookie in load_file(path, format, now=int(time.time()), session=session):
            self.jar.set_cookie(cookie)
