"""Event hooks: called with each request and each response, redirects included.

`Client` takes plain functions; `AsyncClient` awaits its hooks, so `kit.hook` wraps
each function in an ``async def`` for it.
"""

from __future__ import annotations

from typing import Any

import pytest

import tether

from ._kit import BASE, Kit, TrackedStream, kit_fixtures

kit, anyio_backend = kit_fixtures()
pytestmark = pytest.mark.anyio


async def test_hooks_are_called_in_order_for_every_hop(kit: Kit) -> None:
    calls: list[str] = []
    hooks = {
        "request": [
            kit.hook(lambda r: calls.append(f"request 1 {r.url.path}")),
            kit.hook(lambda r: calls.append(f"request 2 {r.url.path}")),
        ],
        "response": [
            kit.hook(lambda r: calls.append(f"response {r.status_code} {r.url.path}")),
        ],
    }
    async with kit.client(event_hooks=hooks, follow_redirects=True) as client:
        await client.get("/chain/1")
    assert calls == [
        "request 1 /chain/1",
        "request 2 /chain/1",
        "response 302 /chain/1",
        "request 1 /chain/0",
        "request 2 /chain/0",
        "response 200 /chain/0",
    ]


async def test_a_request_hook_can_change_the_request(kit: Kit) -> None:
    def stamp(request: tether.Request) -> None:
        request.headers["X-Stamp"] = "hooked"

    async with kit.client(event_hooks={"request": [kit.hook(stamp)]}) as client:
        response = await client.get("/echo")
    assert response.json()["header"]["x-stamp"] == "hooked"


async def test_a_response_hook_sees_the_unread_response_and_may_read_it(kit: Kit) -> None:
    seen: list[Any] = []

    async def read_async(response: tether.Response) -> None:
        seen.append(response.is_stream_consumed)
        seen.append(await response.aread())

    def read_sync(response: tether.Response) -> None:
        seen.append(response.is_stream_consumed)
        seen.append(response.read())

    hook = read_async if kit.is_async else read_sync
    async with kit.client(event_hooks={"response": [hook]}) as client:
        response = await client.get("/chain/0")
    assert seen == [False, b"done"]
    assert response.text == "done"


async def test_raise_for_status_in_a_response_hook(kit: Kit) -> None:
    def check(response: tether.Response) -> None:
        response.raise_for_status()

    async with kit.client(event_hooks={"response": [kit.hook(check)]}) as client:
        with pytest.raises(tether.HTTPStatusError, match="404") as info:
            await client.get("/status/404")
        assert (await client.get("/echo")).status_code == 200
    assert info.value.response.status_code == 404
    assert info.value.response.is_closed


async def test_a_failing_request_hook_sends_nothing(kit: Kit) -> None:
    def refuse(request: tether.Request) -> None:
        raise PermissionError(f"not allowed: {request.url}")

    async with kit.client(event_hooks={"request": [kit.hook(refuse)]}) as client:
        with pytest.raises(PermissionError, match=f"not allowed: {BASE}/echo"):
            await client.get("/echo")
    assert kit.seen.requests == []


async def test_a_failing_response_hook_closes_the_response(kit: Kit) -> None:
    body = TrackedStream()

    def fail(response: tether.Response) -> None:
        raise ValueError("hook failed")

    async with kit.client(
        transport=tether.MockTransport(lambda request: tether.Response(200, stream=body)),
        event_hooks={"response": [kit.hook(fail)]},
    ) as client:
        with pytest.raises(ValueError, match="hook failed"):
            await client.get("/")
    assert body.closed


async def test_a_failing_response_hook_stops_an_endless_stream(kit: Kit) -> None:
    def fail(response: tether.Response) -> None:
        raise ValueError("hook failed")

    async with kit.client(event_hooks={"response": [kit.hook(fail)]}) as client:
        with pytest.raises(ValueError, match="hook failed"):
            async with client.stream("GET", "/sse"):
                pass  # pragma: no cover
    assert kit.seen.sse_closed


async def test_a_failing_hook_mid_redirect_closes_that_response(kit: Kit) -> None:
    bodies: list[TrackedStream] = []

    def handler(request: tether.Request) -> tether.Response:
        bodies.append(TrackedStream())
        if request.url.path == "/start":
            return tether.Response(302, headers={"Location": "/end"}, stream=bodies[-1])
        return tether.Response(200, stream=bodies[-1])

    def fail_at_end(response: tether.Response) -> None:
        if response.url.path == "/end":
            raise ValueError("late failure")

    hooks = {"response": [kit.hook(fail_at_end)]}
    async with kit.client(
        transport=tether.MockTransport(handler), event_hooks=hooks, follow_redirects=True
    ) as client:
        with pytest.raises(ValueError, match="late failure"):
            await client.get("/start")
    assert [body.closed for body in bodies] == [True, True]


async def test_hooks_run_for_auth_retries(kit: Kit) -> None:
    statuses: list[int] = []
    hooks = {"response": [kit.hook(lambda r: statuses.append(r.status_code))]}
    async with kit.client(event_hooks=hooks, auth=tether.DigestAuth("user", "secret")) as client:
        await client.get("/digest/MD5")
    assert statuses == [401, 200]


async def test_event_hooks_can_be_added_to_a_live_client(kit: Kit) -> None:
    calls: list[str] = []
    async with kit.client() as client:
        await client.get("/echo")
        client.event_hooks["request"].append(kit.hook(lambda r: calls.append(r.method)))
        await client.post("/echo")
    assert calls == ["POST"]
