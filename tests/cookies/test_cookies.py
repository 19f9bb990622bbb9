"""The Cookies mapping, with httpx.Cookies as the oracle for its API."""

from __future__ import annotations

import http.cookiejar
import pickle
import sys
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest

from tether_cookies import CookieConflict, Cookies, InvalidCookie, RFC6265CookieJar

AnyCookies = Any  # tether_cookies.Cookies or httpx.Cookies: the same API
Step = Callable[[AnyCookies], object]


def _outcome(call: Callable[[], object]) -> object:
    try:
        result = call()
    except (CookieConflict, httpx.CookieConflict):
        return "CookieConflict"
    except KeyError:
        return "KeyError"
    if isinstance(result, (list, tuple)):
        return sorted(map(str, result))
    return result


def observe(cookies: AnyCookies) -> dict[str, object]:
    """Everything observable through the mapping API, order-insensitively."""
    names = sorted(set(cookies))
    probes = [*names, "missing"]
    return {
        "names": sorted(cookies),
        "len": len(cookies),
        "bool": bool(cookies),
        "get": {name: _outcome(partial(cookies.get, name)) for name in probes},
        "getitem": {name: _outcome(partial(cookies.__getitem__, name)) for name in probes},
        "contains": {name: _outcome(partial(cookies.__contains__, name)) for name in probes},
        "get_default": cookies.get("missing", "fallback"),
        "get_domain": _outcome(lambda: cookies.get("a", domain="example.com")),
        "get_path": _outcome(lambda: cookies.get("a", path="/api")),
        "repr": sorted(repr(cookies).removeprefix("<Cookies[").removesuffix("]>").split(", ")),
        "jar": sorted((c.name, c.value, c.domain, c.path) for c in cookies.jar),
    }


def build(factory: type, init: object) -> AnyCookies:
    return factory(init) if init is not None else factory()


