"""RFC6265CookieJar as a CookieJar, and the same rules over any other CookieJar."""

from __future__ import annotations

import email.message
import http.client
import http.cookiejar
import http.server
import pickle
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any, cast

import pytest

from tether_cookies import Cookies, RFC6265CookieJar
from tether_cookies._jar import cookie_header, extract, matching_cookies


class _Response:
    """What http.cookiejar reads from a urllib response: info() with Set-Cookie headers."""

    def __init__(self, *lines: str) -> None:
        self._message = email.message.Message()
        for line in lines:
            self._message["Set-Cookie"] = line

    def info(self) -> email.message.Message:
        return self._message


def _urllib_response(*lines: str) -> http.client.HTTPResponse:
    """A _Response typed as what CookieJar's signatures name."""
    return cast(http.client.HTTPResponse, _Response(*lines))


def _names(jar: http.cookiejar.CookieJar) -> list[str]:
    return [cookie.name for cookie in jar]


# -- the urllib door -------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (self.headers.get("Cookie") or "").encode()
        self.send_response(200)
        self.send_header("Set-Cookie", f"visit={self.path.strip('/')}; Path=/")
        self.send_header("Set-Cookie", "secret=1; Secure")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_urllib_opener_stores_and_sends_cookies_through_the_jar(server: str) -> None:
    jar = RFC6265CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{server}/one", timeout=5) as first:
        assert first.read() == b""
    with opener.open(f"{server}/two", timeout=5) as second:
        # 127.0.0.1 is a secure context, so the Secure cookie was kept and is sent.
        assert second.read() == b"visit=one; secret=1"
    assert sorted(_names(jar)) == ["secret", "visit"]


def test_add_cookie_header_keeps_an_existing_header() -> None:
    jar = RFC6265CookieJar()
    extract(jar, "https://example.com/", ["a=1"])
    request = urllib.request.Request("https://example.com/", headers={"Cookie": "mine=1"})
    jar.add_cookie_header(request)
    assert request.get_header("Cookie") == "mine=1"
    fresh = urllib.request.Request("https://example.com/")
    jar.add_cookie_header(fresh)
    assert fresh.unredirected_hdrs["Cookie"] == "a=1"


def test_extract_cookies_applies_rfc_rules_to_urllib_objects() -> None:
    jar = RFC6265CookieJar()
    request = urllib.request.Request("https://www.example.com/")
    jar.extract_cookies(
        _urllib_response("a=1", "b=2; Domain=com", "c=3; Domain=example.com"), request
    )
    assert [(c.name, c.domain) for c in jar] == [("a", "www.example.com"), ("c", ".example.com")]


def test_make_cookies_returns_acceptable_cookies_without_storing() -> None:
    jar = RFC6265CookieJar()
    request = urllib.request.Request("http://example.com/")
    made = jar.make_cookies(_urllib_response("a=1", "b=2; Secure", "bad"), request)
    assert [cookie.name for cookie in made] == ["a"]
    assert len(jar) == 0


def test_set_cookie_if_ok_checks_the_cookie_against_the_request() -> None:
    jar = RFC6265CookieJar()
    request = urllib.request.Request("http://www.example.com/")
    (ok,) = jar.make_cookies(_urllib_response("ok=1; Domain=example.com"), request)
    (other,) = jar.make_cookies(
        _urllib_response("other=1"), urllib.request.Request("http://evil.com/")
    )
    (secure,) = jar.make_cookies(
        _urllib_response("s=1; Secure"), urllib.request.Request("https://www.example.com/")
    )
    (public,) = jar.make_cookies(
        _urllib_response("p=1; Domain=co.uk"), urllib.request.Request("https://co.uk/")
    )
    public.domain, public.domain_specified = ".co.uk", True
    for cookie in (ok, other, secure, public):
        jar.set_cookie_if_ok(cookie, request)
    nameless = http.cookiejar.Cookie(
        0,
        "",
        "v",
        None,
        False,
        "www.example.com",
        False,
        False,
        "/",
        False,
        False,
        None,
        True,
        None,
        None,
        {},
    )
    jar.set_cookie_if_ok(nameless, request)
    prefixed = http.cookiejar.Cookie(
        0,
        "__Host-x",
        "v",
        None,
        False,
        ".example.com",
        True,
        True,
        "/",
        True,
        False,
        None,
        True,
        None,
        None,
        {},
    )
    jar.set_cookie_if_ok(prefixed, request)
    wildcard = http.cookiejar.Cookie(
        0, "w", "v", None, False, "", False, False, "/", True, False, None, True, None, None, {}
    )
    jar.set_cookie_if_ok(wildcard, request)
    assert _names(jar) == ["ok"]


