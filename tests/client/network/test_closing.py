"""Closing a transport: `tether.PoolClosed` for every request sent or waiting, no hang.

`PoolClosed` is a `RuntimeError` (as httpx's closed client raises) and not a
`TransportError`: the calling code used a closed transport; the network did not fail.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable

import pytest

import tether
from tests._servers import misbehave
from tests._servers.raw import RawServer
from tether._config import Limits
from tether._network import books

Start = Callable[..., RawServer]
WAITERS = 16
LIMITS = Limits(max_connections=2)
TIMEOUT = tether.Timeout(30.0)  # only the close may end the waits
JOIN_TIMEOUT = 30.0


def test_pool_closed_is_a_runtime_error_not_a_transport_error() -> None:
    assert issubclass(tether.PoolClosed, RuntimeError)
    assert not issubclass(tether.PoolClosed, tether.HTTPError)
    assert books.PoolClosed is tether.PoolClosed
    assert tether.PoolClosed.__module__ == "tether"
    copy = pickle.loads(pickle.dumps(tether.PoolClosed("closed")))
    assert type(copy) is tether.PoolClosed
    assert str(copy) == "closed"


def test_sending_through_a_closed_transport(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok())
    transport = tether.HTTPTransport()
    transport.close()
    # Two clients may share a transport: the second finds it closed by the first.
    client = tether.Client(transport=transport)
    with pytest.raises(tether.PoolClosed, match=f"GET {server.url()}: the transport"):
        client.get(server.url())
    assert server.stats.accepted == 0


@pytest.mark.anyio
async def test_sending_through_a_closed_async_transport(
    fd_leak_check: None, raw_server: Start
) -> None:
    server = raw_server(misbehave.ok())
    transport = tether.AsyncHTTPTransport()
    await transport.aclose()
    async with tether.AsyncClient(transport=transport) as client:
        with pytest.raises(RuntimeError, match=f"POST {server.url()}: the transport") as caught:
            await client.post(server.url(), content=b"x")
    assert isinstance(caught.value, tether.PoolClosed)


def test_closing_wakes_every_waiter(fd_leak_check: None, raw_server: Start) -> None:
    """Threads queued for a connection all fail with `PoolClosed` when the pool closes;
    responses already streaming finish, and their connections close on release."""
    server = raw_server(misbehave.ok(b"body"))
    transport = tether.HTTPTransport(limits=LIMITS)
    client = tether.Client(transport=transport, timeout=TIMEOUT)
    held = [client.send(client.build_request("GET", server.url()), stream=True) for _ in range(2)]
    errors: list[BaseException] = []

    def wait() -> None:
        try:
            client.get(server.url())
        except BaseException as exc:  # checked below
            errors.append(exc)

    threads = [threading.Thread(target=wait, daemon=True) for _ in range(WAITERS)]
    for thread in threads:
        thread.start()
    while transport.pool.books.queued < WAITERS:
        threading.Event().wait(0.001)
    transport.close()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a waiter was never woken"
    assert len(errors) == WAITERS
    assert all(isinstance(error, tether.PoolClosed) for error in errors), errors[:3]
    assert "closed while a request to 127.0.0.1" in str(errors[0])
    for response in held:
        assert response.read() == b"body"
        response.close()
    pool_books = transport.pool.books
    pool_books.invariant_check()
    assert (pool_books.active, pool_books.idle, pool_books.queued) == (0, 0, 0)
    assert server.stats.accepted == 2
    client.close()


@pytest.mark.anyio
async def test_closing_wakes_every_async_waiter(fd_leak_check: None, raw_server: Start) -> None:
    import anyio

    server = raw_server(misbehave.ok(b"body"))
    transport = tether.AsyncHTTPTransport(limits=LIMITS)
    async with tether.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
        held = [
            await client.send(client.build_request("GET", server.url()), stream=True)
            for _ in range(2)
        ]
        errors: list[BaseException] = []

        async def wait() -> None:
            try:
                await client.get(server.url())
            except tether.PoolClosed as exc:
                errors.append(exc)

        with anyio.fail_after(JOIN_TIMEOUT):
            async with anyio.create_task_group() as group:
                for _ in range(WAITERS):
                    group.start_soon(wait)
                while transport.pool.books.queued < WAITERS:
                    await anyio.sleep(0.001)
                await transport.aclose()
        assert len(errors) == WAITERS
        for response in held:
            assert await response.aread() == b"body"
            await response.aclose()
        pool_books = transport.pool.books
        pool_books.invariant_check()
        assert (pool_books.active, pool_books.idle, pool_books.queued) == (0, 0, 0)
