"""The I/O backends: one test body each for blocking sockets, asyncio and trio."""

from __future__ import annotations

import asyncio
import itertools
import select
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import anyio
import pytest
import trio

import tether
from tether._network.backends import (
    AsyncioBackend,
    AsyncioStream,
    SyncBackend,
    current_async_backend,
    current_async_library,
)
from tether._network.backends._common import READ_SIZE, SMALL_READ
from tether._network.backends.trio_backend import TrioBackend

from ._backend_kit import (
    MODES,
    Net,
    Stream,
    closed_port,
    echo,
    hanging_listener,
    idle,
    open_fds,
    serve,
    wait_for_fds,
)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode == "trio" else "asyncio"


@pytest.fixture
def net(mode: str) -> Net:
    return Net(mode)


@pytest.mark.anyio
async def test_round_trip_and_extra_info(net: Net) -> None:
    with serve(echo) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        await stream.write(b"hello")
        assert await stream.read() == b"hello"
        assert stream.info("ssl_object") is None
        assert stream.info("server_addr")[:2] == ("127.0.0.1", server.port)
        assert stream.info("client_addr")[0] == "127.0.0.1"
        sock = stream.info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert stream.info("no such thing") is None
        assert stream.info("is_readable") is False
        await stream.write(b"x")
        deadline = time.monotonic() + 2
        while not stream.info("is_readable") and time.monotonic() < deadline:
            time.sleep(0.005)
        assert stream.info("is_readable") is True
        assert await stream.read(1) == b"x"
        await stream.close()
        await stream.close()  # idempotent
        assert stream.info("is_readable") is True
        assert stream.info("client_addr") is None
        assert "closed" in repr(stream.raw)
        with pytest.raises(tether.ReadError, match=r"127\.0\.0\.1:\d+: the connection is closed"):
            await stream.read()
        with pytest.raises(tether.WriteError, match=r"127\.0\.0\.1:\d+: the connection is closed"):
            await stream.write(b"x")
        with pytest.raises(tether.ConnectError, match="closed"):
            await stream.start_tls(__import__("ssl").create_default_context(), "localhost")


@pytest.mark.anyio
async def test_wait_readable_times_out_without_closing(net: Net) -> None:
    with serve(echo) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        started = time.monotonic()
        assert await stream.wait_readable(0.05) is False
        assert time.monotonic() - started >= 0.04
        await stream.write(b"ping")  # still open: the wait was no error
        assert await stream.wait_readable(5) is True
        assert await stream.read() == b"ping"
        await stream.close()
        assert await stream.wait_readable(5) is True  # closed: a read would not block


@pytest.mark.anyio
async def test_read_respects_max_bytes_and_large_writes(net: Net) -> None:
    payload = bytes(range(256)) * 8192  # 2 MiB: more than a socket buffer holds
    with serve(echo) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        await stream.write(payload[:10])
        time.sleep(0.05)
        assert await stream.read(4) == payload[:4]
        assert await stream.read(6) == payload[4:10]
        await stream.write(payload)
        received = bytearray()
        while len(received) < len(payload):
            received += await stream.read()
        assert received == payload
        await stream.close()


@pytest.mark.anyio
async def test_eof_reads_empty(net: Net) -> None:
    def close_at_once(conn: socket.socket) -> None:
        conn.sendall(b"bye")

    with serve(close_at_once) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        data = b""
        while len(data) < 3:
            data += await stream.read()
        assert data == b"bye"
        assert await stream.read() == b""
        assert stream.info("is_readable") is True  # EOF waiting counts
        await stream.close()


@pytest.mark.anyio
async def test_connect_refused_names_the_address(net: Net) -> None:
    port = closed_port()
    before = open_fds()
    with pytest.raises(tether.ConnectError, match=rf"127\.0\.0\.1:{port}.*[Rr]efused"):
        await net.connect_tcp("127.0.0.1", port)
    assert open_fds() <= before


@pytest.mark.anyio
async def test_connect_timeout_names_the_address(net: Net) -> None:
    with hanging_listener() as port:
        before = open_fds()
        started = time.monotonic()
        with pytest.raises(tether.ConnectTimeout, match=rf"127\.0\.0\.1:{port} after 0\.1 s"):
            await net.connect_tcp("127.0.0.1", port, timeout=0.1)
        assert time.monotonic() - started < 2
        assert open_fds() <= before


