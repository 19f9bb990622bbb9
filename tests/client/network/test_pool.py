"""The pool shells: reuse, limits, waiting, expiry, stale connections, retries, cancellation."""

from __future__ import annotations

import random
import ssl
import threading
import time
from collections.abc import Callable

import pytest

import tether
from tests._servers import misbehave
from tests._servers.raw import RawConnection, RawServer
from tests._servers.uvicorn_server import UvicornServer
from tests.client.network.conftest import AnyEngine
from tether import ConnectError, PoolTimeout, RemoteProtocolError, UnsupportedProtocol
from tether._config import Limits
from tether._network import engine_choice
from tether._network.pool import ConnectionPool, Deadline
from tether._network.pool_async import AsyncConnectionPool

Start = Callable[..., RawServer]
FAST = {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}


def get(url: str, **timeouts: float) -> tether.Request:
    return tether.Request("GET", url, extensions={"timeout": {**FAST, **timeouts}})


def fetch(pool: ConnectionPool, request: tether.Request) -> bytes:
    response = pool.handle_request(request)
    try:
        return b"".join(response.stream)  # type: ignore[arg-type]
    finally:
        response.close()


def idle_pool(pool: ConnectionPool | AsyncConnectionPool) -> str:
    pool.books.invariant_check()
    return repr(pool)


def test_keep_alive_reuse(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(b"hi"))
    pool = ConnectionPool()
    for _ in range(5):
        assert fetch(pool, get(server.url())) == b"hi"
    assert server.stats.accepted == 1
    assert idle_pool(pool) == (
        "<ConnectionPool [Requests: 0 active, 0 queued | Connections: 0 active, 1 idle]>"
    )
    pool.close()
    assert pool.books.idle == 0
    with pytest.raises(RuntimeError, match="closed"):
        pool.handle_request(get(server.url()))


def test_unread_body_closes_the_connection(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(b"x" * 4_000_000))
    pool = ConnectionPool()
    pool.handle_request(get(server.url())).close()
    assert len(fetch(pool, get(server.url()))) == 4_000_000
    assert server.stats.accepted == 2
    pool.close()


@pytest.fixture
def made_engines(
    monkeypatch: pytest.MonkeyPatch, engine_class: Callable[..., AnyEngine]
) -> list[AnyEngine]:
    """Connections opened in the test use each HTTP/1.1 engine in turn; the list fills
    with the engines made."""
    made: list[AnyEngine] = []

    def make(where: str) -> AnyEngine:
        made.append(engine_class(where))
        return made[-1]

    monkeypatch.setattr(engine_choice, "new_engine", make)
    return made


EMPTY_POOL = "<ConnectionPool [Requests: 0 active, 0 queued | Connections: 0 active, 0 idle]>"


def test_a_body_read_until_close_never_returns_to_the_pool(
    fd_leak_check: None, raw_server: Start, made_engines: list[AnyEngine]
) -> None:
    server = raw_server(misbehave.until_close(b"to the end"))
    pool = ConnectionPool()
    try:
        for _ in range(3):
            assert fetch(pool, get(server.url())) == b"to the end"
            assert idle_pool(pool) == EMPTY_POOL
            assert not made_engines[-1].reusable
    finally:
        pool.close()
    assert len(made_engines) == server.stats.accepted == 3


def test_pool_timeout_when_every_connection_is_busy(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(b"hi"))
    pool = ConnectionPool(limits=Limits(max_connections=1))
    held = pool.handle_request(get(server.url()))
    started = time.monotonic()
    with pytest.raises(PoolTimeout, match=f"127.0.0.1:{server.port}"):
        pool.handle_request(get(server.url(), pool=0.05))
    assert time.monotonic() - started < 1.5
    assert pool.books.queued == 0
    held.close()
    assert fetch(pool, get(server.url())) == b"hi"
    assert idle_pool(pool).endswith("0 active, 1 idle]>")
    pool.close()


def test_waiters_are_served_by_released_connections(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(b"hi"))
    pool = ConnectionPool(limits=Limits(max_connections=2))
    results: list[bytes] = []

    def worker() -> None:
        for _ in range(5):
            results.append(fetch(pool, get(server.url())))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"hi"] * 30
    assert server.stats.accepted <= 2
    idle_pool(pool)
    pool.close()


def test_idle_connections_expire(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok())
    pool = ConnectionPool(limits=Limits(keepalive_expiry=0.05))
    fetch(pool, get(server.url()))
    time.sleep(0.1)
    fetch(pool, get(server.url()))
    assert server.stats.accepted == 2
    pool.close()


