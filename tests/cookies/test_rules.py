"""RFC 6265 (and rfc6265bis) storage and retrieval rules, one test per rule."""

from __future__ import annotations

import time

import pytest

from tether_cookies import Cookies


def received(url: str, *lines: str, cookies: Cookies | None = None) -> Cookies:
    """A Cookies store after receiving the Set-Cookie lines from `url`."""
    cookies = Cookies() if cookies is None else cookies
    cookies.extract_from_headers(url, [("Set-Cookie", line) for line in lines])
    return cookies


def stored(cookies: Cookies) -> list[tuple[str, str, str]]:
    return [(cookie.name, cookie.domain, cookie.path) for cookie in cookies.jar]


# -- domains: host-only versus domain cookies (RFC 6265 5.3 steps 4-6) ----------------


def test_cookie_without_domain_is_host_only() -> None:
    cookies = received("https://example.com/", "a=1")
    assert cookies.cookie_header("https://example.com/") == "a=1"
    assert cookies.cookie_header("https://www.example.com/") == ""
    (cookie,) = cookies.jar
    assert cookie.domain == "example.com"
    assert not cookie.domain_specified


def test_domain_attribute_makes_a_domain_cookie_for_subdomains() -> None:
    cookies = received("https://www.example.com/", "a=1; Domain=example.com")
    assert cookies.cookie_header("https://example.com/") == "a=1"
    assert cookies.cookie_header("https://deep.api.example.com/") == "a=1"
    assert cookies.cookie_header("https://notexample.com/") == ""
    (cookie,) = cookies.jar
    assert (cookie.domain, cookie.domain_specified) == (".example.com", True)


def test_domain_attribute_equal_to_host_is_a_domain_cookie() -> None:
    cookies = received("https://example.com/", "a=1; Domain=example.com")
    assert cookies.cookie_header("https://www.example.com/") == "a=1"


def test_leading_dot_of_domain_attribute_is_ignored() -> None:
    with_dot = received("https://www.example.com/", "a=1; Domain=.example.com")
    without = received("https://www.example.com/", "a=1; Domain=example.com")
    assert stored(with_dot) == stored(without) == [("a", ".example.com", "/")]


def test_domain_attribute_for_an_unrelated_domain_is_refused() -> None:
    cookies = received(
        "https://example.com/", "a=1; Domain=evil.com", "b=2; Domain=www.example.com"
    )
    assert stored(cookies) == []


def test_domain_attribute_must_match_on_a_label_boundary() -> None:
    assert stored(received("https://badexample.com/", "a=1; Domain=example.com")) == []


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://example.com/", "com"),
        ("https://example.co.uk/", "co.uk"),
        ("https://a.b.example.co.uk/", ".co.uk"),
        ("https://foo.github.io/", "github.io"),
        ("https://www.example.ck/", "example.ck"),  # "*.ck" makes every x.ck a suffix
    ],
)
def test_domain_attribute_that_is_a_public_suffix_is_refused(url: str, domain: str) -> None:
    assert stored(received(url, f"a=1; Domain={domain}")) == []


def test_public_suffix_exception_rule_allows_the_registrable_domain() -> None:
    # "!www.ck" is an exception to "*.ck": www.ck is a registrable domain.
    cookies = received("https://a.www.ck/", "a=1; Domain=www.ck")
    assert stored(cookies) == [("a", ".www.ck", "/")]


def test_public_suffix_domain_equal_to_host_becomes_host_only() -> None:
    cookies = received("https://github.io/", "a=1; Domain=github.io")
    assert stored(cookies) == [("a", "github.io", "/")]
    assert cookies.cookie_header("https://foo.github.io/") == ""
    assert cookies.cookie_header("https://github.io/") == "a=1"


