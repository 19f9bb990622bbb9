"""The HTTP/1.1 engines alone: tether's `LeanEngine` against `H11Engine` (h11 0.16).

One call is one request/response cycle on a connection that is kept: ``start_request``
with the fields a client sends, ``end_body``, ``receive`` of the response bytes and
``next_cycle``. No socket, no client: only the parser and serialiser, so that the cost
each engine adds to a request can be read in microseconds. "tether" is `LeanEngine`;
"h11 engine" is `H11Engine`, the reference (h11's own `Connection` under tether's
interface). The cases: a small GET answered as nginx answers it (eight fields and a
short Content-Length body), the same response arriving in two reads (split inside the
head), and a chunked response of three chunks.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks._harness import Result, compare, report
from tether._network.engine import H11Engine
from tether._network.engine_lean import LeanEngine

ORIGIN = "example.org:80"
REQUEST = [
    (b"Host", b"example.org"),
    (b"Accept", b"*/*"),
    (b"Accept-Encoding", b"gzip, deflate"),
    (b"Connection", b"keep-alive"),
    (b"User-Agent", b"python-httpx/0.28.1"),
]
BODY = b"<!doctype html><title>ok</title>\n"
NGINX = (
    b"HTTP/1.1 200 OK\r\n"
    b"Server: nginx/1.27.3\r\n"
    b"Date: Tue, 24 Nov 2026 23:45:00 GMT\r\n"
    b"Content-Type: text/html\r\n"
    b"Content-Length: %d\r\n"
    b"Last-Modified: Mon, 23 Nov 2026 10:00:00 GMT\r\n"
    b"Connection: keep-alive\r\n"
    b'ETag: "6741f3a0-21"\r\n'
    b"Accept-Ranges: bytes\r\n"
    b"\r\n" % len(BODY)
) + BODY
CHUNKED = (
    b"HTTP/1.1 200 OK\r\n"
    b"Server: nginx/1.27.3\r\n"
    b"Date: Tue, 24 Nov 2026 23:45:00 GMT\r\n"
    b"Content-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"Connection: keep-alive\r\n"
    b"\r\n"
    b"10\r\n" + b"x" * 16 + b"\r\n"
    b"20\r\n" + b"y" * 32 + b"\r\n"
    b"8\r\n" + b"z" * 8 + b"\r\n"
    b"0\r\n\r\n"
)
SPLIT = (NGINX[:60], NGINX[60:])

Engine = H11Engine | LeanEngine


def _cycle(engine: Engine, reads: tuple[bytes, ...]) -> Callable[[], object]:
    """One cycle on `engine`, checked once so that a broken engine cannot time well."""
    start, end, receive, reset = (
        engine.start_request,
        engine.end_body,
        engine.receive,
        engine.next_cycle,
    )

    def run() -> object:
        start(b"GET", b"/", REQUEST)
        end()
        for data in reads:
            receive(data)
        reset()
        return None

    start(b"GET", b"/", REQUEST)
    end()
    events = [event for data in reads for event in receive(data)]
    if not engine.reusable or len(events) < 3:
        raise RuntimeError(f"{type(engine).__name__} did not finish the cycle: {events}")
    reset()
    return run


def _cases(reads: tuple[bytes, ...]) -> dict[str, Callable[[], object]]:
    return {
        "tether": _cycle(LeanEngine(ORIGIN), reads),
        "h11 engine": _cycle(H11Engine(ORIGIN), reads),
    }


def main() -> str:
    """Run every case and return the report table."""
    results: list[Result] = []
    results += compare("GET, nginx 200 (8 fields)", _cases((NGINX,)), repeat=9)
    results += compare("GET, response in 2 reads", _cases(SPLIT), repeat=9)
    results += compare("GET, chunked (3 chunks)", _cases((CHUNKED,)), repeat=9)
    return report("HTTP/1.1 engine, one request/response cycle", results)