def test_unread_body_that_arrived_whole_is_discarded(
    fd_leak_check: None, raw_server: Start
) -> None:
    server = raw_server(misbehave.serve(lambda r: misbehave.response(200, r.target.encode())))
    pool = ConnectionPool()
    pool.handle_request(get(server.url("/a"))).close()
    assert fetch(pool, get(server.url("/b"))) == b"/b"
    assert server.stats.accepted == 1
    pool.close()


def test_no_keep_alive(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok())
    pool = ConnectionPool(limits=Limits(max_keepalive_connections=0))
    fetch(pool, get(server.url()))
    fetch(pool, get(server.url()))
    assert server.stats.accepted == 2
    assert idle_pool(pool).endswith("0 active, 0 idle]>")
    pool.close()


def test_connection_closed_while_idle_is_not_reused(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.close_after(1))
    pool = ConnectionPool()
    fetch(pool, get(server.url()))
    time.sleep(0.05)  # let the server's FIN arrive
    post = tether.Request("POST", server.url(), content=b"x", extensions={"timeout": FAST})
    assert fetch(pool, post) == b"ok"  # a POST is never retried: the dead one was skipped
    assert server.stats.accepted == 2
    pool.close()


def test_a_full_pool_evicts_an_idle_connection_of_another_origin(
    fd_leak_check: None, raw_server: Start
) -> None:
    first = raw_server(misbehave.ok(b"1"))
    second = raw_server(misbehave.ok(b"2"))
    pool = ConnectionPool(limits=Limits(max_connections=1))
    assert fetch(pool, get(first.url())) == b"1"
    assert fetch(pool, get(second.url())) == b"2"
    assert fetch(pool, get(first.url())) == b"1"
    assert idle_pool(pool).endswith("0 active, 1 idle]>")
    pool.close()


def test_interrupted_waiter_leaves_the_queue(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok())
    pool = ConnectionPool(limits=Limits(max_connections=1))
    held = pool.handle_request(get(server.url()))
    with pytest.raises(PoolTimeout, match="total timeout"):
        pool.handle_request(
            tether.Request("GET", server.url(), extensions={"timeout": {"total": 0}})
        )
    assert pool.books.queued == 0
    held.close()
    idle_pool(pool)
    pool.close()


def test_a_closed_pool_fails_its_waiters(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok())
    pool = ConnectionPool(limits=Limits(max_connections=1))
    held = pool.handle_request(get(server.url()))
    errors: list[BaseException] = []

    def wait() -> None:
        try:
            pool.handle_request(get(server.url(), pool=5.0))
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=wait)
    thread.start()
    while pool.books.queued == 0:
        time.sleep(0.001)
    pool.close()
    thread.join()
    assert len(errors) == 1
    assert "closed while a request" in str(errors[0])
    held.close()
    assert pool.books.active == 0


def answer_once_then_drop(conn: RawConnection) -> None:
    """Answer the first request, read the second and close without a word."""
    if conn.read_request() is None:
        return
    conn.send(misbehave.response(200, b"first"))
    conn.read_request()


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_idempotent_request_retried_once(
    fd_leak_check: None, raw_server: Start, method: str
) -> None:
    server = raw_server(answer_once_then_drop)
    pool = ConnectionPool()
    fetch(pool, get(server.url()))
    request = tether.Request(method, server.url(), content=b"x", extensions={"timeout": FAST})
    assert fetch(pool, request) == b"first"
    assert server.stats.accepted == 2
    pool.close()


