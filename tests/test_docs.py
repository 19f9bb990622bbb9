"""Every Python example in the docs runs, and prints what the page says it prints.

Each page under docs/ (and the README) that has examples is one test: its ```python
blocks run in order, in one namespace, so a later block can use what an earlier one
defined. A ``print(...)`` line with a trailing ``# comment`` promises that output: the
comments of a block must appear, in order, among the lines the block printed.

Examples send real requests to ``https://httpbin.org`` and ``http://httpbin.org``.
Here that name resolves to two loopback servers running a stand-in
(`tests._servers.httpbin`): plain HTTP for port 80, TLS for port 443, with a
certificate from a throwaway CA that ``SSL_CERT_FILE`` tells the client to trust. The
proxies page uses ``proxy.example:3128`` and ``socks.example:1080``, which resolve to
the test proxy (HTTP, CONNECT and SOCKS5). Any other name fails to resolve, so no
example can reach beyond loopback.

Blocks that cannot run (a shell session, program output) use another fence language
(```console, ```text).
"""

from __future__ import annotations

import contextlib
import io
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

import tether
from tests._servers.httpbin import app as httpbin_app
from tests._servers.proxy import ProxyHandler
from tests._servers.raw import RawServer
from tests._servers.uvicorn_server import UvicornServer

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PAGES = [*sorted(path.relative_to(REPO).as_posix() for path in DOCS.rglob("*.md")), "README.md"]

# The names the examples may use, each resolved to the loopback servers.
STAND_IN_HOSTS = frozenset({"httpbin.org"})
PROXY_ADDRESSES = (("proxy.example", 3128), ("socks.example", 1080))
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)
PROMISE = re.compile(r"^\s*print\(.*\)\s+# (.*)$")
# A comment after a closing bracket is a promise that a formatter moved off its print line.
STRANDED = re.compile(r"^\s*\)\s+# ")


@dataclass(frozen=True)
class Block:
    """One ```python block: its source and the line of the page it starts on."""

    source: str
    line: int

    def promises(self) -> list[str]:
        """The outputs its ``print(...)  # output`` lines promise, in order."""
        stranded = [line for line in self.source.splitlines() if STRANDED.match(line)]
        assert not stranded, f"keep each promise on its print line: {stranded}"
        found = (PROMISE.match(line) for line in self.source.splitlines())
        return [match.group(1) for match in found if match]


def blocks_of(page: str) -> list[Block]:
    text = (REPO / page).read_text(encoding="utf-8")
    return [
        Block(match.group(1), text.count("\n", 0, match.start(1)) + 1)
        for match in FENCE.finditer(text)
    ]


def is_subsequence(wanted: list[str], lines: list[str]) -> bool:
    remaining = iter(lines)
    return all(any(line == want for line in remaining) for want in wanted)


@dataclass(frozen=True)
class StandIn:
    """The running loopback servers, and which (name, port) each one answers for."""

    routes: dict[tuple[str, int], int]
    ca_pem: Path


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    ca = trustme.CA(organization_name="tether docs test CA")
    leaf = ca.issue_cert(*sorted(STAND_IN_HOSTS))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(server_context)
    ca_pem = tmp_path_factory.mktemp("docs-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    with contextlib.ExitStack() as running:
        http = running.enter_context(UvicornServer(httpbin_app))
        https = running.enter_context(UvicornServer(httpbin_app, ssl_context=server_context))
        routes = {}
        for host in STAND_IN_HOSTS:
            routes[host, 80] = http.port
            routes[host, 443] = https.port
        proxy = running.enter_context(RawServer(ProxyHandler()))
        routes.update(dict.fromkeys(PROXY_ADDRESSES, proxy.port))
        yield StandIn(routes, ca_pem)


def _resolver(stand_in: StandIn, real: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    """A `socket.getaddrinfo` that knows only loopback and the stand-ins' names."""

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode("ascii") if isinstance(host, bytes) else host
        where = (name, int(port) if str(port).isdigit() else 0)
        if where in stand_in.routes:
            return real("127.0.0.1", stand_in.routes[where], *args, **kwargs)
        if name in LOOPBACK_NAMES:
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(
            socket.EAI_NONAME, f"the docs test resolves only loopback and its stand-ins: {where}"
        )

    return getaddrinfo


@pytest.fixture
def docs_world(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """httpbin.org on loopback, its CA trusted, no proxy settings, a scratch directory."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(stand_in.ca_pem))
    monkeypatch.setattr(socket, "getaddrinfo", _resolver(stand_in, socket.getaddrinfo))
    monkeypatch.chdir(tmp_path)


def run_page(page: str) -> None:
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    try:
        for index, block in enumerate(blocks_of(page)):
            # Leading newlines make tracebacks point at the page's own line numbers.
            source = "\n" * (block.line - 1) + block.source
            # dont_inherit: the examples must not run under this file's __future__ imports.
            code = compile(source, str(REPO / page), "exec", dont_inherit=True)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, namespace)
            printed = out.getvalue().splitlines()
            promised = block.promises()
            assert is_subsequence(promised, printed), (
                f"{page}, block {index} (line {block.line}) promises {promised!r}, "
                f"printed {printed!r}"
            )
    finally:
        for value in namespace.values():
            if isinstance(value, tether.Client):
                value.close()


@pytest.mark.usefixtures("docs_world")
# Pages without a python block (design notes, the API reference) have nothing to run.
@pytest.mark.parametrize("page", [page for page in PAGES if blocks_of(page)])
def test_page_examples_run(page: str) -> None:
    run_page(page)


def test_every_page_is_covered() -> None:
    assert {"README.md", "docs/index.md", "docs/guide/clients.md"} <= set(PAGES)
    assert sum(len(blocks_of(page)) for page in PAGES) > 100


def test_a_broken_promise_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.test_docs.REPO", tmp_path)
    (tmp_path / "page.md").write_text("```python\nprint(1 + 1)  # 3\n```\n")
    with pytest.raises(AssertionError, match="promises"):
        run_page("page.md")
    (tmp_path / "page.md").write_text("```python\nprint(1 + 1)  # 2\n```\n")
    run_page("page.md")
    (tmp_path / "page.md").write_text("```python\nprint(\n    1 + 1\n)  # 2\n```\n")
    with pytest.raises(AssertionError, match="keep each promise on its print line"):
        run_page("page.md")


@pytest.mark.usefixtures("docs_world")
def test_examples_cannot_leave_loopback() -> None:
    with pytest.raises(tether.ConnectError, match=r"www\.python\.org"):
        tether.get("https://www.python.org/")


def test_the_exception_tree_is_tethers() -> None:
    """docs/guide/exceptions.md draws the hierarchy; it must match the classes."""
    text = (DOCS / "guide" / "exceptions.md").read_text(encoding="utf-8")
    match = re.search(r"^```text\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert match is not None
    exported = {
        name: value
        for name in tether.__all__
        if isinstance(value := getattr(tether, name), type) and issubclass(value, Exception)
    }
    drawn: list[str] = []
    parents: list[type] = []  # the chain of classes above the current line
    for line in match.group(1).splitlines():
        name = line.strip()
        depth = (len(line) - len(line.lstrip())) // 4
        cls = exported[name]
        del parents[depth:]
        if parents:
            assert parents[-1] in cls.__bases__, f"{name} is drawn under {parents[-1].__name__}"
        else:
            assert not set(cls.__bases__) & set(exported.values()), f"{name} is drawn as a root"
        parents.append(cls)
        drawn.append(name)
    assert sorted(drawn) == sorted(exported)