SCENARIOS: dict[str, tuple[object, list[Step]]] = {
    "empty": (None, []),
    "dict": ({"a": "1", "b": "2"}, []),
    "list of pairs": ([("a", "1"), ("b", "2")], []),
    "empty value": ({"a": ""}, []),
    "set then get": (None, [lambda c: c.set("a", "1")]),
    "setitem overwrites": ({"a": "1"}, [lambda c: c.__setitem__("a", "2")]),
    "same name two domains": (
        None,
        [lambda c: c.set("a", "1", domain="example.com"), lambda c: c.set("a", "2")],
    ),
    "same name two paths": (
        None,
        [lambda c: c.set("a", "1", path="/api"), lambda c: c.set("a", "2", path="/")],
    ),
    "delitem": ({"a": "1", "b": "2"}, [lambda c: c.__delitem__("a")]),
    "delitem missing": ({"a": "1"}, [lambda c: c.__delitem__("zzz")]),
    "delete by domain": (
        None,
        [
            lambda c: c.set("a", "1", domain="example.com"),
            lambda c: c.set("a", "2", domain="example.org"),
            lambda c: c.delete("a", domain="example.org"),
        ],
    ),
    "delete by path": (
        None,
        [
            lambda c: c.set("a", "1", path="/api"),
            lambda c: c.set("a", "2", path="/"),
            lambda c: c.delete("a", path="/api"),
        ],
    ),
    "delete by domain and path": (
        None,
        [
            lambda c: c.set("a", "1", domain="example.com", path="/x"),
            lambda c: c.set("a", "2", domain="example.com", path="/y"),
            lambda c: c.delete("a", domain="example.com", path="/x"),
        ],
    ),
    "delete all of a name": (
        {"b": "2"},
        [
            lambda c: c.set("a", "1", domain="example.com"),
            lambda c: c.set("a", "2", path="/api"),
            lambda c: c.delete("a"),
        ],
    ),
    "clear": ({"a": "1", "b": "2"}, [lambda c: c.clear()]),
    "clear one domain": (
        {"b": "2"},
        [
            lambda c: c.set("a", "1", domain="example.com"),
            lambda c: c.clear(domain="example.com"),
        ],
    ),
    "clear domain and path": (
        None,
        [
            lambda c: c.set("a", "1", domain="example.com", path="/x"),
            lambda c: c.set("b", "1", domain="example.com", path="/y"),
            lambda c: c.clear(domain="example.com", path="/x"),
        ],
    ),
    "update from dict": ({"a": "1"}, [lambda c: c.update({"b": "2", "a": "3"})]),
    "update from list": ({"a": "1"}, [lambda c: c.update([("b", "2")])]),
    "update from None": ({"a": "1"}, [lambda c: c.update(None)]),
    "update from same type": (
        {"a": "1"},
        [lambda c: c.update(type(c)({"b": "2"}))],
    ),
    "pop": ({"a": "1", "b": "2"}, [lambda c: c.pop("a")]),
    "pop missing with default": ({"a": "1"}, [lambda c: c.pop("zzz", None)]),
    "setdefault": (
        {"a": "1"},
        [lambda c: c.setdefault("a", "9"), lambda c: c.setdefault("b", "2")],
    ),
    "popitem": ({"a": "1"}, [lambda c: c.popitem()]),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_mapping_api_matches_httpx(scenario: str) -> None:
    init, steps = SCENARIOS[scenario]
    ours, theirs = build(Cookies, init), build(httpx.Cookies, init)
    for step in steps:
        assert _outcome(partial(step, ours)) == _outcome(partial(step, theirs))
    assert observe(ours) == observe(theirs)


def test_views_match_httpx() -> None:
    ours, theirs = Cookies({"a": "1", "b": "2"}), httpx.Cookies({"a": "1", "b": "2"})
    assert sorted(ours.keys()) == sorted(theirs.keys())
    assert sorted(ours.values()) == sorted(theirs.values())
    assert sorted(ours.items()) == sorted(theirs.items())
    assert dict(ours) == dict(theirs)
    assert ours == theirs == {"a": "1", "b": "2"}


def test_every_public_member_of_httpx_cookies_exists() -> None:
    public = {name for name in dir(httpx.Cookies) if not name.startswith("_")}
    assert public <= set(dir(Cookies))


def test_repr_matches_httpx_exactly() -> None:
    ours, theirs = Cookies(), httpx.Cookies()
    for cookies in (ours, theirs):
        cookies.set("a", "1")
        cookies.set("b", "2", domain="example.com")
    assert repr(ours) == repr(theirs)
    assert repr(Cookies()) == repr(httpx.Cookies()) == "<Cookies[]>"


def test_iteration_follows_insertion_grouped_by_domain_and_path() -> None:
    cookies = Cookies({"b": "1", "a": "2"})
    cookies.set("c", "3", domain="example.com")
    cookies.set("d", "4")
    assert list(cookies) == ["b", "a", "d", "c"]
    if sys.version_info >= (3, 11):  # httpx's jar iterates in sorted order on 3.10
        theirs = httpx.Cookies({"b": "1", "a": "2"})
        theirs.set("c", "3", domain="example.com")
        theirs.set("d", "4")
        assert list(cookies) == list(theirs)


def test_conflict_message_names_the_cookie_and_where() -> None:
    cookies = Cookies()
    cookies.set("a", "1", domain="example.com")
    cookies.set("a", "2")
    with pytest.raises(CookieConflict, match=r"name=a \(\.?example\.com/, \(any domain\)/\)"):
        cookies["a"]


def test_domain_lookups_ignore_case_and_leading_dot() -> None:
    cookies = Cookies()
    cookies.extract_from_headers(
        "https://www.example.com/", {"set-cookie": "a=1; Domain=example.com"}
    )
    assert cookies.get("a", domain="example.com") == "1"
    assert cookies.get("a", domain=".EXAMPLE.com") == "1"
    cookies.delete("a", domain="Example.com")
    assert len(cookies) == 0


# -- where we differ from httpx on purpose --------------------------------------------------------


def test_delete_and_clear_of_missing_cookies_are_silent() -> None:
    # httpx raises a bare KeyError from the jar in these cases.
    cookies = Cookies({"a": "1"})
    cookies.delete("a", domain="nowhere.example", path="/")
    cookies.clear(domain="nowhere.example")
    cookies.clear(path="/nowhere")
    assert dict(cookies) == {"a": "1"}


def test_clear_by_path_alone_clears_that_path_everywhere() -> None:
    cookies = Cookies()
    cookies.set("a", "1", domain="one.example", path="/x")
    cookies.set("b", "1", domain="two.example", path="/x")
    cookies.set("c", "1", path="/")
    cookies.clear(path="/x")
    assert list(cookies) == ["c"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("", "v"),
        ("a b", "v"),
        ("a=b", "v"),
        ("a;b", "v"),
        ("a\x00", "v"),
        ("a", "x\r\nEvil: 1"),
        ("a", "x;y=z"),
    ],
)
def test_unsafe_names_and_values_raise_invalid_cookie(name: str, value: str) -> None:
    with pytest.raises(InvalidCookie, match="invalid"):
        Cookies().set(name, value)


