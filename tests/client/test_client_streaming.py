"""Streaming through the client: responses read on demand, request bodies sent in chunks."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import tether

from ._apps import TEXT
from ._kit import BASE, Kit, TrackedStream, kit_fixtures

kit, anyio_backend = kit_fixtures()
pytestmark = pytest.mark.anyio

CHUNKS = "/chunks?n=5&size=10"
BODY = b"".join(str(n).encode() * 10 for n in range(5))


def stopped(kit: Kit) -> bool:
    """Whether the app's endless event stream has stopped."""
    return kit.seen.sse_closed


async def read_one_then_fail(kit: Kit, stream: Any, opened: list[tether.Response]) -> None:
    """Read a chunk of a streamed response, then fail inside its block."""
    async with stream as response:
        opened.append(response)
        await kit.take(response, 1)
        raise KeyError("stop")


def closed(thing: tether.Response | TrackedStream) -> bool:
    """Whether `thing` is closed now (a call, so that mypy does not narrow it for good)."""
    return thing.is_closed if isinstance(thing, tether.Response) else thing.closed


async def test_stream_yields_an_unread_response_and_closes_it(kit: Kit) -> None:
    async with kit.client() as client:
        async with client.stream("GET", CHUNKS) as response:
            assert response.status_code == 200
            assert not response.is_stream_consumed
            assert not closed(response)
            with pytest.raises(tether.ResponseNotRead):
                _ = response.content
        assert closed(response)
        with pytest.raises(tether.StreamClosed):
            await kit.read(response)


async def test_raw_chunks_arrive_as_the_app_sent_them(kit: Kit) -> None:
    async with kit.client() as client, client.stream("GET", CHUNKS) as response:
        assert await kit.collect(response, "raw") == [BODY[i : i + 10] for i in range(0, 50, 10)]
        assert response.num_bytes_downloaded == 50


@pytest.mark.parametrize(
    ("kind", "size", "expected"),
    [
        ("bytes", 7, [BODY[i : i + 7] for i in range(0, 50, 7)]),
        ("bytes", 100, [BODY]),
        ("raw", 25, [BODY[:25], BODY[25:]]),
        ("text", 20, [BODY[i : i + 20].decode() for i in range(0, 50, 20)]),
    ],
)
async def test_chunk_sizes(kit: Kit, kind: str, size: int, expected: list[Any]) -> None:
    async with kit.client() as client, client.stream("GET", CHUNKS) as response:
        assert await kit.collect(response, kind, size) == expected


async def test_iter_lines_of_an_event_stream(kit: Kit) -> None:
    async with kit.client() as client, client.stream("GET", "/sse") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = await kit.take(response, 6, "lines")
    assert lines == ["data: event 1", "", "data: event 2", "", "data: event 3", ""]


async def test_an_endless_stream_is_read_piece_by_piece_then_closed(kit: Kit) -> None:
    async with kit.client() as client:
        async with client.stream("GET", "/sse") as response:
            first = await kit.take(response, 2, "bytes")
            assert first == [b"data: event 1\n\n", b"data: event 2\n\n"]
            assert not stopped(kit)
        assert closed(response)
    assert stopped(kit)
    # The app was stopped, not drained: it produced little more than was read.
    assert kit.seen.sse_sent < 10


async def test_iter_bytes_decodes_a_compressed_stream(kit: Kit) -> None:
    async with kit.client() as client, client.stream("GET", "/compressed/gzip") as response:
        chunks = await kit.collect(response, "bytes", 1000)
    assert b"".join(chunks) == TEXT
    assert {len(chunk) for chunk in chunks[:-1]} == {1000}


async def test_send_with_stream_true_leaves_the_body_unread(kit: Kit) -> None:
    async with kit.client() as client:
        request = client.build_request("GET", CHUNKS)
        response = await client.send(request, stream=True)
        assert not response.is_stream_consumed
        assert await kit.read(response) == BODY
        assert response.is_closed
        assert response.content == BODY
        unread = await client.send(client.build_request("GET", "/sse"), stream=True)
        await kit.close(unread)
    assert kit.seen.sse_closed


async def test_a_consumed_stream_cannot_be_iterated_again(kit: Kit) -> None:
    async with kit.client() as client, client.stream("GET", CHUNKS) as response:
        await kit.collect(response, "raw")
        with pytest.raises(tether.StreamConsumed):
            await kit.collect(response, "raw")
        with pytest.raises(tether.ResponseNotRead):
            _ = response.text


