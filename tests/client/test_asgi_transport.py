"""`ASGITransport`: Starlette and raw ASGI apps in-process, under asyncio and trio."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

import tether
from tether._transports import _backend

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Scope = MutableMapping[str, Any]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def get(url: str = "http://testserver/", method: str = "GET", **kwargs: Any) -> tether.Request:
    return tether.Request(method, url, **kwargs)


async def send(app: App, request: tether.Request | None = None, **options: Any) -> tether.Response:
    """Send one request through an ASGITransport and read the whole response."""
    transport = tether.ASGITransport(app, **options)
    response = await transport.handle_async_request(request or get())
    await response.aread()
    return response


def stream_of(response: tether.Response) -> tether.AsyncByteStream:
    """The transport's own body stream, for reads that stop half-way."""
    assert isinstance(response.stream, tether.AsyncByteStream)
    return response.stream


# --- A Starlette app ----------------------------------------------------------------------


class Observed:
    """What the Starlette app reports back to the tests."""

    def __init__(self) -> None:
        self.events_sent = 0
        self.arrived: list[bytes] = []
        self.first_piece = anyio.Event()
        self.background_ran = False


observed = Observed()


async def homepage(request: StarletteRequest) -> JSONResponse:
    return JSONResponse({"hello": "tether", "query": dict(request.query_params)})


async def text(request: StarletteRequest) -> PlainTextResponse:
    return PlainTextResponse("plain text", headers={"X-Custom": "yes"})


async def who(request: StarletteRequest) -> JSONResponse:
    assert request.client is not None
    return JSONResponse(
        {
            "client": [request.client.host, request.client.port],
            "root_path": request.scope["root_path"],
            "url": str(request.url),
            "base_url": str(request.base_url),
        }
    )


async def stream(request: StarletteRequest) -> StreamingResponse:
    async def numbers() -> AsyncIterator[str]:
        for number in range(3):
            yield f"{number},"

    return StreamingResponse(numbers(), media_type="text/plain")


async def events(request: StarletteRequest) -> StreamingResponse:
    async def endless() -> AsyncIterator[str]:
        while True:
            observed.events_sent += 1
            yield f"data: {observed.events_sent}\n\n"

    return StreamingResponse(endless(), media_type="text/event-stream")


async def upload(request: StarletteRequest) -> JSONResponse:
    pieces = []
    async for piece in request.stream():
        if piece:
            pieces.append(piece.decode())
            observed.arrived.append(piece)
            observed.first_piece.set()
    return JSONResponse({"pieces": pieces})


async def echo_json(request: StarletteRequest) -> JSONResponse:
    return JSONResponse({"received": await request.json()})


async def fail(request: StarletteRequest) -> Response:
    raise LookupError("handler failed")


async def fail_mid_stream(request: StarletteRequest) -> StreamingResponse:
    async def broken() -> AsyncIterator[bytes]:
        yield b"first part,"
        raise ValueError("stream broke")

    return StreamingResponse(broken())


async def with_background(request: StarletteRequest) -> PlainTextResponse:
    def remember() -> None:
        observed.background_ran = True

    return PlainTextResponse("done", background=BackgroundTask(remember))


starlette_app = Starlette(
    routes=[
        Route("/", homepage),
        Route("/text", text),
        Route("/who", who),
        Route("/stream", stream),
        Route("/events", events),
        Route("/upload", upload, methods=["POST"]),
        Route("/json", echo_json, methods=["POST"]),
        Route("/fail", fail),
        Route("/fail-mid-stream", fail_mid_stream),
        Route("/background", with_background),
    ]
)