@pytest.mark.anyio
async def test_read_timeout_closes_the_stream(net: Net) -> None:
    with serve(idle) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        started = time.monotonic()
        with pytest.raises(tether.ReadTimeout, match=rf"127\.0\.0\.1:{server.port} after 0\.05 s"):
            await stream.read(timeout=0.05)
        assert 0.04 < time.monotonic() - started < 2
        with pytest.raises(tether.ReadError, match="closed"):
            await stream.read()


@pytest.mark.anyio
async def test_write_timeout_when_the_peer_does_not_read(net: Net) -> None:
    with serve(idle, rcvbuf=4096) as server:
        stream = await net.connect_tcp(
            "127.0.0.1",
            server.port,
            socket_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)],
        )
        with pytest.raises(tether.WriteTimeout, match=rf"127\.0\.0\.1:{server.port}"):
            await stream.write(b"x" * 8_000_000, timeout=0.1)
        with pytest.raises(tether.WriteError, match="closed"):
            await stream.write(b"x")


async def write_until_it_fails(stream: Stream) -> None:
    for _ in range(100):
        await stream.write(b"x" * 65536)
        time.sleep(0.001)


@pytest.mark.anyio
async def test_read_and_write_errors(net: Net) -> None:
    def reset(conn: socket.socket) -> None:
        conn.recv(10)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with serve(reset) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        await stream.write(b"ping")
        with pytest.raises(tether.ReadError, match=rf"reading from 127\.0\.0\.1:{server.port}"):
            await stream.read()
        stream = await net.connect_tcp("127.0.0.1", server.port)
        await stream.write(b"ping")
        time.sleep(0.05)
        with pytest.raises(tether.WriteError, match=rf"writing to 127\.0\.0\.1:{server.port}"):
            await write_until_it_fails(stream)


