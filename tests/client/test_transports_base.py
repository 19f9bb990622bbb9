"""The transport interface: the base classes, and the public names of the transports."""

from __future__ import annotations

import inspect
from types import TracebackType

import httpx
import pytest

import tether

TRANSPORTS = [
    "BaseTransport",
    "AsyncBaseTransport",
    "MockTransport",
    "WSGITransport",
    "ASGITransport",
]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Recording(tether.BaseTransport):
    def __init__(self) -> None:
        self.closed = 0

    def handle_request(self, request: tether.Request) -> tether.Response:
        return tether.Response(200, content=request.url.path.encode())

    def close(self) -> None:
        self.closed += 1


class AsyncRecording(tether.AsyncBaseTransport):
    def __init__(self) -> None:
        self.closed = 0

    async def handle_async_request(self, request: tether.Request) -> tether.Response:
        return tether.Response(200, content=request.url.path.encode())

    async def aclose(self) -> None:
        self.closed += 1


@pytest.mark.parametrize("name", TRANSPORTS)
def test_exported_and_owned_by_tether(name: str) -> None:
    transport_class = getattr(tether, name)
    assert name in tether.__all__
    assert transport_class.__module__ == "tether"
    assert transport_class.__doc__


@pytest.mark.parametrize("name", TRANSPORTS)
def test_signatures_match_httpx(name: str) -> None:
    ours, theirs = getattr(tether, name), getattr(httpx, name)
    for method in ("__init__", "handle_request", "handle_async_request", "close", "aclose"):
        assert hasattr(ours, method) == hasattr(theirs, method), method
        if hasattr(ours, method) and method in vars(theirs):
            our_parameters = inspect.signature(getattr(ours, method)).parameters
            their_parameters = inspect.signature(getattr(theirs, method)).parameters
            assert [(p.name, p.kind, p.default) for p in our_parameters.values()] == [
                (p.name, p.kind, p.default) for p in their_parameters.values()
            ], method
    assert [base.__name__ for base in ours.__mro__] == [base.__name__ for base in theirs.__mro__]


def test_base_transport_must_be_implemented() -> None:
    transport = tether.BaseTransport()
    with pytest.raises(NotImplementedError, match="BaseTransport must implement handle_request"):
        transport.handle_request(tether.Request("GET", "https://example.org/"))
    transport.close()


def test_subclass_context_manager_closes() -> None:
    transport = Recording()
    with transport as entered:
        assert entered is transport
        response = entered.handle_request(tether.Request("GET", "https://example.org/path"))
        assert response.read() == b"/path"
        assert transport.closed == 0
    assert transport.closed == 1


def test_exit_closes_on_error_and_lets_it_through() -> None:
    transport = Recording()
    with pytest.raises(KeyError), transport:
        raise KeyError("inside")
    assert transport.closed == 1


def test_exit_accepts_no_arguments() -> None:
    transport = Recording()
    traceback: TracebackType | None = None
    transport.__exit__(None, None, traceback)
    transport.__exit__()
    assert transport.closed == 2


@pytest.mark.anyio
async def test_async_base_transport_must_be_implemented() -> None:
    transport = tether.AsyncBaseTransport()
    with pytest.raises(
        NotImplementedError, match="AsyncBaseTransport must implement handle_async_request"
    ):
        await transport.handle_async_request(tether.Request("GET", "https://example.org/"))
    await transport.aclose()


@pytest.mark.anyio
async def test_async_subclass_context_manager_closes() -> None:
    transport = AsyncRecording()
    async with transport as entered:
        assert entered is transport
        response = await entered.handle_async_request(
            tether.Request("GET", "https://example.org/p")
        )
        assert await response.aread() == b"/p"
    assert transport.closed == 1
    await transport.__aexit__()
    assert transport.closed == 2
