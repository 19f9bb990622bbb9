"""The flow protocol: `Auth.auth_flow` and the sync and async drivers around it."""

from __future__ import annotations

import ast
import asyncio
import inspect
import textwrap
from collections.abc import Generator
from typing import Any

import httpx
import pytest

import tether_auth
from tether_auth import Auth, AuthError, RequestLike, ResponseLike

from ._fakes import FakeRequest, FakeResponse

Flow = Generator[RequestLike, ResponseLike, None]


def _run_sync(auth: Any, request: Any, responses: list[Any]) -> list[Any]:
    """Drive `auth` as a sync client does; return the requests it asked to send."""
    sent = []
    flow = auth.sync_auth_flow(request)
    request = next(flow)
    for response in responses:
        sent.append(request)
        try:
            request = flow.send(response)
        except StopIteration:
            return sent
    raise AssertionError("the flow asked for more responses than the script has")


def _run_async(auth: Any, request: Any, responses: list[Any]) -> list[Any]:
    """Drive `auth` as an async client does; return the requests it asked to send."""

    async def drive() -> list[Any]:
        sent = []
        flow = auth.async_auth_flow(request)
        current = await flow.__anext__()
        for response in responses:
            sent.append(current)
            try:
                current = await flow.asend(response)
            except StopAsyncIteration:
                return sent
        raise AssertionError("the flow asked for more responses than the script has")

    return asyncio.run(drive())


DRIVERS = [pytest.param(_run_sync, id="sync"), pytest.param(_run_async, id="async")]


def _three_steps(request: RequestLike) -> Flow:
    """A flow that numbers its attempts and stops on the first 200."""
    for attempt in range(1, 4):
        request.headers["X-Attempt"] = str(attempt)
        response = yield request
        request.headers["X-Seen"] = str(response.status_code)
        if response.status_code == 200:
            return


class Steps(Auth):
    def auth_flow(self, request: RequestLike) -> Flow:
        return _three_steps(request)


@pytest.mark.parametrize("drive", DRIVERS)
def test_default_flow_sends_the_request_once_unchanged(drive: Any) -> None:
    request = FakeRequest(headers={"Accept": "*/*"})
    sent = drive(Auth(), request, [FakeResponse(401)])
    assert sent == [request]
    assert request.headers == {"Accept": "*/*"}
    assert request.reads == []


@pytest.mark.parametrize("drive", DRIVERS)
def test_flow_runs_until_it_returns(drive: Any) -> None:
    request = FakeRequest()
    responses = [FakeResponse(401), FakeResponse(401), FakeResponse(200), FakeResponse(500)]
    sent = drive(Steps(), request, responses)
    assert len(sent) == 3
    assert request.headers == {"X-Attempt": "3", "X-Seen": "200"}


@pytest.mark.parametrize("drive", DRIVERS)
@pytest.mark.parametrize("request_body", [False, True])
@pytest.mark.parametrize("response_body", [False, True])
def test_bodies_are_read_only_when_the_class_asks(
    drive: Any, request_body: bool, response_body: bool
) -> None:
    seen: list[list[str]] = []

    class Reader(Auth):
        requires_request_body = request_body
        requires_response_body = response_body

        def auth_flow(self, request: RequestLike) -> Flow:
            assert isinstance(request, FakeRequest)
            seen.append(list(request.reads))
            response = yield request
            assert isinstance(response, FakeResponse)
            seen.append(list(response.reads))

    request = FakeRequest(body=b"payload")
    drive(Reader(), request, [FakeResponse(401)])
    verb = "read" if drive is _run_sync else "aread"
    # What the flow saw: the request before its first step, the response when it came.
    assert seen == [[verb] if request_body else [], [verb] if response_body else []]


@pytest.mark.parametrize("drive", DRIVERS)
@pytest.mark.parametrize("request_body", [False, True])
@pytest.mark.parametrize("response_body", [False, True])
def test_drivers_match_httpx(drive: Any, request_body: bool, response_body: bool) -> None:
    trace: list[object] = []

    def flow(request: Any) -> Generator[Any, Any, None]:
        trace.append(("start", list(request.reads)))
        for attempt in range(1, 4):
            request.headers["X-Attempt"] = str(attempt)
            response = yield request
            trace.append(("got", response.status_code, list(response.reads)))
            if response.status_code == 200:
                return

    class Ours(Auth):
        requires_request_body = request_body
        requires_response_body = response_body

        def auth_flow(self, request: RequestLike) -> Flow:
            return flow(request)

    class Theirs(httpx.Auth):
        requires_request_body = request_body
        requires_response_body = response_body

        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Any, None]:
            return flow(request)

    results = []
    for auth in (Ours(), Theirs()):
        trace.clear()
        request = FakeRequest("POST", body=b"body")
        responses = [FakeResponse(401), FakeResponse(401), FakeResponse(200)]
        sent = drive(auth, request, responses)
        results.append((len(sent), list(trace), request.headers, request.reads))
    assert results[0] == results[1]
    # The script exercises the flags: the traces differ between the combinations.
    reads = [entry for entry in trace if isinstance(entry, tuple) and entry[-1]]
    assert bool(reads) == (request_body or response_body)


