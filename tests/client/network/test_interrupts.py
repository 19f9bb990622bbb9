"""KeyboardInterrupt in blocking code: Ctrl-C while a request waits leaves the pool sound.

A helper thread waits until the main thread is blocked where the test wants it (in
the pool's queue, in a TLS handshake, waiting for a response head, in the middle of
a body), then sends SIGINT to the main thread alone (``pthread_kill``), whose handler
raises `KeyboardInterrupt` there, as Ctrl-C does. Afterwards the books balance, the
interrupted request holds nothing, the next request works, and no descriptor leaks.
"""

from __future__ import annotations

import signal
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import tether
from tests._servers import misbehave
from tests._servers.raw import RawConnection, RawServer
from tether._config import Limits
from tether._network.backends.sync import SyncBackend
from tether._network.pool import ConnectionPool

Start = Callable[..., RawServer]
TIMEOUT = tether.Timeout(30.0)  # far longer than any test here: only the interrupt ends a wait
WATCH_TIMEOUT = 30.0

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill (POSIX)"
)


@pytest.fixture
def interrupt() -> Iterator[Callable[[Callable[[], bool]], threading.Thread]]:
    """``interrupt(ready)``: SIGINT the main thread once ``ready()`` is true."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    main = threading.main_thread().ident
    assert main == threading.get_ident(), "these tests must run in the main thread"
    watchers: list[threading.Thread] = []

    def start(ready: Callable[[], bool]) -> threading.Thread:
        def watch() -> None:
            deadline = time.monotonic() + WATCH_TIMEOUT
            while not ready():
                if time.monotonic() > deadline:
                    return  # the test then fails: its request was never interrupted
                time.sleep(0.002)
            time.sleep(0.01)  # let the main thread settle into its blocking call
            assert main is not None
            signal.pthread_kill(main, signal.SIGINT)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        watchers.append(watcher)
        return watcher

    try:
        yield start
    finally:
        for watcher in watchers:
            watcher.join(WATCH_TIMEOUT)
        signal.signal(signal.SIGINT, previous)


def sound(transport: tether.HTTPTransport, *, idle: int | None = None) -> None:
    books = transport.pool.books
    books.invariant_check()
    assert (books.active, books.opening, books.queued) == (0, 0, 0), repr(books)
    if idle is not None:
        assert books.idle == idle, repr(books)


def test_interrupt_while_waiting_for_the_pool(
    fd_leak_check: None, raw_server: Start, interrupt: Callable[..., threading.Thread]
) -> None:
    server = raw_server(misbehave.ok(b"fine"))
    transport = tether.HTTPTransport(limits=Limits(max_connections=1))
    with tether.Client(transport=transport, timeout=TIMEOUT) as client:
        held = client.send(client.build_request("GET", server.url()), stream=True)
        interrupt(lambda: transport.pool.books.queued == 1)
        with pytest.raises(KeyboardInterrupt):
            client.get(server.url())
        assert transport.pool.books.queued == 0
        held.read()
        held.close()
        sound(transport, idle=1)
        assert client.get(server.url()).text == "fine"
    assert server.stats.accepted == 1


def test_interrupt_in_a_tls_handshake(
    fd_leak_check: None,
    raw_server: Start,
    client_ssl_context: ssl.SSLContext,
    interrupt: Callable[..., threading.Thread],
) -> None:
    silent = raw_server(lambda conn: conn.wait(WATCH_TIMEOUT))  # accepts, never speaks TLS
    server = raw_server(misbehave.ok(b"fine"))
    transport = tether.HTTPTransport(verify=client_ssl_context, limits=Limits(max_connections=1))
    with tether.Client(transport=transport, timeout=TIMEOUT) as client:
        interrupt(lambda: silent.stats.accepted == 1)
        with pytest.raises(KeyboardInterrupt):
            client.get(silent.url().replace("http://", "https://"))
        sound(transport, idle=0)
        assert client.get(server.url()).text == "fine"  # the slot came back


def held_back(sent: threading.Event, first: bytes) -> Callable[[RawConnection], None]:
    """Read a request, send `first`, flag it, then wait for the client to give up."""

    def handler(conn: RawConnection) -> None:
        if conn.read_request() is None:
            return
        conn.send(first)
        sent.set()
        conn.wait_for_close()

    return handler


@pytest.mark.parametrize(
    "first",
    [b"", misbehave.response(200, b"x" * 1000, content_length=2000)],
    ids=["waiting-for-the-head", "mid-body"],
)
def test_interrupt_while_reading(
    fd_leak_check: None,
    raw_server: Start,
    interrupt: Callable[..., threading.Thread],
    first: bytes,
) -> None:
    sent = threading.Event()
    slow = raw_server(held_back(sent, first))
    server = raw_server(misbehave.ok(b"fine"))
    transport = tether.HTTPTransport(limits=Limits(max_connections=1))
    with tether.Client(transport=transport, timeout=TIMEOUT) as client:
        interrupt(sent.is_set)
        with pytest.raises(KeyboardInterrupt):
            client.get(slow.url())
        sound(transport, idle=0)  # the half-read connection was closed, not kept
        assert client.get(server.url()).text == "fine"


def test_interrupt_while_streaming_a_body(
    fd_leak_check: None, raw_server: Start, interrupt: Callable[..., threading.Thread]
) -> None:
    sent = threading.Event()
    slow = raw_server(held_back(sent, misbehave.response(200, b"x" * 10, content_length=20)))
    transport = tether.HTTPTransport(limits=Limits(max_connections=1))
    with tether.Client(transport=transport, timeout=TIMEOUT) as client:
        with client.stream("GET", slow.url()) as response:
            interrupt(sent.is_set)
            with pytest.raises(KeyboardInterrupt):
                for _ in response.iter_raw():
                    pass
        sound(transport, idle=0)


def test_interrupt_and_timeout_while_resolving(
    fd_leak_check: None,
    raw_server: Start,
    interrupt: Callable[..., threading.Thread],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lookup that hangs: Ctrl-C ends the wait, and so does the connect timeout."""
    server = raw_server(misbehave.ok(b"fine"))
    asked = threading.Event()
    released = threading.Event()

    def stuck(host: str, port: int, *args: object, **kwargs: object) -> object:
        asked.set()
        released.wait(WATCH_TIMEOUT)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    transport = tether.HTTPTransport(limits=Limits(max_connections=1))
    url = f"http://stuck.test:{server.port}/"
    try:
        with tether.Client(transport=transport, timeout=TIMEOUT) as client:
            interrupt(asked.is_set)
            with pytest.raises(KeyboardInterrupt):
                client.get(url)
            sound(transport, idle=0)
            with pytest.raises(tether.ConnectTimeout, match=r"resolving stuck\.test:\d+ after"):
                client.get(url, timeout=tether.Timeout(30.0, connect=0.05))
            sound(transport, idle=0)
            assert client.get(server.url()).text == "fine"
    finally:
        released.set()