def test_domains_are_compared_case_insensitively() -> None:
    cookies = received("https://WWW.Example.COM/", "a=1; Domain=EXAMPLE.com", "b=2")
    assert stored(cookies) == [("a", ".example.com", "/"), ("b", "www.example.com", "/")]
    assert cookies.cookie_header("https://www.EXAMPLE.com/") == "a=1; b=2"


def test_empty_domain_attribute_is_ignored() -> None:
    cookies = received("https://www.example.com/", "a=1; Domain=")
    assert stored(cookies) == [("a", "www.example.com", "/")]


def test_last_domain_attribute_wins() -> None:
    cookies = received("https://www.example.com/", "a=1; Domain=evil.com; Domain=example.com")
    assert stored(cookies) == [("a", ".example.com", "/")]


def test_idna_hosts_and_domains_are_canonicalised_to_a_labels() -> None:
    cookies = received("https://www.bücher.de/", "a=1; Domain=bücher.de")
    assert stored(cookies) == [("a", ".xn--bcher-kva.de", "/")]
    assert cookies.cookie_header("https://shop.xn--bcher-kva.de/") == "a=1"


def test_undecodable_domain_attribute_refuses_the_cookie() -> None:
    assert stored(received("https://www.example.com/", "a=1; Domain=\u00e9..example.com")) == []


# -- IP addresses (RFC 6265 5.1.3) --------------------------------------------------------


def test_ip_host_gets_host_only_cookies() -> None:
    cookies = received("http://192.168.0.10/", "a=1")
    assert stored(cookies) == [("a", "192.168.0.10", "/")]
    assert cookies.cookie_header("http://192.168.0.10/x") == "a=1"
    assert cookies.cookie_header("http://10.192.168.0.10/x") == ""


def test_ip_host_refuses_domain_cookies_for_a_suffix() -> None:
    assert stored(received("http://192.168.0.10/", "a=1; Domain=168.0.10")) == []
    assert stored(received("http://192.168.0.10/", "a=1; Domain=0.10")) == []


def test_ip_host_domain_attribute_equal_to_host_stays_host_only() -> None:
    cookies = received("http://192.168.0.10/", "a=1; Domain=192.168.0.10")
    assert stored(cookies) == [("a", "192.168.0.10", "/")]


def test_ipv6_host_gets_host_only_cookies() -> None:
    cookies = received("http://[2001:db8::1]:8080/", "a=1", "b=2; Domain=db8::1")
    assert stored(cookies) == [("a", "2001:db8::1", "/")]
    assert cookies.cookie_header("http://[2001:db8::1]/") == "a=1"


# -- paths (RFC 6265 5.1.4 and 5.2.4) ----------------------------------------------------


@pytest.mark.parametrize(
    ("request_path", "default"),
    [("/", "/"), ("", "/"), ("/index.html", "/"), ("/docs/", "/docs"), ("/a/b/c", "/a/b")],
)
def test_missing_path_uses_the_default_path(request_path: str, default: str) -> None:
    cookies = received(f"https://example.com{request_path}", "a=1")
    assert stored(cookies) == [("a", "example.com", default)]


def test_relative_path_attribute_uses_the_default_path() -> None:
    cookies = received("https://example.com/docs/page", "a=1; Path=docs", "b=2; Path=")
    assert stored(cookies) == [("a", "example.com", "/docs"), ("b", "example.com", "/docs")]


@pytest.mark.parametrize(
    ("request_path", "sent"),
    [
        ("/docs", True),
        ("/docs/", True),
        ("/docs/api/v1", True),
        ("/docsearch", False),
        ("/doc", False),
        ("/", False),
        ("/DOCS", False),
    ],
)
def test_path_matching(request_path: str, sent: bool) -> None:
    cookies = received("https://example.com/", "a=1; Path=/docs")
    assert cookies.cookie_header(f"https://example.com{request_path}") == ("a=1" if sent else "")