@pytest.mark.anyio
async def test_socket_options_and_local_address(net: Net) -> None:
    with serve(echo) as server:
        stream = await net.connect_tcp(
            "127.0.0.1",
            server.port,
            local_address="127.0.0.1",
            socket_options=[
                (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
                (socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x05\x00\x00\x00"),
            ],
        )
        sock = stream.info("socket")
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)[:1] == b"\x01"
        await stream.close()
        # The (level, option, None, length) form reaches setsockopt; Linux refuses a NULL
        # value for SO_LINGER, and the refusal is a ConnectError naming the address.
        before = open_fds()
        with pytest.raises(tether.ConnectError, match=rf"127\.0\.0\.1:{server.port}: Bad"):
            await net.connect_tcp(
                "127.0.0.1",
                server.port,
                socket_options=[(socket.SOL_SOCKET, socket.SO_LINGER, None, 8)],
            )
        assert open_fds() <= before
        with pytest.raises(tether.ConnectError, match="no address of the family"):
            await net.connect_tcp("127.0.0.1", server.port, local_address="::1")


@pytest.mark.anyio
async def test_connect_by_name_uses_the_resolver_of_the_system(net: Net) -> None:
    with serve(echo) as server:
        stream = await net.connect_tcp("localhost", server.port)
        await stream.write(b"by name")
        assert await stream.read() == b"by name"
        await stream.close()
    with serve(echo, family=socket.AF_INET6) as server:
        stream = await net.connect_tcp("::1", server.port)
        await stream.write(b"v6")
        assert await stream.read() == b"v6"
        assert stream.info("server_addr")[0] == "::1"
        await stream.close()


@pytest.mark.anyio
async def test_unresolvable_name(net: Net, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(tether.ConnectError, match=r"could not resolve nowhere\.test:80: Name"):
        await net.connect_tcp("nowhere.test", 80)


@pytest.mark.anyio
async def test_a_slow_resolver_is_bounded_by_the_connect_timeout(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``getaddrinfo`` has no timeout; the connect timeout bounds it (on the blocking
    backend by resolving in a daemon thread), and the stuck lookup is left behind."""
    released = threading.Event()
    calls: list[str] = []

    def stuck(host: str | bytes, port: int, *args: object, **kwargs: object) -> object:
        flags = kwargs.get("flags", args[3] if len(args) > 3 else 0)
        if isinstance(flags, int) and flags & socket.AI_NUMERICHOST:
            # trio first asks whether the host is an IP literal: never a DNS query.
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        calls.append(host.decode() if isinstance(host, bytes) else host)  # trio: IDNA bytes
        released.wait(30.0)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    try:
        started = time.monotonic()
        with pytest.raises(
            tether.ConnectTimeout, match=r"^timed out resolving stuck\.test:80 after 0\.1 s$"
        ):
            await net.connect_tcp("stuck.test", 80, timeout=0.1)
        assert time.monotonic() - started < 20.0  # far below the 30 s the lookup would take
        assert calls == ["stuck.test"]
    finally:
        released.set()


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio", "trio"])
async def test_a_slow_async_resolver_hook_is_bounded_by_the_connect_timeout(net: Net) -> None:
    """An async resolver hook is part of resolving: the connect timeout bounds it, the
    hook is cancelled, and the message names the phase (a blocking hook cannot be
    interrupted, as a blocking ``getaddrinfo`` can only be left behind)."""
    cancelled: list[str] = []

    async def stuck(host: str, port: int) -> list[tuple[str, int]]:
        try:
            await anyio.sleep(30.0)
        finally:
            cancelled.append(host)
        return [("127.0.0.1", port)]  # pragma: no cover - cancelled first

    started = time.monotonic()
    with pytest.raises(
        tether.ConnectTimeout, match=r"^timed out resolving hook\.test:80 after 0\.1 s$"
    ):
        await net.connect_tcp("hook.test", 80, timeout=0.1, resolver=stuck)
    assert time.monotonic() - started < 20.0  # far below the hook's 30 s
    assert cancelled == ["hook.test"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio", "trio"])
@pytest.mark.parametrize("timeout", [None, 5.0])
async def test_an_async_resolver_hook_answers(net: Net, timeout: float | None) -> None:
    async def hook(host: str, port: int) -> list[tuple[str, int]]:
        await anyio.sleep(0)
        return [("127.0.0.1", port)]

    with serve(echo) as server:
        stream = await net.connect_tcp("hooked.test", server.port, timeout=timeout, resolver=hook)
        await stream.write(b"hooked")
        assert await stream.read() == b"hooked"
        await stream.close()


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio", "trio"])
async def test_a_hook_and_the_lookup_after_it_share_the_connect_timeout(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hook that answers None (ask DNS) uses up part of the timeout: the lookup gets
    what is left, not a fresh timeout."""
    released = threading.Event()

    async def slow_none(host: str, port: int) -> None:
        await anyio.sleep(0.9)

    def stuck(host: str | bytes, port: int, *args: object, **kwargs: object) -> object:
        flags = kwargs.get("flags", args[3] if len(args) > 3 else 0)
        if isinstance(flags, int) and flags & socket.AI_NUMERICHOST:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        released.wait(30.0)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    try:
        started = time.monotonic()
        with pytest.raises(tether.ConnectTimeout, match=r"^timed out resolving dns\.test:80"):
            await net.connect_tcp("dns.test", 80, timeout=1.0, resolver=slow_none)
        # 1 s in all; a fresh timeout for the lookup would make it 1.9 s.
        assert time.monotonic() - started < 1.6
    finally:
        released.set()


@pytest.mark.anyio
async def test_a_resolver_answer_within_the_timeout_is_used(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slowish(host: str, port: int, *args: object, **kwargs: object) -> object:
        time.sleep(0.01)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", slowish)
    with serve(echo) as server:
        stream = await net.connect_tcp("echo.test", server.port, timeout=5.0)
        await stream.write(b"resolved")
        assert await stream.read() == b"resolved"
        await stream.close()


@pytest.mark.anyio
async def test_unix_sockets(net: Net) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "s.sock")
        with serve(echo, path=path):
            stream = await net.connect_unix(path)
            await stream.write(b"unix")
            assert await stream.read() == b"unix"
            await stream.close()
        with pytest.raises(tether.ConnectError, match=rf"could not connect to {path}"):
            await net.connect_unix(path)


def test_sync_unix_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(self: socket.socket, address: object) -> None:
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket.socket, "connect", slow)
    with pytest.raises(
        tether.ConnectTimeout, match=r"timed out connecting to /nowhere after 0\.1 s"
    ):
        SyncBackend().connect_unix("/nowhere", timeout=0.1)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio", "trio"])
async def test_unix_connect_timeout(net: Net, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Unix connect that never completes (patched: a real one completes at once)."""
    if net.mode == "asyncio":

        async def hang(self: object, sock: object, address: object) -> None:
            await asyncio.sleep(10)

        monkeypatch.setattr(asyncio.get_running_loop().__class__, "sock_connect", hang)
    else:

        async def trio_hang(self: object, address: object) -> None:
            await trio.sleep(10)

        monkeypatch.setattr(trio._socket._SocketType, "connect", trio_hang)
    before = open_fds()
    with pytest.raises(tether.ConnectTimeout, match=r"/nowhere after 0\.05 s"):
        await net.connect_unix("/nowhere", timeout=0.05)
    assert open_fds() <= before


def _relay_to(port: int) -> Callable[[socket.socket], None]:
    """A handler that copies bytes between its client and 127.0.0.1:`port`."""

    def relay(conn: socket.socket) -> None:
        with socket.create_connection(("127.0.0.1", port)) as upstream:
            assert isinstance(conn, ssl.SSLSocket)
            while True:
                ready = [conn] if conn.pending() else select.select([conn, upstream], [], [])[0]
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is conn else conn).sendall(data)

    return relay


def test_sync_tls_inside_tls() -> None:
    import trustme

    ca = trustme.CA()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost", "inner.test").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    before = open_fds()
    # The outer TLS server relays its decrypted bytes to a TLS echo server: the inner
    # session runs end to end through the outer one, as through an HTTPS proxy.
    with (
        serve(echo, tls=server_context) as inner,
        serve(_relay_to(inner.port), tls=server_context) as outer,
    ):
        stream = SyncBackend().connect_tcp("127.0.0.1", outer.port, timeout=5)
        tls = stream.start_tls(client_context, "localhost", timeout=5)
        nested = tls.start_tls(client_context, "inner.test", timeout=5)
        assert nested.get_extra_info("ssl_object") is not tls.get_extra_info("ssl_object")
        assert "inner.test" in repr(nested)
        nested.write(b"ping", timeout=5)
        assert nested.read(100, timeout=5) == b"ping"
        nested.close()
        nested.close()
        with pytest.raises(tether.ReadError, match="closed"):
            nested.read(100)
    assert wait_for_fds(before) == before


# -- the asyncio reader callback ----------------------------------------------------------


def watched(fd: int) -> bool:
    """Whether the running asyncio loop's selector watches `fd` (for reading)."""
    selector = asyncio.get_running_loop()._selector  # type: ignore[attr-defined]
    try:
        selector.get_key(fd)
    except KeyError:
        return False
    return True


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio"])
async def test_asyncio_reader_stays_between_reads_and_leaves_when_idle(net: Net) -> None:
    replies = threading.Event()

    def answer_then_close(conn: socket.socket) -> None:
        while data := conn.recv(65536):
            conn.sendall(data)
            if data == b"bye":
                replies.wait(5)
                return

    with serve(answer_then_close) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        fd = stream.info("socket").fileno()
        await check_reader_lifecycle(stream, fd, replies)
        await stream.close()

    with serve(echo) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        fd = stream.info("socket").fileno()
        try:
            reading = asyncio.ensure_future(stream.read())
            await asyncio.sleep(0.01)
            await stream.write(b"x")
            assert await reading == b"x"
            await asyncio.sleep(0.01)  # a stale wake-up, if any, keeps the callback
            assert watched(fd)
        finally:
            await stream.close()  # closing unregisters before the fd can be reused
        assert not watched(fd)


async def check_reader_lifecycle(stream: Stream, fd: int, replies: threading.Event) -> None:
    try:
        for word in (b"one", b"two"):
            reading = asyncio.ensure_future(stream.read())
            await asyncio.sleep(0.01)  # nothing sent yet: the read waits, the callback registers
            await stream.write(word)
            assert await reading == word
            await asyncio.sleep(0.01)  # a stale wake-up, if any, keeps the callback
            assert watched(fd)  # and stays for the next read
        await stream.write(b"bye")
        assert await stream.read() == b"bye"
        replies.set()  # the server closes while nobody reads: the callback leaves
        for _ in range(200):
            if not watched(fd):
                break
            await asyncio.sleep(0.005)
        assert not watched(fd)
        assert stream.info("is_readable") is True  # the EOF is still there to see
        assert await stream.read() == b""
    finally:
        await stream.close()


# -- cancellation never leaks a socket ---------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio"])
async def test_asyncio_cancelled_read_closes_the_socket(net: Net) -> None:
    with serve(idle) as server:
        before = open_fds()
        stream = await net.connect_tcp("127.0.0.1", server.port)
        task = asyncio.ensure_future(stream.read(timeout=None))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert wait_for_fds(before) == before
        with pytest.raises(tether.ReadError, match="closed"):
            await stream.read()


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio"])
async def test_asyncio_cancelled_connect_closes_every_socket(net: Net) -> None:
    with hanging_listener() as port:
        before = open_fds()
        task = asyncio.ensure_future(
            net.connect_tcp("127.0.0.1", port, resolver=lambda h, p: [(h, p), (h, p)])
        )
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert open_fds() <= before


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio"])
async def test_asyncio_cancelled_write_closes_the_socket(net: Net) -> None:
    with serve(idle, rcvbuf=4096) as server:
        before = open_fds()
        stream = await net.connect_tcp(
            "127.0.0.1", server.port, socket_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)]
        )
        task = asyncio.ensure_future(stream.write(b"x" * 8_000_000, timeout=None))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert wait_for_fds(before) == before


# -- one read timer per stream -------------------------------------------------------------


async def echo_after_wait(stream: Stream, word: bytes, timeout: float, delay: float) -> bytes:
    """Read with `timeout` while nothing is there, and send `word` after `delay` seconds."""
    reading = asyncio.ensure_future(stream.read(timeout=timeout))
    await asyncio.sleep(delay)
    await stream.write(word)
    return await reading


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio"])
async def test_asyncio_read_waits_share_one_timer(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()
    armed: list[str] = []
    call_at = loop.call_at

    def counting_call_at(when: float, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        armed.append(args[0].__name__)
        return call_at(when, *args, **kwargs)

    with serve(echo) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        try:
            monkeypatch.setattr(loop, "call_at", counting_call_at)
            for word in (b"one", b"two", b"three", b"four"):
                assert await echo_after_wait(stream, word, 30.0, 0.01) == word
            monkeypatch.undo()
            timers = [name for name in armed if name != "_set_result_unless_cancelled"]
            assert len(timers) == 1  # four waits, one timer (armed by the first; not sleeps)
        finally:
            await stream.close()
        raw = stream.raw
        assert isinstance(raw, AsyncioStream)
        assert raw._read_timer is None  # closing cancels it


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio"])
async def test_asyncio_read_timeout_counts_from_each_read(net: Net) -> None:
    with serve(echo) as server:
        stream = await net.connect_tcp("127.0.0.1", server.port)
        # The first read's timer is due 0.4 s after it started; the second read starts
        # 0.25 s in and must still get its own full 0.4 s (the timer moves).
        assert await echo_after_wait(stream, b"one", 0.4, 0.25) == b"one"
        started = time.monotonic()
        with pytest.raises(tether.ReadTimeout, match=r"after 0\.4 s"):
            await stream.read(timeout=0.4)
        assert time.monotonic() - started >= 0.35

        stream = await net.connect_tcp("127.0.0.1", server.port)
        # A shorter timeout than the armed timer's brings the timer forward.
        assert await echo_after_wait(stream, b"two", 60.0, 0.01) == b"two"
        started = time.monotonic()
        with pytest.raises(tether.ReadTimeout, match=r"after 0\.05 s"):
            await stream.read(timeout=0.05)
        assert 0.04 < time.monotonic() - started < 10


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["trio"])
async def test_trio_cancel_scope_closes_the_socket(net: Net) -> None:
    with serve(idle, rcvbuf=4096) as server:
        before = open_fds()
        stream = await net.connect_tcp("127.0.0.1", server.port)
        with trio.move_on_after(0.02):
            await stream.read(timeout=None)
        assert wait_for_fds(before) == before
        stream = await net.connect_tcp(
            "127.0.0.1", server.port, socket_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)]
        )
        with trio.move_on_after(0.05):
            await stream.write(b"x" * 8_000_000, timeout=None)
        assert wait_for_fds(before) == before
        with hanging_listener() as port:
            before = open_fds()
            with trio.move_on_after(0.05):
                await net.connect_tcp("127.0.0.1", port, resolver=lambda h, p: [(h, p), (h, p)])
            assert open_fds() <= before