class InterruptedClose:
    """The blocking backend, whose streams raise `KeyboardInterrupt` from `close()` (after
    closing) while `armed`: Ctrl-C landing in a close."""

    def __init__(self) -> None:
        self.armed = False
        self._inner = SyncBackend()

    def connect_tcp(self, host: str, port: int, **options: Any) -> Any:
        stream = self._inner.connect_tcp(host, port, **options)
        backend = self

        class Stream:
            def __getattr__(self, name: str) -> Any:
                return getattr(stream, name)

            def close(self) -> None:
                stream.close()
                if backend.armed:
                    backend.armed = False
                    raise KeyboardInterrupt

        return Stream()

    def connect_unix(self, path: str, **options: Any) -> Any:  # pragma: no cover - unused
        raise NotImplementedError


def test_interrupt_while_closing_still_wakes_the_waiter(
    fd_leak_check: None, raw_server: Start
) -> None:
    server = raw_server(misbehave.ok(b"fine", headers=[("Connection", "close")]))
    backend = InterruptedClose()
    pool = ConnectionPool(limits=Limits(max_connections=1), backend=backend)
    request = tether.Request("GET", server.url(), extensions={"timeout": {"pool": 30.0}})
    held = pool.handle_request(request)
    results: list[object] = []

    def wait() -> None:
        response = pool.handle_request(request)
        results.append(b"".join(response.stream))  # type: ignore[arg-type]
        response.close()

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    while pool.books.queued == 0:
        time.sleep(0.001)
    backend.armed = True
    with pytest.raises(KeyboardInterrupt):
        held.close()  # "Connection: close": the connection closes, and the close is hit
    waiter.join(WATCH_TIMEOUT)
    assert results == [b"fine"]  # woken at once, not after its pool timeout
    pool.books.invariant_check()
    assert (pool.books.active, pool.books.opening, pool.books.queued) == (0, 0, 0)
    pool.close()


