"""Hosts: IPv4 and IPv6 validation, registered names, IDNA encoding and decoding."""

from __future__ import annotations

import ipaddress

import httpx
import idna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_urls import URL, InvalidURL
from tether_urls._hosts import decode_host, encode_host


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("", ""),
        ("Example.COM", "example.com"),
        ("1.2.3.4", "1.2.3.4"),
        ("255.255.255.255", "255.255.255.255"),
        ("0.0.0.0", "0.0.0.0"),
        ("[::1]", "::1"),
        ("[2001:DB8::A]", "2001:db8::a"),
        ("[::ffff:192.168.0.1]", "::ffff:192.168.0.1"),
        ("中国.icom.museum", "xn--fiqs8s.icom.museum"),
        ("xn--fiqs8s.icom.museum", "xn--fiqs8s.icom.museum"),
        ("Bücher.example", "xn--bcher-kva.example"),
        # Full-width letters and full stop, and an ideographic full stop.
        ("\uff25\uff38\uff0e\u00dcBER\u3002de", "ex.xn--ber-goa.de"),
        ("bücher.example.", "xn--bcher-kva.example."),
        ("a%2Fb", "a%2fb"),
        ("under_score.example", "under_score.example"),
    ],
)
def test_encode_host(host: str, expected: str) -> None:
    assert encode_host(host) == expected


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("1.2.3.256", ["IPv4", "256"]),
        ("01.2.3.4", ["IPv4", "01"]),
        ("1.2.3.0004", ["IPv4"]),
        ("[::1", ["IPv6", "no closing"]),
        ("[:::]", ["IPv6", ":::"]),
        ("[1.2.3.4]", ["IPv6"]),
        ("a b", ["' '", "'a b'"]),
        ("a@b", ["'@'"]),
        ("exa<mple", ["'<'"]),
        ("☃.net", ["IDNA", "☃"]),
        ("xn--a.example", ["IDNA", "xn--a"]),
        ("bü..de", ["IDNA", "Empty Label"]),
        ("-bü.de", ["IDNA"]),
        ("bü.d e", ["' '"]),
    ],
)
def test_encode_host_refuses(host: str, words: list[str]) -> None:
    with pytest.raises(InvalidURL) as caught:
        encode_host(host)
    for word in words:
        assert word in str(caught.value)


def test_decode_host() -> None:
    assert decode_host("example.com") == "example.com"
    assert decode_host("xn--fiqs8s.icom.museum") == "中国.icom.museum"
    assert decode_host("www.xn--bcher-kva.example") == "www.bücher.example"


@pytest.mark.parametrize(
    "host",
    [
        "中国.icom.museum",
        "bücher.example",
        "straße.de",
        "παράδειγμα.δοκιμή",
        "пример.рф",
        "例え.テスト",
    ],
)
def test_idna_hosts_match_httpx_on_the_wire(host: str) -> None:
    url = URL(f"https://{host}/")
    assert url.raw_host == httpx.URL(f"https://{host}/").raw_host
    assert url.raw_host == idna.encode(host, uts46=True)
    assert url.host == host


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses(v=4))
def test_every_ipv4_address(address: ipaddress.IPv4Address) -> None:
    assert URL(f"http://{address}/").host == str(address)


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses(v=6))
def test_every_ipv6_address(address: ipaddress.IPv6Address) -> None:
    url = URL(f"http://[{address.exploded.upper()}]:8080/")
    assert ipaddress.IPv6Address(url.host) == address
    assert url.netloc == f"[{url.host}]:8080".encode()