def test_path_with_trailing_slash_matches_below_it_only() -> None:
    cookies = received("https://example.com/", "a=1; Path=/docs/")
    assert cookies.cookie_header("https://example.com/docs/x") == "a=1"
    assert cookies.cookie_header("https://example.com/docs") == ""


def test_query_does_not_take_part_in_path_matching() -> None:
    cookies = received("https://example.com/a?next=/b/c", "a=1")
    assert stored(cookies) == [("a", "example.com", "/")]


# -- Secure (RFC 6265 5.4, rfc6265bis) ---------------------------------------------------


def test_secure_cookie_is_never_sent_over_plain_http() -> None:
    cookies = received("https://example.com/", "a=1; Secure", "b=2")
    assert cookies.cookie_header("https://example.com/") == "a=1; b=2"
    assert cookies.cookie_header("http://example.com/") == "b=2"
    assert cookies.cookie_header("wss://example.com/") == "a=1; b=2"
    assert cookies.cookie_header("ws://example.com/") == "b=2"


def test_secure_cookie_from_plain_http_is_refused() -> None:
    assert stored(received("http://example.com/", "a=1; Secure")) == []


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:8000", "http://app.localhost", "http://127.0.0.1:5000", "http://[::1]"],
)
def test_localhost_and_loopback_count_as_secure(origin: str) -> None:
    # As in Chrome and Firefox: loopback origins are potentially trustworthy.
    cookies = received(f"{origin}/", "a=1; Secure")
    assert cookies.cookie_header(f"{origin}/") == "a=1"


def test_insecure_origin_cannot_overwrite_a_secure_cookie() -> None:
    cookies = received("https://example.com/", "a=secure; Secure")
    received("http://example.com/", "a=plain", cookies=cookies)
    received("http://www.example.com/", "a=plain; Domain=example.com", cookies=cookies)
    assert cookies.cookie_header("https://example.com/") == "a=secure"


def test_insecure_origin_cannot_delete_a_secure_cookie() -> None:
    cookies = received("https://example.com/", "a=secure; Secure")
    received("http://example.com/", "a=; Max-Age=0", cookies=cookies)
    assert cookies["a"] == "secure"


def test_secure_cookie_of_another_site_does_not_block_an_insecure_origin() -> None:
    cookies = received("https://other.example/", "a=secure; Secure")
    received("http://example.com/", "a=plain", cookies=cookies)
    assert cookies.cookie_header("http://example.com/") == "a=plain"


def test_secure_protection_follows_replacement_and_removal() -> None:
    cookies = received("https://example.com/", "a=1; Secure")
    received("https://example.com/", "a=2", cookies=cookies)  # no longer Secure
    received("http://example.com/", "a=3", cookies=cookies)
    assert cookies["a"] == "3"
    received("https://example.com/", "b=1; Secure", cookies=cookies)
    received("https://example.com/", "b=; Secure; Max-Age=0", cookies=cookies)
    received("http://example.com/", "b=2", cookies=cookies)
    assert cookies["b"] == "2"
    assert cookies.jar._secure_names == {}  # type: ignore[attr-defined]


def test_insecure_origin_may_set_an_unrelated_name_or_path() -> None:
    cookies = received("https://example.com/", "a=secure; Secure; Path=/admin")
    received("http://example.com/", "a=plain; Path=/", "b=2", cookies=cookies)
    assert cookies.cookie_header("http://example.com/") == "a=plain; b=2"


# -- cookie prefixes (rfc6265bis) ----------------------------------------------------------


def test_secure_prefix_requires_the_secure_attribute() -> None:
    cookies = received("https://example.com/", "__Secure-a=1", "__Secure-b=2; Secure")
    assert [name for name, *_ in stored(cookies)] == ["__Secure-b"]


def test_host_prefix_requires_secure_host_only_and_root_path() -> None:
    cookies = received(
        "https://www.example.com/app/",
        "__Host-ok=1; Secure; Path=/",
        "__Host-insecure=1; Path=/",
        "__Host-domain=1; Secure; Path=/; Domain=example.com",
        "__Host-default-path=1; Secure",
        "__Host-sub-path=1; Secure; Path=/app",
    )
    assert [name for name, *_ in stored(cookies)] == ["__Host-ok"]


