"""The RFC 6265 storage rules: which Set-Cookie lines a request may store, and how.

Cookies are stored as `http.cookiejar.Cookie` objects so that every `CookieJar` (and
code written against one) can hold them. The RFC 6265 model maps onto them this way:

- a host-only cookie has `domain` = the canonical request host and
  `domain_specified=False`; a domain cookie has `domain` = "." + the Domain attribute
  and `domain_specified=True` (the stdlib's own convention, so `jar.clear(".a.com")`
  and cookies.txt files keep meaning the same thing);
- a cookie whose `domain` is "" is sent to every host: that is what
  `Cookies.set(name, value)` without a domain means in httpx, kept for compatibility;
- expiry is `expires` (whole seconds since the epoch) with `discard=True` for session
  cookies; HttpOnly and SameSite live in the nonstandard attributes, read with
  `cookie.has_nonstandard_attr("HttpOnly")` and `cookie.get_nonstandard_attr("SameSite")`.

Rules enforced here, each with its source:
- RFC 6265 5.3 steps 4-6: the Domain attribute must domain-match the request host and
  must not be a public suffix (unless it is the host itself, which makes the cookie
  host-only); IP-address hosts only ever get host-only cookies (RFC 6265 5.1.3).
- RFC 6265 5.1.4 / 5.2.4: a missing or relative Path becomes the default-path.
- rfc6265bis: a Secure cookie can only be set from a secure origin; "__Secure-" names
  need the Secure attribute; "__Host-" names need Secure, no Domain attribute and
  Path=/ (prefixes compared case-insensitively, as the current draft says).
- RFC 6265 5.3 step 3: Max-Age beats Expires; rfc6265bis caps either at 400 days.
"""

from __future__ import annotations

from http.cookiejar import Cookie
from typing import Any

from ._origin import Origin, default_path, domain_match
from ._parser import SetCookie
from ._psl import is_public_suffix

__all__ = ["MAX_LIFETIME", "cookie_allowed", "domain_cookie", "make_cookie", "resolve"]

# rfc6265bis, "Limits on Cookie Lifetime": 400 days, what Chrome, Firefox and curl cap at.
MAX_LIFETIME = 400 * 24 * 60 * 60
_SECURE_PREFIX = "__secure-"
_HOST_PREFIX = "__host-"


def make_cookie(
    name: str,
    value: str | None,
    *,
    domain: str,
    domain_specified: bool,
    path: str,
    path_specified: bool = True,
    secure: bool = False,
    expires: int | None = None,
    http_only: bool = False,
    same_site: str | None = None,
) -> Cookie:
    """Build a stdlib Cookie in the representation described in this module's docstring.

    `domain` is stored as given: the host for a host-only cookie, "." + the domain for
    a domain cookie (`domain_specified=True`), "" for a cookie sent everywhere.
    """
    rest: dict[str, str] = {}
    if http_only:
        rest["HttpOnly"] = ""
    if same_site is not None:
        rest["SameSite"] = same_site
    return Cookie(
        0,
        name,
        value,
        None,
        False,
        domain,
        domain_specified,
        domain.startswith("."),
        path,
        path_specified,
        secure,
        expires,
        expires is None,
        None,
        None,
        rest,
    )


def domain_cookie(
    name: str, value: str | None, *, domain: str, host_only: bool, **kwargs: Any
) -> Cookie:
    """A Cookie for a bare domain: host-only as is, a domain cookie with a leading dot."""
    if host_only or not domain:
        return make_cookie(name, value, domain=domain, domain_specified=False, **kwargs)
    return make_cookie(name, value, domain="." + domain, domain_specified=True, **kwargs)


def _prefix_ok(name: str, secure: bool, host_only: bool, path: str | None) -> bool:
    if len(name) < len(_HOST_PREFIX) or name[0] != "_":
        return True
    lowered = name.lower()
    if lowered.startswith(_SECURE_PREFIX):
        return secure
    if lowered.startswith(_HOST_PREFIX):
        return secure and host_only and path == "/"
    return True


def _canonical_domain(domain: str) -> str | None:
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def resolve(parsed: SetCookie, origin: Origin, now: int) -> Cookie | None:
    """Apply the storage model to a parsed Set-Cookie from `origin`: a Cookie, or None.

    The Cookie returned may already be expired: storing it deletes its predecessor.
    """
    host = origin.host
    domain = parsed.domain
    host_only = True
    stored = host
    if domain:
        domain = _canonical_domain(domain)
        if domain is None:
            return None
        if origin.is_ip or is_public_suffix(domain):
            # A public suffix (or an IP address) may only name the host itself, and the
            # cookie then stays host-only (RFC 6265 5.3 step 5).
            if domain != host:
                return None
        elif domain_match(host, domain):
            host_only = False
            stored = "." + domain
        else:
            return None
    if parsed.secure and not origin.secure:
        return None
    if not _prefix_ok(parsed.name, parsed.secure, host_only and not domain, parsed.path):
        return None
    if parsed.max_age is not None:
        expires: int | None = now + min(parsed.max_age, MAX_LIFETIME)
        if parsed.max_age <= 0:
            expires = 0
    elif parsed.expires is not None:
        expires = min(parsed.expires, now + MAX_LIFETIME)
    else:
        expires = None
    path = parsed.path
    rest: dict[str, str] = {}
    if parsed.http_only:
        rest["HttpOnly"] = ""
    if parsed.same_site is not None:
        rest["SameSite"] = parsed.same_site
    return Cookie(
        0,
        parsed.name,
        parsed.value,
        None,
        False,
        stored,
        not host_only,
        not host_only,
        default_path(origin.path) if path is None else path,
        path is not None,
        parsed.secure,
        expires,
        expires is None,
        None,
        None,
        rest,
    )


def cookie_allowed(cookie: Cookie, origin: Origin) -> bool:
    """Whether a server at `origin` may set `cookie` (for `CookieJar.set_cookie_if_ok`)."""
    if not cookie.name:
        return False
    domain = cookie.domain.lower()
    host_only = not cookie.domain_specified and not domain.startswith(".")
    bare = domain.removeprefix(".")
    host = origin.host
    if not bare:
        return False
    if bare != host and (
        host_only or origin.is_ip or is_public_suffix(bare) or not domain_match(host, bare)
    ):
        return False
    if cookie.secure and not origin.secure:
        return False
    path = cookie.path if cookie.path_specified else None
    return _prefix_ok(cookie.name, cookie.secure, host_only, path)