def test_sync_driver_is_a_generator_driven_with_send() -> None:
    request = FakeRequest()
    assert inspect.isgeneratorfunction(Auth.sync_auth_flow)
    flow = Steps().sync_auth_flow(request)
    assert next(flow) is request
    assert flow.send(FakeResponse(401)) is request
    with pytest.raises(StopIteration):
        flow.send(FakeResponse(200))


def test_async_driver_is_an_async_generator_driven_with_asend() -> None:
    async def drive() -> None:
        request = FakeRequest()
        assert inspect.isasyncgenfunction(Auth.async_auth_flow)
        flow = Steps().async_auth_flow(request)
        assert await flow.__anext__() is request
        assert await flow.asend(FakeResponse(401)) is request
        with pytest.raises(StopAsyncIteration):
            await flow.asend(FakeResponse(200))

    asyncio.run(drive())


@pytest.mark.parametrize("drive", DRIVERS)
def test_a_flow_that_yields_nothing_is_an_error(drive: Any) -> None:
    class Empty(Auth):
        def auth_flow(self, request: RequestLike) -> Flow:
            return
            yield  # pragma: no cover - makes this a generator

    with pytest.raises(AuthError, match=r"Empty\.auth_flow\(\) ended without yielding"):
        drive(Empty(), FakeRequest(), [FakeResponse()])


class Tracked(Auth):
    """A flow that records whether its cleanup ran."""

    def __init__(self) -> None:
        self.closed = False

    def auth_flow(self, request: RequestLike) -> Flow:
        try:
            while True:
                yield request
        finally:
            self.closed = True


def test_closing_the_sync_driver_closes_the_flow_at_once() -> None:
    auth = Tracked()
    flow = auth.sync_auth_flow(FakeRequest())
    next(flow)
    flow.send(FakeResponse(401))
    assert not auth.closed
    flow.close()
    assert auth.closed


def test_closing_the_async_driver_closes_the_flow_at_once() -> None:
    auth = Tracked()

    async def drive() -> None:
        flow = auth.async_auth_flow(FakeRequest())
        await flow.__anext__()
        await flow.asend(FakeResponse(401))
        assert not auth.closed
        await flow.aclose()

    asyncio.run(drive())
    assert auth.closed


def test_an_error_thrown_into_the_driver_propagates_and_closes_the_flow() -> None:
    auth = Tracked()
    flow = auth.sync_auth_flow(FakeRequest())
    next(flow)
    with pytest.raises(OSError, match="connection reset"):
        flow.throw(OSError("connection reset"))
    assert auth.closed


def test_an_error_in_the_flow_reaches_the_client() -> None:
    class Broken(Auth):
        def auth_flow(self, request: RequestLike) -> Flow:
            yield request
            raise LookupError("no token")

    flow = Broken().sync_auth_flow(FakeRequest())
    next(flow)
    with pytest.raises(LookupError, match="no token"):
        flow.send(FakeResponse(401))


def test_flows_accept_httpx_objects() -> None:
    # The protocols are satisfied by httpx's own classes (mypy checks these lines).
    request: RequestLike = httpx.Request("GET", "https://example.org/a?b=c")
    response: ResponseLike = httpx.Response(200, request=httpx.Request("GET", "https://x/"))
    flow = tether_auth.BasicAuth("user", "pass").sync_auth_flow(request)
    sent = next(flow)
    assert sent.headers["authorization"] == "Basic dXNlcjpwYXNz"
    assert sent.url.raw_path == b"/a?b=c"
    with pytest.raises(StopIteration):
        flow.send(response)


class _AsyncToSync(ast.NodeTransformer):
    """Rewrite an async method as its sync twin: drop async/await and the "a" prefixes."""

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        fields = {name: getattr(node, name) for name in node._fields}
        fields["name"] = node.name.removeprefix("a")
        return ast.copy_location(ast.FunctionDef(**fields), node)

    def visit_Await(self, node: ast.Await) -> ast.AST:
        value: ast.AST = self.visit(node.value)
        return value

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr in {"aread", "aclose", "asend"}:
            node.attr = node.attr[1:]
        return node


def _method_tree(name: str) -> str:
    source = textwrap.dedent(inspect.getsource(getattr(Auth, name)))
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    function.returns = None  # Generator vs AsyncGenerator
    function.body = function.body[1:]  # the docstrings say "sync" and "async"
    return ast.dump(_AsyncToSync().visit(function))


def test_sync_and_async_drivers_are_twins() -> None:
    assert _method_tree("async_auth_flow") == _method_tree("sync_auth_flow")


def test_the_twin_check_notices_a_difference() -> None:
    # The rewrite is not so loose that anything passes.
    assert _method_tree("auth_flow") != _method_tree("sync_auth_flow")


def test_subclasses_may_keep_state() -> None:
    class Counting(Auth):
        def __init__(self) -> None:
            self.calls = 0

        def auth_flow(self, request: RequestLike) -> Flow:
            self.calls += 1
            yield request

    auth = Counting()
    _run_sync(auth, FakeRequest(), [FakeResponse()])
    _run_async(auth, FakeRequest(), [FakeResponse()])
    assert auth.calls == 2