@pytest.mark.parametrize(
    ("domain", "path"), [("a b.com", "/"), ("a/b", "/"), ("x.com", "/a;b"), ("x.com", "/\n")]
)
def test_unsafe_domains_and_paths_raise_invalid_cookie(domain: str, path: str) -> None:
    with pytest.raises(InvalidCookie):
        Cookies().set("a", "b", domain=domain, path=path)


@pytest.mark.parametrize(
    "bad", [42, "a=b", b"a=b", [("a",)], [("a", "b", "c")], ["ab"], {"a": 1}, {1: "a"}]
)
def test_wrong_types_raise_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="cookie"):
        Cookies(bad)


# -- construction from jars and other Cookies ------------------------------------------------------


def test_default_jar_is_an_rfc6265_cookiejar() -> None:
    jar = Cookies().jar
    assert isinstance(jar, RFC6265CookieJar)
    assert isinstance(jar, http.cookiejar.CookieJar)


def test_a_given_jar_is_used_in_place() -> None:
    jar = http.cookiejar.CookieJar()
    cookies = Cookies(jar)
    assert cookies.jar is jar
    cookies["a"] = "1"
    assert [cookie.name for cookie in jar] == ["a"]


def test_copy_from_cookies_is_independent_and_keeps_creation_order() -> None:
    original = Cookies()
    original.extract_from_headers(
        "https://example.com/", [("set-cookie", "z=1"), ("set-cookie", "a=2")]
    )
    copy = Cookies(original)
    copy["extra"] = "1"
    assert len(original) == 2
    assert copy.cookie_header("https://example.com/") == "z=1; a=2; extra=1"


def test_copy_from_an_httpx_cookies_jar() -> None:
    theirs = httpx.Cookies({"a": "1"})
    assert dict(Cookies(Cookies(theirs.jar))) == {"a": "1"}


def test_cookies_pickle() -> None:
    cookies = Cookies({"a": "1"})
    cookies.extract_from_headers(
        "https://example.com/", {"Set-Cookie": "b=2; Max-Age=60; HttpOnly"}
    )
    clone = pickle.loads(pickle.dumps(cookies))
    assert dict(clone) == {"a": "1", "b": "2"}
    assert clone.cookie_header("https://example.com/") == cookies.cookie_header(
        "https://example.com/"
    )
    clone["c"] = "3"  # the lock was recreated
    assert len(clone) == 3


# -- extract_cookies / set_cookie_header with httpx's own objects --------------------------------


def _response(url: str, *lines: str) -> httpx.Response:
    return httpx.Response(
        200, headers=[("Set-Cookie", line) for line in lines], request=httpx.Request("GET", url)
    )


AGREED = [
    ("https://example.com/", ["a=1", "b=2; Path=/"], "https://example.com/x"),
    ("https://example.com/", ["a=1; Secure", "b=2"], "https://example.com/"),
    ("https://example.com/", ["a=1; Secure", "b=2"], "http://example.com/"),
    ("https://www.example.com/", ["a=1; Domain=example.com"], "https://api.example.com/"),
    (
        "https://example.com/docs/",
        ["a=1; Path=/docs", "b=2; Path=/other"],
        "https://example.com/docs/x",
    ),
    ("https://example.com/", ["a=1; Max-Age=0", "b=2; Max-Age=100"], "https://example.com/"),
    ("https://example.com/", ['q="x y"; HttpOnly; SameSite=Lax'], "https://example.com/"),
    ("https://example.com/", ["a=1"], "https://other.com/"),
]