def test_unsafe_request_not_retried(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(answer_once_then_drop)
    pool = ConnectionPool()
    fetch(pool, get(server.url()))
    request = tether.Request("POST", server.url(), content=b"x", extensions={"timeout": FAST})
    with pytest.raises(RemoteProtocolError, match="without sending a response"):
        pool.handle_request(request)
    assert idle_pool(pool).endswith("0 active, 0 idle]>")
    pool.close()


def test_unsupported_scheme() -> None:
    pool = ConnectionPool()
    with pytest.raises(UnsupportedProtocol, match="'ftp'"):
        pool.handle_request(tether.Request("GET", "ftp://example.com/"))
    pool.close()


def test_total_deadline() -> None:
    limits = Deadline({"read": 5.0, "total": 0.0}, "http://x/")
    with pytest.raises(PoolTimeout, match="total timeout of the request to http://x/"):
        limits.left(limits.pool, PoolTimeout)
    limits = Deadline({"read": 0.01, "total": 10.0}, "http://x/")
    assert limits.left(limits.read, PoolTimeout) == 0.01
    assert 9 < (limits.left(None, PoolTimeout) or 0) <= 10
    assert Deadline(None, "u").left(None, PoolTimeout) is None


async def afetch(pool: AsyncConnectionPool, request: tether.Request) -> bytes:
    response = await pool.handle_async_request(request)
    try:
        return b"".join([piece async for piece in response.stream])  # type: ignore[union-attr]
    finally:
        await response.aclose()


@pytest.mark.anyio
async def test_async_reuse_and_pool_timeout(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(b"hi"))
    pool = AsyncConnectionPool(limits=Limits(max_connections=1))
    for _ in range(3):
        assert await afetch(pool, get(server.url())) == b"hi"
    held = await pool.handle_async_request(get(server.url()))
    with pytest.raises(PoolTimeout):
        await pool.handle_async_request(get(server.url(), pool=0.05))
    await held.aclose()
    assert await afetch(pool, get(server.url())) == b"hi"
    assert server.stats.accepted == 1
    assert idle_pool(pool).endswith("0 active, 1 idle]>")
    await pool.aclose()


@pytest.mark.anyio
async def test_async_body_read_until_close_never_returns_to_the_pool(
    fd_leak_check: None, raw_server: Start, made_engines: list[AnyEngine]
) -> None:
    server = raw_server(misbehave.until_close(b"to the end"))
    pool = AsyncConnectionPool()
    try:
        for _ in range(3):
            assert await afetch(pool, get(server.url())) == b"to the end"
            assert idle_pool(pool) == EMPTY_POOL
            assert not made_engines[-1].reusable
    finally:
        await pool.aclose()
    assert len(made_engines) == server.stats.accepted == 3


@pytest.mark.anyio
async def test_async_stale_retry_and_unsafe(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(answer_once_then_drop)
    pool = AsyncConnectionPool()
    await afetch(pool, get(server.url()))
    assert await afetch(pool, get(server.url())) == b"first"
    request = tether.Request("POST", server.url(), content=b"x", extensions={"timeout": FAST})
    with pytest.raises(RemoteProtocolError):
        await pool.handle_async_request(request)
    idle_pool(pool)
    await pool.aclose()


@pytest.mark.anyio
async def test_async_random_cancellations_keep_the_books(
    fd_leak_check: None, raw_server: Start, anyio_backend: str
) -> None:
    import anyio

    server = raw_server(misbehave.stall(0.02, b"slow"))
    pool = AsyncConnectionPool(limits=Limits(max_connections=3))
    rng = random.Random(1234)

    async def one() -> None:
        with anyio.move_on_after(rng.uniform(0.0, 0.06)):
            await afetch(pool, get(server.url()))

    for _ in range(4):
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(one)
        pool.books.invariant_check()
        assert pool.books.active == 0
        assert pool.books.opening == 0
        assert pool.books.queued == 0
    await pool.aclose()


@pytest.mark.anyio
async def test_async_expiry_eviction_and_early_close(
    fd_leak_check: None, raw_server: Start
) -> None:
    first = raw_server(misbehave.informational(100))
    second = raw_server(misbehave.ok(b"2" * 100_000))
    pool = AsyncConnectionPool(limits=Limits(max_connections=1, keepalive_expiry=0.05))
    assert await afetch(pool, get(first.url())) == b"final"
    assert await afetch(pool, get(second.url())) == b"2" * 100_000  # evicts the first
    time.sleep(0.1)
    response = await pool.handle_async_request(get(second.url()))  # the idle one expired
    stream = response.stream
    await response.aclose()
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()  # type: ignore[union-attr]
    assert second.stats.accepted == 2
    idle_pool(pool)
    await pool.aclose()


@pytest.mark.anyio
async def test_async_connect_failures_and_closing(
    fd_leak_check: None, tls_server: UvicornServer, tmp_path: object
) -> None:
    pool = AsyncConnectionPool(uds=f"{tmp_path}/nothing.sock", retries=1)
    with pytest.raises(ConnectError):
        await pool.handle_async_request(get("http://localhost/"))
    idle_pool(pool)
    await pool.aclose()
    pool = AsyncConnectionPool(ssl_context=ssl.create_default_context())
    with pytest.raises(ConnectError, match="certificate"):  # signed by an unknown CA
        await pool.handle_async_request(get(tls_server.url()))
    idle_pool(pool)
    await pool.aclose()


@pytest.mark.anyio
async def test_async_closed_pool_fails_its_waiters(fd_leak_check: None, raw_server: Start) -> None:
    import anyio

    server = raw_server(misbehave.ok())
    pool = AsyncConnectionPool(limits=Limits(max_connections=1))
    held = await pool.handle_async_request(get(server.url()))
    errors: list[BaseException] = []

    async def wait() -> None:
        try:
            await pool.handle_async_request(get(server.url(), pool=5.0))
        except RuntimeError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as group:
        group.start_soon(wait)
        while pool.books.queued == 0:
            await anyio.sleep(0.001)
        await pool.aclose()
    assert len(errors) == 1
    assert "closed while a request" in str(errors[0])
    await held.aclose()
    assert pool.books.active == 0