def test_other_names_starting_with_underscores_are_not_prefixed() -> None:
    cookies = received("http://example.com/", "__Securely=1", "__Hostname=1", "_ga=1")
    assert len(stored(cookies)) == 3


def test_prefixes_are_matched_case_insensitively() -> None:
    cookies = received("https://example.com/", "__SECURE-a=1", "__host-b=1; Path=/")
    assert stored(cookies) == []


# -- expiry (RFC 6265 5.2.1, 5.2.2, 5.3) -------------------------------------------------


def test_max_age_beats_expires_whatever_the_order() -> None:
    past = "Expires=Thu, 01 Jan 1970 00:00:01 GMT"
    cookies = received(
        "https://example.com/", f"a=1; {past}; Max-Age=100", f"b=2; Max-Age=100; {past}"
    )
    assert cookies.cookie_header("https://example.com/") == "a=1; b=2"
    for cookie in cookies.jar:
        assert cookie.expires is not None
        assert abs(cookie.expires - (time.time() + 100)) < 5


@pytest.mark.parametrize("max_age", ["0", "-1", "-99999999999999999999999"])
def test_non_positive_max_age_deletes_the_cookie(max_age: str) -> None:
    cookies = received("https://example.com/", "a=1", "b=2")
    received("https://example.com/", f"a=gone; Max-Age={max_age}", cookies=cookies)
    assert stored(cookies) == [("b", "example.com", "/")]


def test_past_expires_deletes_the_cookie() -> None:
    cookies = received("https://example.com/", "a=1")
    received("https://example.com/", "a=; Expires=Wed, 21 Oct 2015 07:28:00 GMT", cookies=cookies)
    assert stored(cookies) == []


def test_deleting_a_cookie_that_does_not_exist_stores_nothing() -> None:
    assert stored(received("https://example.com/", "a=1; Max-Age=0")) == []


def test_cookie_without_expiry_is_a_session_cookie() -> None:
    (cookie,) = received("https://example.com/", "a=1").jar
    assert cookie.expires is None
    assert cookie.discard


def test_expires_sets_a_persistent_cookie() -> None:
    (cookie,) = received("https://example.com/", "a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT").jar
    assert not cookie.discard
    assert cookie.expires is not None


def test_lifetimes_are_capped_at_400_days() -> None:
    cookies = received(
        "https://example.com/",
        "a=1; Max-Age=999999999",
        "b=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
        "c=1; Max-Age=" + "9" * 1000,
    )
    limit = time.time() + 400 * 86400
    for cookie in cookies.jar:
        assert cookie.expires is not None
        assert limit - 5 < cookie.expires <= limit + 5


def test_expired_cookies_are_not_sent_and_are_removed() -> None:
    cookies = received("https://example.com/", "a=1; Max-Age=100", "b=2")
    (cookie, _) = cookies.jar
    cookie.expires = int(time.time()) - 1
    assert cookies.cookie_header("https://example.com/") == "b=2"
    assert stored(cookies) == [("b", "example.com", "/")]


def test_invalid_max_age_is_ignored_and_does_not_override_a_valid_one() -> None:
    cookies = received("https://example.com/", "a=1; Max-Age=100; Max-Age=1e3; Max-Age=+5")
    (cookie,) = cookies.jar
    assert cookie.expires is not None
    assert abs(cookie.expires - (time.time() + 100)) < 5


def test_invalid_expires_is_ignored() -> None:
    (cookie,) = received("https://example.com/", "a=1; Expires=tomorrow").jar
    assert cookie.expires is None


# -- HttpOnly and SameSite are kept ------------------------------------------------------------