@pytest.mark.parametrize(("url", "lines", "target"), AGREED)
def test_extract_and_header_match_httpx_where_the_rules_agree(
    url: str, lines: list[str], target: str
) -> None:
    ours, theirs = Cookies(), httpx.Cookies()
    ours.extract_cookies(_response(url, *lines))
    theirs.extract_cookies(_response(url, *lines))
    assert sorted(ours.items()) == sorted(theirs.items())
    our_request, their_request = httpx.Request("GET", target), httpx.Request("GET", target)
    ours.set_cookie_header(our_request)
    theirs.set_cookie_header(their_request)
    assert our_request.headers.get("cookie") == their_request.headers.get("cookie")


def test_existing_cookie_header_is_kept_as_httpx_does() -> None:
    ours, theirs = Cookies({"a": "1"}), httpx.Cookies({"a": "1"})
    our_request = httpx.Request("GET", "https://example.com/", headers={"Cookie": "mine=1"})
    their_request = httpx.Request("GET", "https://example.com/", headers={"Cookie": "mine=1"})
    ours.set_cookie_header(our_request)
    theirs.set_cookie_header(their_request)
    assert our_request.headers["cookie"] == their_request.headers["cookie"] == "mine=1"


def test_no_cookie_header_when_nothing_applies() -> None:
    request = httpx.Request("GET", "https://example.com/")
    Cookies().set_cookie_header(request)
    assert "cookie" not in request.headers


def test_rfc_divergence_host_only_cookies_stay_on_their_host() -> None:
    # httpx (http.cookiejar) leaks host-only cookies to subdomains; RFC 6265 does not.
    ours, theirs = Cookies(), httpx.Cookies()
    ours.extract_cookies(_response("https://example.com/", "a=1"))
    theirs.extract_cookies(_response("https://example.com/", "a=1"))
    our_request, their_request = (httpx.Request("GET", "https://www.example.com/") for _ in "12")
    ours.set_cookie_header(our_request)
    theirs.set_cookie_header(their_request)
    assert their_request.headers.get("cookie") == "a=1"
    assert our_request.headers.get("cookie") is None


def test_rfc_divergence_lines_of_one_response_apply_in_order() -> None:
    # http.cookiejar makes every cookie of a response before storing any, so a later
    # line expiring an earlier one is lost; RFC 6265 processes them one after another.
    lines = ["a=1", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
    ours, theirs = Cookies(), httpx.Cookies()
    ours.extract_cookies(_response("https://example.com/", *lines))
    theirs.extract_cookies(_response("https://example.com/", *lines))
    assert dict(theirs) == {"a": "1"}
    assert dict(ours) == {}


def test_expiring_in_a_later_response_matches_httpx() -> None:
    ours, theirs = Cookies(), httpx.Cookies()
    for lines in (["a=1", "b=2"], ["a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]):
        ours.extract_cookies(_response("https://example.com/", *lines))
        theirs.extract_cookies(_response("https://example.com/", *lines))
    assert dict(ours) == dict(theirs) == {"b": "2"}


def test_rfc_divergence_public_suffix_cookies_are_refused() -> None:
    ours, theirs = Cookies(), httpx.Cookies()
    ours.extract_cookies(_response("https://a.github.io/", "a=1; Domain=github.io"))
    theirs.extract_cookies(_response("https://a.github.io/", "a=1; Domain=github.io"))
    assert len(theirs) == 1
    assert len(ours) == 0


def test_httpx_client_uses_our_store_through_its_public_api() -> None:
    # The shapes are interchangeable: an httpx client keeps working with our jar.
    def app(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Set-Cookie": "seen=1"}, json={"cookie": request.headers.get("cookie")}
        )

    ours = Cookies({"token": "t"})
    with httpx.Client(transport=httpx.MockTransport(app), cookies=ours.jar) as client:
        first = client.get("https://example.com/")
        second = client.get("https://example.com/")
    assert first.json() == {"cookie": "token=t"}
    assert second.json() == {"cookie": "token=t; seen=1"}


def test_an_empty_jar_is_false_without_listing_its_cookies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cookies = Cookies()
    cookies.set("a", "1", domain="example.org")
    assert cookies
    cookies.delete("a", domain="example.org")

    def no_listing(jar: object) -> Iterator[object]:
        raise AssertionError("an empty jar was listed")

    monkeypatch.setattr(type(cookies.jar), "__iter__", no_listing)
    assert not cookies  # asked on every request: it must stay cheap
    assert not Cookies()
