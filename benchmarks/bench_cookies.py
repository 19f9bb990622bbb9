"""Cookie benchmarks: storing a response's cookies, and building a request's Cookie header.

Candidates: tether_cookies.Cookies, httpx.Cookies (http.cookiejar under urllib shims)
and a bare http.cookiejar.CookieJar fed urllib objects built ahead of time. Each case
checks first that every candidate ends with the same cookies or the same header.
"""

from __future__ import annotations

import email.message
import http.cookiejar
import urllib.request

import httpx

from benchmarks._harness import Result, compare, report
from tether_cookies import Cookies

URL = "https://www.example.com/account/settings"
_ATTRIBUTES = (
    "Path=/; HttpOnly",
    "Path=/account; Secure",
    "Domain=example.com; Path=/",
    "Max-Age=3600; Path=/",
    "Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/; SameSite=Lax",
)
SET_COOKIES = [
    f"cookie{index}=value-{index:04d}-{'x' * 24}; {_ATTRIBUTES[index % len(_ATTRIBUTES)]}"
    for index in range(20)
]


class _UrllibResponse:
    """The shape http.cookiejar reads a response through: `info()` returning a Message."""

    def __init__(self, lines: list[str]) -> None:
        self._message = email.message.Message()
        for line in lines:
            self._message["Set-Cookie"] = line

    def info(self) -> email.message.Message:
        return self._message


def _response(url: str = URL) -> httpx.Response:
    request = httpx.Request("GET", url)
    return httpx.Response(
        200, headers=[("Set-Cookie", line) for line in SET_COOKIES], request=request
    )


def _names(jar: http.cookiejar.CookieJar) -> list[str]:
    return sorted(cookie.name for cookie in jar)


def _extract_case() -> list[Result]:
    response = _response()
    urllib_request = urllib.request.Request(URL)
    urllib_response = _UrllibResponse(SET_COOKIES)

    def tether() -> Cookies:
        cookies = Cookies()
        cookies.extract_cookies(response)
        return cookies

    def httpx_() -> httpx.Cookies:
        cookies = httpx.Cookies()
        cookies.extract_cookies(response)
        return cookies

    def stdlib() -> http.cookiejar.CookieJar:
        jar = http.cookiejar.CookieJar()
        jar.extract_cookies(urllib_response, urllib_request)  # type: ignore[arg-type]
        return jar

    expected = _names(tether().jar)
    assert len(expected) == len(SET_COOKIES), expected
    assert _names(httpx_().jar) == expected
    assert _names(stdlib()) == expected
    return compare(
        "extract 20 Set-Cookie", {"tether": tether, "httpx": httpx_, "http.cookiejar": stdlib}
    )


def _header_case(other_sites: int = 0) -> list[Result]:
    cookies = Cookies()
    peer = httpx.Cookies()
    jar = http.cookiejar.CookieJar()
    # Cookies of other sites first (a long-lived client's jar), then the target's.
    urls = [f"https://site{number}.example.org/" for number in range(other_sites)] + [URL]
    for url in urls:
        response = _response(url)
        cookies.extract_cookies(response)
        peer.extract_cookies(response)
        jar.extract_cookies(_UrllibResponse(SET_COOKIES), urllib.request.Request(url))  # type: ignore[arg-type]
    request = httpx.Request("GET", URL)
    peer_request = httpx.Request("GET", URL)
    urllib_request = urllib.request.Request(URL)

    def tether() -> None:
        cookies.set_cookie_header(request)
        del request.headers["Cookie"]

    def httpx_() -> None:
        peer.set_cookie_header(peer_request)
        del peer_request.headers["Cookie"]

    def stdlib() -> None:
        jar.add_cookie_header(urllib_request)
        del urllib_request.unredirected_hdrs["Cookie"]

    expected = sorted(cookies.cookie_header(URL).split("; "))
    assert len(expected) == len(SET_COOKIES), expected
    peer.set_cookie_header(peer_request)
    assert sorted(peer_request.headers["Cookie"].split("; ")) == expected
    del peer_request.headers["Cookie"]
    jar.add_cookie_header(urllib_request)
    assert sorted(urllib_request.unredirected_hdrs["Cookie"].split("; ")) == expected
    del urllib_request.unredirected_hdrs["Cookie"]
    case = f"Cookie header, {len(urls) * len(SET_COOKIES)} in jar"
    return compare(case, {"tether": tether, "httpx": httpx_, "http.cookiejar": stdlib})


def main() -> str:
    """Run the cookie cases and return the report."""
    return report(
        "cookies: tether_cookies vs httpx.Cookies and http.cookiejar",
        [
            *_extract_case(),
            *_header_case(),
            *_header_case(other_sites=24),
        ],
    )