def test_interrupt_while_closing_an_expired_connection(
    fd_leak_check: None, raw_server: Start
) -> None:
    server = raw_server(misbehave.ok(b"fine"))
    backend = InterruptedClose()
    pool = ConnectionPool(limits=Limits(keepalive_expiry=0.001), backend=backend)
    request = tether.Request("GET", server.url())
    pool.handle_request(request).read()
    assert pool.books.idle == 1
    time.sleep(0.01)  # the idle connection expires
    backend.armed = True
    with pytest.raises(KeyboardInterrupt):
        pool.handle_request(request)  # closing the expired connection is interrupted
    pool.books.invariant_check()
    assert (pool.books.active, pool.books.opening, pool.books.idle) == (0, 0, 0)
    assert pool.handle_request(request).read() == b"fine"
    pool.close()


# An interrupt lands where the interpreter checks for signals: on entering a Python
# function (and on loop back-edges). The hand-overs between the books granting a
# connection and the caller holding the Response call a few functions; an interrupt
# raised on entering each of them, one run per call, must leave the books sound.
HAND_OVERS = frozenset({"handle_request", "_acquire", "_send_single_request"})
SOURCE = tether.__file__.rsplit("/", 1)[0]


def interrupt_on_call(number: int) -> tuple[Callable[..., Any], list[int]]:
    """A trace function raising KeyboardInterrupt on the `number`-th call a hand-over
    makes to a Python function; the list it returns counts the calls seen."""
    seen = [0]

    def tracer(frame: Any, event: str, arg: object) -> None:
        caller = frame.f_back
        if (
            event == "call"
            and caller is not None
            and caller.f_code.co_name in HAND_OVERS
            and caller.f_code.co_filename.startswith(SOURCE)
        ):
            seen[0] += 1
            if seen[0] == number:
                raise KeyboardInterrupt

    return tracer, seen


@pytest.mark.parametrize("reuse", [True, False], ids=["reused", "new-connection"])
def test_an_interrupt_on_any_call_of_the_hand_over_leaves_the_books_sound(
    fd_leak_check: None, raw_server: Start, reuse: bool
) -> None:
    server = raw_server(misbehave.ok(b"fine"))
    previous = sys.gettrace()  # a coverage tracer, if any, is put back after each run
    number = 0
    while True:
        number += 1
        transport = tether.HTTPTransport(limits=Limits(max_connections=1))
        with tether.Client(transport=transport, timeout=TIMEOUT) as client:
            if reuse:
                assert client.get(server.url()).text == "fine"  # leaves one idle
            tracer, seen = interrupt_on_call(number)
            sys.settrace(tracer)
            try:
                client.get(server.url())
            except KeyboardInterrupt:
                pass
            finally:
                sys.settrace(previous)
            sound(transport)
            assert client.get(server.url()).text == "fine"
        if seen[0] < number:  # the request ran through without meeting call `number`
            break
    assert number > 5  # the hand-overs did call functions to interrupt