# -- picking the backend of the running loop ---------------------------------------------


@pytest.mark.anyio
async def test_current_async_backend(mode: str) -> None:
    backend = current_async_backend()
    if mode == "trio":
        assert current_async_library() == "trio"
        assert isinstance(backend, TrioBackend)
    else:
        assert current_async_library() == "asyncio"
        assert isinstance(backend, AsyncioBackend)
    assert current_async_backend() is backend


def test_no_running_loop() -> None:
    with pytest.raises(RuntimeError, match="needs a running asyncio or trio event loop"):
        current_async_backend()


def test_delay_is_validated() -> None:
    with pytest.raises(ValueError, match=r"at least 0\.01 s"):
        SyncBackend(0.001)


def test_under_uvloop() -> None:
    import uvloop

    async def main() -> None:
        assert current_async_library() == "asyncio"
        backend = current_async_backend()
        with serve(echo) as server:
            stream = await backend.connect_tcp("127.0.0.1", server.port, timeout=5)
            await stream.write(b"uv")
            assert await stream.read(10, 5) == b"uv"
            with pytest.raises(tether.ReadTimeout):
                await stream.read(10, 0.05)
        with hanging_listener() as port, pytest.raises(tether.ConnectTimeout):
            await backend.connect_tcp("127.0.0.1", port, timeout=0.05)

    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(main())
    else:  # pragma: no cover
        uvloop.run(main())


