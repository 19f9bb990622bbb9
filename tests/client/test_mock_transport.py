"""`MockTransport`: a handler function answers, sync or async, with httpx as oracle."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

import tether


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def echo(request: tether.Request) -> tether.Response:
    return tether.Response(
        201,
        headers={"X-Method": request.method},
        content=b"echo: " + request.content,
    )


async def async_echo(request: tether.Request) -> tether.Response:
    return echo(request)


def generated() -> Iterator[bytes]:
    yield b"streamed "
    yield b"body"


async def async_generated() -> AsyncIterator[bytes]:
    yield b"streamed "
    yield b"body"


def test_sync_handler() -> None:
    transport = tether.MockTransport(echo)
    request = tether.Request("POST", "https://example.org/", content=b"data")
    response = transport.handle_request(request)
    assert response.status_code == 201
    assert response.headers["x-method"] == "POST"
    assert response.read() == b"echo: data"


def test_request_body_is_read_before_the_handler_runs() -> None:
    transport = tether.MockTransport(echo)
    request = tether.Request("PUT", "https://example.org/", content=generated())
    response = transport.handle_request(request)
    assert response.read() == b"echo: streamed body"
    assert request.content == b"streamed body"


def test_matches_httpx() -> None:
    def theirs(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, headers={"X-Method": request.method}, content=request.content)

    def ours(request: tether.Request) -> tether.Response:
        return tether.Response(201, headers={"X-Method": request.method}, content=request.content)

    their_response = httpx.MockTransport(theirs).handle_request(
        httpx.Request("PATCH", "https://example.org/x", content=generated())
    )
    our_response = tether.MockTransport(ours).handle_request(
        tether.Request("PATCH", "https://example.org/x", content=generated())
    )
    assert our_response.status_code == their_response.status_code
    assert our_response.headers.multi_items() == their_response.headers.multi_items()
    assert our_response.read() == their_response.read()
    assert our_response.extensions == their_response.extensions == {}


def test_the_transport_does_not_attach_the_request() -> None:
    # The client attaches it, as httpx's does; a transport only answers.
    response = tether.MockTransport(echo).handle_request(
        tether.Request("GET", "https://example.org/")
    )
    with pytest.raises(RuntimeError):
        response.request  # noqa: B018


def test_async_handler_used_synchronously_is_refused_cleanly() -> None:
    transport = tether.MockTransport(async_echo)
    with pytest.raises(TypeError, match="is asynchronous: it can only be used with an AsyncClient"):
        transport.handle_request(tether.Request("GET", "https://example.org/"))
    gc.collect()  # an unawaited coroutine would warn here, and warnings are errors


def test_awaitable_that_is_not_a_coroutine_is_refused() -> None:
    class Later:
        def __await__(self) -> Iterator[None]:
            yield None

    transport = tether.MockTransport(lambda request: Later())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is asynchronous"):
        transport.handle_request(tether.Request("GET", "https://example.org/"))


@pytest.mark.parametrize("result", [None, "text", 200, httpx.Response(200)])
def test_handler_must_return_a_response(result: object) -> None:
    transport = tether.MockTransport(lambda request: result)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=rf"must return a tether\.Response, not {type(result).__name__}"
    ):
        transport.handle_request(tether.Request("GET", "https://example.org/"))


def test_handler_errors_propagate() -> None:
    def broken(request: tether.Request) -> tether.Response:
        raise tether.ConnectError("refused", request=request)

    request = tether.Request("GET", "https://example.org/")
    with pytest.raises(tether.ConnectError) as info:
        tether.MockTransport(broken).handle_request(request)
    assert info.value.request is request


def test_context_manager_and_both_interfaces() -> None:
    with tether.MockTransport(echo) as transport:
        assert isinstance(transport, tether.BaseTransport)
        assert isinstance(transport, tether.AsyncBaseTransport)
        assert transport.handler is echo


@pytest.mark.anyio
async def test_async_handler() -> None:
    transport = tether.MockTransport(async_echo)
    request = tether.Request("POST", "https://example.org/", content=async_generated())
    response = await transport.handle_async_request(request)
    assert await response.aread() == b"echo: streamed body"


@pytest.mark.anyio
async def test_sync_handler_from_async_code() -> None:
    async with tether.MockTransport(echo) as transport:
        response = await transport.handle_async_request(
            tether.Request("POST", "https://example.org/", content=b"x")
        )
    assert await response.aread() == b"echo: x"


@pytest.mark.anyio
async def test_async_handler_must_return_a_response() -> None:
    async def wrong(request: tether.Request) -> tether.Response:
        return "not a response"  # type: ignore[return-value]

    transport = tether.MockTransport(wrong)
    with pytest.raises(TypeError, match=r"must return a tether\.Response, not str"):
        await transport.handle_async_request(tether.Request("GET", "https://example.org/"))
