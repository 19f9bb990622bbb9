"""tether_urls against httpx 0.28 as an oracle: str(), every property, join, copy_with.

Where tether deliberately differs, the case is listed in a table with the reason, and
the test asserts tether's own (RFC 3986) answer, so a silent drift either way fails.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import tether_urls
from tether_urls import URL, InvalidURL, QueryParams

URLS = [
    "https://user:pass@www.example.org:8443/path?q=1#f",
    "http://example.com",
    "http://example.com/",
    "HTTPS://EXAMPLE.com/A/B",
    "http://Bücher.example/",
    "https://中国.icom.museum/",
    "http://xn--bcher-kva.example/",
    "http://xn--fiqs8s.icom.museum/a",
    "http://ÜNICODE.de/path",
    "https://straße.de/",
    "http://münchen.de./",
    "http://[::1]:80/",
    "http://[::1]:8080/x",
    "https://[2001:db8::1]:8443/x",
    "http://[::ffff:1.2.3.4]/",
    "http://1.2.3.4/",
    "http://127.0.0.1:8000/",
    "http://0.0.0.0/",
    "http://1.2.3.4.5/",
    "http://ex_ample.com/",
    "http://Ex%41mple.com/",
    "http://x/a b",
    "http://x/%zz%41%2f",
    "http://x/%7e",
    "http://x/%E2%82%AC",
    "http://x/€",
    "http://x/😀",
    "http://x/?q=😀",
    "http://x/é?é#é",
    "http://x/{}|\\^`",
    'http://x/?{}|\\^`"<>',
    'http://x/#{}|\\^`"<>',
    "http://x/?a=%zz",
    "http://x.com/?q=a+b&c=%20",
    "http://x?a b#c d",
    "http://x/a?b?c#d#e",
    "http://x?",
    "http://x#",
    "http://x/?#",
    "http://x:/",
    "http://x:8080",
    "http://x:08080/",
    "https://x:80/",
    "ftp://x:21/",
    "ws://x:80",
    "wss://x:443/",
    "http://example.com:0/",
    "http://x:65535/",
    "http://user@a@b/",
    "http://a:b:c@d/",
    "http://u%20ser:p%40ss@x/",
    "http://us er:pa ss@x/",
    "http://u;x:p=w@x/",
    "http://ü:ö@x/",
    "//user@host",
    "//x/y",
    "x/../y",
    "/a/./b/../c",
    "../x",
    "./x",
    "g;x?y#s",
    "http://x/a/b/c/./../../g",
    "http://x/./",
    "http://x/../",
    "http://x/.../a",
    "http://x/a/%2e%2e/b",
    "http://x/a//b",
    "http://x//a",
    "http://x/~user",
    "http://x/a;p?q",
    "HTTP://www.Example.COM/%7Euser",
    "file:///etc/passwd",
    "file://localhost/etc",
    "urn:isbn:0451450523",
    "data:text/plain,hello world",
    "mailto:x@y",
    "http:x",
    "a:b",
    "localhost:8000",
    ":a",
    "s3://bucket/key",
    "git+ssh://git@github.com/a/b.git",
    "",
    "?",
    "#",
    "?a=1",
    "#frag",
    "//",
    " http://x/",
    "http://x/ ",
]

# Where tether answers differently from httpx 0.28 on purpose: the URL, and why.
DIFFERENT = {
    # RFC 3986 section 5.2.4 keeps the "/" a trailing dot segment leaves; httpx drops it.
    "http://x/a/.": "http://x/a/",
    "http://x/a/..": "http://x/",
    "http://x/a/./b/../../..": "http://x/",
    # httpx compares the port with the default of the scheme before lower-casing it.
    "HTTP://X.COM:80": "http://x.com",
}


def _properties(url: Any) -> dict[str, object]:
    return {
        "str": str(url),
        "repr": repr(url),
        "scheme": url.scheme,
        "raw_scheme": url.raw_scheme,
        "userinfo": url.userinfo,
        "username": url.username,
        "password": url.password,
        "host": url.host,
        "raw_host": url.raw_host,
        "port": url.port,
        "netloc": url.netloc,
        "path": url.path,
        "raw_path": url.raw_path,
        "query": url.query,
        "params": url.params.multi_items(),
        "fragment": url.fragment,
        "is_absolute_url": url.is_absolute_url,
        "is_relative_url": url.is_relative_url,
    }


@pytest.mark.parametrize("text", URLS)
def test_every_property_matches_httpx(text: str) -> None:
    assert _properties(URL(text)) == _properties(httpx.URL(text))


@pytest.mark.parametrize(("text", "expected"), DIFFERENT.items())
def test_documented_differences_from_httpx(text: str, expected: str) -> None:
    assert str(URL(text)) == expected
    assert str(httpx.URL(text)) != expected


def test_host_decodes_every_idna_label() -> None:
    # httpx decodes the host only when it starts with "xn--"; tether decodes each label.
    url = URL("https://www.bücher.example/")
    assert url.host == "www.bücher.example"
    assert httpx.URL("https://www.bücher.example/").host == "www.xn--bcher-kva.example"
    assert url.raw_host == httpx.URL("https://www.bücher.example/").raw_host


BASES = [
    "http://a/b/c/d;p?q",
    "https://x.org",
    "https://x.org/",
    "http://u:p@h:81/a/b/",
    "http://[::1]/a/b",
    "https://例え.jp/a/b",
]
REFERENCES = [
    "g:h", "g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x", "g;x",
    "g;x?y#s", "", ".", "./", "..", "../", "../g", "../..", "../../", "../../g", "../../../g",
    "../../../../g", "/./g", "/../g", "g.", ".g", "g..", "..g", "./../g", "./g/.", "g/./h",
    "g/../h", "g;x=1/./y", "g;x=1/../y", "g?y/./x", "g?y/../x", "g#s/./x", "g#s/../x",
    "//h:80/x", "//h:8080", "https://other/x/../y", "//u@h", "a b", "é", "//x.com/../a",
    "mailto:x", "HTTP://A/", "./a:b", "//[::2]:443/",
]  # fmt: skip


def _join_differs(base: str, reference: str) -> bool:
    """Where httpx's urljoin departs from RFC 3986 section 5.2, which tether follows."""
    # "http:g": urljoin reads a same-scheme reference as relative (RFC 3986 5.4.2 allows
    # this only "for backward compatibility"); "?" and "#": urljoin drops an empty query or
    # fragment; "..//x": urljoin drops empty segments.
    return reference in ("http:g", "?", "#") or "//" in reference[2:]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("reference", REFERENCES)
