"""RFC6265CookieJar: a `http.cookiejar.CookieJar` whose rules are RFC 6265's.

The jar keeps the stdlib's storage (`_cookies[domain][path][name]`), so it is a real
CookieJar holding real `Cookie` objects: code that reads `client.cookies.jar`, passes it
to urllib's `HTTPCookieProcessor` or copies cookies into another jar keeps working.
What changes is every rule: parsing, storing and choosing cookies follow RFC 6265 (and
the parts of rfc6265bis that browsers ship) instead of the stdlib's RFC 2965-era policy.

Invariants:
- At most one cookie per (name, domain without its leading dot, path): storing a cookie
  replaces a host-only twin and a domain twin alike (RFC 6265 5.3 step 11), and keeps
  the replaced cookie's creation time.
- `_created` maps the key of every stored cookie to a creation stamp that only grows,
  so the Cookie header can list longer paths first, then older cookies (RFC 6265 5.4).
- Domains are stored lower-cased. Looking cookies up for a request visits only the keys
  of the request host and its parent domains, never the whole jar.
- `_secure_names` counts the Secure cookies of each name, so that an insecure origin
  setting a cookie scans the jar for a Secure twin only when that name has one.
- Cookies that arrive from servers are bounded: 180 per domain (Chrome's limit) and
  3000 in all (RFC 6265 6.1's minimum capacity); past that, expired cookies go first,
  then the oldest.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from http.client import HTTPResponse
from http.cookiejar import Cookie, CookieJar
from operator import itemgetter
from typing import Any, ClassVar
from urllib.request import Request

from ._origin import Origin, domain_match, origin_of, path_match
from ._parser import parse_set_cookie
from ._rules import cookie_allowed, resolve

__all__ = ["RFC6265CookieJar", "cookie_header", "extract", "matching_cookies", "store"]

_Key = tuple[str, str, str]
# RFC 6265 5.4 step 2: longer paths first, then earlier creation times.
_ORDER = itemgetter(0, 1)


def _twin(domain: str) -> str:
    """The other spelling of a domain in the store: with or without the leading dot."""
    if not domain:
        return domain
    return domain[1:] if domain[0] == "." else "." + domain


class RFC6265CookieJar(CookieJar):
    """A CookieJar that stores and sends cookies by the rules of RFC 6265.

    It also serves urllib (`urllib.request.HTTPCookieProcessor(jar)`) by the same rules:

    ```pycon
    >>> import urllib.request
    >>> from tether_cookies import Cookies
    >>> cookies = Cookies()
    >>> cookies.extract_from_headers(
    ...     "https://www.example.com/", {"Set-Cookie": "id=1; Domain=example.com"}
    ... )
    >>> [(cookie.name, cookie.domain) for cookie in cookies.jar]
    [('id', '.example.com')]
    >>> request = urllib.request.Request("https://api.example.com/v1")
    >>> cookies.jar.add_cookie_header(request)
    >>> request.unredirected_hdrs
    {'Cookie': 'id=1'}

    ```
    """

    #: RFC 6265 section 6.1 asks for at least 50 cookies per domain; Chrome keeps 180.
    max_cookies_per_domain: ClassVar[int] = 180
    #: RFC 6265 section 6.1 asks for at least 3000 cookies in total.
    max_cookies: ClassVar[int] = 3000

    _cookies: dict[str, dict[str, dict[str, Cookie]]]
    _cookies_lock: Any

    def __init__(self) -> None:
        super().__init__()
        self._created: dict[_Key, int] = {}
        self._stamp = 0
        # How many Secure cookies each name has, so the "leave secure cookies alone"
        # check scans the jar only for names that have one.
        self._secure_names: dict[str, int] = {}

    # -- the stdlib CookieJar interface ------------------------------------------------

    def set_cookie(self, cookie: Cookie) -> None:
        """Store a cookie as is, replacing any cookie with the same name, domain and path."""
        if cookie.domain != cookie.domain.lower():
            cookie = copy.copy(cookie)
            cookie.domain = cookie.domain.lower()
        with self._cookies_lock:
            self._put(cookie)

    def clear(
        self, domain: str | None = None, path: str | None = None, name: str | None = None
    ) -> None:
        """Remove cookies by domain, domain and path, or domain, path and name.

        As `http.cookiejar.CookieJar.clear`, raise KeyError when nothing matches.
        """
        with self._cookies_lock:
            if domain is None:
                if path is not None or name is not None:
                    raise ValueError("clear() needs a domain to clear by path or name")
                self._cookies = {}
                self._created = {}
                self._secure_names = {}
                return
            domain = domain.lower()
            if name is not None:
                if path is None:
                    raise ValueError("clear() needs a path to clear by name")
                if name not in self._cookies.get(domain, {}).get(path, {}):
                    raise KeyError(name)
                self._remove(domain, path, name)
                return
            paths = self._cookies[domain]
            for cookie_path in [path] if path is not None else list(paths):
                for cookie_name in list(paths[cookie_path]):
                    self._remove(domain, cookie_path, cookie_name)

    def __iter__(self) -> Iterator[Cookie]:
        with self._cookies_lock:
            cookies = [
                cookie
                for paths in self._cookies.values()
                for names in paths.values()
                for cookie in names.values()
            ]
        return iter(cookies)

    def by_creation(self) -> list[Cookie]:
        """The cookies, oldest first (the order RFC 6265 5.4 uses to break ties)."""
        with self._cookies_lock:
            created = self._created
            cookies = list(self)
        return sorted(cookies, key=lambda c: created.get((c.domain, c.path, c.name), 0))

    def __len__(self) -> int:
        return sum(len(names) for paths in self._cookies.values() for names in paths.values())

    def __repr__(self) -> str:
        return f"<{type(self).__name__}[{', '.join(repr(c) for c in self)}]>"

    def extract_cookies(self, response: HTTPResponse, request: Request) -> None:
        """Store the cookies of a urllib response, by RFC 6265 rules."""
        extract(self, request.get_full_url(), response.info().get_all("Set-Cookie") or [])

    def make_cookies(self, response: HTTPResponse, request: Request) -> Sequence[Cookie]:
        """The cookies a urllib response may set, without storing them."""
        origin = origin_of(request.get_full_url())
        now = int(time.time())
        made = []
        for line in response.info().get_all("Set-Cookie") or []:
            parsed = parse_set_cookie(line)
            cookie = None if parsed is None else resolve(parsed, origin, now)
            if cookie is not None:
                made.append(cookie)
        return made

    def set_cookie_if_ok(self, cookie: Cookie, request: Request) -> None:
        """Store a cookie if the request's server may set it under RFC 6265."""
        origin = origin_of(request.get_full_url())
        if cookie_allowed(cookie, origin):
            store(self, cookie, origin, int(time.time()))

    def add_cookie_header(self, request: Request) -> None:
        """Add a Cookie header to a urllib request, unless it already has one."""
        value = cookie_header(self, request.get_full_url())
        if value and not request.has_header("Cookie"):
            request.add_unredirected_header("Cookie", value)

    # -- pickling: the lock is recreated ---------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_cookies_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cookies_lock = threading.RLock()

    # -- the store (callers hold the lock) -------------------------------------------

    def _put(self, cookie: Cookie) -> None:
        domain, path, name = cookie.domain, cookie.path, cookie.name
        key = (domain, path, name)
        stamp = self._created.get(key)
        twin = _twin(domain)
        if twin != domain and name in self._cookies.get(twin, {}).get(path, {}):
            stamp = self._created.get((twin, path, name), stamp)
            self._remove(twin, path, name)
        if stamp is None:
            self._stamp += 1
            stamp = self._stamp
        names = self._cookies.setdefault(domain, {}).setdefault(path, {})
        replaced = names.get(name)
        if replaced is not None and replaced.secure:
            self._count_secure(name, -1)
        if cookie.secure:
            self._count_secure(name, 1)
        names[name] = cookie
        self._created[key] = stamp

    def _count_secure(self, name: str, change: int) -> None:
        count = self._secure_names.get(name, 0) + change
        if count > 0:
            self._secure_names[name] = count
        else:
            self._secure_names.pop(name, None)

    def _remove(self, domain: str, path: str, name: str) -> None:
        paths = self._cookies.get(domain)
        if paths is None or name not in paths.get(path, {}):
            return
        names = paths[path]
        if names.pop(name).secure:
            self._count_secure(name, -1)
        if not names:
            del paths[path]
            if not paths:
                del self._cookies[domain]
        self._created.pop((domain, path, name), None)

    def _delete_everywhere(self, cookie: Cookie) -> None:
        self._remove(cookie.domain, cookie.path, cookie.name)
        self._remove(_twin(cookie.domain), cookie.path, cookie.name)

    def _matching(self, origin: Origin, now: int) -> list[Cookie]:
        found: list[tuple[int, int, Cookie]] = []
        expired: list[Cookie] = []
        host, request_path, secure = origin.host, origin.path, origin.secure
        created = self._created
        with self._cookies_lock:
            for key in origin.domain_keys:
                paths = self._cookies.get(key)
                if paths is None:
                    continue
                # Keys without a leading dot other than the host itself hold host-only
                # cookies of another host, unless the cookie says domain_specified.
                any_cookie = key == host or not key or key[0] == "."
                for cookie_path, names in paths.items():
                    if not path_match(request_path, cookie_path):
                        continue
                    for cookie in names.values():
                        if not (any_cookie or cookie.domain_specified):
                            continue
                        if cookie.secure and not secure:
                            continue
                        if cookie.expires is not None and cookie.expires <= now:
                            expired.append(cookie)
                            continue
                        stamp = created.get((key, cookie_path, cookie.name), 0)
                        found.append((-len(cookie_path), stamp, cookie))
            for cookie in expired:
                self._remove(cookie.domain, cookie.path, cookie.name)
        found.sort(key=_ORDER)
        return [entry[2] for entry in found]

    def _blocked_by_secure(self, cookie: Cookie) -> bool:
        # rfc6265bis "leave secure cookies alone": an insecure origin may not set a
        # cookie that would shadow or replace a Secure cookie of the same name.
        if cookie.name not in self._secure_names:
            return False
        bare = cookie.domain.removeprefix(".")
        for domain, paths in self._cookies.items():
            other = domain.removeprefix(".")
            if not other or not (domain_match(bare, other) or domain_match(other, bare)):
                continue
            for cookie_path, names in paths.items():
                existing = names.get(cookie.name)
                if (
                    existing is not None
                    and existing.secure
                    and path_match(cookie.path, cookie_path)
                ):
                    return True
        return False

    def _enforce_limits(self, domain: str, now: int) -> None:
        bare = domain.removeprefix(".")
        keys = [key for key in (bare, "." + bare) if key in self._cookies]
        count = sum(len(names) for key in keys for names in self._cookies[key].values())
        if count > self.max_cookies_per_domain:
            in_domain = [
                (self._created.get((key, path, name), 0), key, path, name)
                for key in keys
                for path, names in self._cookies[key].items()
                for name in names
            ]
            self._evict(in_domain, count - self.max_cookies_per_domain, now)
        total = len(self._created)
        if total > self.max_cookies:
            everything = [(stamp, *key) for key, stamp in self._created.items()]
            self._evict(everything, total - self.max_cookies, now)

    def _evict(self, entries: list[tuple[int, str, str, str]], count: int, now: int) -> None:
        def expired_first(entry: tuple[int, str, str, str]) -> tuple[bool, int]:
            cookie = self._cookies[entry[1]][entry[2]][entry[3]]
            return (cookie.expires is None or cookie.expires > now, entry[0])

        for _, domain, path, name in sorted(entries, key=expired_first)[:count]:
            self._remove(domain, path, name)


