"""What only `AsyncClient` has: awaited handlers and flows, concurrency, cancellation.

Everything both clients share is tested for both in the other test_client_* modules;
these run under asyncio and trio.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from typing import Any

import anyio
import pytest

import tether

from ._apps import Seen, flask_app, starlette_app

pytestmark = pytest.mark.anyio
BASE = "http://testserver"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def app_client(seen: Seen, **kwargs: Any) -> tether.AsyncClient:
    return tether.AsyncClient(
        transport=tether.ASGITransport(starlette_app(seen)), base_url=BASE, **kwargs
    )


async def test_an_async_mock_handler_is_awaited(anyio_backend: str) -> None:
    async def handler(request: tether.Request) -> tether.Response:
        await anyio.sleep(0)
        return tether.Response(200, json={"path": request.url.path})

    async with tether.AsyncClient(transport=tether.MockTransport(handler)) as client:
        response = await client.get("http://x/async")
    assert response.json() == {"path": "/async"}


class AwaitingAuth(tether.Auth):
    """An auth scheme that does async work of its own (a token fetched by awaiting)."""

    def __init__(self) -> None:
        self.fetched = 0

    async def async_auth_flow(self, request: Any) -> AsyncGenerator[Any, Any]:
        await anyio.sleep(0)
        self.fetched += 1
        request.headers["Authorization"] = f"Bearer token-{self.fetched}"
        response = yield request
        if response.status_code == 401:
            await response.aread()
            self.fetched += 1
            request.headers["Authorization"] = f"Bearer token-{self.fetched}"
            yield request


async def test_an_overridden_async_auth_flow(anyio_backend: str) -> None:
    def handler(request: tether.Request) -> tether.Response:
        ok = request.headers["Authorization"] == "Bearer token-2"
        return tether.Response(200 if ok else 401, text=request.headers["Authorization"])

    auth = AwaitingAuth()
    async with tether.AsyncClient(transport=tether.MockTransport(handler), auth=auth) as client:
        response = await client.get("http://x/")
    assert response.text == "Bearer token-2"
    assert [r.text for r in response.history] == ["Bearer token-1"]


async def test_concurrent_requests_share_one_client(anyio_backend: str) -> None:
    seen = Seen()
    results: dict[int, Any] = {}
    async with app_client(seen) as client:

        async def fetch(number: int) -> None:
            response = await client.get("/echo", params={"n": str(number)})
            results[number] = response.json()["url"]

        async with anyio.create_task_group() as group:
            for number in range(20):
                group.start_soon(fetch, number)
    assert results == {n: f"{BASE}/echo?n={n}" for n in range(20)}


async def test_concurrent_streams_are_read_interleaved(anyio_backend: str) -> None:
    seen = Seen()
    async with (
        app_client(seen) as client,
        client.stream("GET", "/chunks?n=3&size=2") as first,
        client.stream("GET", "/chunks?n=3&size=4") as second,
    ):
        one, two = first.aiter_raw(), second.aiter_raw()
        assert await one.__anext__() == b"00"
        assert await two.__anext__() == b"0000"
        assert await one.__anext__() == b"11"
        assert [chunk async for chunk in two] == [b"1111", b"2222"]
        assert [chunk async for chunk in one] == [b"22"]


async def test_cancelling_a_stream_read_stops_the_app(anyio_backend: str) -> None:
    # Bounded, so that a cancellation that never arrives fails instead of hanging: on
    # asyncio, anyio delivers a cancellation only to a task whose awaited future is not
    # already done, and the transport's reader never waits on such a future here.
    seen = Seen()
    async with app_client(seen) as client:
        deadline, gave_up = time.monotonic() + 0.5, False
        with anyio.move_on_after(0.05) as scope:
            async with client.stream("GET", "/sse") as response:
                async for _ in response.aiter_bytes():
                    if time.monotonic() > deadline:
                        gave_up = True
                        break
        assert not gave_up, "the read of an endless stream was not cancelled in 0.5 s"
        assert scope.cancelled_caught
        assert response.is_closed
    assert seen.sse_closed


async def test_closing_the_client_stops_a_response_left_open(anyio_backend: str) -> None:
    seen = Seen()
    client = app_client(seen)
    response = await client.send(client.build_request("GET", "/sse"), stream=True)
    assert response.status_code == 200
    await client.aclose()
    assert seen.sse_closed
    await response.aclose()


async def test_a_sync_only_body_is_refused_before_the_app_runs(anyio_backend: str) -> None:
    seen = Seen()
    async with app_client(seen) as client:
        with pytest.raises(RuntimeError, match="sync-only request body"):
            await client.post("/echo", content=iter([b"sync"]))
    assert seen.requests == []


async def test_an_async_body_is_refused_by_the_sync_client(anyio_backend: str) -> None:
    async def body() -> AsyncGenerator[bytes, None]:
        yield b"async"  # pragma: no cover

    seen = Seen()
    with tether.Client(transport=tether.WSGITransport(flask_app(seen)), base_url=BASE) as client:
        stream = body()
        with pytest.raises(RuntimeError, match="async request body"):
            client.post("/echo", content=stream)
        await stream.aclose()
    assert seen.requests == []


def test_transports_of_the_other_kind_are_refused() -> None:
    wsgi = tether.WSGITransport(flask_app(Seen()))
    asgi = tether.ASGITransport(starlette_app(Seen()))
    with pytest.raises(TypeError, match=r"AsyncClient needs transports with handle_async_req"):
        tether.AsyncClient(transport=wsgi)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"got WSGITransport"):
        tether.AsyncClient(mounts={"all://": wsgi})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"Client needs transports with handle_request\(\), a "):
        tether.Client(transport=asgi)  # type: ignore[arg-type]
    mock = tether.MockTransport(lambda request: tether.Response(200))
    tether.Client(transport=mock, mounts={"all://x": mock, "all://y": None}).close()


async def test_aclose_is_idempotent_and_refuses_later_requests(anyio_backend: str) -> None:
    client = app_client(Seen())
    await client.aclose()
    await client.aclose()
    assert client.is_closed
    with pytest.raises(RuntimeError, match="client has been closed"):
        await client.get("/echo")