def test_join_matches_httpx(base: str, reference: str) -> None:
    joined = URL(base).join(reference)
    if not _join_differs(base, reference):
        assert str(joined) == str(httpx.URL(base).join(reference))


@pytest.mark.parametrize(
    ("base", "reference", "httpx_answer", "rfc_answer"),
    [
        ("http://a/b/c/d;p?q", "http:g", "http://a/b/c/g", "http:g"),
        ("http://a/b/c/d;p?q", "?", "http://a/b/c/d;p?q", "http://a/b/c/d;p?"),
        ("http://a/b/c/d;p?q", "#", "http://a/b/c/d;p?q", "http://a/b/c/d;p?q#"),
        ("http://a/b/c/d;p?q", "..//x", "http://a/b/x", "http://a/b//x"),
        # urljoin keeps the base's fragment for an empty reference; RFC 3986 does not.
        ("http://a/b?q#f", "", "http://a/b?q#f", "http://a/b?q"),
        # urljoin does not resolve against schemes it does not know as hierarchical.
        ("mailto:a@b", "c", "c", "mailto:c"),
    ],
)
def test_join_differences_from_httpx(
    base: str, reference: str, httpx_answer: str, rfc_answer: str
) -> None:
    assert str(httpx.URL(base).join(reference)) == httpx_answer
    assert str(URL(base).join(reference)) == rfc_answer