def store(jar: CookieJar, cookie: Cookie, origin: Origin, now: int) -> None:
    """Store a cookie a server at `origin` sent, deleting it instead if it has expired."""
    expired = cookie.expires is not None and cookie.expires <= now
    if isinstance(jar, RFC6265CookieJar):
        with jar._cookies_lock:
            if not cookie.secure and not origin.secure and jar._blocked_by_secure(cookie):
                return
            if expired:
                jar._delete_everywhere(cookie)
            else:
                jar._put(cookie)
        return
    # Any other CookieJar: the same rules through its public interface.
    if not cookie.secure and not origin.secure:
        for existing in list(jar):
            if existing.secure and existing.name == cookie.name and _related(existing, cookie):
                return
    for domain in (cookie.domain, _twin(cookie.domain)):
        with contextlib.suppress(KeyError):
            jar.clear(domain, cookie.path, cookie.name)
    if not expired:
        jar.set_cookie(cookie)


def _related(existing: Cookie, cookie: Cookie) -> bool:
    bare = cookie.domain.removeprefix(".")
    other = existing.domain.lower().removeprefix(".")
    domains = domain_match(bare, other) or domain_match(other, bare)
    return domains and path_match(cookie.path, existing.path)


def extract(jar: CookieJar, url: object, lines: Iterable[str]) -> None:
    """Store into `jar` the cookies of Set-Cookie header values received from `url`."""
    origin = origin_of(url)
    now = int(time.time())
    domains = set()
    for line in lines:
        parsed = parse_set_cookie(line)
        if parsed is not None:
            cookie = resolve(parsed, origin, now)
            if cookie is not None:
                store(jar, cookie, origin, now)
                domains.add(cookie.domain)
    if domains and isinstance(jar, RFC6265CookieJar):
        # Limits are applied once per response: one response may overshoot them only
        # transiently, by at most the number of its own Set-Cookie lines.
        with jar._cookies_lock:
            for domain in domains:
                jar._enforce_limits(domain, now)