# -- the stdlib CookieJar contract ---------------------------------------------------------


def test_clear_follows_the_stdlib_contract() -> None:
    jar = RFC6265CookieJar()
    extract(jar, "https://example.com/a/", ["x=1", "y=2; Path=/", "z=3; Path=/"])
    with pytest.raises(KeyError):
        jar.clear("example.com", "/", "missing")
    with pytest.raises(KeyError):
        jar.clear("missing.example")
    with pytest.raises(ValueError, match="needs a path"):
        jar.clear("example.com", name="x")
    with pytest.raises(ValueError, match="needs a domain"):
        jar.clear(path="/")
    jar.clear("EXAMPLE.com", "/", "y")
    assert _names(jar) == ["x", "z"]
    jar.clear("example.com", "/a")
    assert _names(jar) == ["z"]
    jar.clear("example.com")
    assert len(jar) == 0
    assert jar._cookies == {}
    assert jar._created == {}


def test_clear_session_and_expired_cookies_keep_the_books_straight() -> None:
    jar = RFC6265CookieJar()
    extract(
        jar, "https://example.com/", ["session=1", "lasting=1; Max-Age=600", "short=1; Max-Age=600"]
    )
    for cookie in jar:
        if cookie.name == "short":
            cookie.expires = int(time.time()) - 1
    jar.clear_expired_cookies()
    assert _names(jar) == ["session", "lasting"]
    jar.clear_session_cookies()
    assert _names(jar) == ["lasting"]
    assert list(jar._created) == [("example.com", "/", "lasting")]


def test_set_cookie_lowercases_the_domain_without_touching_the_original() -> None:
    original = http.cookiejar.Cookie(
        0, "a", "1", None, False, "x", False, False, "/", False, False, None, True, None, None, {}
    )
    original.domain = "Example.COM"  # Cookie() lower-cases, but the attribute is writable
    jar = RFC6265CookieJar()
    jar.set_cookie(original)
    (stored,) = jar
    assert stored.domain == "example.com"
    assert original.domain == "Example.COM"


def test_jar_repr_and_len() -> None:
    jar = RFC6265CookieJar()
    extract(jar, "https://example.com/", ["a=1", "b=2"])
    assert len(jar) == 2
    assert repr(jar).startswith("<RFC6265CookieJar[Cookie(version=0, name='a'")


def test_jar_pickles_with_its_creation_order() -> None:
    jar = RFC6265CookieJar()
    extract(jar, "https://example.com/", ["z=1", "a=2; Path=/"])
    clone = pickle.loads(pickle.dumps(jar))
    assert cookie_header(clone, "https://example.com/") == "z=1; a=2"
    extract(clone, "https://example.com/", ["n=3"])
    assert cookie_header(clone, "https://example.com/") == "z=1; a=2; n=3"


def test_matching_cookies_in_order_with_an_explicit_now() -> None:
    jar = RFC6265CookieJar()
    extract(jar, "https://example.com/a/b", ["deep=1", "root=1; Path=/; Max-Age=100"])
    names = [cookie.name for cookie in matching_cookies(jar, "https://example.com/a/b", now=0)]
    assert names == ["deep", "root"]
    later = int(time.time()) + 1000
    assert [
        cookie.name for cookie in matching_cookies(jar, "https://example.com/a/b", now=later)
    ] == ["deep"]


