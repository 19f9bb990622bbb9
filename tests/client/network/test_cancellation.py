"""Cancellation storms: thousands of requests cancelled at random points leave no trace.

A seeded generator picks, for each request, how slow the server is (before the head,
in the middle of the body), how big the body is to send or receive, and when the
request is cancelled: while it waits for the pool, connects, sends, waits for the head
or reads the body. Timing on a busy machine still varies, so the assertions hold for
any interleaving: afterwards the books balance, no cancelled request holds a slot (a
full set of fresh requests gets every connection at once), no file descriptor leaks,
the server never saw a request on a connection still busy with another, and on asyncio
every ``task.cancel()`` that reached a running request ended it as cancelled.
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import tether
from tests._servers.lean import LeanServer
from tests._servers.raw import RawServer
from tests._servers.tls import TLSFiles
from tether._config import Limits
from tether._network.pool_async import AsyncConnectionPool

Start = Callable[..., RawServer]
SEEDS = [20261124, 7]
REQUESTS = 2_000
TLS_REQUESTS = 500
CHECKPOINT_REQUESTS = 1_000
THREAD_STORM_THREADS = 16
THREAD_STORM_REQUESTS = 1_600
JOIN_TIMEOUT = 60.0  # all threads together: a deadlock shows as one still alive
POOL_TIMEOUT = {"connect": 30.0, "read": 30.0, "write": 30.0, "pool": 5.0}
WAVE = 64  # requests started together: 8 times the connections, so most of them wait
LIMITS = Limits(max_connections=8, max_keepalive_connections=4)
TIMEOUT = tether.Timeout(30.0)
HOLD_TIMEOUT = tether.Timeout(30.0, pool=5.0)


@pytest.fixture
def lean() -> Iterator[LeanServer]:
    with LeanServer() as server:
        yield server


@dataclass(frozen=True)
class Plan:
    """One request of a storm: what the server does and when the client gives up."""

    ident: str
    size: int
    head: float
    body: float
    upload: int
    stream: bool
    cancel_after: float | None  # None: let it finish

    def params(self) -> dict[str, str | int | float]:
        return {"id": self.ident, "size": self.size, "head": self.head, "body": self.body}


def plans(seed: int, count: int = REQUESTS) -> list[Plan]:
    rng = random.Random(seed)
    made = []
    for index in range(count):
        made.append(
            Plan(
                ident=f"{seed}-{index}",
                size=rng.choice([0, 10, 5_000, 300_000]),
                head=rng.choice([0.0, 0.0, rng.uniform(0.0, 0.01)]),
                body=rng.choice([0.0, 0.0, rng.uniform(0.0, 0.01)]),
                upload=rng.choice([0, 0, 0, 200_000]),
                stream=rng.random() < 0.3,
                cancel_after=None if rng.random() < 0.2 else rng.uniform(0.0, 0.02),
            )
        )
    return made


def expected(plan: Plan) -> bytes:
    return plan.ident.encode() + b"." * plan.size


async def run_plan(client: tether.AsyncClient, server: LeanServer, plan: Plan) -> None:
    """Send the request of `plan`; check the answer if it completes."""
    content = b"u" * plan.upload if plan.upload else None
    method = "POST" if content else "GET"
    url = server.url("/")
    if plan.stream:
        async with client.stream(method, url, params=plan.params(), content=content) as response:
            async for _ in response.aiter_raw(1024):
                pass  # read in small steps: more points where a cancel can land
        return
    response = await client.request(method, url, params=plan.params(), content=content)
    assert response.content == expected(plan), plan


async def assert_no_ghosts(
    client: tether.AsyncClient, transport: tether.AsyncHTTPTransport, server: LeanServer
) -> None:
    """Balanced books, and `max_connections` fresh requests all get a connection (a
    ghost holding a slot would leave one of them to fail with `PoolTimeout`)."""
    import anyio

    books = transport.pool.books
    books.invariant_check()
    assert (books.active, books.opening, books.queued) == (0, 0, 0), repr(books)
    assert LIMITS.max_connections is not None
    held: list[tether.Response] = []
    async with anyio.create_task_group() as group:

        async def hold(index: int) -> None:
            request = client.build_request(
                "GET", server.url("/"), params={"id": f"h{index}"}, timeout=HOLD_TIMEOUT
            )
            held.append(await client.send(request, stream=True))

        for index in range(LIMITS.max_connections):
            group.start_soon(hold, index)
    assert books.queued == 0, repr(books)
    assert books.active == LIMITS.max_connections, repr(books)
    for response in held:
        await response.aread()
        await response.aclose()
    books.invariant_check()
    assert books.active == 0


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("seed", SEEDS)
async def test_asyncio_cancellation_storm(
    fd_leak_check: None, lean: LeanServer, anyio_backend: str, seed: int
) -> None:
    loop = asyncio.get_running_loop()
    transport = tether.AsyncHTTPTransport(limits=LIMITS)
    reached: set[asyncio.Task[None]] = set()  # tasks a cancel() found still running

    def cancel(task: asyncio.Task[None]) -> None:
        if task.cancel():
            reached.add(task)

    all_plans = plans(seed)
    async with tether.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
        tasks: list[asyncio.Task[None]] = []
        for start in range(0, len(all_plans), WAVE):
            wave = []
            for plan in all_plans[start : start + WAVE]:
                task = loop.create_task(run_plan(client, lean, plan))
                if plan.cancel_after is not None:
                    loop.call_later(plan.cancel_after, cancel, task)
                wave.append(task)
            await asyncio.wait(wave)
            tasks += wave
        failed = [t.exception() for t in tasks if not t.cancelled() and t.exception()]
        assert not failed, failed[:3]
        swallowed = [t for t in reached if not t.cancelled()]
        assert not swallowed, f"{len(swallowed)} requests finished despite task.cancel()"
        cancelled = sum(task.cancelled() for task in tasks)
        assert 0 < cancelled < len(tasks), cancelled  # the storm hit, and missed, some
        await assert_no_ghosts(client, transport, lean)
    assert lean.stats()["overlaps"] == 0


@pytest.mark.anyio
async def test_cancellation_storm_over_tls(
    fd_leak_check: None, tls_files: TLSFiles, anyio_backend: str
) -> None:
    """A smaller storm over TLS: cancels also land in handshakes and TLS reads."""
    import anyio

    tls = (str(tls_files.server_cert), str(tls_files.server_key))
    transport = tether.AsyncHTTPTransport(verify=tls_files.client_context(), limits=LIMITS)
    outcomes = {"done": 0, "cancelled": 0}
    with LeanServer(tls=tls) as server:
        async with tether.AsyncClient(transport=transport, timeout=TIMEOUT) as client:

            async def one(plan: Plan) -> None:
                deadline = float("inf") if plan.cancel_after is None else plan.cancel_after
                with anyio.move_on_after(deadline) as scope:
                    await run_plan(client, server, plan)
                outcomes["cancelled" if scope.cancelled_caught else "done"] += 1

            all_plans = plans(SEEDS[0], TLS_REQUESTS)
            for start in range(0, len(all_plans), WAVE):
                async with anyio.create_task_group() as group:
                    for plan in all_plans[start : start + WAVE]:
                        group.start_soon(one, plan)
            assert outcomes["done"] > 0, outcomes
            assert outcomes["cancelled"] > 0, outcomes
            await assert_no_ghosts(client, transport, server)
        assert server.stats()["overlaps"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.parametrize("seed", SEEDS)
async def test_trio_cancellation_storm(
    fd_leak_check: None, lean: LeanServer, anyio_backend: str, seed: int
) -> None:
    import trio

    transport = tether.AsyncHTTPTransport(limits=LIMITS)
    outcomes = {"done": 0, "cancelled": 0}
    all_plans = plans(seed)
    async with tether.AsyncClient(transport=transport, timeout=TIMEOUT) as client:

        async def one(plan: Plan) -> None:
            deadline = float("inf") if plan.cancel_after is None else plan.cancel_after
            with trio.move_on_after(deadline) as scope:
                await run_plan(client, lean, plan)
            outcomes["cancelled" if scope.cancelled_caught else "done"] += 1

        for start in range(0, len(all_plans), WAVE):
            async with trio.open_nursery() as nursery:
                for plan in all_plans[start : start + WAVE]:
                    nursery.start_soon(one, plan)
        assert outcomes["done"] > 0, outcomes
        assert outcomes["cancelled"] > 0, outcomes
        await assert_no_ghosts(client, transport, lean)
    assert lean.stats()["overlaps"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("turns", range(6))
async def test_asyncio_cancel_just_after_the_grant_is_not_lost(
    fd_leak_check: None, lean: LeanServer, anyio_backend: str, turns: int
) -> None:
    """A waiter cancelled a few loop turns after its grant ends cancelled (before Python
    3.12, ``asyncio.wait_for`` returned normally in one of these turns), and whatever
    it held goes back to the books."""
    transport = tether.AsyncHTTPTransport(limits=Limits(max_connections=1))
    async with tether.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
        held = await client.send(client.build_request("GET", lean.url("/")), stream=True)
        slow = client.get(lean.url("/"), params={"head": 10})  # never done before cancel
        waiting = asyncio.get_running_loop().create_task(slow)
        while transport.pool.books.queued == 0:
            await asyncio.sleep(0)
        await held.aclose()  # the connection is granted to the waiter, which is woken
        for _ in range(turns):
            await asyncio.sleep(0)
        assert waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        books = transport.pool.books
        books.invariant_check()
        assert (books.active, books.opening, books.queued) == (0, 0, 0), repr(books)
        assert (await client.get(lean.url("/"), params={"id": "after"})).text == "after"


UPLOAD_PIECE = b"x" * (32 * 1024 * 1024)  # more than loopback buffers hold: the write blocks


@pytest.mark.anyio
async def test_an_async_body_left_mid_way_is_closed_at_once(
    fd_leak_check: None, raw_server: Start
) -> None:
    """A request body generator is closed when sending fails, not when it is collected
    (trio warns of an async generator collected unfinished)."""
    server = raw_server(lambda conn: conn.wait(5.0))  # reads nothing
    closed: list[bool] = []

    async def body() -> AsyncIterator[bytes]:
        try:
            yield UPLOAD_PIECE
            yield b"never sent"
        finally:
            closed.append(True)

    transport = tether.AsyncHTTPTransport()
    async with tether.AsyncClient(transport=transport) as client:
        with pytest.raises(tether.WriteTimeout):
            await client.post(server.url(), content=body(), timeout=tether.Timeout(5.0, write=0.1))
        assert closed == [True]
        assert transport.pool.books.active == 0


def test_a_body_left_mid_way_is_closed_at_once(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(lambda conn: conn.wait(5.0))
    closed: list[bool] = []

    def body() -> Iterator[bytes]:
        try:
            yield UPLOAD_PIECE
            yield b"never sent"
        finally:
            closed.append(True)

    transport = tether.HTTPTransport()
    with tether.Client(transport=transport) as client:
        with pytest.raises(tether.WriteTimeout):
            client.post(server.url(), content=body(), timeout=tether.Timeout(5.0, write=0.1))
        assert closed == [True]
        assert transport.pool.books.active == 0


class CheckpointingStream:
    """A trio stream whose `aclose()` closes, then checkpoints, as trio's own
    `SocketStream.aclose()` does: in a cancelled scope, the close then raises
    `Cancelled`, so a pool must not rely on anything after it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = await self._inner.read(max_bytes, timeout)
        return data

    async def write(self, data: bytes, timeout: float | None = None) -> None:
        await self._inner.write(data, timeout)

    async def start_tls(self, *args: Any, **kwargs: Any) -> CheckpointingStream:
        return CheckpointingStream(await self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, name: str) -> Any:
        return self._inner.get_extra_info(name)

    async def wait_readable(self, timeout: float | None) -> bool:
        readable: bool = await self._inner.wait_readable(timeout)
        return readable

    async def aclose(self) -> None:
        import trio

        await self._inner.aclose()
        await trio.lowlevel.checkpoint()


