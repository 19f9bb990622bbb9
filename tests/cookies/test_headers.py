"""Requests and responses of any shape: httpx, Starlette, urllib, plain mappings, ASGI pairs."""

from __future__ import annotations

import email.message
import types
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse

from tether_cookies import CookieError, Cookies
from tether_cookies._headers import has_cookie_header, set_cookie_values

LINES = ["a=1; Path=/", "b=2, with a comma; Expires=Wed, 21 Oct 2037 07:28:00 GMT"]


def _message() -> email.message.Message:
    message = email.message.Message()
    for line in LINES:
        message["Set-Cookie"] = line
    return message


class _GetAllOnly:
    """multidict's shape: getall(name, default)."""

    def getall(self, name: str, default: Any) -> list[str]:
        return LINES if name.lower() == "set-cookie" else default


class _MultiItemsOnly:
    def multi_items(self) -> list[tuple[str, str]]:
        return [("Content-Type", "text/plain"), *(("SET-COOKIE", line) for line in LINES)]


HEADER_SHAPES: dict[str, Callable[[], object]] = {
    "httpx.Headers": lambda: httpx.Headers([("set-cookie", line) for line in LINES]),
    "starlette Headers": lambda: Headers(raw=[(b"set-cookie", line.encode()) for line in LINES]),
    "email Message": _message,
    "getall": _GetAllOnly,
    "multi_items": _MultiItemsOnly,
    "dict of list": lambda: {"Set-Cookie": LINES, "X": "y"},
    "ASGI raw pairs": lambda: [(b"set-cookie", line.encode("latin-1")) for line in LINES],
    "str pairs": lambda: [("Set-Cookie", line) for line in LINES],
}


@pytest.mark.parametrize("shape", list(HEADER_SHAPES))
def test_every_set_cookie_value_is_read_from_each_shape(shape: str) -> None:
    assert set_cookie_values(HEADER_SHAPES[shape]()) == LINES


def test_a_single_string_value_in_a_dict() -> None:
    assert set_cookie_values({"set-cookie": "a=1"}) == ["a=1"]


def test_bytes_are_decoded_byte_for_byte() -> None:
    raw = "v=é✓".encode()
    (value,) = set_cookie_values([(b"Set-Cookie", raw)])
    assert value.encode("latin-1") == raw


@pytest.mark.parametrize("bad", [42, "set-cookie: a=1", [("only-a-name",)], [("set-cookie", 5)]])
def test_unreadable_headers_raise_type_error(bad: Any) -> None:
    with pytest.raises(TypeError):
        set_cookie_values(bad)


@pytest.mark.parametrize(
    ("headers", "present"),
    [
        ({"COOKIE": "x"}, True),
        ({"Accept": "x"}, False),
        (httpx.Headers({"Cookie": "x"}), True),
        (MutableHeaders(headers={"cookie": "x"}), True),
        (httpx.Headers(), False),
    ],
)
def test_existing_cookie_header_is_detected_in_any_case(headers: Any, present: bool) -> None:
    assert has_cookie_header(headers) is present


def test_request_headers_of_an_unusable_type_raise_type_error() -> None:
    with pytest.raises(TypeError, match="request headers"):
        has_cookie_header(42)


# -- Starlette objects ----------------------------------------------------------------------------


def _starlette_request(path: str = "/app", host: str = "example.com") -> StarletteRequest:
    scope = {
        "type": "http",
        "scheme": "https",
        "server": (host, 443),
        "path": path,
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "method": "GET",
    }
    return StarletteRequest(scope)


def test_starlette_response_cookies_are_extracted_for_a_starlette_url() -> None:
    response = StarletteResponse()
    response.set_cookie("session", "abc", max_age=60, httponly=True, samesite="strict", secure=True)
    response.set_cookie("theme", "dark", path="/app", domain="example.com")
    url = _starlette_request().url
    cookies = Cookies()
    cookies.extract_cookies(types.SimpleNamespace(url=url, headers=response.headers))
    session, theme = cookies.jar
    assert (session.name, session.domain, session.secure) == ("session", "example.com", True)
    assert session.get_nonstandard_attr("SameSite") == "Strict"
    assert (theme.name, theme.domain, theme.path) == ("theme", ".example.com", "/app")


def test_cookie_header_for_a_starlette_request_url() -> None:
    cookies = Cookies()
    cookies.extract_from_headers("https://example.com/", {"set-cookie": "a=1"})
    request = _starlette_request()
    assert isinstance(request.url, URL)
    assert cookies.cookie_header(request.url) == "a=1"
    outgoing = types.SimpleNamespace(url=request.url, headers=MutableHeaders())
    cookies.set_cookie_header(outgoing)
    assert outgoing.headers["cookie"] == "a=1"


def test_plain_dict_request_headers_get_a_cookie_header() -> None:
    request = types.SimpleNamespace(url="https://example.com/", headers={})
    Cookies({"a": "1"}).set_cookie_header(request)
    assert request.headers == {"Cookie": "a=1"}


def test_response_without_an_absolute_url_raises_cookie_error() -> None:
    response = types.SimpleNamespace(url="/relative", headers={"set-cookie": "a=1"})
    with pytest.raises(CookieError, match="absolute URL"):
        Cookies().extract_cookies(response)
