"""Request URLs as the cookie rules see them."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_cookies import CookieError
from tether_cookies._origin import (
    default_path,
    domain_match,
    is_ip_address,
    origin_of,
    path_match,
    redact,
)


def test_origin_parts_from_a_string() -> None:
    origin = origin_of("HTTPS://User@WWW.Example.COM:8443/a/b?q=1#f")
    assert (origin.scheme, origin.host, origin.path) == ("https", "www.example.com", "/a/b")
    assert origin.secure
    assert not origin.is_ip
    assert repr(origin) == "Origin('https', 'www.example.com', '/a/b')"


def test_origin_from_any_object_whose_str_is_a_url() -> None:
    origin = origin_of(httpx.URL("http://example.org/x y"))
    assert (origin.host, origin.path) == ("example.org", "/x%20y")


def test_origins_are_cached() -> None:
    assert origin_of("https://cache.example/") is origin_of("https://cache.example/")


def test_cache_is_bounded() -> None:
    for index in range(600):
        origin_of(f"https://host{index}.example/")
    from tether_cookies import _origin

    assert len(_origin._cache) <= 512


def test_lookup_keys_walk_the_parent_domains() -> None:
    assert origin_of("https://a.b.example/").domain_keys == (
        "a.b.example",
        ".a.b.example",
        "b.example",
        ".b.example",
        "example",
        ".example",
        "",
    )
    assert origin_of("http://10.1.2.3/").domain_keys == ("10.1.2.3", ".10.1.2.3", "")


def test_unicode_host_becomes_a_labels() -> None:
    assert origin_of("https://Bücher.example/").host == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    "url",
    [
        "/relative/path",
        "example.com/path",
        "file:///etc/passwd",
        "https://",
        "http://[::1",
        "https://exa mple.com/",
        "https://a\\b.com/",
        "https://xn--.\u00e9\u00e9..com/",
    ],
)
def test_urls_without_a_usable_host_raise_cookie_error(url: str) -> None:
    with pytest.raises(CookieError, match=r"URL|IDNA|host"):
        origin_of(url)


def test_error_messages_redact_passwords() -> None:
    with pytest.raises(CookieError) as info:
        origin_of("https://user:hunter2@[::1/")
    assert "hunter2" not in str(info.value)
    assert "user:[secure]@" in str(info.value)
    assert redact("https://example.com/a:b@c") == "https://example.com/a:b@c"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("0x7f.1", True),
        ("1.2.3.4.", True),
        ("example.com", False),
        ("1.2.3.com", False),
        ("localhost", False),
    ],
)
def test_ip_address_detection(host: str, expected: bool) -> None:
    assert is_ip_address(host) is expected


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("https://example.com/", True),
        ("wss://example.com/", True),
        ("http://example.com/", False),
        ("ws://example.com/", False),
        ("http://localhost/", True),
        ("http://api.localhost/", True),
        ("http://127.0.0.1/", True),
        ("http://127.255.0.9/", True),
        ("http://[::1]/", True),
        ("http://128.0.0.1/", False),
        ("http://localhost.example.com/", False),
    ],
)
def test_secure_origins(url: str, secure: bool) -> None:
    assert origin_of(url).secure is secure


@pytest.mark.parametrize(
    ("path", "expected"),
    [("", "/"), ("x", "/"), ("/", "/"), ("/a", "/"), ("/a/", "/a"), ("/a/b", "/a"), ("//", "/")],
)
def test_default_path(path: str, expected: str) -> None:
    assert default_path(path) == expected


@pytest.mark.parametrize(
    ("request_path", "cookie_path", "expected"),
    [
        ("/", "/", True),
        ("/a", "/", True),
        ("/a", "/a", True),
        ("/a/", "/a", True),
        ("/a/b", "/a/", True),
        ("/ab", "/a", False),
        ("/a", "/a/", False),
        ("/", "/a", False),
    ],
)
def test_path_match(request_path: str, cookie_path: str, expected: bool) -> None:
    assert path_match(request_path, cookie_path) is expected


@pytest.mark.parametrize(
    ("host", "domain", "expected"),
    [
        ("example.com", "example.com", True),
        ("www.example.com", "example.com", True),
        ("wwwexample.com", "example.com", False),
        ("example.com", "www.example.com", False),
        ("1.2.3.4", "1.2.3.4", True),
        ("1.2.3.4", "2.3.4", False),
    ],
)
def test_domain_match(host: str, domain: str, expected: bool) -> None:
    assert domain_match(host, domain) is expected


_label = st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(_label, min_size=1, max_size=5), st.lists(_label, max_size=3))
def test_every_parent_domain_matches_and_nothing_else(labels: list[str], extra: list[str]) -> None:
    host = ".".join([*extra, *labels]) + ".test"
    parent = ".".join(labels) + ".test"
    assert domain_match(host, parent)
    assert not domain_match(host, "x" + parent)
