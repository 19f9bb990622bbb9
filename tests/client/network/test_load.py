"""Load: thousands of requests through one client, every answer checked, the books balanced.

The lean server (`tests._servers.lean`) runs in a child process, so it keeps up with
the client and never shares its event loop. It echoes each request's id and counts
what a pool must never do: two requests on one connection at once (``overlaps``), or
more connections open at once than the client's limits allow (``max_open``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

import tether
from tests._servers.lean import LeanServer
from tether._config import DEFAULT_LIMITS, Limits
from tether._network.books import PoolBooks

ASYNCIO_REQUESTS = 20_000
ASYNCIO_CONCURRENCY = 500
TRIO_REQUESTS = 4_000
TRIO_CONCURRENCY = 200
THREADS = 32
REQUESTS_PER_THREAD = 100
THREAD_LIMITS = Limits(max_connections=4, max_keepalive_connections=4)
JOIN_TIMEOUT = 60.0  # all threads together: a deadlock shows as one still alive


@pytest.fixture
def lean() -> Iterator[LeanServer]:
    with LeanServer() as server:
        yield server


def balanced(books: PoolBooks[object, object], limits: Limits) -> None:
    """Nothing active, opening or queued; idle within the keep-alive limit."""
    books.invariant_check()
    assert (books.active, books.opening, books.queued) == (0, 0, 0), repr(books)
    assert limits.max_keepalive_connections is not None
    assert books.idle <= limits.max_keepalive_connections, repr(books)


def expected(ident: str, size: int) -> bytes:
    return ident.encode() + b"." * size


async def run_load(server: LeanServer, requests: int, concurrency: int, library: str) -> None:
    import anyio

    limits = DEFAULT_LIMITS  # 100 connections, 20 kept alive (httpx's)
    transport = tether.AsyncHTTPTransport(limits=limits)
    failures: list[str] = []
    async with tether.AsyncClient(transport=transport, timeout=60.0) as client:
        limiter = anyio.Semaphore(concurrency)

        async def one(index: int) -> None:
            ident, size = f"{library}-{index}", index % 97
            async with limiter:
                response = await client.get(server.url("/"), params={"id": ident, "size": size})
            if response.status_code != 200 or response.content != expected(ident, size):
                failures.append(f"{ident}: {response.status_code} {response.content[:40]!r}")

        async with anyio.create_task_group() as group:
            for index in range(requests):
                group.start_soon(one, index)
        balanced(transport.pool.books, limits)  # type: ignore[arg-type]
    assert not failures, failures[:5]
    stats = server.stats()
    assert stats["requests"] == requests
    assert stats["overlaps"] == 0
    assert limits.max_connections is not None
    assert stats["max_open"] <= limits.max_connections


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asyncio_load(fd_leak_check: None, lean: LeanServer, anyio_backend: str) -> None:
    await run_load(lean, ASYNCIO_REQUESTS, ASYNCIO_CONCURRENCY, anyio_backend)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_trio_load(fd_leak_check: None, lean: LeanServer, anyio_backend: str) -> None:
    await run_load(lean, TRIO_REQUESTS, TRIO_CONCURRENCY, anyio_backend)


def test_threads_share_one_client(fd_leak_check: None, lean: LeanServer) -> None:
    """32 threads contend for 4 connections; each answer is its own request's."""
    transport = tether.HTTPTransport(limits=THREAD_LIMITS)
    failures: list[str] = []
    start = threading.Barrier(THREADS)
    with tether.Client(transport=transport, timeout=60.0) as client:

        def work(thread: int) -> None:
            start.wait()
            for index in range(REQUESTS_PER_THREAD):
                ident, size = f"t{thread}-{index}", (thread * index) % 5000
                # Every eighth answer is held back a moment, so that the others queue.
                head = "0.002" if index % 8 == 0 else "0"
                params: dict[str, str | int] = {"id": ident, "size": size, "head": head}
                try:
                    response = client.get(lean.url("/"), params=params)
                except Exception as exc:  # reported below, with the thread's name
                    failures.append(f"{ident}: {exc!r}")
                    continue
                if response.content != expected(ident, size) or (response.headers["x-id"] != ident):
                    failures.append(f"{ident}: got {response.headers.get('x-id')}")

        threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + JOIN_TIMEOUT
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [thread.name for thread in threads if thread.is_alive()]
        assert not stuck, f"deadlock? {stuck} still running: {transport.pool!r}"
        balanced(transport.pool.books, THREAD_LIMITS)  # type: ignore[arg-type]
    assert not failures, failures[:5]
    stats = lean.stats()
    assert stats["requests"] == THREADS * REQUESTS_PER_THREAD
    assert stats["overlaps"] == 0
    assert stats["max_open"] <= 4


def test_lean_server_counts_what_a_pool_must_never_do(lean: LeanServer) -> None:
    """The server's own check: a pipelined second request counts as an overlap."""
    import socket

    with socket.create_connection((lean.address.host, lean.port)) as sock:
        one = b"GET /?id=a&head=0.05 HTTP/1.1\r\nhost: x\r\n\r\n"
        sock.sendall(one + b"GET /?id=b HTTP/1.1\r\nhost: x\r\n\r\n")
        received = b""
        while received.count(b"x-id:") < 2:
            received += sock.recv(65536)
    assert received.index(b"x-id: a") < received.index(b"x-id: b")
    stats = lean.reset()
    assert (stats["overlaps"], stats["requests"], stats["max_open"]) == (1, 2, 1)
    assert lean.stats()["overlaps"] == 0


def test_lean_server_in_a_thread() -> None:
    with LeanServer(in_thread=True) as server:
        with tether.Client(transport=tether.HTTPTransport()) as client:
            response = client.get(server.url("/"), params={"id": "x", "size": 3, "close": 1})
        assert response.content == b"x..."
        assert response.headers["connection"] == "close"
        assert server.stats()["accepted"] == 1
