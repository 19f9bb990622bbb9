"""Redirects through the client, end to end: methods, bodies, URLs, limits and security.

The redirect policy itself (`_redirects.py`) has unit tests of its own; these prove that
both clients apply it across real apps, hop after hop, and that the security rules hold
where httpx 0.28 (the oracle) differs on purpose.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

import tether

from ._kit import BASE, Kit, kit_fixtures

kit, anyio_backend = kit_fixtures()
pytestmark = pytest.mark.anyio


def redirect(status: int, to: str, **query: str) -> str:
    """The path of an app redirect with `status` to `to`."""
    return f"/redirect/{status}?{urlencode({'to': to, **query})}"


# --- method and body -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_post_becomes_get_without_its_body_or_body_headers(kit: Kit, status: int) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.post(redirect(status, "/echo"), json={"a": 1})
    hop, final = kit.seen.requests
    assert hop["method"] == "POST"
    assert hop["header"]["content-type"] == "application/json"
    assert final["method"] == "GET"
    assert final["body"] == ""
    assert "content-type" not in final["header"]
    assert "content-length" not in final["header"]
    assert response.json()["method"] == "GET"
    assert [r.status_code for r in response.history] == [status]


async def test_303_turns_put_into_get_and_keeps_head(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        await client.request("PUT", redirect(303, "/echo"), content=b"x")
        await client.request("HEAD", redirect(303, "/echo"))
    assert [r["method"] for r in kit.seen.requests] == ["PUT", "GET", "HEAD", "HEAD"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "HEAD"])
def test_methods_after_a_redirect_match_httpx(status: int, method: str) -> None:
    def hops(module: Any) -> list[tuple[str, bytes]]:
        sent: list[tuple[str, bytes]] = []

        def handler(request: Any) -> Any:
            sent.append((request.method, request.read()))
            if request.url.path == "/start":
                return module.Response(status, headers={"Location": "/end"})
            return module.Response(200)

        client = module.Client(transport=module.MockTransport(handler), follow_redirects=True)
        body = None if method in ("GET", "HEAD") else b"payload"
        client.request(method, "http://x/start", content=body)
        return sent

    assert hops(tether) == hops(httpx)


async def test_content_type_is_dropped_with_the_body_unlike_httpx(kit: Kit) -> None:
    def theirs_handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": "/end"})
        return httpx.Response(200, json=dict(request.headers))

    def ours_handler(request: tether.Request) -> tether.Response:
        if request.url.path == "/start":
            return tether.Response(302, headers={"Location": "/end"})
        return tether.Response(200, json=dict(request.headers))

    theirs = httpx.Client(transport=httpx.MockTransport(theirs_handler), follow_redirects=True)
    assert theirs.post("http://x/start", json={}).json()["content-type"] == "application/json"
    async with kit.client(transport=tether.MockTransport(ours_handler)) as ours:
        sent = (await ours.post("http://x/start", json={}, follow_redirects=True)).json()
    assert "content-type" not in sent
    assert "content-length" not in sent


@pytest.mark.parametrize("status", [307, 308])
async def test_307_and_308_replay_a_bytes_body(kit: Kit, status: int) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.put(
            redirect(status, "/echo"), content=b"replayed", headers={"Content-Type": "text/x"}
        )
    assert response.json()["method"] == "PUT"
    assert [r["body"] for r in kit.seen.requests] == ["replayed", "replayed"]
    assert kit.seen.last["header"]["content-type"] == "text/x"


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_replay_a_seekable_file_body(status: int) -> None:
    # Only Client: a file is read with a plain for loop, which AsyncClient refuses (as httpx).
    sync = Kit("sync")
    with tether.Client(transport=sync.app_transport(), follow_redirects=True) as client:
        body = io.BytesIO(b"from a file")
        response = client.post(f"{BASE}{redirect(status, '/echo')}", content=body)
    assert response.json()["body"] == "from a file"
    assert [r["body"] for r in sync.seen.requests] == ["from a file", "from a file"]


async def test_307_with_a_generator_body_raises_stream_consumed(kit: Kit) -> None:
    def sync_body() -> Iterator[bytes]:
        yield b"once"

    async def async_body() -> AsyncIterator[bytes]:
        yield b"once"

    body: Any = async_body() if kit.is_async else sync_body()
    async with kit.client(follow_redirects=True) as client:
        with pytest.raises(tether.StreamConsumed):
            await client.post(redirect(307, "/echo"), content=body)
    assert [r["body"] for r in kit.seen.requests] == ["once"]


async def test_303_after_a_generator_body_needs_no_replay(kit: Kit) -> None:
    def sync_body() -> Iterator[bytes]:
        yield b"once"

    async def async_body() -> AsyncIterator[bytes]:
        yield b"once"

    body: Any = async_body() if kit.is_async else sync_body()
    async with kit.client(follow_redirects=True) as client:
        response = await client.post(redirect(303, "/echo"), content=body)
    assert response.json()["method"] == "GET"


# --- where the redirect goes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/echo?x=1", f"{BASE}/echo?x=1"),
        ("302?" + urlencode({"to": "/echo"}), f"{BASE}/echo"),
        ("../echo", f"{BASE}/echo"),
        ("//other.example/echo", "http://other.example/echo"),
        ("https://secure.example:8443/echo", "https://secure.example:8443/echo"),
        ("/echo#frag", f"{BASE}/echo#frag"),
    ],
)
async def test_locations_are_resolved_against_the_request_url(
    kit: Kit, location: str, expected: str
) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.get(redirect(302, location))
    assert str(response.url) == expected
    assert kit.seen.last["url"] == expected.partition("#")[0]


async def test_the_request_fragment_is_kept_across_a_redirect(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.get(redirect(301, "/echo") + "#section")
    assert str(response.url) == f"{BASE}/echo#section"


async def test_max_redirects_raises_too_many_redirects(kit: Kit) -> None:
    async with kit.client(follow_redirects=True, max_redirects=2) as client:
        assert (await client.get("/chain/2")).text == "done"
        with pytest.raises(tether.TooManyRedirects, match="max_redirects=2") as info:
            await client.get("/chain/3")
    assert info.value.request.url == tether.URL(f"{BASE}/chain/0")
    assert kit.seen.urls()[-3:] == [f"{BASE}/chain/3", f"{BASE}/chain/2", f"{BASE}/chain/1"]


async def test_history_lists_the_redirect_responses(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.get("/chain/3")
    assert [str(r.url) for r in response.history] == [
        f"{BASE}/chain/3",
        f"{BASE}/chain/2",
        f"{BASE}/chain/1",
    ]
    assert [len(r.history) for r in response.history] == [0, 1, 2]
    assert all(r.is_closed and r.status_code == 302 for r in response.history)
    assert response.history[1].history[0] is response.history[0]


async def test_next_request_when_not_following_and_sending_it(kit: Kit) -> None:
    async with kit.client() as client:
        response = await client.post(redirect(303, "/echo"), content=b"body")
        assert response.status_code == 303
        assert response.is_redirect
        assert response.history == []
        next_request = response.next_request
        assert next_request is not None
        assert (next_request.method, str(next_request.url)) == ("GET", f"{BASE}/echo")
        final = await client.send(next_request)
    assert final.json()["method"] == "GET"
    assert len(kit.seen.requests) == 2


async def test_a_3xx_without_location_is_returned_as_it_is(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.get("/status/302")
    assert response.status_code == 302
    assert response.next_request is None
    assert response.history == []


async def test_follow_redirects_per_request_overrides_the_clients(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        assert (await client.get("/chain/1", follow_redirects=False)).status_code == 302
        assert (await client.get("/chain/1")).status_code == 200
    async with kit.client() as client:
        assert (await client.get("/chain/1")).status_code == 302
        assert (await client.get("/chain/1", follow_redirects=True)).status_code == 200
        client.follow_redirects = True
        assert (await client.get("/chain/1")).status_code == 200


async def test_a_streamed_response_follows_redirects(kit: Kit) -> None:
    async with (
        kit.client(follow_redirects=True) as client,
        client.stream("GET", "/chain/2") as response,
    ):
        assert [r.status_code for r in response.history] == [302, 302]
        assert b"".join(await kit.collect(response)) == b"done"


async def test_unsupported_and_invalid_locations(kit: Kit) -> None:
    def handler(request: tether.Request) -> tether.Response:
        return tether.Response(302, headers={"Location": request.url.params["to"]})

    async with kit.client(follow_redirects=True) as client:
        with pytest.raises(tether.UnsupportedProtocol, match=r"'ftp://files\.example/x'"):
            await client.get(redirect(302, "ftp://files.example/x"))
    async with kit.mock(handler) as client:
        with pytest.raises(tether.RemoteProtocolError, match=r"'http://\[::1/x'"):
            await client.get("/", params={"to": "http://[::1/x"}, follow_redirects=True)
        with pytest.raises(tether.UnsupportedProtocol, match="'javascript:alert'"):
            await client.get("/", params={"to": "javascript:alert"}, follow_redirects=True)


# --- security ------------------------------------------------------------------------------


async def test_authorization_stays_on_its_origin(kit: Kit) -> None:
    async with kit.client(follow_redirects=True, auth=("user", "secret")) as client:
        await client.get(redirect(302, "/echo"))
        await client.get(redirect(302, "http://other.example/echo"))
    same, cross = kit.seen.requests[1], kit.seen.requests[3]
    assert same["header"]["authorization"].startswith("Basic ")
    assert "authorization" not in cross["header"]
    assert cross["header"]["host"] == "other.example"


async def test_an_explicit_authorization_header_is_dropped_cross_origin(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        headers = {"Authorization": "Bearer t", "Proxy-Authorization": "Basic p"}
        await client.get(redirect(307, "http://testserver:8080/echo"), headers=headers)
    assert "authorization" not in kit.seen.last["header"]
    assert "proxy-authorization" not in kit.seen.last["header"]


def test_httpx_keeps_proxy_authorization_across_origins() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "a.example":
            return httpx.Response(302, headers={"Location": "http://b.example/"})
        return httpx.Response(200, json=dict(request.headers))

    client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    sent = client.get("http://a.example/", headers={"Proxy-Authorization": "Basic p"}).json()
    assert sent["proxy-authorization"] == "Basic p"  # tether drops it (the test above)


async def test_https_to_http_never_keeps_credentials(kit: Kit) -> None:
    async with kit.client(follow_redirects=True, base_url="https://testserver") as client:
        await client.get(
            redirect(302, "http://testserver/echo"),
            auth=("user", "secret"),
            cookies={"session": "s"},
        )
    secure, plain = kit.seen.requests
    assert secure["url"].startswith("https://")
    assert secure["cookies"] == {"session": "s"}
    assert "authorization" in secure["header"]
    assert plain["url"] == "http://testserver/echo"
    assert "authorization" not in plain["header"]
    assert "cookie" not in plain["header"]


async def test_http_to_https_upgrade_keeps_authorization_only(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        await client.get(
            redirect(301, "https://testserver/echo"),
            headers={"Authorization": "Bearer t", "Proxy-Authorization": "Basic p"},
            cookies={"pinned": "1"},
        )
    upgraded = kit.seen.last["header"]
    assert upgraded["authorization"] == "Bearer t"
    assert "proxy-authorization" not in upgraded
    assert "cookie" not in upgraded


async def test_jar_cookies_follow_their_domain_not_the_redirect(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        client.cookies.set("local", "1", domain="testserver")
        await client.get(redirect(302, "http://other.example/echo"))
        await client.get(redirect(302, "/echo"))
    assert kit.seen.requests[0]["cookies"] == {"local": "1"}
    assert kit.seen.requests[1]["cookies"] == {}
    assert kit.seen.requests[3]["cookies"] == {"local": "1"}


async def test_a_cookie_set_by_a_redirect_is_sent_on_the_next_hop(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.get(redirect(302, "/echo", cookie="hop=1"))
        assert client.cookies["hop"] == "1"
    assert kit.seen.requests[0]["cookies"] == {}
    assert response.json()["cookies"] == {"hop": "1"}


async def test_per_request_cookies_survive_same_origin_hops_unlike_httpx(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.get("/chain/2", cookies={"mine": "1"})
        assert response.text == "done"
        assert "mine" not in client.cookies
    assert [r["cookies"] for r in kit.seen.requests] == [{"mine": "1"}] * 3

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": "/end"})
        return httpx.Response(200, text=request.headers.get("cookie", "none"))

    theirs = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    with pytest.warns(DeprecationWarning, match="per-request cookies"):
        assert theirs.get("http://x/start", cookies={"mine": "1"}).text == "none"


async def test_an_explicit_cookie_header_survives_same_origin_hops(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        await client.get(redirect(302, "/echo", cookie="jar=1"), headers={"Cookie": "mine=1"})
        await client.get(redirect(302, "http://other.example/echo"), headers={"Cookie": "mine=2"})
    first, second = kit.seen.requests[0:2]
    assert first["cookies"] == second["cookies"] == {"mine": "1"}
    assert kit.seen.requests[2]["cookies"] == {"mine": "2"}
    assert kit.seen.requests[3]["cookies"] == {}


async def test_per_request_cookies_do_not_follow_to_another_origin(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        await client.get(
            redirect(302, "http://other.example/" + redirect(302, f"{BASE}/echo")[1:]),
            cookies={"mine": "1"},
        )
    assert [r["cookies"] for r in kit.seen.requests] == [{"mine": "1"}, {}, {"mine": "1"}]
