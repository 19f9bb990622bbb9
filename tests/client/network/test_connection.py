"""The connection shells: one request at a time over a real loopback stream."""

from __future__ import annotations

import ast
import difflib
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

import tether
from tests._servers import misbehave
from tests._servers.raw import RawServer
from tether import ReadError, ReadTimeout, RemoteProtocolError
from tether._network.backends import SyncBackend, current_async_backend
from tether._network.connection import Connection
from tether._network.connection_async import AsyncConnection

Start = Callable[..., RawServer]
GET = (b"GET", b"/", [(b"Host", b"127.0.0.1")])


def connect(server: RawServer) -> Connection:
    stream = SyncBackend().connect_tcp("127.0.0.1", server.port, timeout=2)
    return Connection(stream, f"127.0.0.1:{server.port}")


async def aconnect(server: RawServer) -> AsyncConnection:
    stream = await current_async_backend().connect_tcp("127.0.0.1", server.port, timeout=2)
    return AsyncConnection(stream, f"127.0.0.1:{server.port}")


def read_all(conn: Connection) -> bytes:
    pieces = []
    while (piece := conn.next_piece(2)) is not None:
        pieces.append(piece)
    return b"".join(pieces)


def test_two_cycles_on_one_connection(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(b"hello"))
    conn = connect(server)
    for _ in range(2):
        head = conn.send_request(*GET, None, 2, 2)
        assert (head.status, head.http_version) == (200, b"HTTP/1.1")
        assert read_all(conn) == b"hello"
        assert conn.reusable
        assert not conn.dropped()
        conn.recycle()
    assert repr(conn) == f"<Connection 127.0.0.1:{server.port} open>"
    conn.close()
    conn.close()
    assert conn.closed
    assert not conn.reusable
    assert repr(conn).endswith(" closed>")


def test_streamed_body_and_interim_responses(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.informational(100, 103))
    conn = connect(server)
    headers = [(b"Host", b"x"), (b"Transfer-Encoding", b"chunked")]
    head = conn.send_request(b"POST", b"/", headers, iter([b"a" * 70000, b"", b"b"]), 2, 2)
    assert head.status == 200
    read_all(conn)
    assert conn.response_started
    conn.close()


def test_read_timeout_closes(fd_leak_check: None, raw_server: Start) -> None:
    conn = connect(raw_server(misbehave.stall(1.0)))
    with pytest.raises(ReadTimeout):
        conn.send_request(*GET, None, 2, 0.05)
    assert conn.closed


def test_server_close_is_detected_while_idle(fd_leak_check: None, raw_server: Start) -> None:
    conn = connect(raw_server(misbehave.close_after(1)))
    conn.send_request(*GET, None, 2, 2)
    read_all(conn)
    conn.recycle()
    for _ in range(200):
        if conn.dropped():
            break
        time.sleep(0.005)
    assert conn.dropped()
    conn.close()


def test_body_cut_short_closes(fd_leak_check: None, raw_server: Start) -> None:
    conn = connect(raw_server(misbehave.close_mid_body()))
    conn.send_request(*GET, None, 2, 2)
    with pytest.raises(RemoteProtocolError, match="after 100 bytes"):
        read_all(conn)
    assert conn.closed
    with pytest.raises(ReadError):
        conn.next_piece(1)