def _generic_match(cookie: Cookie, origin: Origin) -> bool:
    domain = cookie.domain.lower()
    if domain:
        if cookie.domain_specified or domain[0] == ".":
            if not domain_match(origin.host, domain.removeprefix(".")):
                return False
        elif domain != origin.host:
            return False
    if cookie.secure and not origin.secure:
        return False
    return path_match(origin.path, cookie.path or "/")


def matching_cookies(jar: CookieJar, url: object, now: int | None = None) -> list[Cookie]:
    """The cookies of `jar` to send to `url`, in RFC 6265 5.4 order; expired ones are dropped."""
    origin = origin_of(url)
    now = int(time.time()) if now is None else now
    if isinstance(jar, RFC6265CookieJar):
        return jar._matching(origin, now)
    found = []
    for index, cookie in enumerate(list(jar)):
        if cookie.expires is not None and cookie.expires <= now:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        elif _generic_match(cookie, origin):
            found.append((-len(cookie.path), index, cookie))
    found.sort(key=_ORDER)
    return [entry[2] for entry in found]


def cookie_header(jar: CookieJar, url: object) -> str:
    """The Cookie header value for a request to `url` ("" when no cookie applies)."""
    pairs = []
    for cookie in matching_cookies(jar, url):
        value = cookie.value
        pairs.append(cookie.name if value is None else f"{cookie.name}={value}")
    return "; ".join(pairs)