class CheckpointingBackend:
    """The trio backend, with streams whose close checkpoints."""

    def __init__(self) -> None:
        from tether._network.backends.trio_backend import TrioBackend

        self._inner = TrioBackend()

    async def connect_tcp(self, host: str, port: int, **options: Any) -> CheckpointingStream:
        return CheckpointingStream(await self._inner.connect_tcp(host, port, **options))

    async def connect_unix(self, path: str, **options: Any) -> CheckpointingStream:
        return CheckpointingStream(await self._inner.connect_unix(path, **options))


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_storm_with_closes_that_checkpoint(fd_leak_check: None, anyio_backend: str) -> None:
    """Cancelled while closing an expired, evicted, dropped or released connection: the
    request's grant, and any waiter it should wake, are not lost."""
    import trio

    limits = Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=0.003)
    pool = AsyncConnectionPool(limits=limits, backend=CheckpointingBackend())
    outcomes = {"done": 0, "cancelled": 0}
    with LeanServer() as first, LeanServer() as second:
        servers = (first, second)

        async def one(index: int, plan: Plan) -> None:
            server = servers[index % 2]  # two origins: full pools evict the other's idle
            request = tether.Request(
                "GET", server.url("/"), params=plan.params(), extensions={"timeout": POOL_TIMEOUT}
            )
            deadline = float("inf") if plan.cancel_after is None else plan.cancel_after
            with trio.move_on_after(deadline) as scope:
                response = await pool.handle_async_request(request)
                try:
                    async for _ in response.stream:  # type: ignore[union-attr]
                        pass
                finally:
                    await response.aclose()
            outcomes["cancelled" if scope.cancelled_caught else "done"] += 1

        all_plans = plans(SEEDS[1], CHECKPOINT_REQUESTS)
        for start in range(0, len(all_plans), WAVE):
            async with trio.open_nursery() as nursery:
                for index in range(start, min(start + WAVE, len(all_plans))):
                    nursery.start_soon(one, index, all_plans[index])
            await trio.sleep(0.005)  # let the idle connections expire now and then
        assert outcomes["done"] > 0, outcomes
        assert outcomes["cancelled"] > 0, outcomes
        books = pool.books
        books.invariant_check()
        assert (books.active, books.opening, books.queued) == (0, 0, 0), repr(books)
        await pool.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("turns", range(4))