COPIES: list[dict[str, Any]] = [
    {"scheme": "http"},
    {"scheme": "HTTPS"},
    {"host": "Other.ORG"},
    {"host": "bücher.example"},
    {"host": "::1"},
    {"host": "[::1]"},
    {"port": 8000},
    {"port": 443},
    {"port": None},
    {"path": "/a b/c"},
    {"path": "/a/../b"},
    {"path": ""},
    {"query": b"a=1&b=2"},
    {"query": None},
    {"fragment": "top"},
    {"fragment": "a b#c"},
    {"fragment": None},
    {"userinfo": b"me:pw"},
    {"username": "a@b:c", "password": "p:@/ss"},
    {"netloc": b"y:81"},
    {"netloc": b"y"},
    {"raw_path": b"/a b?c=d e"},
    {"raw_path": b"/only"},
    {"params": {"b": 2}},
    {"params": {}},
    {"params": [("a", 1), ("a", 2)]},
    {"params": "a=1&b=2 3"},
    {"params": QueryParams("x=y")},
    {"scheme": "http", "host": "example.com", "path": "/p", "query": b"q"},
]


@pytest.mark.parametrize("changes", COPIES)
@pytest.mark.parametrize("start", ["https://user:pass@www.example.org:8443/path?q=1#f", "/rel"])
def test_copy_with_matches_httpx(start: str, changes: dict[str, Any]) -> None:
    if start == "/rel" and "path" in changes and changes["path"] == "":
        changes = {**changes, "host": "x"}

    def attempt(module: Any) -> object:
        try:
            return _properties(module.URL(start).copy_with(**changes))
        except Exception as exc:  # both sides must fail alike
            return type(exc).__name__

    if not isinstance(changes.get("params"), QueryParams):
        assert attempt(tether_urls) == attempt(httpx)
    else:
        assert URL(start).copy_with(**changes).query == b"x=y"


def test_copy_with_one_credential_keeps_the_other() -> None:
    # httpx drops the password when only the username is given (and the reverse).
    start = "https://user:pass@example.org/"
    assert str(URL(start).copy_with(username="me")) == "https://me:pass@example.org/"
    assert str(URL(start).copy_with(password="new")) == "https://user:new@example.org/"
    assert str(httpx.URL(start).copy_with(username="me")) == "https://me@example.org/"


@pytest.mark.parametrize("changes", COPIES)
def test_keyword_construction_matches_httpx(changes: dict[str, Any]) -> None:
    if isinstance(changes.get("params"), QueryParams):
        changes = {**changes, "params": {"x": "y"}}
    base = {"scheme": "https", "host": "example.com", **changes}
    try:
        expected: object = _properties(httpx.URL(**base))
    except httpx.InvalidURL:
        with pytest.raises(InvalidURL):
            URL(**base)
        return
    assert _properties(URL(**base)) == expected


@pytest.mark.parametrize(
    "value",
    [
        "a=1&a=2&b=3",
        "a=b+c&d=%20e",
        "a&b=&c=1",
        "a=1;b=2",
        "=x&y=",
        "&&a=1&&",
        "%E2%82%AC=%zz",
        "q=😀",
        {"a": "b c&d=é", "e": ["1", None, True, 2.5, False]},
        {"a": ("x", "y"), 1: 2},
        [("a", 1), ("b", None), ("a", "z")],
        (("k", "v"),),
        b"a=1&b=2",
    ],
)
def test_query_params_match_httpx(value: Any) -> None:
    ours, theirs = QueryParams(value), httpx.QueryParams(value)
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)
    assert ours.multi_items() == theirs.multi_items()
    assert list(ours.items()) == list(theirs.items())
    assert list(ours.keys()) == list(theirs.keys())
    assert list(ours.values()) == list(theirs.values())
    assert len(ours) == len(theirs)


def test_public_members_match_httpx() -> None:
    def public(cls: type) -> set[str]:
        return {name for name in dir(cls) if not name.startswith("_")}

    assert public(URL) == public(httpx.URL)
    assert public(QueryParams) == public(httpx.QueryParams)
    assert InvalidURL.__mro__[1:] == httpx.InvalidURL.__mro__[1:]
