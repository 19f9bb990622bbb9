"""Cookies through the client: the jar fills from responses and is sent back by its rules."""

from __future__ import annotations

from http.cookiejar import CookieJar
from typing import Any

import httpx
import pytest

import tether

from ._kit import BASE, Kit, kit_fixtures

kit, anyio_backend = kit_fixtures()
pytestmark = pytest.mark.anyio


async def test_response_cookies_are_kept_and_sent_back(kit: Kit) -> None:
    async with kit.client() as client:
        response = await client.get("/set-cookie", params={"a": "1", "b": "2"})
        assert dict(response.cookies) == {"a": "1", "b": "2"}
        assert dict(client.cookies) == {"a": "1", "b": "2"}
        await client.get("/echo")
        await client.get("/set-cookie", params={"a": "changed"})
        await client.get("/echo")
    assert kit.seen.requests[1]["cookies"] == {"a": "1", "b": "2"}
    assert kit.seen.requests[3]["cookies"] == {"a": "changed", "b": "2"}


async def test_the_jar_keeps_cookies_to_their_host(kit: Kit) -> None:
    async with kit.client() as client:
        await client.get("/set-cookie", params={"host": "only"})
        await client.get("http://other.example/echo")
        await client.get("http://testserver:80/echo")
    assert kit.seen.requests[1]["cookies"] == {}
    assert kit.seen.requests[2]["cookies"] == {"host": "only"}


async def test_cookies_property_is_settable(kit: Kit) -> None:
    async with kit.client(cookies={"old": "1"}) as client:
        client.cookies = {"new": "2"}
        await client.get("/echo")
        client.cookies = tether.Cookies({"third": "3"})
        await client.get("/echo")
        jar = CookieJar()
        client.cookies = jar
        await client.get("/set-cookie", params={"into": "jar"})
        assert [cookie.name for cookie in jar] == ["into"]
        client.cookies = [("listed", "4")]
        await client.get("/echo")
    assert [r["cookies"] for r in kit.seen.requests] == [
        {"new": "2"},
        {"third": "3"},
        {},
        {"listed": "4"},
    ]


async def test_editing_the_jar_changes_what_is_sent(kit: Kit) -> None:
    async with kit.client() as client:
        client.cookies.set("scoped", "1", domain="other.example")
        client.cookies["everywhere"] = "2"
        await client.get("/echo")
        await client.get("http://other.example/echo")
        del client.cookies["everywhere"]
        client.cookies.clear(domain="other.example")
        await client.get("http://other.example/echo")
    assert [r["cookies"] for r in kit.seen.requests] == [
        {"everywhere": "2"},
        {"scoped": "1", "everywhere": "2"},
        {},
    ]


def _cookie_server(module: Any) -> Any:
    def handler(request: Any) -> Any:
        if request.url.path == "/login":
            return module.Response(
                200,
                headers=[
                    ("Set-Cookie", "plain=1"),
                    ("Set-Cookie", "pathed=2; Path=/app"),
                    ("Set-Cookie", "secure=3; Secure"),
                    ("Set-Cookie", "parent=4; Domain=example.com"),
                    ("Set-Cookie", "gone=5; Max-Age=0"),
                ],
            )
        return module.Response(200, text=request.headers.get("Cookie", ""))

    return module.MockTransport(handler)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.example.com/",
        "http://www.example.com/app/x",
        "https://www.example.com/app",
        "http://api.example.com/",
        "http://other.org/",
    ],
)
def test_which_cookies_are_sent_matches_httpx(url: str) -> None:
    def sent(module: Any) -> set[str]:
        client = module.Client(transport=_cookie_server(module))
        client.get("https://www.example.com/login")
        return set(filter(None, client.get(url).text.split("; ")))

    assert sent(tether) == sent(httpx)


async def test_a_cookie_expired_by_the_server_is_removed(kit: Kit) -> None:
    def handler(request: tether.Request) -> tether.Response:
        if request.url.path == "/logout":
            return tether.Response(200, headers={"Set-Cookie": "session=; Max-Age=0"})
        return tether.Response(200, headers={"Set-Cookie": "session=abc"})

    async with kit.mock(handler) as client:
        await client.get("/login")
        assert client.cookies["session"] == "abc"
        await client.get("/logout")
        assert "session" not in client.cookies


async def test_response_cookies_need_a_response_with_set_cookie(kit: Kit) -> None:
    async with kit.client() as client:
        response = await client.get("/echo")
        assert dict(response.cookies) == {}
        assert len(client.cookies) == 0
    assert kit.seen.last["url"] == f"{BASE}/echo"
