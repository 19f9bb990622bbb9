"""One test body, three runs: `Client` (sync), and `AsyncClient` under asyncio and trio.

Every test is an ``async def`` taking the `kit` fixture (each module defines it with
`kit_fixture()`); `Kit.client()` makes a `Driver`, whose methods are awaitable in every
mode: in sync mode they call `tether.Client`'s blocking methods, otherwise they await
`tether.AsyncClient`'s. By default a client talks to the Flask app (sync) or the
Starlette app (async) of `_apps`, which report what they received to `kit.seen`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from contextlib import aclosing, asynccontextmanager
from types import TracebackType
from typing import Any

import pytest

import tether

from ._apps import Seen, flask_app, starlette_app

MODES = ["sync", "asyncio", "trio"]
BASE = "http://testserver"

Client = tether.Client | tether.AsyncClient
Transport = tether.BaseTransport | tether.AsyncBaseTransport


class Kit:
    """What a test needs to run the same steps with either client."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.is_async = mode != "sync"
        self.seen = Seen()

    @property
    def anyio_backend(self) -> str:
        # The sync client needs no event loop; it runs inside asyncio's, untouched.
        return "asyncio" if self.mode == "sync" else self.mode

    # -- transports and clients ------------------------------------------------------------

    def app_transport(self, **options: Any) -> Any:
        """The Flask app over WSGITransport, or the Starlette app over ASGITransport."""
        if self.is_async:
            return tether.ASGITransport(starlette_app(self.seen), **options)
        return tether.WSGITransport(flask_app(self.seen), **options)

    def raw_client(self, **kwargs: Any) -> Any:
        """A `Client` or `AsyncClient` made with `kwargs` and nothing added."""
        return tether.AsyncClient(**kwargs) if self.is_async else tether.Client(**kwargs)

    def client(self, **kwargs: Any) -> Driver:
        """A client of the app (unless given `transport=` or `mounts=`), base_url BASE."""
        if "transport" not in kwargs and "mounts" not in kwargs:
            kwargs["transport"] = self.app_transport()
        kwargs.setdefault("base_url", BASE)
        return Driver(self.raw_client(**kwargs), self.is_async)

    def mock(self, handler: Callable[[tether.Request], tether.Response]) -> Driver:
        """A client whose transport answers with `handler`."""
        return self.client(transport=tether.MockTransport(handler))

    def hook(self, function: Callable[[Any], object]) -> Callable[[Any], Any]:
        """`function` as an event hook of this mode's client (async for AsyncClient)."""
        if not self.is_async:
            return function

        async def hook(value: Any) -> None:
            function(value)

        return hook

    # -- responses ---------------------------------------------------------------------------

    async def read(self, response: tether.Response) -> bytes:
        return await response.aread() if self.is_async else response.read()

    async def close(self, response: tether.Response) -> None:
        if self.is_async:
            await response.aclose()
        else:
            response.close()

    async def iterate(
        self, response: tether.Response, kind: str = "bytes", *args: Any
    ) -> AsyncGenerator[Any, None]:
        """``response.iter_<kind>(*args)``, or its async twin, as an async iterator."""
        if self.is_async:
            async with aclosing(getattr(response, f"aiter_{kind}")(*args)) as items:
                async for item in items:
                    yield item
        else:
            for item in getattr(response, f"iter_{kind}")(*args):
                yield item

    async def take(
        self, response: tether.Response, count: int, kind: str = "bytes", *args: Any
    ) -> list[Any]:
        """The first `count` items of ``response.iter_<kind>(*args)``; the rest unread."""
        taken: list[Any] = []
        async with aclosing(self.iterate(response, kind, *args)) as items:
            async for item in items:
                taken.append(item)
                if len(taken) == count:
                    break
        return taken

    async def collect(
        self, response: tether.Response, kind: str = "bytes", *args: Any
    ) -> list[Any]:
        return [item async for item in self.iterate(response, kind, *args)]


class Driver:
    """A client whose every I/O method is awaitable, whatever the mode."""

    def __init__(self, client: Any, is_async: bool) -> None:
        object.__setattr__(self, "raw", client)
        object.__setattr__(self, "is_async", is_async)

    raw: Client
    is_async: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # The settable properties (headers, auth, timeout...) are the client's.
        setattr(self.raw, name, value)

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.raw, name)(*args, **kwargs)
        return await result if self.is_async else result

    async def request(self, method: str, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("request", method, url, **kwargs)
        return response

    async def get(self, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("get", url, **kwargs)
        return response

    async def post(self, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("post", url, **kwargs)
        return response

    async def put(self, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("put", url, **kwargs)
        return response

    async def patch(self, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("patch", url, **kwargs)
        return response

    async def delete(self, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("delete", url, **kwargs)
        return response

    async def head(self, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("head", url, **kwargs)
        return response

    async def options(self, url: Any, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("options", url, **kwargs)
        return response

    async def send(self, request: tether.Request, **kwargs: Any) -> tether.Response:
        response: tether.Response = await self._call("send", request, **kwargs)
        return response

    async def method(self, name: str, url: Any, **kwargs: Any) -> tether.Response:
        """``client.<name>(url, ...)``: get, head, options, post, put, patch or delete."""
        response: tether.Response = await self._call(name, url, **kwargs)
        return response

    @asynccontextmanager
    async def stream(self, method: str, url: Any, **kwargs: Any) -> AsyncIterator[tether.Response]:
        if isinstance(self.raw, tether.AsyncClient):
            async with self.raw.stream(method, url, **kwargs) as response:
                yield response
        else:
            with self.raw.stream(method, url, **kwargs) as response:
                yield response

    async def close(self) -> None:
        if isinstance(self.raw, tether.AsyncClient):
            await self.raw.aclose()
        else:
            self.raw.close()

    async def __aenter__(self) -> Driver:
        if isinstance(self.raw, tether.AsyncClient):
            await self.raw.__aenter__()
        else:
            self.raw.__enter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(self.raw, tether.AsyncClient):
            await self.raw.__aexit__(exc_type, exc_value, traceback)
        else:
            self.raw.__exit__(exc_type, exc_value, traceback)


def kit_fixtures() -> tuple[Callable[..., Kit], Callable[..., str]]:
    """The `kit` and `anyio_backend` fixtures, for a module to bind at its top level."""

    @pytest.fixture(params=MODES)
    def kit(request: pytest.FixtureRequest) -> Kit:
        return Kit(str(request.param))

    @pytest.fixture
    def anyio_backend(kit: Kit) -> str:
        return kit.anyio_backend

    return kit, anyio_backend


class TrackedStream(tether.SyncByteStream, tether.AsyncByteStream):
    """A response body, for either client, that records whether it was closed."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks or (b"body",)
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncGenerator[bytes, None]:
        for chunk in self.chunks:
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True
