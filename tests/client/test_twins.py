"""The sync and async shells are twins: the same code but for async and await.

Each file is parsed; the async one is rewritten to its sync spelling (async defs,
awaits, async with/for, and the names below), docstrings and imports are dropped from
both, and the two trees must then be identical. A fix made in one shell and forgotten in the
other fails here, with a diff of the two.
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

import pytest

import tether

SOURCE = Path(tether.__file__).parent

# Async spelling -> sync spelling.
RENAMES = {
    "AsyncClient": "Client",
    "AsyncBaseTransport": "BaseTransport",
    "AsyncHTTPTransport": "HTTPTransport",
    "AsyncTLSStream": "TLSStream",
    "AsyncNetworkStream": "NetworkStream",
    "AsyncProxyConnectionPool": "ProxyConnectionPool",
    "AsyncConnectionPool": "ConnectionPool",
    "AsyncConnection": "Connection",
    "aresolve": "resolve",
    "ASGITransport": "WSGITransport",
    "AsyncIterator": "Iterator",
    "asynccontextmanager": "contextmanager",
    "handle_async_request": "handle_request",
    "async_auth_flow": "sync_auth_flow",
    "afirst_auth_request": "first_auth_request",
    "anext_auth_request": "next_auth_request",
    "aread": "read",
    "aclose": "close",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
}


class _ToSync(ast.NodeTransformer):
    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.name = RENAMES.get(node.name, node.name)
        return ast.FunctionDef(**{field: getattr(node, field) for field in node._fields})

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.generic_visit(node)
        node.name = RENAMES.get(node.name, node.name)
        return node

    def visit_AsyncWith(self, node: ast.AsyncWith) -> ast.AST:
        self.generic_visit(node)
        return ast.With(**{field: getattr(node, field) for field in node._fields})

    def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.AST:
        self.generic_visit(node)
        return ast.For(**{field: getattr(node, field) for field in node._fields})

    def visit_Await(self, node: ast.Await) -> ast.AST:
        value: ast.AST = self.visit(node.value)
        return value

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = RENAMES.get(node.id, node.id)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        node.attr = RENAMES.get(node.attr, node.attr)
        return node

    def visit_alias(self, node: ast.alias) -> ast.AST:
        node.name = RENAMES.get(node.name, node.name)
        return node


def _without_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body.pop(0)
    return tree


def _sync_spelling(path: Path, *, from_async: bool) -> str:
    tree = _without_docstrings(ast.parse(path.read_text()))
    # Imports are sorted by name, so their order differs; ruff catches a wrong import.
    tree.body = [node for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom)]
    if from_async:
        tree = _ToSync().visit(tree)
    # Only the async shell names its owner (init_kwargs(owner="AsyncClient")).
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(k.arg == "owner" for k in node.keywords):
            node.keywords = [k for k in node.keywords if k.arg != "owner"]
    ast.fix_missing_locations(tree)
    return ast.unparse(tree)


@pytest.mark.parametrize(
    ("sync_file", "async_file"),
    [
        ("_client.py", "_async_client.py"),
        ("_network/backends/_tls_stream_sync.py", "_network/backends/_tls_stream.py"),
        ("_network/proxy.py", "_network/proxy_async.py"),
    ],
)
def test_async_shell_is_the_sync_shell_with_awaits(sync_file: str, async_file: str) -> None:
    sync = _sync_spelling(SOURCE / sync_file, from_async=False)
    converted = _sync_spelling(SOURCE / async_file, from_async=True)
    diff = "\n".join(
        difflib.unified_diff(
            sync.splitlines(), converted.splitlines(), sync_file, async_file, lineterm=""
        )
    )
    assert not diff, f"the shells drifted apart:\n{diff}"


def test_the_checker_catches_a_drift(tmp_path: Path) -> None:
    sync = tmp_path / "a.py"
    drifted = tmp_path / "b.py"
    sync.write_text("def send(x):\n    return x.read()\n")
    drifted.write_text("async def send(x):\n    await x.aread()\n    return x\n")
    assert _sync_spelling(sync, from_async=False) != _sync_spelling(drifted, from_async=True)
    twin = tmp_path / "c.py"
    twin.write_text("async def send(x):\n    return await x.aread()\n")
    assert _sync_spelling(sync, from_async=False) == _sync_spelling(twin, from_async=True)