async def agen(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


@pytest.mark.anyio
async def test_async_twin(fd_leak_check: None, raw_server: Start) -> None:
    server = raw_server(misbehave.ok(b"hello"))
    conn = await aconnect(server)
    headers = [(b"Host", b"x"), (b"Content-Length", b"3")]
    for _ in range(2):
        head = await conn.send_request(b"POST", b"/", headers, agen(b"ab", b"", b"c"), 2, 2)
        assert head.status == 200
        pieces = []
        while (piece := await conn.next_piece(2)) is not None:
            pieces.append(piece)
        assert b"".join(pieces) == b"hello"
        assert conn.reusable
        assert conn.response_started
        assert not conn.dropped()
        conn.recycle()
    chunked = [(b"Host", b"x"), (b"Transfer-Encoding", b"chunked")]
    body = agen(b"a", b"b" * 70_000, b"c" * 70_000)
    assert (await conn.send_request(b"POST", b"/", chunked, body, 2, 2)).status == 200
    assert repr(conn).startswith("<AsyncConnection 127.0.0.1:")
    await conn.aclose()
    assert conn.closed


@pytest.mark.anyio
async def test_async_errors_close(fd_leak_check: None, raw_server: Start) -> None:
    conn = await aconnect(raw_server(misbehave.stall(1.0)))
    with pytest.raises(ReadTimeout):
        await conn.send_request(*GET, None, 2, 0.05)
    assert conn.closed
    with pytest.raises(ReadError):
        await conn.next_piece(1)


# -- the shells are twins ------------------------------------------------------------------

NETWORK = Path(tether.__file__).parent / "_network"
# Async spelling -> sync spelling, as words.
RENAMES = {
    "AsyncConnectionPool": "ConnectionPool",
    "AsyncConnection": "Connection",
    "AsyncPoolStream": "PoolStream",
    "AsyncTracedStream": "TracedStream",
    "AsyncTrace": "Trace",
    "atraced_call": "traced_call",
    "StopAsyncIteration": "StopIteration",
    "AsyncNetworkStream": "NetworkStream",
    "AsyncNetworkBackend": "NetworkBackend",
    "AsyncIterable": "Iterable",
    "handle_async_request": "handle_request",
    "aclose": "close",
    "aread_rest": "read_rest",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "Waiter": "threading.Event",
}
_WORDS = re.compile(r"\b(" + "|".join(RENAMES) + r")\b")
# The async pool finds its backend on first connect (the running loop's); nothing else
# may differ.
ASYNC_ONLY = ("if backend is None:",)


class _ToSync(ast.NodeTransformer):
    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        sync = ast.FunctionDef(**{field: getattr(node, field) for field in node._fields})
        return ast.copy_location(sync, node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.AST:
        self.generic_visit(node)
        return ast.copy_location(
            ast.For(**{field: getattr(node, field) for field in node._fields}), node
        )

    def visit_Await(self, node: ast.Await) -> ast.AST:
        value: ast.AST = self.visit(node.value)
        return value


def methods(module: str) -> dict[str, str]:
    """Each method of each class, docstrings and async-only lines dropped, in sync spelling."""
    tree = _ToSync().visit(ast.parse((NETWORK / module).read_text()))
    found = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or cls.name in ("Waiter", "Deadline"):
            continue
        for node in cls.body:
            if isinstance(node, ast.FunctionDef) and node.name != "__init__":
                body = node.body
                if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                    node.body = body[1:]
                code = drop_async_only(ast.unparse(node))
                name = _WORDS.sub(lambda m: RENAMES[m.group(1)], f"{cls.name}.{node.name}")
                found[name] = _WORDS.sub(lambda m: RENAMES[m.group(1)], code)
    return found


def drop_async_only(code: str) -> str:
    lines = code.splitlines()
    out, skip = [], -1
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if skip >= 0 and indent > skip:
            continue
        skip = -1
        if line.strip().startswith(ASYNC_ONLY):
            skip = indent
            continue
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize(
    ("sync", "async_"), [("connection.py", "connection_async.py"), ("pool.py", "pool_async.py")]
)
def test_shells_are_twins(sync: str, async_: str) -> None:
    ours = methods(sync)
    theirs = methods(async_)
    assert ours.keys() == theirs.keys()
    for name, code in ours.items():
        diff = "\n".join(difflib.unified_diff(code.splitlines(), theirs[name].splitlines()))
        assert not diff, f"{name} differs between {sync} and {async_}:\n{diff}"