async def test_asyncio_cancel_as_the_lookup_ends_is_not_lost(
    fd_leak_check: None,
    lean: LeanServer,
    anyio_backend: str,
    turns: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A connect cancelled a few loop turns after its DNS answer arrived ends cancelled
    (``asyncio.wait_for`` returned the answer instead, before Python 3.12)."""
    from tether._network.backends.asyncio_backend import AsyncioBackend

    loop = asyncio.get_running_loop()
    answered = asyncio.Event()

    async def lookup(host: str, port: int, **kwargs: object) -> object:
        await answered.wait()
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", lean.port))]

    monkeypatch.setattr(loop, "getaddrinfo", lookup)
    connecting = loop.create_task(AsyncioBackend().connect_tcp("lean.test", 80, timeout=30.0))
    await asyncio.sleep(0)
    answered.set()
    for _ in range(turns):
        await asyncio.sleep(0)
    assert connecting.cancel()
    try:
        stream = await connecting
    except asyncio.CancelledError:
        return
    await stream.aclose()
    pytest.fail("the connect went on despite task.cancel()")


def test_thread_timeout_storm(fd_leak_check: None, lean: LeanServer) -> None:
    """The blocking client's nearest thing to a cancellation: 16 threads whose requests
    time out at random points (in the pool's queue, waiting for the head, mid-body)."""
    import threading

    transport = tether.HTTPTransport(limits=Limits(max_connections=4, max_keepalive_connections=2))
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    all_plans = plans(SEEDS[0], THREAD_STORM_REQUESTS)
    with tether.Client(transport=transport) as client:

        def work(first: int) -> None:
            rng = random.Random(first)
            for plan in all_plans[first::THREAD_STORM_THREADS]:
                limit = 30.0 if plan.cancel_after is None else max(plan.cancel_after, 0.001)
                timeout = tether.Timeout(30.0, read=limit, pool=rng.choice([limit, 30.0]))
                try:
                    response = client.get(lean.url("/"), params=plan.params(), timeout=timeout)
                    outcome = "done" if response.content == expected(plan) else "wrong body"
                except tether.TimeoutException as exc:
                    outcome = type(exc).__name__
                with lock:
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1

        threads = [
            threading.Thread(target=work, args=(n,), daemon=True)
            for n in range(THREAD_STORM_THREADS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + JOIN_TIMEOUT
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads), repr(transport.pool)
        assert "wrong body" not in outcomes, outcomes
        assert outcomes.get("done", 0) > 0, outcomes
        assert outcomes.get("ReadTimeout", 0) > 0, outcomes
        books = transport.pool.books
        books.invariant_check()
        assert (books.active, books.opening, books.queued) == (0, 0, 0), repr(books)
        held = [
            client.send(
                client.build_request("GET", lean.url("/"), timeout=HOLD_TIMEOUT), stream=True
            )
            for _ in range(4)
        ]
        assert books.active == 4
        for response in held:
            response.close()
    assert lean.stats()["overlaps"] == 0
