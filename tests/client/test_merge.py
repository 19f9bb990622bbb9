"""Merging a client's configuration into a request, with httpx 0.28 as the oracle."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import httpx
import pytest

import tether_content
from tether import Cookies, Headers, InvalidURL, QueryParams, Timeout, __version__
from tether._merge import (
    USE_CLIENT_DEFAULT,
    USER_AGENT,
    UseClientDefault,
    accept_encoding,
    client_headers,
    default_headers,
    enforce_trailing_slash,
    merge_cookies,
    merge_extensions,
    merge_headers,
    merge_params,
    merge_url,
)
from tether_urls import URL


def _httpx_url(base_url: str, url: str) -> str:
    return str(httpx.Client(base_url=base_url).build_request("GET", url).url)


def _ours(base_url: str, url: str) -> str:
    return str(merge_url(enforce_trailing_slash(URL(base_url)), url))


# (base_url, request URL): both libraries give the same URL.
SAME_AS_HTTPX = [
    ("https://x/api", "/users"),
    ("https://x/api", "users"),
    ("https://x/api/", "/users"),
    ("https://x/api/", "users"),
    ("https://x", "/users"),
    ("https://x", "users/1?page=2"),
    ("https://x/api", ""),
    ("https://x/api", "/"),
    ("https://x/api", "?a=1"),
    ("https://x/api", "/users?a=1&a=2"),
    ("https://x/api", "./here"),
    ("https://x/api", "../up"),
    ("https://x/a%20b", "c d"),
    ("https://x/api", "/caf%C3%A9"),
    ("https://x/api", "https://y/z"),
    ("https://x/api", "http://y:8080/z?q=1"),
    ("https://u:p@x:8443/api", "/u"),
    ("http://[::1]:8000/v1", "items"),
    ("https://x/api#top", "/u"),
    ("https://x/api", "///u"),
]


@pytest.mark.parametrize(("base_url", "url"), SAME_AS_HTTPX)
def test_merge_url_like_httpx(base_url: str, url: str) -> None:
    assert _ours(base_url, url) == _httpx_url(base_url, url)


def test_merge_url_appends_not_rfc3986_join() -> None:
    base = enforce_trailing_slash(URL("https://x/api"))
    assert str(merge_url(base, "/users")) == "https://x/api/users"
    assert str(URL("https://x/api").join("/users")) == "https://x/users"


def test_merge_url_accepts_url_objects() -> None:
    base = enforce_trailing_slash(URL("https://x/api"))
    assert merge_url(base, URL("/a")) == URL("https://x/api/a")


def test_enforce_trailing_slash_like_httpx() -> None:
    for base in ["https://x/api", "https://x/api/", "https://x", "", "/rel", "https://x/a/b"]:
        ours = enforce_trailing_slash(URL(base))
        assert str(ours) == str(httpx.Client(base_url=base).base_url), base


def test_enforce_trailing_slash_returns_same_url_when_already_slashed() -> None:
    url = URL("https://x/api/")
    assert enforce_trailing_slash(url) is url


def test_base_url_query_stays_a_query() -> None:
    # httpx appends the slash to the query (encode/httpx#3614).
    assert str(httpx.Client(base_url="https://x/a?k=v").base_url) == "https://x/a?k=v/"
    base = enforce_trailing_slash(URL("https://x/a?k=v"))
    assert str(base) == "https://x/a/?k=v"
    assert base.query == b"k=v"


def test_base_url_query_is_kept_and_request_query_appended() -> None:
    assert _httpx_url("https://x/a?k=v", "/u?z=1") == "https://x/a?k=v/u?z=1"
    assert _ours("https://x/a?k=v", "/u?z=1") == "https://x/a/u?k=v&z=1"
    assert _ours("https://x/a?sig=a%2Fb", "/u") == "https://x/a/u?sig=a%2Fb"
    assert _ours("https://x/a", "/u?z=1") == "https://x/a/u?z=1"


def test_request_fragment_wins_over_base_fragment() -> None:
    assert _httpx_url("https://x/api", "#frag") == "https://x/api/"
    assert _ours("https://x/api", "#frag") == "https://x/api/#frag"
    assert _ours("https://x/api#base", "/u#mine") == "https://x/api/u#mine"


def test_no_base_url_leaves_url_alone() -> None:
    empty = enforce_trailing_slash(URL(""))
    assert merge_url(empty, "/u") == URL("/u")
    assert merge_url(empty, "//other/p") == URL("//other/p")
    assert merge_url(empty, "https://h/p") == URL("https://h/p")


def test_scheme_relative_url_with_base_url_is_refused() -> None:
    # httpx silently drops the host and requests https://x/api/p.
    assert _httpx_url("https://x/api", "//other.example/p") == "https://x/api/p"
    with pytest.raises(InvalidURL, match=r"'//other\.example/p'.*has a host but no scheme"):
        _ours("https://x/api", "//other.example/p")


def test_scheme_without_host_with_base_url_is_refused() -> None:
    assert _httpx_url("https://x/api", "http:/foo") == "https://x/api/foo"
    with pytest.raises(InvalidURL, match=r"'http:/foo'.*has a scheme but no host"):
        _ours("https://x/api", "http:/foo")


def test_invalid_request_url_raises_invalid_url() -> None:
    with pytest.raises(InvalidURL, match="port"):
        merge_url(enforce_trailing_slash(URL("https://x/")), "https://h:99999/")


# -- params --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client", "request_params"),
    [
        ({"a": "1"}, {"b": "2"}),
        ({"a": "1", "b": ["2", "3"]}, {"b": "4", "d": "5"}),
        ({"a": "1"}, None),
        ({}, {"a": "1"}),
        ({"a": "1"}, [("a", "x"), ("a", "y")]),
        ({"a": "1"}, "a=2&c=3"),
        ({}, None),
    ],
)
def test_merge_params_like_httpx(client: Any, request_params: Any) -> None:
    expected = httpx.Client(params=client).build_request(
        "GET", "https://h/p", params=request_params
    )
    merged = merge_params(QueryParams(client), request_params)
    assert ("" if merged is None else str(merged)) == expected.url.query.decode()


def test_merge_params_request_overrides_per_name() -> None:
    merged = merge_params(QueryParams({"a": ["1", "2"], "b": "3"}), {"a": "9"})
    assert merged is not None
    assert merged.multi_items() == [("a", "9"), ("b", "3")]


def test_merge_params_none_when_empty() -> None:
    assert merge_params(QueryParams(), None) is None
    assert merge_params(QueryParams(), {}) is None


def test_merge_params_does_not_change_client_params() -> None:
    client = QueryParams({"a": "1"})
    merge_params(client, {"a": "2"})
    assert str(client) == "a=1"


# -- headers -------------------------------------------------------------------------


def test_default_headers() -> None:
    headers = default_headers()
    assert headers.multi_items() == [
        ("accept", "*/*"),
        ("accept-encoding", ", ".join(tether_content.supported_encodings())),
        ("connection", "keep-alive"),
        ("user-agent", f"python-tether/{__version__}"),
    ]
    assert f"python-tether/{__version__}" == USER_AGENT
    assert default_headers() is not default_headers()


def test_accept_encoding_lists_installed_decoders() -> None:
    # brotli and zstandard are installed in the dev venv, as they are for httpx.
    assert accept_encoding() == "gzip, deflate, br, zstd"
    assert httpx.Client().headers["accept-encoding"] == accept_encoding()


def test_default_headers_same_names_and_order_as_httpx() -> None:
    theirs = httpx.Client().headers.multi_items()
    ours = default_headers().multi_items()
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    assert [v for n, v in ours if n != "user-agent"] == [v for n, v in theirs if n != "user-agent"]


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {"Accept": "text/html"},
        {"X-A": "1", "user-agent": "mine/1.0"},
        [("X-Multi", "1"), ("x-multi", "2"), ("Connection", "close")],
    ],
)
def test_client_headers_like_httpx(headers: Any) -> None:
    theirs = httpx.Client(headers=headers).headers.multi_items()
    ours = client_headers(headers).multi_items()
    strip = {"user-agent"} if not headers or "user-agent" not in str(headers) else set()
    assert [(n, v) for n, v in ours if n not in strip] == [
        (n, v) for n, v in theirs if n not in strip
    ]


@pytest.mark.parametrize(
    ("client", "request_headers"),
    [
        ({"X-A": "1", "x-b": "2", "Accept": "text/html"}, [("x-b", "3"), ("x-b", "4")]),
        ({"X-A": "1"}, None),
        ({"X-A": "1"}, {"x-a": "2", "X-C": "3"}),
        ({}, {"Accept": "application/json"}),
    ],
)
def test_merge_headers_like_httpx(client: Any, request_headers: Any) -> None:
    expected = httpx.Client(headers=client).build_request(
        "GET", "https://h/", headers=request_headers
    )
    merged = merge_headers(client_headers(client), request_headers)
    theirs = [(n, v) for n, v in expected.headers.multi_items() if n not in ("host", "user-agent")]
    ours = [(n, v) for n, v in merged.multi_items() if n != "user-agent"]
    assert ours == theirs


def test_merge_headers_request_overrides_client_and_copies() -> None:
    client = Headers({"Accept": "*/*", "X-Token": "a"})
    merged = merge_headers(client, {"accept": "text/plain"})
    assert merged["Accept"] == "text/plain"
    assert merged["X-Token"] == "a"
    assert client["Accept"] == "*/*"


# -- cookies -------------------------------------------------------------------------


def test_merge_cookies_like_httpx() -> None:
    expected = httpx.Client(cookies={"c1": "v1", "c2": "v2"}).build_request(
        "GET", "https://h/", cookies={"c2": "w2", "c3": "v3"}
    )
    merged = merge_cookies(Cookies({"c1": "v1", "c2": "v2"}), {"c2": "w2", "c3": "v3"})
    assert merged is not None
    assert merged.cookie_header("https://h/") == expected.headers["Cookie"]
    assert merged.cookie_header("https://h/") == "c1=v1; c2=w2; c3=v3"


def test_merge_cookies_per_request_wins_and_client_jar_untouched() -> None:
    client = Cookies({"session": "client"})
    merged = merge_cookies(client, [("session", "mine")])
    assert merged is not None
    assert merged["session"] == "mine"
    assert client["session"] == "client"
    assert merged is not client


def test_merge_cookies_none_when_neither_has_any() -> None:
    assert merge_cookies(Cookies(), None) is None
    assert merge_cookies(Cookies(), {}) is None
    only_client = merge_cookies(Cookies({"a": "1"}), None)
    assert only_client is not None
    assert dict(only_client) == {"a": "1"}


# -- USE_CLIENT_DEFAULT and extensions ------------------------------------------------


def test_use_client_default_sentinel() -> None:
    assert repr(USE_CLIENT_DEFAULT) == "USE_CLIENT_DEFAULT"
    assert isinstance(USE_CLIENT_DEFAULT, UseClientDefault)
    assert pickle.loads(pickle.dumps(USE_CLIENT_DEFAULT)) is USE_CLIENT_DEFAULT
    assert copy.deepcopy(USE_CLIENT_DEFAULT) is USE_CLIENT_DEFAULT
    assert USE_CLIENT_DEFAULT is not None
    with pytest.raises(AttributeError):
        setattr(USE_CLIENT_DEFAULT, "anything", 1)  # noqa: B010 (no __dict__: __slots__)


def test_merge_extensions_uses_client_timeout_by_default() -> None:
    client_timeout = Timeout(3.0)
    merged = merge_extensions(None, USE_CLIENT_DEFAULT, client_timeout)
    assert merged == {"timeout": {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}}


def test_merge_extensions_like_httpx() -> None:
    for timeout in (USE_CLIENT_DEFAULT, None, 1.5, (1.0, 2.0, 3.0, 4.0)):
        httpx_timeout: Any = httpx.USE_CLIENT_DEFAULT if timeout is USE_CLIENT_DEFAULT else timeout
        expected = httpx.Client(timeout=7.0).build_request(
            "GET", "https://h/", timeout=httpx_timeout, extensions={"trace": print}
        )
        merged = merge_extensions({"trace": print}, timeout, Timeout(7.0))
        assert merged == expected.extensions, timeout


def test_merge_extensions_keeps_explicit_timeout_and_copies() -> None:
    extensions = {"timeout": {"connect": 1.0}}
    merged = merge_extensions(extensions, 5.0, Timeout(7.0))
    assert merged == {"timeout": {"connect": 1.0}}
    assert merged is not extensions


def test_merge_extensions_total_timeout() -> None:
    merged = merge_extensions({}, Timeout(2.0, total=10.0), Timeout(7.0))
    assert merged["timeout"]["total"] == 10.0