def test_httponly_and_samesite_are_kept_on_the_stored_cookie() -> None:
    cookies = received("https://example.com/", "a=1; HttpOnly; SameSite=strict", "b=2")
    first, second = cookies.jar
    assert first.has_nonstandard_attr("HttpOnly")
    assert first.get_nonstandard_attr("SameSite") == "Strict"
    assert not second.has_nonstandard_attr("HttpOnly")
    assert second.get_nonstandard_attr("SameSite") is None


def test_unknown_samesite_value_means_none_recorded() -> None:
    (cookie,) = received("https://example.com/", "a=1; SameSite=Lax; SameSite=bogus").jar
    assert cookie.get_nonstandard_attr("SameSite") is None


def test_httponly_and_samesite_cookies_are_still_sent_by_an_http_client() -> None:
    cookies = received("https://example.com/", "a=1; HttpOnly", "b=2; SameSite=Strict")
    assert cookies.cookie_header("https://example.com/") == "a=1; b=2"


# -- replacing cookies (RFC 6265 5.3 step 11) ---------------------------------------------------


def test_same_name_domain_and_path_replaces_the_cookie() -> None:
    cookies = received("https://example.com/", "a=1", "a=2")
    assert stored(cookies) == [("a", "example.com", "/")]
    assert cookies["a"] == "2"


def test_domain_cookie_replaces_host_only_cookie_of_the_same_domain() -> None:
    cookies = received("https://example.com/", "a=host", "a=domain; Domain=example.com")
    assert stored(cookies) == [("a", ".example.com", "/")]
    received("https://example.com/", "a=host-again", cookies=cookies)
    assert stored(cookies) == [("a", "example.com", "/")]


def test_different_paths_are_different_cookies() -> None:
    cookies = received("https://example.com/", "a=root; Path=/", "a=docs; Path=/docs")
    assert cookies.cookie_header("https://example.com/docs/x") == "a=docs; a=root"


# -- ordering of the Cookie header (RFC 6265 5.4 step 2) ------------------------------------


def test_longer_paths_are_sent_first() -> None:
    cookies = received(
        "https://example.com/", "short=1; Path=/", "long=1; Path=/a/b", "mid=1; Path=/a"
    )
    assert cookies.cookie_header("https://example.com/a/b/c") == "long=1; mid=1; short=1"


def test_equal_paths_are_sent_oldest_first_across_domains() -> None:
    cookies = received("https://www.example.com/", "z=1", "y=2; Domain=example.com", "x=3")
    assert cookies.cookie_header("https://www.example.com/") == "z=1; y=2; x=3"


def test_replacing_a_cookie_keeps_its_creation_time() -> None:
    cookies = received("https://example.com/", "a=1", "b=2")
    received("https://example.com/", "a=3", cookies=cookies)
    assert cookies.cookie_header("https://example.com/") == "a=3; b=2"


# -- control characters, sizes, malformed lines (RFC 6265 5.2, rfc6265bis) --------------------


@pytest.mark.parametrize(
    "line",
    [
        "a=1\x00",
        "a=\x01b",
        "a\x1f=b",
        "a=b\x7f",
        "a=b; Path=/\x0b",
        "a=b\rc",
        "a=b\nSet-Cookie: c=d",
    ],
)
def test_cookies_with_control_characters_are_refused(line: str) -> None:
    # The curl CVE-2022-35252 class: such cookies would break or smuggle headers.
    assert stored(received("https://example.com/", line)) == []


def test_tab_is_allowed_inside_a_value() -> None:
    assert received("https://example.com/", "a=x\ty")["a"] == "x\ty"


def test_name_plus_value_over_4096_octets_is_refused() -> None:
    fits = "a=" + "x" * 4095
    too_big = "b=" + "x" * 4096
    multibyte = "c=" + "é" * 2048  # 2049 characters, but 1 + 4096 octets in UTF-8
    cookies = received("https://example.com/", fits, too_big, multibyte)
    assert [name for name, *_ in stored(cookies)] == ["a"]