def test_concurrent_extraction_loses_nothing() -> None:
    jar = RFC6265CookieJar()

    def work(thread: int) -> None:
        for index in range(50):
            extract(jar, f"https://t{thread}.example/", [f"c{index}=1"])

    threads = [threading.Thread(target=work, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(jar) == 200
    assert len(jar._created) == 200


# -- the same rules over a foreign CookieJar ----------------------------------------------


def test_rules_apply_to_a_plain_stdlib_jar() -> None:
    jar = http.cookiejar.CookieJar()
    cookies = Cookies(jar)
    cookies.extract_from_headers(
        "https://www.example.com/docs/",
        [
            ("set-cookie", "host=1"),
            ("set-cookie", "dom=1; Domain=example.com; Path=/"),
            ("set-cookie", "bad=1; Domain=com"),
        ],
    )
    assert sorted(_names(jar)) == ["dom", "host"]
    assert cookies.cookie_header("https://www.example.com/docs/x") == "host=1; dom=1"
    assert cookies.cookie_header("https://api.example.com/docs/x") == "dom=1"
    assert cookies.cookie_header("http://www.example.com/") == "dom=1"
    assert cookies.cookie_header("https://example.org/docs/") == ""


def test_foreign_jar_twin_replacement_and_deletion() -> None:
    jar = http.cookiejar.CookieJar()
    cookies = Cookies(jar)
    cookies.extract_from_headers("https://example.com/", {"set-cookie": "a=host"})
    cookies.extract_from_headers(
        "https://example.com/", {"set-cookie": "a=dom; Domain=example.com"}
    )
    assert [(c.name, c.value, c.domain) for c in jar] == [("a", "dom", ".example.com")]
    cookies.extract_from_headers("https://example.com/", {"set-cookie": "a=; Max-Age=0"})
    assert len(jar) == 0


def test_foreign_jar_secure_cookies_are_protected_and_not_leaked() -> None:
    jar = http.cookiejar.CookieJar()
    cookies = Cookies(jar)
    cookies.extract_from_headers("https://example.com/", {"set-cookie": "s=1; Secure"})
    cookies.extract_from_headers("http://example.com/", {"set-cookie": "s=2"})
    cookies.extract_from_headers("http://example.com/", {"set-cookie": "t=2"})
    assert cookies.cookie_header("https://example.com/") == "s=1; t=2"
    assert cookies.cookie_header("http://example.com/") == "t=2"


def test_foreign_jar_expired_cookies_are_dropped_when_met() -> None:
    jar = http.cookiejar.CookieJar()
    cookies = Cookies(jar)
    cookies.extract_from_headers("https://example.com/", {"set-cookie": ["a=1; Max-Age=60", "b=1"]})
    for cookie in jar:
        if cookie.name == "a":
            cookie.expires = int(time.time()) - 5
    assert cookies.cookie_header("https://example.com/") == "b=1"
    assert _names(jar) == ["b"]


def test_foreign_jar_orders_longer_paths_first_then_jar_order() -> None:
    jar = http.cookiejar.CookieJar()
    cookies = Cookies(jar)
    cookies.extract_from_headers(
        "https://example.com/a/b",
        [
            ("set-cookie", "one=1; Path=/"),
            ("set-cookie", "two=1"),
            ("set-cookie", "three=1; Path=/"),
        ],
    )
    assert cookies.cookie_header("https://example.com/a/b") == "two=1; one=1; three=1"


def test_foreign_jar_host_only_and_valueless_cookies() -> None:
    jar = http.cookiejar.CookieJar()
    jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            "flag",
            None,
            None,
            False,
            "example.com",
            False,
            False,
            "/",
            False,
            False,
            None,
            True,
            None,
            None,
            {},
        )
    )
    jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            "wild",
            "1",
            None,
            False,
            "",
            False,
            False,
            "",
            False,
            False,
            None,
            True,
            None,
            None,
            {},
        )
    )
    cookies = Cookies(jar)
    assert cookies.cookie_header("https://example.com/") == "flag; wild=1"
    assert cookies.cookie_header("https://www.example.com/") == "wild=1"


def test_mozilla_jar_in_place_can_be_saved_by_the_caller(tmp_path: Any) -> None:
    path = tmp_path / "cookies.txt"
    jar = http.cookiejar.MozillaCookieJar(str(path))
    cookies = Cookies(jar)
    cookies.extract_from_headers("https://example.com/", {"set-cookie": "a=1; Max-Age=600"})
    jar.save()
    reloaded = http.cookiejar.MozillaCookieJar(str(path))
    reloaded.load()
    assert _names(reloaded) == ["a"]
