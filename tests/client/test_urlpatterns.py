"""Mount patterns: parsing, matching and priority, with httpx's URLPattern as the oracle."""

from __future__ import annotations

import httpx
import pytest
from httpx._utils import URLPattern as HttpxPattern
from hypothesis import given
from hypothesis import strategies as st

from tether import InvalidURL
from tether._urlpatterns import URLPattern, effective_port
from tether_urls import URL

# Patterns both libraries accept and read alike (ports are never a scheme's default:
# those are a deliberate difference, tested below).
PATTERNS = [
    "all://",
    "http://",
    "https://",
    "socks5://",
    "all://*",
    "http://*",
    "all://example.com",
    "http://example.com",
    "https://example.com",
    "all://*.example.com",
    "all://*example.com",
    "https://*.example.com",
    "http://*example.com",
    "http://example.com:1234",
    "all://example.com:8080",
    "all://*:1234",
    "http://:8080",
    "all://*.com",
    "all://localhost",
    "all://127.0.0.1",
    "all://[::1]",
    "http://[::1]:8080",
    "all://www.example.com",
    "all://Bücher.de",
    "ALL://EXAMPLE.COM",
    "HTTPS://Example.Com:8443",
    "http://example.com/",
    "http://example.com/ignored/path?and=query#fragment",
    "http://user:secret@example.com",
    "all://example.com.",
    "all://xn--bcher-kva.de",
]

URLS = [
    "http://example.com",
    "https://example.com",
    "http://example.com:1234/path",
    "https://example.com:1234",
    "http://example.com:8080",
    "https://example.com:8080",
    "http://www.example.com",
    "https://api.www.example.com/x",
    "http://notexample.com",
    "http://example.com.evil.net",
    "http://example.co",
    "http://localhost:1234",
    "http://localhost",
    "http://127.0.0.1:8080",
    "http://[::1]",
    "http://[::1]:8080",
    "https://bücher.de/",
    "https://sub.xn--bcher-kva.de/",
    "ws://example.com",
    "socks5://proxy.local:1080",
    "http://example.com.",
    "http://com",
    "https://a.com",
]


def _ours(pattern: str, url: str) -> bool:
    return URLPattern(pattern).matches(URL(url))


def _theirs(pattern: str, url: str) -> bool:
    return HttpxPattern(pattern).matches(httpx.URL(url))


@pytest.mark.parametrize("pattern", PATTERNS)
def test_matches_like_httpx(pattern: str) -> None:
    for url in URLS:
        assert _ours(pattern, url) == _theirs(pattern, url), (pattern, url)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_attributes_and_priority_like_httpx(pattern: str) -> None:
    ours, theirs = URLPattern(pattern), HttpxPattern(pattern)
    assert (ours.scheme, ours.host, ours.port) == (theirs.scheme, theirs.host, theirs.port)
    assert ours.priority == theirs.priority
    assert ours.pattern == pattern


@given(st.permutations(PATTERNS))
def test_sorts_like_httpx(patterns: list[str]) -> None:
    ours = [p.pattern for p in sorted(URLPattern(p) for p in patterns)]
    theirs = [p.pattern for p in sorted(HttpxPattern(p) for p in patterns)]
    assert ours == theirs


def test_most_specific_pattern_first() -> None:
    keys = ["all://", "http://", "all://example.com", "http://example.com:8080", "https://"]
    ordered = [p.pattern for p in sorted(URLPattern(k) for k in keys)]
    assert ordered == [
        "http://example.com:8080",
        "all://example.com",
        "https://",
        "http://",
        "all://",
    ]
    assert ordered[0] == next(
        p.pattern
        for p in sorted(map(URLPattern, keys))
        if p.matches(URL("http://example.com:8080/"))
    )


def test_wildcard_subdomains_only() -> None:
    pattern = URLPattern("all://*.example.com")
    assert pattern.matches(URL("http://www.example.com"))
    assert pattern.matches(URL("http://a.b.example.com"))
    assert not pattern.matches(URL("http://example.com"))
    assert not pattern.matches(URL("http://badexample.com"))


def test_wildcard_domain_and_subdomains() -> None:
    pattern = URLPattern("all://*example.com")
    assert pattern.matches(URL("http://example.com"))
    assert pattern.matches(URL("https://www.example.com"))
    assert not pattern.matches(URL("http://badexample.com"))


def test_host_is_case_and_idna_insensitive() -> None:
    assert URLPattern("all://EXAMPLE.com").matches(URL("http://example.COM/"))
    assert URLPattern("all://Bücher.de").matches(URL("http://xn--bcher-kva.de/"))
    assert URLPattern("all://xn--bcher-kva.de").matches(URL("http://bücher.de/"))


def test_idna_host_after_a_wildcard_works() -> None:
    # httpx raises InvalidURL on this pattern; tether encodes the name after the '*.'.
    with pytest.raises(httpx.InvalidURL):
        HttpxPattern("all://*.bücher.de")
    pattern = URLPattern("all://*.bücher.de")
    assert pattern.host == "*.bücher.de"
    assert pattern.priority == (1, -len("*.bücher.de"), 0)
    assert pattern.matches(URL("https://www.xn--bcher-kva.de/"))
    assert not pattern.matches(URL("https://xn--bcher-kva.de/"))