async def test_a_read_response_iterates_from_memory(kit: Kit) -> None:
    async with kit.client() as client, client.stream("GET", CHUNKS) as response:
        await kit.read(response)
        assert await kit.collect(response, "bytes", 25) == [BODY[:25], BODY[25:]]
        assert await kit.collect(response, "lines") == [BODY.decode()]


async def first_item(kit: Kit, response: tether.Response, kind: str) -> Any:
    """The first item of ``response.iter_<kind>()`` (or its async twin), the loop left
    early and the iterator dropped unclosed, as user code does."""
    if kit.is_async:
        async for item in getattr(response, f"aiter_{kind}")():
            return item
    else:
        for item in getattr(response, f"iter_{kind}")():
            return item
    raise AssertionError("the body was empty")


EVENT = "data: event 1\n\n"


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("raw", EVENT.encode()),
        ("bytes", EVENT.encode()),
        ("text", EVENT),
        ("lines", EVENT.rstrip("\n")),
    ],
    ids=["raw", "bytes", "text", "lines"],
)
async def test_leaving_a_loop_early_leaves_nothing_to_finalize(
    kit: Kit, kind: str, first: bytes | str
) -> None:
    """On trio, each async iterator of a response was an async generator, and one left
    unfinished by ``break`` made trio warn when it was collected (an error here, with
    ``filterwarnings = error``), though the ``stream()`` block closes the response."""
    async with kit.client() as client:
        async with client.stream("GET", "/sse") as response:
            assert await first_item(kit, response, kind) == first
            assert not closed(response)
        assert closed(response)
        assert stopped(kit)
        if kind != "raw":  # the same from a body read into memory (raw bytes are not kept)
            response = await client.get(CHUNKS)
            assert await first_item(kit, response, kind) in (BODY, BODY.decode())
        gc.collect()


async def test_a_closed_stream_cannot_be_read(kit: Kit) -> None:
    async with kit.client() as client, client.stream("GET", CHUNKS) as response:
        await kit.close(response)
        with pytest.raises(tether.StreamClosed):
            await kit.collect(response, "bytes")


async def test_an_error_in_the_block_closes_the_response(kit: Kit) -> None:
    async with kit.client() as client:
        opened: list[tether.Response] = []
        with pytest.raises(KeyError, match="stop"):
            await read_one_then_fail(kit, client.stream("GET", "/sse"), opened)
    assert closed(opened[0])
    assert kit.seen.sse_closed


async def test_stream_of_a_mock_response_closes_its_body(kit: Kit) -> None:
    body = TrackedStream(b"a", b"b")
    async with kit.mock(lambda request: tether.Response(200, stream=body)) as client:
        async with client.stream("GET", "/") as response:
            assert not closed(body)
        assert closed(body)
        assert closed(response)


# --- request bodies --------------------------------------------------------------------------


async def test_a_streamed_request_body_reaches_the_app_in_chunks(kit: Kit) -> None:
    pieces = [b"a" * 10, b"b" * 20, b"c" * 30]

    def sync_body() -> Iterator[bytes]:
        yield from pieces

    async def async_body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    body: Any = async_body() if kit.is_async else sync_body()
    async with kit.client() as client:
        response = await client.post("/upload", content=body)
    assert response.json() == {"pieces": [10, 20, 30]}


async def test_a_streamed_request_body_uses_chunked_framing(kit: Kit) -> None:
    def sync_body() -> Iterator[bytes]:
        yield b"x"

    async def async_body() -> AsyncIterator[bytes]:
        yield b"x"

    body: Any = async_body() if kit.is_async else sync_body()
    async with kit.client() as client:
        request = client.build_request("POST", "/echo", content=body)
        assert request.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in request.headers
        with pytest.raises(tether.RequestNotRead):
            _ = request.content
        response = await client.send(request)
    assert response.json()["body"] == "x"
    assert kit.seen.last["url"] == f"{BASE}/echo"


async def test_a_failing_request_body_propagates_and_the_client_goes_on(kit: Kit) -> None:
    def sync_body() -> Iterator[bytes]:
        yield b"first"
        raise OSError("the upload source failed")

    async def async_body() -> AsyncIterator[bytes]:
        yield b"first"
        raise OSError("the upload source failed")

    body: Any = async_body() if kit.is_async else sync_body()
    async with kit.client() as client:
        with pytest.raises(OSError, match="the upload source failed"):
            await client.post("/upload", content=body)
        assert (await client.get("/chain/0")).text == "done"