def test_attribute_values_over_1024_octets_are_ignored() -> None:
    cookies = received(
        "https://example.com/", "a=1; Path=/" + "p" * 1024, "b=1; Path=/" + "p" * 1022
    )
    assert stored(cookies) == [("a", "example.com", "/"), ("b", "example.com", "/" + "p" * 1022)]


@pytest.mark.parametrize("line", ["noequals", "=value", "  =value", "", ";", "; a=b"])
def test_lines_without_a_name_are_ignored(line: str) -> None:
    assert stored(received("https://example.com/", line)) == []


def test_unparseable_line_does_not_stop_the_others() -> None:
    cookies = received("https://example.com/", "bad", "a=1", "\x00", "b=2")
    assert cookies.cookie_header("https://example.com/") == "a=1; b=2"


# -- limits on how many cookies servers may store (RFC 6265 6.1) -----------------------------


def test_cookies_per_domain_are_capped_evicting_the_oldest() -> None:
    lines = [f"c{i}=1" for i in range(200)]
    cookies = received("https://example.com/", *lines)
    names = [name for name, *_ in stored(cookies)]
    assert len(names) == 180
    assert names[0] == "c20"
    assert names[-1] == "c199"


def test_expired_cookies_are_evicted_before_live_ones() -> None:
    cookies = received("https://example.com/", *[f"c{i}=1" for i in range(180)])
    for cookie in list(cookies.jar)[100:110]:
        cookie.expires = int(time.time()) - 10
    received("https://example.com/", *[f"n{i}=1" for i in range(10)], cookies=cookies)
    names = {name for name, *_ in stored(cookies)}
    assert len(names) == 180
    assert {"c0", "n9"} <= names
    assert not {f"c{i}" for i in range(100, 110)} & names


def test_total_cookies_are_capped() -> None:
    cookies = Cookies()
    for site in range(40):
        received(f"https://site{site}.example/", *[f"c{i}=1" for i in range(100)], cookies=cookies)
    assert len(cookies) == 3000
    assert cookies.cookie_header("https://site0.example/") == ""
    assert cookies.cookie_header("https://site39.example/").count("=") == 100


def test_hundred_kilobyte_urls_are_handled_quickly() -> None:
    host = "a." * 50_000 + "example"
    cookies = Cookies({"anywhere": "1"})
    start = time.perf_counter()
    received(f"https://{host}/", "a=1", "b=1; Domain=example", cookies=cookies)
    assert cookies.cookie_header(f"https://{host}/" + "p/" * 50_000) == "anywhere=1; a=1"
    assert cookies.cookie_header("https://x.example/") == "anywhere=1"
    assert time.perf_counter() - start < 1.0


def test_thousands_of_insecure_set_cookies_stay_linear() -> None:
    cookies = Cookies()
    for site in range(300):
        received(f"https://s{site}.example/", "shared=1; Secure", cookies=cookies)
    start = time.perf_counter()
    received("http://example.com/", *[f"c{i}=1" for i in range(5000)], cookies=cookies)
    assert time.perf_counter() - start < 1.0
    assert len(cookies) == 300 + 180


# -- cookies set by the user -----------------------------------------------------------------


def test_cookies_set_without_domain_are_sent_to_every_host() -> None:
    cookies = Cookies({"token": "abc"})
    assert cookies.cookie_header("https://a.example/") == "token=abc"
    assert cookies.cookie_header("http://10.0.0.1:8080/x") == "token=abc"


def test_cookies_set_with_a_domain_follow_domain_matching() -> None:
    cookies = Cookies()
    cookies.set("a", "1", domain="example.com", path="/api")
    assert cookies.cookie_header("https://www.example.com/api/x") == "a=1"
    assert cookies.cookie_header("https://www.example.com/") == ""
    assert cookies.cookie_header("https://example.org/api") == ""
