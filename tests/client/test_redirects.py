"""The redirect policy, with httpx 0.28's `_build_redirect_request` as the oracle.

Each security rule has its own test, and each known client-side redirect CVE of urllib3,
requests and curl has a test named after it that replays the attack.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether import (
    Cookies,
    Headers,
    RemoteProtocolError,
    Request,
    Response,
    StreamConsumed,
    TooManyRedirects,
    UnsupportedProtocol,
)
from tether._redirects import (
    REDIRECT_STATUS_CODES,
    Origin,
    PinnedCookies,
    build_redirect_request,
    check_redirect_count,
    is_https_upgrade,
    is_same_origin,
    origin_of,
    redirect_cookie_header,
    redirect_headers,
    redirect_method,
    redirect_stream,
    redirect_url,
)
from tether_urls import URL

CREDENTIALS = ("Authorization", "Proxy-Authorization", "Cookie")


def _pair(
    method: str,
    url: str,
    status: int,
    location: str | None,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> tuple[Request, Response, httpx.Request, httpx.Response]:
    """The same request and redirect response, built with tether and with httpx."""
    # Received headers are bytes: a UTF-8 Location is decoded as such by both.
    response_headers = {} if location is None else {b"Location": location.encode()}
    request = Request(method, url, headers=headers, content=content)
    response = Response(status, headers=response_headers, request=request)
    theirs = httpx.Request(method, url, headers=headers, content=content)
    their_response = httpx.Response(status, headers=response_headers, request=theirs)
    return request, response, theirs, their_response


def _httpx_next(request: httpx.Request, response: httpx.Response) -> httpx.Request:
    with httpx.Client() as client:
        return client._build_redirect_request(request, response)


def _redirect(
    method: str,
    url: str,
    status: int,
    location: str,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    cookies: Cookies | None = None,
    pinned: PinnedCookies | None = None,
) -> Request:
    request = Request(method, url, headers=headers, content=content)
    response = Response(status, headers={b"Location": location.encode()}, request=request)
    return build_redirect_request(request, response, cookies=cookies, pinned=pinned)


def _body(request: Request) -> bytes:
    return b"".join(request.stream)  # type: ignore[arg-type]


# -- the method ------------------------------------------------------------------------

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@pytest.mark.parametrize("status", sorted(REDIRECT_STATUS_CODES))
@pytest.mark.parametrize("method", METHODS)
def test_redirect_method_like_httpx(method: str, status: int) -> None:
    *_, theirs, their_response = _pair(method, "https://h/a", status, "/b")
    with httpx.Client() as client:
        expected = client._redirect_method(theirs, their_response)
    assert redirect_method(method, status) == expected


def test_redirect_method_rules() -> None:
    assert redirect_method("POST", 303) == "GET"
    assert redirect_method("PUT", 303) == "GET"
    assert redirect_method("HEAD", 303) == "HEAD"
    assert redirect_method("POST", 302) == "GET"
    assert redirect_method("DELETE", 302) == "GET"
    assert redirect_method("POST", 301) == "GET"
    assert redirect_method("PUT", 301) == "PUT"
    assert redirect_method("POST", 307) == "POST"
    assert redirect_method("POST", 308) == "POST"


# -- the URL ---------------------------------------------------------------------------

SAME_URL_AS_HTTPX = [
    ("https://h/a/b", "/c"),
    ("https://h/a/b", "c"),
    ("https://h/a/b", "../c"),
    ("https://h/a/b", "?q=1"),
    ("https://h/a/b?x=1", "/c?y=2"),
    ("https://h/a/b", "https://other.example/path"),
    ("https://h/a/b", "http://other.example:8080/"),
    ("http://h:8080/a", "/b"),
    ("https://h/a", "//other.example/x"),
    ("https://h/a#keep", "/b"),
    ("https://h/a#old", "/b#new"),
    ("https://h/a", "/b#new"),
    ("https://h/a", "https://h/caf%C3%A9"),
    ("https://h/a", "https://bücher.de/"),
    ("https://h/a", "/naïve path"),
    ("http://[::1]:8000/a", "/b"),
    ("https://h/a", "http:/relative-with-scheme"),
]


@pytest.mark.parametrize(("url", "location"), SAME_URL_AS_HTTPX)
def test_redirect_url_like_httpx(url: str, location: str) -> None:
    request, response, theirs, their_response = _pair("GET", url, 302, location)
    assert str(redirect_url(request, response)) == str(_httpx_next(theirs, their_response).url)


def test_relative_location_is_resolved_by_rfc3986() -> None:
    request, response, *_ = _pair("GET", "https://h/a/b/c", 302, "../d")
    assert redirect_url(request, response) == URL("https://h/a/d")


def test_scheme_relative_location_keeps_the_scheme() -> None:
    request, response, *_ = _pair("GET", "http://h/a", 302, "//other.example/x")
    assert redirect_url(request, response) == URL("http://other.example/x")


def test_fragment_kept_from_original_when_location_has_none() -> None:
    # RFC 9110 section 10.2.2.
    request, response, *_ = _pair("GET", "https://h/a#section", 301, "/b")
    assert redirect_url(request, response).fragment == "section"
    request, response, *_ = _pair("GET", "https://h/a#section", 301, "/b#other")
    assert redirect_url(request, response).fragment == "other"


def test_location_with_scheme_but_no_host_takes_request_host_and_port() -> None:
    # encode/httpx#771; httpx takes the host but drops the port.
    request, response, theirs, their_response = _pair("GET", "http://h:8080/a", 302, "http:/b")
    assert str(_httpx_next(theirs, their_response).url) == "http://h/b"
    assert redirect_url(request, response) == URL("http://h:8080/b")


def test_location_with_other_scheme_and_no_host_takes_default_port() -> None:
    request, response, *_ = _pair("GET", "http://h:8080/a", 302, "https:/b")
    assert redirect_url(request, response) == URL("https://h/b")


def test_location_whitespace_is_stripped() -> None:
    request, response, *_ = _pair("GET", "https://h/a", 302, "  /b  ")
    assert redirect_url(request, response) == URL("https://h/b")


def test_empty_location_redirects_to_the_same_url() -> None:
    request, response, *_ = _pair("GET", "https://h/a?q=1", 302, "")
    assert redirect_url(request, response) == URL("https://h/a?q=1")


@pytest.mark.parametrize(
    "location",
    ["https://h:99999/", "http://exa mple.com/", "http:///no-host", "https://[::1/"],
)
def test_invalid_location_is_a_remote_protocol_error(location: str) -> None:
    request, response, *_ = _pair("GET", "https://h/a", 302, location)
    with pytest.raises(RemoteProtocolError, match="Invalid URL in the Location header") as info:
        redirect_url(request, response)
    assert info.value.request is request
    assert repr(location) in str(info.value)


def test_invalid_location_redacts_password() -> None:
    request, response, *_ = _pair("GET", "https://h/a", 302, "https://user:hunter2@h:99999/")
    with pytest.raises(RemoteProtocolError) as info:
        redirect_url(request, response)
    assert "hunter2" not in str(info.value)
    assert "user:[secure]@" in str(info.value)


def test_httpx_also_raises_remote_protocol_error_for_invalid_location() -> None:
    *_, theirs, their_response = _pair("GET", "https://h/a", 302, "https://h:abc/")
    with pytest.raises(httpx.RemoteProtocolError):
        _httpx_next(theirs, their_response)


@pytest.mark.parametrize(
    ("location", "scheme"),
    [
        ("ftp://files.example/x", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("mailto:someone@example.com", "mailto"),
        ("data:text/plain,hello", "data"),
        ("file:///etc/passwd", "file"),
        ("ws://h/socket", "ws"),
    ],
)
def test_unsupported_scheme_is_refused(location: str, scheme: str) -> None:
    request, response, *_ = _pair("GET", "https://h/a", 302, location)
    with pytest.raises(UnsupportedProtocol, match=f"its scheme '{scheme}'") as info:
        redirect_url(request, response)
    assert info.value.request is request


def test_allowed_schemes_can_be_widened() -> None:
    request, response, *_ = _pair("GET", "https://h/a", 302, "wss://h/socket")
    url = redirect_url(request, response, allowed_schemes={"http", "https", "wss"})
    assert url == URL("wss://h/socket")


def test_several_different_locations_are_a_protocol_error() -> None:
    request = Request("GET", "https://h/a")
    response = Response(302, headers=[("Location", "/b"), ("Location", "/c")], request=request)
    with pytest.raises(RemoteProtocolError, match="several different Location headers"):
        redirect_url(request, response)


def test_repeated_identical_locations_are_accepted() -> None:
    request = Request("GET", "https://h/a")
    response = Response(302, headers=[("Location", "/b"), ("Location", "/b")], request=request)
    assert redirect_url(request, response) == URL("https://h/b")


def test_response_without_location_is_not_a_redirect() -> None:
    request = Request("GET", "https://h/a")
    response = Response(302, request=request)
    with pytest.raises(ValueError, match="has no Location header: it is not a redirect"):
        build_redirect_request(request, response)


# -- origins ---------------------------------------------------------------------------


def test_origin_of() -> None:
    assert origin_of(URL("https://EXAMPLE.com/x")) == Origin("https", "example.com", 443)
    assert origin_of(URL("http://h:8080/")) == Origin("http", "h", 8080)
    assert origin_of(URL("https://bücher.de/")) == Origin("https", "xn--bcher-kva.de", 443)


@pytest.mark.parametrize(
    ("one", "two", "same"),
    [
        ("https://h/a", "https://h/b", True),
        ("https://h/a", "https://h:443/b", True),
        ("https://h/a", "https://H/b", True),
        ("https://h/a", "http://h/a", False),
        ("https://h/a", "https://h:8443/a", False),
        ("https://h/a", "https://www.h/a", False),
        ("http://h/", "http://h:80/", True),
    ],
)
def test_is_same_origin(one: str, two: str, same: bool) -> None:
    assert is_same_origin(URL(one), URL(two)) is same


@pytest.mark.parametrize(
    ("one", "two", "upgrade"),
    [
        ("http://h/a", "https://h/b", True),
        ("http://h:80/a", "https://h:443/b", True),
        ("http://h:8080/a", "https://h/b", False),
        ("http://h/a", "https://h:8443/b", False),
        ("http://h/a", "https://other/b", False),
        ("https://h/a", "http://h/b", False),
        ("https://h/a", "https://h/b", False),
    ],
)
def test_is_https_upgrade(one: str, two: str, upgrade: bool) -> None:
    assert is_https_upgrade(URL(one), URL(two)) is upgrade


# -- headers ---------------------------------------------------------------------------

SECRETS = {
    "Authorization": "Bearer secret-token",
    "Proxy-Authorization": "Basic cHJveHk6c2VjcmV0",
    "Cookie": "session=secret",
    "X-Custom": "kept",
}


def test_same_origin_keeps_authorization_and_proxy_authorization() -> None:
    follow = _redirect("GET", "https://h/a", 302, "/b", headers=SECRETS)
    assert follow.headers["Authorization"] == SECRETS["Authorization"]
    assert follow.headers["Proxy-Authorization"] == SECRETS["Proxy-Authorization"]
    assert follow.headers["X-Custom"] == "kept"


def test_cross_origin_drops_authorization_proxy_authorization_and_cookie() -> None:
    for location in [
        "https://other.example/b",
        "https://h:8443/b",
        "http://h/b",
        "https://sub.h/b",
    ]:
        follow = _redirect("GET", "https://h/a", 302, location, headers=SECRETS)
        for name in CREDENTIALS:
            assert name not in follow.headers, (location, name)
        assert follow.headers["X-Custom"] == "kept"


def test_httpx_keeps_proxy_authorization_cross_origin_tether_does_not() -> None:
    *_, theirs, their_response = _pair(
        "GET", "https://h/a", 302, "https://other.example/", headers=SECRETS
    )
    assert "Proxy-Authorization" in _httpx_next(theirs, their_response).headers
    follow = _redirect("GET", "https://h/a", 302, "https://other.example/", headers=SECRETS)
    assert "Proxy-Authorization" not in follow.headers


def test_https_upgrade_keeps_authorization_like_httpx() -> None:
    *_, theirs, their_response = _pair("GET", "http://h/a", 301, "https://h/a", headers=SECRETS)
    assert "Authorization" in _httpx_next(theirs, their_response).headers
    follow = _redirect("GET", "http://h/a", 301, "https://h/a", headers=SECRETS)
    assert follow.headers["Authorization"] == SECRETS["Authorization"]


def test_https_upgrade_drops_proxy_authorization_and_cookie() -> None:
    follow = _redirect("GET", "http://h/a", 301, "https://h/a", headers=SECRETS)
    assert "Proxy-Authorization" not in follow.headers
    assert "Cookie" not in follow.headers


def test_https_upgrade_to_another_port_drops_authorization() -> None:
    follow = _redirect("GET", "http://h/a", 301, "https://h:8443/a", headers=SECRETS)
    assert "Authorization" not in follow.headers


def test_https_downgrade_on_same_host_never_keeps_credentials() -> None:
    follow = _redirect("GET", "https://h/a", 302, "http://h/a", headers=SECRETS)
    for name in CREDENTIALS:
        assert name not in follow.headers


def test_host_header_rewritten_for_new_origin() -> None:
    follow = _redirect("GET", "https://h/a", 302, "https://other.example:8443/b")
    assert follow.headers["Host"] == "other.example:8443"
    follow = _redirect("GET", "https://h/a", 302, "https://[::1]/b")
    assert follow.headers["Host"] == "[::1]"
    follow = _redirect("GET", "https://h/a", 302, "https://bücher.de/")
    assert follow.headers["Host"] == "xn--bcher-kva.de"


def test_host_header_rewritten_when_the_caller_set_one() -> None:
    follow = _redirect(
        "GET", "https://h/a", 302, "https://other.example/", headers={"Host": "virtual"}
    )
    assert follow.headers.get_list("Host") == ["other.example"]


def test_custom_host_header_kept_on_same_origin_like_httpx() -> None:
    *_, theirs, their_response = _pair(
        "GET", "https://h/a", 302, "/b", headers={"Host": "virtual.example"}
    )
    assert _httpx_next(theirs, their_response).headers["Host"] == "virtual.example"
    follow = _redirect("GET", "https://h/a", 302, "/b", headers={"Host": "virtual.example"})
    assert follow.headers["Host"] == "virtual.example"


@pytest.mark.parametrize(
    ("url", "status", "location"),
    [
        ("https://h/a", 302, "/b"),
        ("https://h/a", 307, "https://other.example/b"),
        ("http://h/a", 301, "https://h/b"),
        ("https://h/a", 308, "http://h/b"),
        ("https://h/a", 303, "https://h:8443/b"),
    ],
)
def test_headers_like_httpx_apart_from_the_fixes(url: str, status: int, location: str) -> None:
    headers = {"Authorization": "Bearer t", "X-Custom": "1", "Accept": "text/plain"}
    request, response, theirs, their_response = _pair(
        "POST", url, status, location, headers=headers, content=b"body"
    )
    expected = _httpx_next(theirs, their_response).headers
    follow = build_redirect_request(request, response)
    fixed = {"content-type"}  # tether drops it with the body; httpx keeps it
    assert [(n, v) for n, v in follow.headers.multi_items() if n not in fixed] == [
        (n, v) for n, v in expected.multi_items() if n not in fixed
    ]


# -- the body --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_replay_the_body_and_its_headers(status: int) -> None:
    request, response, theirs, their_response = _pair(
        "POST",
        "https://h/a",
        status,
        "/b",
        headers={"Content-Type": "application/json"},
        content=b'{"a": 1}',
    )
    follow = build_redirect_request(request, response)
    expected = _httpx_next(theirs, their_response)
    assert follow.method == expected.method == "POST"
    assert _body(follow) == b'{"a": 1}' == b"".join(expected.stream)  # type: ignore[arg-type]
    assert follow.headers["Content-Length"] == "8"
    assert follow.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("status", [301, 302, 303])
def test_redirect_to_get_drops_body_and_all_body_headers(status: int) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Encoding": "gzip",
        "Content-Language": "en",
        "Content-Location": "/form",
        "Content-Digest": "sha-256=:abc=:",
        "Digest": "SHA-256=abc=",
        "X-Custom": "kept",
    }
    follow = _redirect("POST", "https://h/a", status, "/b", headers=headers, content=b"a=1")
    assert follow.method == "GET"
    assert _body(follow) == b""
    for name in headers:
        if name != "X-Custom":
            assert name not in follow.headers, name
    assert "Content-Length" not in follow.headers
    assert "Transfer-Encoding" not in follow.headers
    assert follow.headers["X-Custom"] == "kept"


def test_httpx_keeps_content_type_on_303_tether_drops_it() -> None:
    *_, theirs, their_response = _pair(
        "POST", "https://h/a", 303, "/b", headers={"Content-Type": "text/plain"}, content=b"x"
    )
    assert _httpx_next(theirs, their_response).headers["Content-Type"] == "text/plain"
    follow = _redirect(
        "POST", "https://h/a", 303, "/b", headers={"Content-Type": "text/plain"}, content=b"x"
    )
    assert "Content-Type" not in follow.headers


def test_chunked_body_headers_dropped_on_303() -> None:
    def body() -> Iterator[bytes]:
        yield b"chunk"

    request = Request("POST", "https://h/a", content=body())
    assert request.headers["Transfer-Encoding"] == "chunked"
    response = Response(303, headers={"Location": "/b"}, request=request)
    follow = build_redirect_request(request, response)
    assert "Transfer-Encoding" not in follow.headers
    assert follow.method == "GET"


def test_get_with_a_body_drops_it_on_303() -> None:
    follow = _redirect("GET", "https://h/a", 303, "/b", content=b"odd")
    assert _body(follow) == b""
    assert "Content-Length" not in follow.headers


def test_head_stays_head_on_302_and_303() -> None:
    for status in (302, 303):
        assert _redirect("HEAD", "https://h/a", status, "/b").method == "HEAD"


def test_put_301_keeps_its_body() -> None:
    follow = _redirect("PUT", "https://h/a", 301, "/b", content=b"data")
    assert follow.method == "PUT"
    assert _body(follow) == b"data"


def test_307_with_one_shot_body_raises_stream_consumed() -> None:
    def body() -> Iterator[bytes]:
        yield b"once"

    request = Request("POST", "https://h/a", content=body())
    response = Response(307, headers={"Location": "/b"}, request=request)
    with pytest.raises(StreamConsumed, match="cannot be resent for a redirect"):
        build_redirect_request(request, response)


def test_303_with_one_shot_body_is_fine() -> None:
    def body() -> Iterator[bytes]:
        yield b"once"

    request = Request("POST", "https://h/a", content=body())
    response = Response(303, headers={"Location": "/b"}, request=request)
    assert redirect_stream(request, "GET", status_code=303) is None
    assert build_redirect_request(request, response).method == "GET"


def test_redirect_stream_passes_streams_without_replay_information() -> None:
    class Plain:
        def __iter__(self) -> Iterator[bytes]:
            yield b"x"

    request = Request("POST", "https://h/a", stream=Plain())  # type: ignore[arg-type]
    assert isinstance(redirect_stream(request, "POST", status_code=307), Plain)


# -- cookies ---------------------------------------------------------------------------


def test_cookie_header_rebuilt_from_jar_like_httpx() -> None:
    jar = Cookies()
    jar.set("a", "1", domain="h")
    follow = _redirect("GET", "https://h/a", 302, "/b", headers={"Cookie": "stale=1"}, cookies=jar)
    assert follow.headers["Cookie"] == "a=1"


def test_jar_receives_set_cookie_from_redirect_response_before_next_hop() -> None:
    jar = Cookies()
    request = Request("GET", "https://h/login")
    response = Response(
        302, headers={"Location": "/home", "Set-Cookie": "session=new; Path=/"}, request=request
    )
    jar.extract_cookies(response)  # what the client does with every response
    follow = build_redirect_request(request, response, cookies=jar)
    assert follow.headers["Cookie"] == "session=new"


def test_jar_cookies_follow_their_own_domain_rules_cross_origin() -> None:
    jar = Cookies()
    jar.extract_from_headers("https://h/", {"Set-Cookie": "host_only=1; Path=/"})
    jar.extract_from_headers("https://other.example/", {"Set-Cookie": "theirs=2; Path=/"})
    follow = _redirect("GET", "https://h/a", 302, "https://other.example/", cookies=jar)
    assert follow.headers["Cookie"] == "theirs=2"


def test_secure_jar_cookie_not_sent_on_downgrade() -> None:
    jar = Cookies()
    jar.extract_from_headers("https://h/", {"Set-Cookie": "s=1; Secure; Path=/"})
    follow = _redirect("GET", "https://h/a", 302, "http://h/b", cookies=jar)
    assert "Cookie" not in follow.headers


def test_no_cookie_header_without_any_cookie() -> None:
    assert "Cookie" not in _redirect("GET", "https://h/a", 302, "/b", cookies=Cookies()).headers
    assert "Cookie" not in _redirect("GET", "https://h/a", 302, "/b").headers


def test_per_request_cookies_kept_on_same_origin_httpx_drops_them() -> None:
    with httpx.Client() as client:
        theirs = client.build_request("GET", "https://h/a", cookies={"per": "request"})
        their_response = httpx.Response(302, headers={"Location": "/b"}, request=theirs)
        assert "Cookie" not in client._build_redirect_request(theirs, their_response).headers
    pinned = PinnedCookies.for_request(URL("https://h/a"), cookies={"per": "request"})
    follow = _redirect("GET", "https://h/a", 302, "/b", cookies=Cookies(), pinned=pinned)
    assert follow.headers["Cookie"] == "per=request"


def test_per_request_cookies_merged_with_current_jar_per_hop() -> None:
    jar = Cookies({"client": "1", "shared": "jar"})
    pinned = PinnedCookies.for_request(
        URL("https://h/a"), cookies={"per": "request", "shared": "mine"}
    )
    request = Request("GET", "https://h/a")
    response = Response(302, headers={"Location": "/b", "Set-Cookie": "new=3"}, request=request)
    jar.extract_cookies(response)
    follow = build_redirect_request(request, response, cookies=jar, pinned=pinned)
    cookies = dict(pair.split("=") for pair in follow.headers["Cookie"].split("; "))
    assert cookies == {"client": "1", "shared": "mine", "per": "request", "new": "3"}
    assert jar["shared"] == "jar"  # the client's jar is not changed


def test_per_request_cookies_dropped_cross_origin() -> None:
    pinned = PinnedCookies.for_request(URL("https://h/a"), cookies={"per": "request"})
    follow = _redirect("GET", "https://h/a", 302, "https://other.example/", pinned=pinned)
    assert "Cookie" not in follow.headers


def test_per_request_cookies_return_with_the_chain_to_their_origin() -> None:
    pinned = PinnedCookies.for_request(URL("https://h/a"), cookies={"per": "request"})
    away = _redirect("GET", "https://h/a", 302, "https://other.example/", pinned=pinned)
    assert "Cookie" not in away.headers
    response = Response(302, headers={"Location": "https://h/back"}, request=away)
    back = build_redirect_request(away, response, pinned=pinned)
    assert back.headers["Cookie"] == "per=request"


def test_explicit_cookie_header_kept_on_same_origin_httpx_drops_it() -> None:
    *_, theirs, their_response = _pair("GET", "https://h/a", 302, "/b", headers=SECRETS)
    assert "Cookie" not in _httpx_next(theirs, their_response).headers
    pinned = PinnedCookies.for_request(URL("https://h/a"), header="session=secret")
    jar = Cookies({"jar": "ignored"})
    follow = _redirect("GET", "https://h/a", 302, "/b", headers=SECRETS, cookies=jar, pinned=pinned)
    assert follow.headers["Cookie"] == "session=secret"


def test_explicit_cookie_header_dropped_cross_origin() -> None:
    pinned = PinnedCookies.for_request(URL("https://h/a"), header="session=secret")
    follow = _redirect(
        "GET", "https://h/a", 302, "https://evil.example/", headers=SECRETS, pinned=pinned
    )
    assert "Cookie" not in follow.headers


def test_pinned_cookies_for_request() -> None:
    assert PinnedCookies.for_request(URL("https://h/")) is None
    assert PinnedCookies.for_request(URL("https://h/"), cookies={}) is None
    pinned = PinnedCookies.for_request(URL("https://h:8443/"), cookies=[("a", "1")], header="")
    assert pinned is not None
    assert pinned.origin == Origin("https", "h", 8443)
    assert pinned.header == ""
    assert pinned.cookies is not None
    assert dict(pinned.cookies) == {"a": "1"}


def test_redirect_cookie_header() -> None:
    url = URL("https://h/x")
    assert redirect_cookie_header(url) is None
    assert redirect_cookie_header(url, cookies=Cookies({"a": "1"})) == "a=1"
    pinned = PinnedCookies(origin_of(url), Cookies({"b": "2"}))
    assert redirect_cookie_header(url, pinned=pinned) == "b=2"
    assert redirect_cookie_header(URL("https://x/"), pinned=pinned) is None
    empty = PinnedCookies(origin_of(url), Cookies())
    assert redirect_cookie_header(url, pinned=empty) is None


def test_redirect_headers_function() -> None:
    request = Request("POST", "https://h/a", headers=SECRETS, content=b"x")
    headers = redirect_headers(request, URL("https://other/"), "GET", status_code=302)
    assert isinstance(headers, Headers)
    assert "Authorization" not in headers
    assert "Content-Length" not in headers
    assert headers["Host"] == "other"


# -- the rest of the request -------------------------------------------------------------


def test_extensions_are_carried_over_as_a_copy() -> None:
    extensions = {"timeout": {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}}
    request = Request("GET", "https://h/a", extensions=extensions)
    response = Response(302, headers={"Location": "/b"}, request=request)
    follow = build_redirect_request(request, response)
    assert follow.extensions == extensions
    assert follow.extensions is not request.extensions


def test_build_redirect_request_like_httpx_for_plain_redirects() -> None:
    for status in sorted(REDIRECT_STATUS_CODES):
        request, response, theirs, their_response = _pair(
            "GET", "https://h/a?x=1", status, "/b?y=2"
        )
        follow = build_redirect_request(request, response)
        expected = _httpx_next(theirs, their_response)
        assert (follow.method, str(follow.url)) == (expected.method, str(expected.url))
        assert follow.headers.multi_items() == expected.headers.multi_items()


# -- max_redirects ---------------------------------------------------------------------


def test_check_redirect_count() -> None:
    request = Request("GET", "https://user:pw@h/next")
    check_redirect_count([], 0, request)
    check_redirect_count([object()] * 20, 20, request)
    with pytest.raises(TooManyRedirects) as info:
        check_redirect_count([object()] * 21, 20, request)
    assert str(info.value) == (
        "Exceeded maximum allowed redirects: max_redirects=20, and "
        "https://user:[secure]@h/next would be redirect number 21"
    )
    assert info.value.request is request


def test_max_redirects_zero_allows_no_redirect_like_httpx() -> None:
    request = Request("GET", "https://h/next")
    with pytest.raises(TooManyRedirects, match="max_redirects=0"):
        check_redirect_count([object()], 0, request)


# -- the CVEs --------------------------------------------------------------------------


def test_CVE_2018_20060_authorization_not_kept_on_cross_host_redirect() -> None:
    """urllib3 < 1.23 kept the Authorization header when a redirect sent the request to
    another host. tether drops Authorization whenever the origin changes."""
    follow = _redirect(
        "GET",
        "https://api.example/",
        302,
        "https://attacker.example/",
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
    )
    assert "Authorization" not in follow.headers


def test_CVE_2023_43804_cookie_header_not_kept_cross_origin() -> None:
    """urllib3 < 1.26.17 / 2.0.6 kept a Cookie header the caller set when redirected to
    another origin. tether never forwards the previous hop's Cookie header: it rebuilds
    it from the jar (by RFC 6265 rules) and the pinned cookies (origin-bound)."""
    pinned = PinnedCookies.for_request(URL("https://api.example/"), header="session=secret")
    follow = _redirect(
        "GET",
        "https://api.example/",
        302,
        "https://attacker.example/",
        headers={"Cookie": "session=secret"},
        pinned=pinned,
    )
    assert "Cookie" not in follow.headers


def test_CVE_2023_45803_body_not_kept_on_303_to_get() -> None:
    """urllib3 < 1.26.18 / 2.0.7 resent the request body after a 303 (and a 301/302 of a
    POST) changed the method to GET, possibly to another host. tether drops the body and
    every header describing it whenever a redirect turns the request into a GET."""
    follow = _redirect(
        "POST",
        "https://api.example/form",
        303,
        "https://other.example/done",
        headers={"Content-Type": "application/json"},
        content=b'{"card": "4111111111111111"}',
    )
    assert follow.method == "GET"
    assert _body(follow) == b""
    assert "Content-Type" not in follow.headers
    assert "Content-Length" not in follow.headers


def test_CVE_2024_37891_proxy_authorization_not_kept_cross_origin() -> None:
    """urllib3 < 1.26.19 / 2.2.2 forwarded a Proxy-Authorization header set by hand
    (without its proxy support) to another origin on redirect. tether drops
    Proxy-Authorization on every origin change."""
    follow = _redirect(
        "GET",
        "http://api.example/",
        302,
        "http://attacker.example/",
        headers={"Proxy-Authorization": "Basic cHJveHk6c2VjcmV0"},
    )
    assert "Proxy-Authorization" not in follow.headers


def test_CVE_2023_32681_proxy_authorization_not_leaked_on_redirect_to_https() -> None:
    """requests 2.3.0-2.30.0 re-added Proxy-Authorization to a request redirected to an
    https URL, where through a tunnel it reaches the destination server. tether keeps
    Proxy-Authorization only on the exact same origin, and the https upgrade exception
    (invariant 2) is for Authorization only."""
    headers = {"Proxy-Authorization": "Basic cHJveHk6c2VjcmV0"}
    for location in ("https://api.example/", "https://attacker.example/"):
        follow = _redirect("GET", "http://api.example/", 301, location, headers=headers)
        assert "Proxy-Authorization" not in follow.headers, location


def test_CVE_2022_27776_credentials_not_leaked_to_same_host_other_port_or_protocol() -> None:
    """curl < 7.83.0 sent the Authorization and Cookie headers it had been given on a
    redirect to the same host but another port or protocol (another origin). tether
    compares whole origins. (Cookies stored in the jar are another matter: RFC 6265 scopes
    them by host and not by port, as browsers and curl's cookie engine do; a Secure one
    still never goes over http.)"""
    pinned = PinnedCookies.for_request(URL("https://api.example/"), header="session=secret")
    for location in ("https://api.example:8443/", "http://api.example/"):
        follow = _redirect(
            "GET", "https://api.example/", 302, location, headers=SECRETS, pinned=pinned
        )
        for name in CREDENTIALS:
            assert name not in follow.headers, (location, name)
    jar = Cookies()
    jar.extract_from_headers("https://api.example/", {"Set-Cookie": "s=1; Secure; Path=/"})
    follow = _redirect("GET", "https://api.example/", 302, "http://api.example/", cookies=jar)
    assert "Cookie" not in follow.headers


def test_CVE_2018_1000007_custom_authorization_not_passed_to_other_host() -> None:
    """curl < 7.58.0 passed a custom Authorization header (-H) on to the host of a
    redirect. In tether a header the caller set is treated like one from an auth flow:
    dropped on any origin change."""
    follow = _redirect(
        "GET",
        "https://api.example/",
        307,
        "https://cdn.example/file",
        headers={"Authorization": "token custom-secret"},
    )
    assert "Authorization" not in follow.headers


def test_CVE_2022_27774_credentials_not_leaked_to_other_protocol_or_port() -> None:
    """curl < 7.83.0 leaked credentials when a redirect went to the same host on another
    protocol or port (even to another protocol such as FTP). tether drops credentials on a
    port or scheme change, and refuses to follow to a non-HTTP protocol at all."""
    follow = _redirect(
        "GET", "https://api.example/", 302, "https://api.example:444/", headers=SECRETS
    )
    assert not any(name in follow.headers for name in CREDENTIALS)
    request, response, *_ = _pair(
        "GET", "https://api.example/", 302, "ftp://api.example/", headers=SECRETS
    )
    with pytest.raises(UnsupportedProtocol):
        build_redirect_request(request, response)


def test_CVE_2014_1829_authorization_not_kept_on_redirect_to_another_host() -> None:
    """requests < 2.3.0 resent the Authorization header (including one made from .netrc)
    on redirects to other hosts. tether's auth flows set Authorization on the first
    request only, and the redirect policy drops it on any origin change."""
    follow = _redirect(
        "POST",
        "http://api.example/",
        302,
        "http://attacker.example/",
        headers={"Authorization": "Basic bmV0cmM6c2VjcmV0"},
        content=b"x",
    )
    assert "Authorization" not in follow.headers


def test_CVE_2014_1830_proxy_authorization_not_kept_on_redirect() -> None:
    """requests < 2.3.0 kept Proxy-Authorization across redirects to other hosts. tether
    drops it on every origin change."""
    follow = _redirect(
        "GET",
        "http://api.example/",
        302,
        "http://attacker.example/",
        headers={"Proxy-Authorization": "Basic cHJveHk6c2VjcmV0"},
    )
    assert "Proxy-Authorization" not in follow.headers


def test_CVE_2018_18074_authorization_not_kept_on_https_to_http_downgrade() -> None:
    """requests < 2.20.0 kept Authorization on an https-to-http redirect on the same host,
    sending the credential in the clear. tether treats the downgrade as another origin
    (and the upgrade exception only goes from http to https)."""
    follow = _redirect(
        "GET",
        "https://api.example/",
        302,
        "http://api.example/",
        headers={"Authorization": "Bearer secret"},
    )
    assert "Authorization" not in follow.headers


# -- the invariant, for any redirect -----------------------------------------------------

_HOSTS = st.sampled_from(["h.example", "other.example", "sub.h.example", "127.0.0.1"])
_SCHEMES = st.sampled_from(["http", "https"])
_PORTS = st.sampled_from([None, 80, 443, 8080])


def _url(scheme: str, host: str, port: int | None) -> str:
    return f"{scheme}://{host}" + ("" if port is None else f":{port}") + "/p"


@given(
    _SCHEMES,
    _HOSTS,
    _PORTS,
    _SCHEMES,
    _HOSTS,
    _PORTS,
    st.sampled_from(sorted(REDIRECT_STATUS_CODES)),
)
def test_no_credential_ever_reaches_another_origin(
    scheme: str,
    host: str,
    port: int | None,
    new_scheme: str,
    new_host: str,
    new_port: int | None,
    status: int,
) -> None:
    url, location = _url(scheme, host, port), _url(new_scheme, new_host, new_port)
    pinned = PinnedCookies.for_request(URL(url), cookies={"pinned": "1"})
    follow = _redirect("POST", url, status, location, headers=SECRETS, content=b"x", pinned=pinned)
    same = is_same_origin(URL(url), URL(location))
    upgrade = is_https_upgrade(URL(url), URL(location))
    assert ("Proxy-Authorization" in follow.headers) is same
    assert ("Authorization" in follow.headers) is (same or upgrade)
    assert ("Cookie" in follow.headers) is same
    assert follow.headers["Host"] == follow.url.netloc.decode() or same