def test_default_port_in_pattern_is_kept() -> None:
    # httpx drops ':80' from 'http://example.com:80' and then matches every port.
    assert HttpxPattern("http://example.com:80").matches(httpx.URL("http://example.com:8080"))
    pattern = URLPattern("http://example.com:80")
    assert pattern.port == 80
    assert pattern.priority == (0, -11, -4)
    assert pattern.matches(URL("http://example.com"))
    assert pattern.matches(URL("http://example.com:80"))
    assert not pattern.matches(URL("http://example.com:8080"))


def test_port_compared_with_effective_port() -> None:
    # httpx compares with url.port, None for a default port, so this never matches there.
    assert not HttpxPattern("all://example.com:443").matches(httpx.URL("https://example.com"))
    assert URLPattern("all://example.com:443").matches(URL("https://example.com"))
    assert not URLPattern("all://example.com:443").matches(URL("http://example.com"))
    assert URLPattern("all://*:80").matches(URL("http://anything.test/"))


def test_effective_port() -> None:
    assert effective_port(URL("http://h/")) == 80
    assert effective_port(URL("https://h/")) == 443
    assert effective_port(URL("wss://h/")) == 443
    assert effective_port(URL("https://h:8443/")) == 8443
    assert effective_port(URL("unknown://h/")) is None


def test_default_ports_agree_with_tether_urls() -> None:
    from tether._urlpatterns import _DEFAULT_PORTS
    from tether_urls._parse import DEFAULT_PORTS

    assert DEFAULT_PORTS == _DEFAULT_PORTS


def test_equality_hash_and_repr() -> None:
    assert URLPattern("all://") == URLPattern("all://")
    assert URLPattern("all://") != URLPattern("http://")
    assert URLPattern("all://") != "all://"
    assert len({URLPattern("all://"), URLPattern("all://"), URLPattern("http://")}) == 2
    assert repr(URLPattern("all://x.test")) == "URLPattern('all://x.test')"
    assert URLPattern("all://").__lt__("all://") is NotImplemented  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = URLPattern("all://") < "http://"  # type: ignore[operator]


def test_plain_scheme_refused_with_hint_like_httpx() -> None:
    with pytest.raises(ValueError, match="http") as theirs:
        HttpxPattern("http")
    assert "'http://'" not in str(theirs.value)  # httpx quotes it with double quotes
    with pytest.raises(ValueError, match=r"Invalid mount pattern 'http'.*use 'http://'"):
        URLPattern("http")


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("example.com", r"Invalid mount pattern 'example\.com': a pattern has the form"),
        ("http:example.com", "a pattern has the form '<scheme>://<host>'"),
        ("", "Invalid mount pattern ''"),
        ("://example.com", "Invalid scheme '' in mount pattern"),
        ("1http://", "Invalid scheme '1http'"),
        ("ht tp://", "Invalid scheme 'ht tp'"),
        ("all://ex*ample.com", "a '\\*' may only open the host"),
        ("all://*.*.example.com", "a '\\*' may only open the host"),
        ("all://*.", "a '\\*' may only open the host"),
    ],
)
def test_meaningless_patterns_raise_value_error(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        URLPattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("http://example.com:99999", "Invalid port '99999' in mount pattern"),
        ("http://example.com:abc", "Invalid port 'abc'"),
        ("http://example.com:1:2", "Invalid port '1:2'"),
        ("http://exa mple.com", "Invalid host 'exa mple.com' in mount pattern"),
        ("all://[::1", "Invalid IPv6 host '\\[::1'"),
        ("all://[::1]x", "Invalid IPv6 host"),
    ],
)
def test_malformed_hosts_and_ports_raise_invalid_url(pattern: str, message: str) -> None:
    with pytest.raises(InvalidURL, match=message):
        URLPattern(pattern)


def test_bad_port_also_refused_by_httpx() -> None:
    with pytest.raises(httpx.InvalidURL):
        HttpxPattern("http://example.com:abc")


def test_non_string_pattern_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a str, not bytes"):
        URLPattern(b"all://")  # type: ignore[arg-type]


def test_empty_port_means_any_port() -> None:
    pattern = URLPattern("http://example.com:")
    assert pattern.port is None
    assert pattern.matches(URL("http://example.com:9999/"))


def test_ip_networks_in_cidr_form() -> None:
    # httpx ignores the "/8" (a path) and matches the host 10.0.0.0 only.
    network = URLPattern("all://10.0.0.0/8")
    assert network.host == "10.0.0.0/8"
    assert network.matches(URL("http://10.200.3.4:8080/"))
    assert not network.matches(URL("http://11.0.0.1/"))
    assert not network.matches(URL("http://ten.example/"))
    v6 = URLPattern("https://[fd00::]/8")
    assert v6.matches(URL("https://[fd12::1]/"))
    assert not v6.matches(URL("http://[fd12::1]/"))
    assert not v6.matches(URL("https://[::1]/"))
    # A network ranks after any named host, before "any host".
    assert URLPattern("all://10.0.0.5") < URLPattern("all://10.0.0.0/8") < URLPattern("all://")
    # Not networks: a name before the prefix, or a path that is not a prefix.
    assert URLPattern("all://example.com/8").matches(URL("http://example.com/"))
    assert URLPattern("all://10.0.0.0/x").matches(URL("http://10.0.0.0/"))
    assert not URLPattern("all://10.0.0.0/x").matches(URL("http://10.0.0.1/"))