class Tracked:
    """Wraps an app and records whether its call is over."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.running = False
        self.finished = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.running = True
        try:
            await self.app(scope, receive, send)
        finally:
            self.running = False
            self.finished = True


async def test_starlette_json() -> None:
    response = await send(starlette_app, get("http://testserver/?a=1&b=two"))
    assert response.status_code == 200
    assert response.http_version == "HTTP/1.1"
    assert response.extensions["http_version"] == b"HTTP/1.1"
    assert response.json() == {"hello": "tether", "query": {"a": "1", "b": "two"}}
    with pytest.raises(RuntimeError, match="request instance has not been set"):
        response.request  # noqa: B018 (the client attaches it, not the transport)


async def test_starlette_text_and_headers() -> None:
    response = await send(starlette_app, get("http://testserver/text"))
    assert response.text == "plain text"
    assert response.headers["x-custom"] == "yes"
    assert response.headers["content-length"] == "10"
    assert response.reason_phrase == "OK"


async def test_starlette_post_json() -> None:
    payload = {"list": [1, 2, {"deep": None}], "text": "ünïcode"}
    response = await send(starlette_app, get("http://testserver/json", "POST", json=payload))
    assert response.json() == {"received": payload}


async def test_starlette_client_and_root_path() -> None:
    response = await send(
        starlette_app,
        get("https://example.org/who"),
        root_path="/api",
        client=("10.0.0.7", 4321),
    )
    assert response.json() == {
        "client": ["10.0.0.7", 4321],
        "root_path": "/api",
        "url": "https://example.org/who",
        "base_url": "https://example.org/api/",
    }


async def test_starlette_streaming_response() -> None:
    transport = tether.ASGITransport(starlette_app)
    response = await transport.handle_async_request(get("http://testserver/stream"))
    assert [chunk async for chunk in response.aiter_raw()] == [b"0,", b"1,", b"2,"]


async def test_starlette_endless_events_read_chunk_by_chunk_then_closed() -> None:
    observed.events_sent = 0
    app = Tracked(starlette_app)
    transport = tether.ASGITransport(app)
    with anyio.fail_after(5):
        response = await transport.handle_async_request(get("http://testserver/events"))
        assert response.headers["content-type"].startswith("text/event-stream")
        # Partial reads go through the transport's stream: trio warns about the
        # Response's async generators when they are dropped half-way.
        chunks = stream_of(response).__aiter__()
        received = [await chunks.__anext__() for _ in range(5)]
        assert received == [f"data: {n}\n\n".encode() for n in range(1, 6)]
        # Back-pressure: the producer is at most a chunk or two ahead of the reader.
        await anyio.sleep(0.01)
        assert observed.events_sent <= 7
        await response.aclose()
    assert app.finished
    sent = observed.events_sent
    await anyio.sleep(0.01)
    assert observed.events_sent == sent


async def test_starlette_receives_the_request_body_as_it_is_streamed() -> None:
    observed.arrived = []
    observed.first_piece = anyio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield b"first "
        # The app must have the first piece before the second is even produced.
        with anyio.fail_after(2):
            await observed.first_piece.wait()
        assert observed.arrived == [b"first "]
        yield b"second "
        yield b"third"

    response = await send(starlette_app, get("http://testserver/upload", "POST", content=body()))
    assert response.json() == {"pieces": ["first ", "second ", "third"]}


async def test_starlette_exception_raised_with_its_500_page() -> None:
    transport = tether.ASGITransport(starlette_app)
    response = await transport.handle_async_request(get("http://testserver/fail"))
    # Starlette sends its 500 page, then re-raises for the server to log.
    assert response.status_code == 500
    with pytest.raises(LookupError, match="handler failed"):
        await response.aread()


async def test_starlette_exception_not_raised() -> None:
    response = await send(starlette_app, get("http://testserver/fail"), raise_app_exceptions=False)
    assert response.status_code == 500
    assert response.text == "Internal Server Error"


async def test_starlette_exception_after_the_response_started() -> None:
    transport = tether.ASGITransport(starlette_app)
    response = await transport.handle_async_request(get("http://testserver/fail-mid-stream"))
    assert response.status_code == 200
    chunks = stream_of(response).__aiter__()
    assert await chunks.__anext__() == b"first part,"
    with pytest.raises(ValueError, match="stream broke"):
        await chunks.__anext__()
    with pytest.raises(StopAsyncIteration):
        await chunks.__anext__()


async def test_starlette_exception_after_start_not_raised() -> None:
    transport = tether.ASGITransport(starlette_app, raise_app_exceptions=False)
    response = await transport.handle_async_request(get("http://testserver/fail-mid-stream"))
    with pytest.raises(tether.RemoteProtocolError, match="incomplete: ValueError") as info:
        await response.aread()
    assert isinstance(info.value.__cause__, ValueError)


async def test_starlette_background_task_has_run_when_the_body_is_read() -> None:
    observed.background_ran = False
    response = await send(starlette_app, get("http://testserver/background"))
    assert response.text == "done"
    assert observed.background_ran


async def test_head_response_has_no_body() -> None:
    response = await send(starlette_app, get("http://testserver/text", "HEAD"))
    assert response.status_code == 200
    assert response.headers["content-length"] == "10"
    assert response.content == b""


# --- The scope -----------------------------------------------------------------------------


class ScopeRecorder:
    def __init__(self) -> None:
        self.scope: dict[str, Any] = {}
        self.messages: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = dict(scope)
        while True:
            message = await receive()
            self.messages.append(message)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize(
    ("method", "url", "headers", "content"),
    [
        ("GET", "http://testserver:8000/", {}, None),
        ("GET", "https://example.org:8443/a/b%20c?x=1&y=%20z", {"Accept": "text/plain"}, None),
        ("POST", "http://example.org:81/submit", {"Content-Type": "text/plain"}, b"data"),
        ("GET", "http://[::1]:9000/caf%C3%A9", {"X-Repeat": "1"}, None),
    ],
)
async def test_scope_matches_httpx(
    method: str, url: str, headers: dict[str, str], content: bytes | None
) -> None:
    ours, theirs = ScopeRecorder(), ScopeRecorder()
    await send(ours, tether.Request(method, url, headers=headers, content=content))
    their_transport = httpx.ASGITransport(theirs)
    their_request = httpx.Request(method, url, headers=headers, content=content)
    await (await their_transport.handle_async_request(their_request)).aread()
    # tether declares ASGI HTTP spec 2.4: send() raises OSError after a disconnect.
    assert ours.scope.pop("asgi") == {"version": "3.0", "spec_version": "2.4"}
    assert theirs.scope.pop("asgi") == {"version": "3.0"}
    assert ours.scope == theirs.scope
    assert b"".join(m.get("body", b"") for m in ours.messages) == (content or b"")


async def test_scope_contents() -> None:
    app = ScopeRecorder()
    request = tether.Request(
        "PUT",
        "https://example.org/caf%C3%A9/x%2Fy?q=%C3%A9#frag",
        headers=[("X-Twice", "1"), ("x-twice", "2"), ("Content-Type", "text/plain")],
        content=b"body",
    )
    await send(app, request, root_path="/root", client=("192.0.2.1", 50000))
    scope = app.scope
    assert scope["type"] == "http"
    assert scope["http_version"] == "1.1"
    assert scope["method"] == "PUT"
    assert scope["scheme"] == "https"
    assert scope["path"] == "/café/x/y"
    assert scope["raw_path"] == b"/caf%C3%A9/x%2Fy"
    assert scope["query_string"] == b"q=%C3%A9"
    assert scope["root_path"] == "/root"
    assert scope["client"] == ("192.0.2.1", 50000)
    # The effective port, as ASGI servers give it (httpx gives None for a default port).
    assert scope["server"] == ("example.org", 443)
    assert (b"x-twice", b"1") in scope["headers"]
    assert (b"x-twice", b"2") in scope["headers"]
    assert all(name == name.lower() for name, _ in scope["headers"])
    assert app.messages[-1] == {"type": "http.request", "body": b"", "more_body": False}


async def test_empty_request_body_is_one_final_message() -> None:
    app = ScopeRecorder()
    await send(app)
    assert app.messages == [{"type": "http.request", "body": b"", "more_body": False}]


# --- Raw ASGI apps: edge cases ------------------------------------------------------------


def app_sending(*messages: Any, then: Exception | None = None) -> App:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for message in messages:
            await send(message)
        if then is not None:
            raise then

    return app


START = {"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]}
BODY = {"type": "http.response.body", "body": b"hello"}


@pytest.mark.parametrize(
    ("app", "match"),
    [
        (app_sending(), "returned without sending a response"),
        (app_sending(START), "without sending http.response.body"),
        (app_sending(BODY), "http.response.body before http.response.start"),
        (app_sending(START, START), "http.response.start twice"),
        (app_sending({**START, "status": "200"}), "malformed status.*'200'"),
        (app_sending({**START, "status": 42}), "malformed status.*42"),
        (app_sending({**START, "status": True}), "malformed status.*True"),
        (app_sending({**START, "headers": [("x-a", "1")]}), "malformed response header"),
        (app_sending({**START, "headers": [(b"x-a",)]}), "malformed response header"),
        (app_sending({**START, "headers": b"x-a: 1"}), "not a list"),
        (app_sending({**START, "headers": 5}), "not a list"),
        (app_sending({**START, "headers": [(b"x-a", b"1\r\nx-b: 2")]}), "CR"),
        (app_sending({"type": "http.response.push"}), "unexpected message"),
        (app_sending("not a dict"), "unexpected message"),
        (app_sending(START, {**BODY, "body": "text"}), "body of type str"),
    ],
)
async def test_protocol_violations_before_the_response(app: App, match: str) -> None:
    with pytest.raises(tether.RemoteProtocolError, match=match):
        await send(app)
    response = await send(app, raise_app_exceptions=False)
    assert response.status_code == 500
    assert response.content == b""


async def test_app_returning_before_the_end_of_the_body() -> None:
    app = app_sending(START, {**BODY, "more_body": True})
    transport = tether.ASGITransport(app, raise_app_exceptions=False)
    response = await transport.handle_async_request(get())
    assert response.status_code == 200
    with pytest.raises(tether.RemoteProtocolError, match="before the end of the body"):
        await response.aread()


async def test_body_after_the_end_is_an_error_at_the_end_of_the_stream() -> None:
    app = app_sending(START, BODY, BODY)
    transport = tether.ASGITransport(app, raise_app_exceptions=False)
    response = await transport.handle_async_request(get())
    chunks = stream_of(response).__aiter__()
    assert await chunks.__anext__() == b"hello"
    with pytest.raises(tether.RemoteProtocolError, match="after the end of the response"):
        await chunks.__anext__()


async def test_exception_before_start() -> None:
    app = app_sending(then=ZeroDivisionError("app bug"))
    with pytest.raises(ZeroDivisionError, match="app bug"):
        await send(app)
    response = await send(app, raise_app_exceptions=False)
    assert response.status_code == 500
    assert response.extensions["http_version"] == b"HTTP/1.1"


async def test_exception_after_start_before_body_counts_as_before() -> None:
    # An ASGI server starts the response only at the first body message.
    app = app_sending(START, then=KeyError("late"))
    with pytest.raises(KeyError, match="late"):
        await send(app)
    assert (await send(app, raise_app_exceptions=False)).status_code == 500


async def test_exception_after_the_whole_response_is_raised_at_its_end() -> None:
    app = app_sending(START, BODY, then=RuntimeError("cleanup failed"))
    transport = tether.ASGITransport(app)
    response = await transport.handle_async_request(get())
    with pytest.raises(RuntimeError, match="cleanup failed"):
        await response.aread()
    quiet = await send(app, raise_app_exceptions=False)
    assert quiet.content == b"hello"


async def test_body_chunks_and_more_body() -> None:
    app = app_sending(
        START,
        {"type": "http.response.body", "body": b"a", "more_body": True},
        {"type": "http.response.body", "more_body": True},
        {"type": "http.response.body", "body": bytearray(b"b"), "more_body": True},
        {"type": "http.response.body", "body": memoryview(b"c")},
    )
    transport = tether.ASGITransport(app)
    response = await transport.handle_async_request(get())
    assert response.headers["x-a"] == "1"
    assert [chunk async for chunk in response.aiter_raw()] == [b"a", b"b", b"c"]


async def test_back_pressure_holds_a_fast_producer() -> None:
    produced = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal produced
        await send(START)
        while True:
            produced += 1
            await send({"type": "http.response.body", "body": b"x" * 1000, "more_body": True})

    tracked = Tracked(app)
    transport = tether.ASGITransport(tracked)
    with anyio.fail_after(5):
        response = await transport.handle_async_request(get())
        await anyio.sleep(0.01)
        assert produced <= 2
        chunks = stream_of(response).__aiter__()
        for _ in range(10):
            await chunks.__anext__()
        await anyio.sleep(0.01)
        assert produced <= 12
        await response.aclose()
    assert tracked.finished


async def test_close_delivers_disconnect_and_send_raises_oserror() -> None:
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send(START)
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        seen.append(await receive())
        try:
            await send({"type": "http.response.body", "body": b"more", "more_body": True})
        except OSError as exc:
            seen.append(exc)

    transport = tether.ASGITransport(app)
    response = await transport.handle_async_request(get())
    assert await stream_of(response).__aiter__().__anext__() == b"part"
    await response.aclose()
    assert seen[0] == {"type": "http.disconnect"}
    assert isinstance(seen[1], OSError)
    assert "closed the response" in str(seen[1])


async def test_close_cancels_an_app_that_ignores_the_disconnect() -> None:
    async def stubborn(scope: Scope, receive: Receive, send: Send) -> None:
        await send(START)
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        await anyio.sleep_forever()

    app = Tracked(stubborn)
    transport = tether.ASGITransport(app)
    with anyio.fail_after(5):
        response = await transport.handle_async_request(get())
        await response.aclose()
    assert app.finished


async def test_receive_after_the_response_returns_disconnect() -> None:
    seen: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send(START)
        await send(BODY)
        seen.append(await receive())

    response = await send(app)
    assert response.content == b"hello"
    assert seen == [{"type": "http.disconnect"}]


async def test_transport_aclose_disconnects_open_responses() -> None:
    async def endless(scope: Scope, receive: Receive, send: Send) -> None:
        await send(START)
        await send({**BODY, "more_body": True})
        await anyio.sleep_forever()

    app = Tracked(endless)
    async with tether.ASGITransport(app) as transport:
        response = await transport.handle_async_request(get())
        assert response.status_code == 200
        assert app.running
    assert app.finished


async def test_cancelled_while_waiting_for_the_response_start() -> None:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await anyio.sleep_forever()

    app = Tracked(slow)
    transport = tether.ASGITransport(app)
    with anyio.move_on_after(0.05) as scope:
        await transport.handle_async_request(get())
    assert scope.cancelled_caught
    await anyio.sleep(0.01)
    assert app.finished


async def test_request_body_errors_are_raised_even_when_app_errors_are_not() -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"start"
        raise ConnectionResetError("upload source vanished")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            while (await receive()).get("more_body"):
                pass
        except ConnectionResetError:
            raise ValueError("the app saw a broken body") from None

    request = get(method="POST", content=broken())
    with pytest.raises(ConnectionResetError, match="vanished"):
        await send(app, request, raise_app_exceptions=False)


async def test_request_body_errors_after_the_response_started() -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"start"
        raise ConnectionResetError("upload source vanished")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(START)
        await send({**BODY, "more_body": True})
        try:
            while (await receive()).get("more_body"):
                pass
        finally:
            await send(BODY)

    transport = tether.ASGITransport(app, raise_app_exceptions=False)
    response = await transport.handle_async_request(get(method="POST", content=broken()))
    with pytest.raises(ConnectionResetError, match="vanished"):
        await response.aread()

    async def fails_mid_body(scope: Scope, receive: Receive, send: Send) -> None:
        await send(START)
        await send({**BODY, "more_body": True})
        while (await receive()).get("more_body"):
            pass

    transport = tether.ASGITransport(fails_mid_body, raise_app_exceptions=False)
    response = await transport.handle_async_request(get(method="POST", content=broken()))
    with pytest.raises(ConnectionResetError, match="vanished"):
        await response.aread()


async def test_unread_request_body_generator_is_closed() -> None:
    closed: list[bool] = []

    async def body() -> AsyncIterator[bytes]:
        try:
            yield b"one"
            yield b"two"
        finally:
            closed.append(True)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send(START)
        await send(BODY)

    await send(app, get(method="POST", content=body()))
    assert closed == [True]


async def test_background_work_is_cancelled_when_the_reader_stops_waiting() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(START)
        await send(BODY)
        await anyio.sleep_forever()  # "background work" after the whole response

    tracked = Tracked(app)
    transport = tether.ASGITransport(tracked)
    response = await transport.handle_async_request(get())
    with anyio.move_on_after(0.05) as scope:
        await response.aread()
    assert scope.cancelled_caught
    assert tracked.finished


async def test_closing_twice_and_iterating_the_stream_directly() -> None:
    transport = tether.ASGITransport(app_sending(START, {**BODY, "more_body": True}, BODY))
    response = await transport.handle_async_request(get())
    assert [chunk async for chunk in stream_of(response)] == [b"hello", b"hello"]
    assert isinstance(response.stream, tether.AsyncByteStream)
    await stream_of(response).aclose()
    await stream_of(response).aclose()


async def test_sync_request_body_is_refused() -> None:
    def body() -> Iterator[bytes]:
        yield b"sync"

    transport = tether.ASGITransport(ScopeRecorder())
    with pytest.raises(RuntimeError, match="cannot send a sync-only request body"):
        await transport.handle_async_request(get(method="POST", content=body()))


async def test_consumed_request_body_is_refused_before_the_app_runs() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"once"

    app = ScopeRecorder()
    request = get(method="POST", content=body())
    await send(app, request)
    app.scope = {}
    with pytest.raises(tether.StreamConsumed):
        await send(app, request)
    assert app.scope == {}


async def test_empty_request_chunks_are_not_sent() -> None:
    class Body(tether.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for chunk in (b"", b"a", b"", b"b", b""):
                yield chunk

    app = ScopeRecorder()
    await send(app, get(method="POST", stream=Body()))
    assert app.messages == [
        {"type": "http.request", "body": b"a", "more_body": True},
        {"type": "http.request", "body": b"b", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": False},
    ]


async def test_app_sees_the_callers_context_variables() -> None:
    variable: contextvars.ContextVar[str] = contextvars.ContextVar("variable", default="unset")
    variable.set("from the caller")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(START)
        await send({**BODY, "body": variable.get().encode()})

    assert (await send(app)).text == "from the caller"


async def test_reading_after_close_is_refused() -> None:
    transport = tether.ASGITransport(app_sending(START, {**BODY, "more_body": True}))
    response = await transport.handle_async_request(get())
    await stream_of(response).aclose()
    with pytest.raises(tether.StreamClosed):
        async for _ in stream_of(response):
            pass


async def test_asgi_transport_types() -> None:
    transport = tether.ASGITransport(starlette_app)
    assert isinstance(transport, tether.AsyncBaseTransport)
    assert not isinstance(transport, tether.BaseTransport)
    response = await transport.handle_async_request(get("http://testserver/text"))
    assert isinstance(response.stream, tether.AsyncByteStream)
    await response.aclose()


# --- The backend helper -------------------------------------------------------------------


def test_backend_outside_an_event_loop() -> None:
    with pytest.raises(RuntimeError, match="needs a running asyncio or trio event loop"):
        _backend.current_backend()


async def test_backend_detects_the_running_library(anyio_backend: str) -> None:
    assert _backend.current_backend().name == anyio_backend


async def test_bounded_queue() -> None:
    backend = _backend.current_backend()
    queue: _backend.BoundedQueue[int] = _backend.BoundedQueue(backend, 2)
    await queue.put(1)
    await queue.put(2)
    with anyio.move_on_after(0.01) as scope:
        await queue.put(3)
    assert scope.cancelled_caught
    assert await queue.get() == 1
    await queue.put(3)
    assert [await queue.get(), await queue.get()] == [2, 3]
    queue.close()
    assert queue.closed
    with pytest.raises(_backend.QueueClosed):
        await queue.put(4)
    with pytest.raises(_backend.QueueClosed):
        await queue.get()


async def test_task_cancelled_before_it_starts_still_ends() -> None:
    backend = _backend.current_backend()
    ran: list[bool] = []

    async def work() -> None:
        ran.append(True)

    task = backend.start_task(work, name="never runs")
    task.cancel()
    with anyio.fail_after(2):
        await task.wait()
    assert task.done
