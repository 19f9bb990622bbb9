"""`Proxy`: httpx's proxy value, with credentials kept out of the URL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import tether

CASES: list[tuple[str, dict[str, Any]]] = [
    ("http://proxy.example:8080/", {}),
    ("http://user:pa%20ss@proxy.example:8080/", {"headers": {"X-A": "1"}}),
    ("https://proxy.example", {"auth": ("a", "b")}),
    ("socks5://localhost:1080", {}),
    ("socks5h://localhost:1080", {}),
]


@pytest.mark.parametrize(("url", "kwargs"), CASES)
def test_proxy_matches_httpx(url: str, kwargs: dict[str, Any]) -> None:
    ours = tether.Proxy(url, **kwargs)
    theirs = httpx.Proxy(url, **kwargs)
    assert str(ours.url) == str(theirs.url)
    assert ours.auth == theirs.auth
    assert ours.raw_auth == theirs.raw_auth
    assert dict(ours.headers) == dict(theirs.headers)
    assert repr(ours) == repr(theirs)
    assert ours.ssl_context is None


def test_credentials_leave_the_url_and_the_repr() -> None:
    proxy = tether.Proxy("http://user:secret@proxy.example:3128")
    assert "secret" not in str(proxy.url)
    assert "secret" not in repr(proxy)
    assert proxy.auth == ("user", "secret")


@pytest.mark.parametrize("url", ["ftp://proxy.example", "proxy.example:8080", "/relative"])
def test_unknown_schemes_are_refused_by_name(url: str) -> None:
    with pytest.raises(ValueError, match=r"Unknown scheme for proxy URL .* use one of http"):
        tether.Proxy(url)


@pytest.mark.parametrize("auth", [("only-user",), ["a", "b"], ("a", 2)])
def test_bad_auth_names_its_type(auth: Any) -> None:
    with pytest.raises(TypeError, match="Proxy auth= must be a"):
        tether.Proxy("http://proxy.example", auth=auth)