class CountingSocket:
    """A socket that counts its `recv` calls (socket objects take no new attributes)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.recvs = 0
        self.sizes: list[tuple[int, int]] = []  # (asked, got) of each recv that returned

    def recv(self, size: int) -> bytes:
        self.recvs += 1
        data = self.sock.recv(size)
        self.sizes.append((size, len(data)))
        return data

    def __getattr__(self, name: str) -> object:
        return getattr(self.sock, name)


async def check_one_recv_per_answer() -> None:
    # While the reader callback is registered, a read after a short one waits for it
    # instead of first failing a recv: one recv per answer, not two.
    with serve(echo) as server:
        stream = await current_async_backend().connect_tcp("127.0.0.1", server.port, timeout=5)
        assert isinstance(stream, AsyncioStream)
        counting = CountingSocket(stream._sock)
        stream._sock = counting  # type: ignore[assignment]
        try:
            for word in (b"one", b"two", b"three"):
                before = counting.recvs
                reading = asyncio.ensure_future(stream.read(100, 5))
                await asyncio.sleep(0.01)  # the read waits: nothing was sent yet
                await stream.write(word)
                assert await reading == word
                if word != b"one":  # the first read registers the callback (one EAGAIN)
                    assert counting.recvs == before + 1
            await stream.write(b"late")  # data that came before the read is read at once
            await asyncio.sleep(0.05)
            before = counting.recvs
            assert await stream.read(100, 5) == b"late"
            assert counting.recvs == before + 1
        finally:
            await stream.aclose()


def test_asyncio_reads_wait_for_the_callback_rather_than_fail_a_recv() -> None:
    asyncio.run(check_one_recv_per_answer())


def test_under_uvloop_reads_wait_for_the_callback_rather_than_fail_a_recv() -> None:
    import uvloop

    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(check_one_recv_per_answer())
    else:  # pragma: no cover
        uvloop.run(check_one_recv_per_answer())


BIG = 100_000  # more than half of SMALL_READ in one read: a large body is flowing


def read_sizes_script() -> list[tuple[bytes, int]]:
    """(what the echo server is sent, how many bytes to read back) in order."""
    return [(b"small", 5), (b"x" * BIG, BIG), (b"small again", 11), (b"tiny", 4)]


def test_read_sizes_follow_the_data_sync() -> None:
    with serve(echo) as server:
        stream = SyncBackend().connect_tcp("127.0.0.1", server.port, timeout=5)
        counting = CountingSocket(stream._sock)
        stream._sock = counting  # type: ignore[assignment]
        try:
            for sent, size in read_sizes_script():
                stream.write(sent, 5)
                time.sleep(0.05)  # the whole echo waits in the socket
                got = b""
                while len(got) < size:
                    got += stream.read(timeout=5)
                assert got == sent
            stream.write(b"abc", 5)
            assert stream.read(3, 5) == b"abc"
        finally:
            stream.close()
    check_read_sizes(counting.sizes)


def check_read_sizes(sizes: list[tuple[int, int]]) -> None:
    # A small answer is read with SMALL_READ (no 256 KiB buffer to allocate); a read that
    # brings more than half of it switches to READ_SIZE until a read brings less.
    assert sizes[0] == (SMALL_READ, 5)
    assert READ_SIZE in [asked for asked, _ in sizes]  # the large echo was read in large reads
    for (_, got), (asked, _) in itertools.pairwise(sizes[:-1]):
        assert asked == (READ_SIZE if got > SMALL_READ // 2 else SMALL_READ), sizes
    assert sizes[-1] == (3, 3)  # a caller's smaller size is kept


async def play_read_sizes_script(stream: Any, sleep: Callable[[float], Awaitable[object]]) -> None:
    """Run `read_sizes_script` on an async stream, then close it."""
    try:
        for sent, size in read_sizes_script():
            await stream.write(sent, 5)
            await sleep(0.05)  # the whole echo waits in the socket
            got = b""
            while len(got) < size:
                got += await stream.read(timeout=5)
            assert got == sent
        await stream.write(b"abc", 5)
        assert await stream.read(3, 5) == b"abc"
    finally:
        await stream.aclose()


async def read_sizes_asyncio() -> list[tuple[int, int]]:
    with serve(echo) as server:
        stream = await current_async_backend().connect_tcp("127.0.0.1", server.port, timeout=5)
        assert isinstance(stream, AsyncioStream)
        counting = CountingSocket(stream._sock)
        stream._sock = counting  # type: ignore[assignment]
        await play_read_sizes_script(stream, asyncio.sleep)
    return counting.sizes


def test_read_sizes_follow_the_data_asyncio() -> None:
    check_read_sizes(asyncio.run(read_sizes_asyncio()))


class CountingTrioSocket(CountingSocket):
    """`CountingSocket` for a ``trio.socket`` socket, whose `recv` is awaited."""

    async def recv(self, size: int) -> bytes:  # type: ignore[override]
        self.recvs += 1
        data: bytes = await self.sock.recv(size)  # type: ignore[misc]
        self.sizes.append((size, len(data)))
        return data


async def read_sizes_trio() -> list[tuple[int, int]]:
    with serve(echo) as server:
        stream = await TrioBackend().connect_tcp("127.0.0.1", server.port, timeout=5)
        counting = CountingTrioSocket(cast(Any, stream)._sock)
        cast(Any, stream)._sock = counting
        await play_read_sizes_script(stream, trio.sleep)
    return counting.sizes


def test_read_sizes_follow_the_data_trio() -> None:
    check_read_sizes(trio.run(read_sizes_trio))


class CountingTLS:
    """An `ssl.SSLObject` that records the size each `read` asks for."""

    def __init__(self, tls: ssl.SSLObject) -> None:
        self.tls = tls
        self.asked: list[int] = []

    def read(self, size: int) -> bytes:
        self.asked.append(size)
        return self.tls.read(size)

    def __getattr__(self, name: str) -> object:
        return getattr(self.tls, name)


@pytest.mark.parametrize("mode", ["sync-in-tls", "asyncio", "trio"])
def test_tls_streams_ask_for_at_most_a_small_read(mode: str) -> None:
    # A TLS record holds at most 16 KiB, so a decrypting read never returns more: asking
    # for READ_SIZE only made CPython allocate (and map) a 256 KiB buffer every time.
    import trustme

    ca = trustme.CA()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost", "inner.test").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    body = b"x" * 200_000

    async def exchange(stream: Any) -> None:
        counting = CountingTLS(stream.raw._tls)
        stream.raw._tls = counting
        await stream.write(b"small")
        assert await stream.read() == b"small"
        await stream.write(body)
        got = b""
        while len(got) < len(body):
            got += await stream.read(READ_SIZE)
        assert got == body
        await stream.close()
        assert counting.asked
        assert max(counting.asked) <= SMALL_READ

    with serve(echo, tls=server_context) as inner:
        if mode == "sync-in-tls":  # the sync TLSStream runs inside TLS (an HTTPS proxy)
            with serve(_relay_to(inner.port), tls=server_context) as outer:
                plain = SyncBackend().connect_tcp("127.0.0.1", outer.port, timeout=5)
                outer_tls = plain.start_tls(client_context, "localhost", timeout=5)
                nested = outer_tls.start_tls(client_context, "inner.test", timeout=5)
                asyncio.run(exchange(Stream(nested)))
            return

        async def run() -> None:
            net = Net(mode)
            stream = await net.connect_tcp("127.0.0.1", inner.port)
            await exchange(await stream.start_tls(client_context, "localhost"))

        if mode == "asyncio":
            asyncio.run(run())
        else:
            trio.run(run)
