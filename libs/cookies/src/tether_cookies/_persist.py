"""Saving and loading cookies: Netscape cookies.txt and JSON.

Netscape/Mozilla cookies.txt is what curl (`-c`/`-b`), wget and browser extensions
write: one cookie per line, seven TAB-separated fields
`domain  include-subdomains  path  secure  expires  name  value`, `#` comments, and
curl's `#HttpOnly_` prefix on the domain of HttpOnly cookies. A session cookie has
expiry 0 (curl's convention; an empty field is read the same way, as the stdlib's
MozillaCookieJar writes it).

The JSON format is a list of objects shaped like the browser extension API's cookie
(`chrome.cookies.Cookie`, which cookie export extensions use): `name`, `value`,
`domain` (with a leading dot for domain cookies), `hostOnly`, `path`, `secure`,
`httpOnly`, `sameSite` ("no_restriction", "lax", "strict" or "unspecified"),
`session` and `expirationDate` (seconds since the epoch, absent for session cookies).

Invariants:
- Loading validates every field and raises CookieFileError naming the file and the
  line; it never raises a bare ValueError/KeyError/UnicodeError, and it is linear in
  the size of the file.
- Expired cookies are neither saved nor loaded. Session cookies are saved and loaded
  unless `session=False` (curl keeps them too; the stdlib drops them by default, which
  surprises people resuming a login).
- Saving writes a temporary file beside the target and renames it over the target,
  so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterable
from http.cookiejar import Cookie
from typing import Any

from ._exceptions import CookieFileError
from ._rules import domain_cookie
from ._types import FileFormat, PathType

__all__ = ["dump", "load_file", "parse", "save_file"]

_HTTPONLY_PREFIX = "#HttpOnly_"
_HEADER = (
    "# Netscape HTTP Cookie File\n"
    "# Written by tether-cookies: domain, include-subdomains, path, secure, expires, name,"
    " value.\n\n"
)
# Control characters other than TAB never belong in a field (RFC 6265bis storage model).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BAD_NAME = re.compile(r"[\x00-\x20\x7f;=]")
_BAD_DOMAIN = re.compile(r"[\x00-\x20\x7f/\\?#@;]")
_JSON_SPACE = re.compile(r"[ \t\r\n]*")
_INTEGER = re.compile(r"-?[0-9]{1,19}\Z")
_SAME_SITE_OUT = {"None": "no_restriction", "Lax": "lax", "Strict": "strict"}
_SAME_SITE_IN = {
    "no_restriction": "None",
    "none": "None",
    "lax": "Lax",
    "strict": "Strict",
    "unspecified": None,
}


def _live(cookies: Iterable[Cookie], now: int, session: bool) -> list[Cookie]:
    return [
        cookie
        for cookie in cookies
        if (cookie.expires is None and session)
        or (cookie.expires is not None and cookie.expires > now)
    ]


def _is_domain_cookie(cookie: Cookie) -> bool:
    return bool(cookie.domain) and (cookie.domain_specified or cookie.domain.startswith("."))


def _same_site(cookie: Cookie) -> str | None:
    return cookie.get_nonstandard_attr("SameSite")


def dump(cookies: Iterable[Cookie], fmt: FileFormat, *, now: int, session: bool) -> str:
    """Serialise cookies to the text of a cookies.txt or JSON file."""
    live = _live(cookies, now, session)
    if fmt == "json":
        return _dump_json(live)
    lines = [_HEADER]
    for cookie in live:
        is_domain = _is_domain_cookie(cookie)
        domain = cookie.domain.removeprefix(".")
        if is_domain:
            domain = "." + domain
        if cookie.has_nonstandard_attr("HttpOnly"):
            domain = _HTTPONLY_PREFIX + domain
        fields = (
            domain,
            "TRUE" if is_domain else "FALSE",
            cookie.path,
            "TRUE" if cookie.secure else "FALSE",
            str(cookie.expires or 0),
            # A cookie without a value is written as the stdlib does: an empty name.
            *(("", cookie.name) if cookie.value is None else (cookie.name, cookie.value)),
        )
        lines.append("\t".join(fields) + "\n")
    return "".join(lines)


def _dump_json(cookies: list[Cookie]) -> str:
    entries = []
    for cookie in cookies:
        is_domain = _is_domain_cookie(cookie)
        domain = cookie.domain.removeprefix(".")
        entry: dict[str, Any] = {
            "name": cookie.name,
            "value": cookie.value or "",
            "domain": "." + domain if is_domain else domain,
            "hostOnly": not is_domain and bool(domain),
            "path": cookie.path,
            "secure": cookie.secure,
            "httpOnly": cookie.has_nonstandard_attr("HttpOnly"),
            "sameSite": _SAME_SITE_OUT.get(_same_site(cookie) or "", "unspecified"),
            "session": cookie.expires is None,
        }
        if cookie.expires is not None:
            entry["expirationDate"] = cookie.expires
        entries.append(json.dumps(entry, ensure_ascii=False))
    # One cookie per line, so a problem in a hand-edited file is reported by line.
    return "[\n" + ",\n".join(entries) + "\n]\n" if entries else "[]\n"


def _check_text(value: str, what: str, where: tuple[str, int]) -> None:
    if _CONTROL.search(value):
        raise CookieFileError(*where, f"{what} contains a control character: {value!r}")


def _build(
    where: tuple[str, int],
    *,
    name: str,
    value: str,
    domain: str,
    host_only: bool,
    path: str,
    secure: bool,
    expires: int | None,
    http_only: bool,
    same_site: str | None,
) -> Cookie:
    stored_value: str | None = value
    if not name and value:
        # cookies.txt spells a cookie without a value ("Set-Cookie: foo") with an empty
        # name, as http.cookiejar.MozillaCookieJar writes it.
        name, stored_value = value, None
    if not name or _BAD_NAME.search(name):
        raise CookieFileError(*where, f"invalid cookie name {name!r}")
    _check_text(value, "cookie value", where)
    if ";" in value:
        raise CookieFileError(*where, f"cookie value contains ';': {value!r}")
    domain = domain.lower()
    if _BAD_DOMAIN.search(domain):
        raise CookieFileError(*where, f"invalid domain {domain!r}")
    if not path.startswith("/"):
        raise CookieFileError(*where, f"path must start with '/', got {path!r}")
    _check_text(path, "path", where)
    return domain_cookie(
        name,
        stored_value,
        domain=domain.removeprefix("."),
        host_only=host_only,
        path=path,
        secure=secure,
        expires=expires,
        http_only=http_only,
        same_site=same_site,
    )


def _flag(text: str, field: str, where: tuple[str, int]) -> bool:
    upper = text.upper()
    if upper not in ("TRUE", "FALSE"):
        raise CookieFileError(*where, f"{field} must be TRUE or FALSE, got {text!r}")
    return upper == "TRUE"


def _parse_netscape(data: bytes, filename: str) -> list[Cookie]:
    cookies = []
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        where = (filename, lineno)
        try:
            line = raw.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError as exc:
            raise CookieFileError(*where, f"not UTF-8 ({exc.reason})") from None
        http_only = line.startswith(_HTTPONLY_PREFIX)
        if http_only:
            line = line[len(_HTTPONLY_PREFIX) :]
        elif not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) == 6:
            fields.append("")  # curl writes a cookie with an empty value this way
        if len(fields) != 7:
            raise CookieFileError(
                *where, f"expected 7 TAB-separated fields, got {len(fields)}: {line[:80]!r}"
            )
        domain, subdomains, path, secure, expires_text, name, value = fields
        if expires_text in ("", "0"):
            expires = None
        elif _INTEGER.match(expires_text):
            expires = int(expires_text)
        else:
            raise CookieFileError(*where, f"expiry must be an integer, got {expires_text!r}")
        cookies.append(
            _build(
                where,
                name=name,
                value=value,
                domain=domain,
                host_only=not _flag(subdomains, "include-subdomains", where) and bool(domain),
                path=path,
                secure=_flag(secure, "secure", where),
                expires=expires,
                http_only=http_only,
                same_site=None,
            )
        )
    return cookies


def _field(
    entry: dict[str, Any], key: str, kind: type, default: Any, where: tuple[str, int]
) -> Any:
    value = entry.get(key, default)
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and abs(value) < 1e13
    else:
        ok = isinstance(value, kind)
    if not ok:
        expected = "a number" if kind is float else f"a {kind.__name__}"
        raise CookieFileError(*where, f"{key!r} must be {expected}, got {value!r}")
    return value


def _json_entries(text: str, filename: str) -> list[tuple[int, Any]]:
    """The elements of a top-level JSON array, each with the line it starts on."""
    decoder = json.JSONDecoder()
    entries: list[tuple[int, Any]] = []

    counted = [0, 1]  # offset up to which newlines were counted, and the line there

    def line_at(offset: int) -> int:
        # Offsets only grow, so counting from the last one keeps this linear overall.
        start, line = counted
        counted[:] = [offset, line + text.count("\n", start, offset)]
        return counted[1]

    def skip(offset: int) -> int:
        return _JSON_SPACE.match(text, offset).end()  # type: ignore[union-attr]

    offset = skip(0)
    if text[offset : offset + 1] != "[":
        raise CookieFileError(filename, line_at(offset), "a JSON cookies file must be a list")
    offset = skip(offset + 1)
    if text[offset : offset + 1] == "]":
        offset += 1
    else:
        while True:
            try:
                value, end = decoder.raw_decode(text, offset)
            except json.JSONDecodeError as exc:
                raise CookieFileError(filename, exc.lineno, f"invalid JSON: {exc.msg}") from None
            except RecursionError:
                raise CookieFileError(filename, line_at(offset), "JSON nested too deeply") from None
            entries.append((line_at(offset), value))
            offset = skip(end)
            separator = text[offset : offset + 1]
            offset = skip(offset + 1)
            if separator == "]":
                break
            if separator != ",":
                raise CookieFileError(filename, line_at(offset), "expected ',' or ']'")
    if skip(offset) != len(text):
        raise CookieFileError(filename, line_at(offset), "unexpected data after the list")
    return entries


def _parse_json(data: bytes, filename: str) -> list[Cookie]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CookieFileError(filename, line, f"not UTF-8 ({exc.reason})") from None
    cookies = []
    for lineno, entry in _json_entries(text, filename):
        where = (filename, lineno)
        if not isinstance(entry, dict):
            raise CookieFileError(*where, f"each cookie must be a JSON object, got {entry!r:.80}")
        for key in ("name", "value", "domain"):
            if key not in entry:
                raise CookieFileError(*where, f"cookie has no {key!r}")
        domain = _field(entry, "domain", str, "", where)
        session = _field(entry, "session", bool, "expirationDate" not in entry, where)
        expires = None
        if not session:
            expires = int(_field(entry, "expirationDate", float, None, where))
        same_site_text = _field(entry, "sameSite", str, "unspecified", where)
        if same_site_text.lower() not in _SAME_SITE_IN:
            raise CookieFileError(*where, f"unknown sameSite value {same_site_text!r}")
        cookies.append(
            _build(
                where,
                name=_field(entry, "name", str, "", where),
                value=_field(entry, "value", str, "", where),
                domain=domain,
                host_only=_field(entry, "hostOnly", bool, not domain.startswith("."), where)
                and bool(domain),
                path=_field(entry, "path", str, "/", where),
                secure=_field(entry, "secure", bool, False, where),
                expires=expires,
                http_only=_field(entry, "httpOnly", bool, False, where),
                same_site=_SAME_SITE_IN[same_site_text.lower()],
            )
        )
    return cookies


def parse(data: bytes, filename: str, fmt: FileFormat | None = None) -> list[Cookie]:
    """Parse the bytes of a cookies file; the format is guessed when `fmt` is None.

    A file whose first non-blank character is "[" is JSON; anything else is cookies.txt.
    """
    if fmt is None:
        fmt = "json" if data.lstrip()[:1] == b"[" else "netscape"
    if fmt == "json":
        return _parse_json(data, filename)
    return _parse_netscape(data, filename)


def load_file(path: PathType, fmt: FileFormat | None, *, now: int, session: bool) -> list[Cookie]:
    """Read a cookies file: its unexpired cookies (session ones only if `session`)."""
    filename = os.fspath(path)
    with open(filename, "rb") as file:
        data = file.read()
    return _live(parse(data, filename, fmt), now, session)


def save_file(text: str, path: PathType) -> None:
    """Write a cookies file atomically (a temporary file renamed over the target)."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    descriptor, temporary = tempfile.mkstemp(prefix=".cookies-", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
