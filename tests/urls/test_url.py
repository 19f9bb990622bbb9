"""URL: every property and method, its keyword arguments, equality, hashing, pickling."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from tether_urls import URL, InvalidURL, QueryParams

FULL = "HTTPS://jo%40email.com:a%20secret@Müller.de:1234/pa%20th?search=ab#anchor%20link"


def test_properties_of_a_full_url() -> None:
    url = URL(FULL)
    assert url.scheme == "https"
    assert url.raw_scheme == b"https"
    assert url.userinfo == b"jo%40email.com:a%20secret"
    assert url.username == "jo@email.com"
    assert url.password == "a secret"
    assert url.host == "müller.de"
    assert url.raw_host == b"xn--mller-kva.de"
    assert url.port == 1234
    assert url.netloc == b"xn--mller-kva.de:1234"
    assert url.path == "/pa th"
    assert url.raw_path == b"/pa%20th?search=ab"
    assert url.query == b"search=ab"
    assert url.params == QueryParams({"search": "ab"})
    assert url.fragment == "anchor link"
    assert url.is_absolute_url
    assert not url.is_relative_url


def test_properties_of_an_empty_url() -> None:
    url = URL()
    assert str(url) == ""
    assert (url.scheme, url.host, url.port, url.path, url.query) == ("", "", None, "/", b"")
    assert url.raw_path == b"/"
    assert url.userinfo == b""
    assert url.netloc == b""
    assert not url.params
    assert url.is_relative_url


def test_ipv6_host_and_netloc() -> None:
    url = URL("http://[::1]:8080/")
    assert url.host == "::1"
    assert url.raw_host == b"::1"
    assert url.netloc == b"[::1]:8080"
    assert str(url) == "http://[::1]:8080/"


@pytest.mark.parametrize(
    ("text", "absolute"),
    [("http://x/", True), ("http:x", False), ("//x/", False), ("/p", False), ("", False)],
)
def test_absolute_and_relative(text: str, absolute: bool) -> None:
    assert URL(text).is_absolute_url is absolute
    assert URL(text).is_relative_url is not absolute


def test_params_are_parsed_once() -> None:
    url = URL("http://x/?a=1&a=2")
    assert url.params is url.params
    assert url.params.get_list("a") == ["1", "2"]


def test_raw_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="raw is deprecated"):
        raw = URL("https://x:81/p?q").raw
    assert raw.raw_path == b"/p?q"
    assert raw == (b"https", b"x", 81, b"/p?q")


def test_repr_hides_the_password() -> None:
    assert repr(URL("https://me:hunter2@x/")) == "URL('https://me:[secure]@x/')"
    assert repr(URL("https://me@x/")) == "URL('https://me@x/')"
    assert "hunter2" not in repr(URL("https://me:hunter2@x/"))
    assert "hunter2" in str(URL("https://me:hunter2@x/"))


def test_equality_with_urls_and_strings() -> None:
    url = URL("HTTP://Example.com:80/a")
    assert url == URL("http://example.com/a")
    assert url == "http://example.com/a"
    assert url == "HTTP://EXAMPLE.COM/a"
    assert url != "http://example.com/b"
    assert url != URL("http://example.com/a/")
    assert url != 3
    assert url != b"http://example.com/a"
    # An invalid string is simply not equal (httpx raises InvalidURL here).
    assert url != "http://x:bad/"


def test_hash_agrees_with_equality() -> None:
    assert hash(URL("HTTP://X:80/")) == hash(URL("http://x/")) == hash("http://x/")
    assert len({URL("http://x/"), URL("HTTP://X/"), URL("http://y/")}) == 2


@pytest.mark.parametrize("text", [FULL, "", "/rel?x#y", "http://[::1]/", "mailto:x@y"])
def test_pickle_and_copy(text: str) -> None:
    url = URL(text)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        clone = pickle.loads(pickle.dumps(url, protocol))
        assert clone == url
        assert type(clone) is URL
    assert copy.copy(url) == url
    assert copy.deepcopy(url) == url
    assert b"tether_urls._" not in pickle.dumps(url)


def test_url_is_immutable() -> None:
    url = URL("http://x/")
    with pytest.raises(AttributeError):
        url.host = "y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        url.anything = 1  # type: ignore[attr-defined]


def test_url_from_url() -> None:
    url = URL("http://x/a")
    assert URL(url) == url
    assert URL(url, path="/b") == "http://x/b"
    assert url.copy_with() is url


@pytest.mark.parametrize("value", [b"http://x/", 1, None, ["http://x"]])
def test_url_type_errors(value: Any) -> None:
    with pytest.raises(TypeError, match="expected str or URL"):
        URL(value)
    with pytest.raises(TypeError, match="expected str or URL"):
        URL(value, path="/")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"foo": 1}, "'foo' is an invalid keyword argument for URL()"),
        ({"path": b"/"}, "Argument 'path' must be str but got bytes"),
        ({"query": "a=1"}, "Argument 'query' must be bytes but got str"),
        ({"port": "80"}, "Argument 'port' must be int but got str"),
        ({"host": 1}, "Argument 'host' must be str but got int"),
        ({"netloc": "x"}, "Argument 'netloc' must be bytes but got str"),
    ],
)
def test_keyword_type_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as caught:
        URL("http://x/", **kwargs)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"path": "/a?b"}, ["path", "'?'"]),
        ({"path": "/a#b"}, ["path", "'#'"]),
        ({"query": b"a#b"}, ["query", "'#'"]),
        ({"userinfo": b"a@b"}, ["userinfo", "'@'"]),
        ({"netloc": b"u@h"}, ["netloc", "'@'"]),
        ({"scheme": "ht tp"}, ["scheme", "ht tp"]),
        ({"scheme": "1http"}, ["scheme", "1http"]),
        ({"query": "é".encode()}, ["query", "not ASCII"]),
        ({"path": "/a\r\nb"}, ["path component", "'\\r'", "position 2"]),
        ({"fragment": "x\x00"}, ["fragment component", "'\\x00'"]),
        ({"username": "a\nb"}, ["username component", "'\\n'"]),
        ({"password": "p\x7f"}, ["password component", "'\\x7f'"]),
        ({"host": "a b"}, ["host", "' '"]),
        ({"host": "a/b"}, ["host", "'/'"]),
        ({"port": -1}, ["port", "-1"]),
        ({"port": 70000}, ["port", "70000"]),
        ({"port": True}, ["port", "True"]),
        ({"path": "relative"}, ["path", "'relative'"]),
        ({"host": ""}, ["needs a host"]),
    ],
)
def test_keyword_value_errors(kwargs: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(InvalidURL) as caught:
        URL("https://x/", **kwargs)
    for word in words:
        assert word in str(caught.value)


def test_relative_path_rules() -> None:
    with pytest.raises(InvalidURL, match="cannot start with '//'"):
        URL(path="//a")
    with pytest.raises(InvalidURL, match="cannot start with ':'"):
        URL(path=":a")
    assert str(URL(path="a/b")) == "a/b"


def test_copy_with_components() -> None:
    url = URL("https://example.com/a")
    assert str(url.copy_with(scheme="http")) == "http://example.com/a"
    assert str(url.copy_with(host="::1", port=8443)) == "https://[::1]:8443/a"
    assert str(url.copy_with(netloc=b"[::1]:81")) == "https://[::1]:81/a"
    assert str(url.copy_with(username="jo@x.com", password="a secret")) == (
        "https://jo%40x.com:a%20secret@example.com/a"
    )
    assert str(url.copy_with(userinfo=b"me:pw")) == "https://me:pw@example.com/a"
    assert str(url.copy_with(raw_path=b"/b?c")) == "https://example.com/b?c"
    assert str(url.copy_with(raw_path=b"/b")) == "https://example.com/b"
    assert str(url.copy_with(query=b"q", fragment="f")) == "https://example.com/a?q#f"
    assert str(URL("https://u:p@x/").copy_with(username=None, password=None)) == "https://x/"
    assert str(url.copy_with(port=443)) == "https://example.com/a"


def test_param_copies() -> None:
    url = URL("https://x/?a=1&b=2")
    assert str(url.copy_set_param("a", 3)) == "https://x/?a=3&b=2"
    assert str(url.copy_add_param("a", None)) == "https://x/?a=1&a=&b=2"
    assert str(url.copy_remove_param("a")) == "https://x/?b=2"
    assert str(url.copy_merge_params({"b": True, "c": "d e"})) == "https://x/?a=1&b=true&c=d+e"
    assert str(url.copy_remove_param("a").copy_remove_param("b")) == "https://x/"
    assert str(URL("https://x/", params={"q": ["1", "2"]})) == "https://x/?q=1&q=2"
    assert str(URL("https://x/?q=1", params="")) == "https://x/"
    assert url == "https://x/?a=1&b=2"  # the original is unchanged


def test_str_is_stable() -> None:
    url = URL(FULL)
    assert str(url) is str(url)
    assert str(URL(str(url))) == str(url)
