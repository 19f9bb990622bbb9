"""Ready-made handlers for `RawServer`: one well-behaved, the rest misbehaving on purpose.

Each function returns a handler (`RawConnection -> None`). The well-behaved parts
follow RFC 9112; each misbehaviour says which rule it breaks and what a client should
make of it. Handlers that wait use `RawConnection.wait`, so `RawServer.stop()` ends
them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tests._servers.raw import Handler, RawConnection, RawRequest

Header = tuple[str, str]
Responder = Callable[[RawRequest], bytes]

# Over 64 KiB, and over the response-head limits of h11 (16 KiB by default), httpcore
# (100 KiB), node.js (16 KiB) and nginx (8 KiB a line, 32 KiB in all by default).
HUGE_HEAD = 256 * 1024


def response(
    status: int = 200,
    body: bytes = b"ok",
    headers: Iterable[Header] = (),
    *,
    reason: str = "",
    content_length: int | None = None,
) -> bytes:
    """An HTTP/1.1 response; Content-Length is ``len(body)`` unless given (or a header)."""
    lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Unknown')}"]
    fields = list(headers)
    framed = any(name.lower() in ("content-length", "transfer-encoding") for name, _ in fields)
    if not framed and status >= 200 and status not in (204, 304):
        length = len(body) if content_length is None else content_length
        fields.append(("Content-Length", str(length)))
    lines += [f"{name}: {value}" for name, value in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_REASONS = {
    100: "Continue",
    103: "Early Hints",
    200: "OK",
    204: "No Content",
    304: "Not Modified",
    404: "Not Found",
    417: "Expectation Failed",
}


def serve(responder: Responder, *, max_requests: int | None = None) -> Handler:
    """Answer each request with `responder(request)`, keeping the connection alive.

    After `max_requests` answers the server closes the connection without warning (no
    ``Connection: close``): a client's pooled connection goes stale (RFC 9112, 9.6).
    """

    def handler(conn: RawConnection) -> None:
        answered = 0
        while max_requests is None or answered < max_requests:
            request = conn.read_request()
            if request is None:
                return
            conn.send(responder(request))
            answered += 1

    return handler


def ok(body: bytes = b"ok", headers: Iterable[Header] = ()) -> Handler:
    """Well-behaved: the same 200 response to every request, keep-alive."""
    fixed = response(200, body, headers)
    return serve(lambda _request: fixed)


def close_after(requests: int, body: bytes = b"ok") -> Handler:
    """Answer `requests` requests keep-alive, then close silently (a stale keep-alive)."""
    fixed = response(200, body)
    return serve(lambda _request: fixed, max_requests=requests)


def close_mid_headers() -> Handler:
    """Send half a status line and header block, then close: the head never ends."""

    def handler(conn: RawConnection) -> None:
        conn.read_request()
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/pl")

    return handler


def close_mid_body(declared: int = 1000, sent: int = 100) -> Handler:
    """Declare `declared` body bytes, send `sent`, close: an incomplete message (9112, 8)."""

    def handler(conn: RawConnection) -> None:
        conn.read_request()
        conn.send(response(200, b"x" * sent, content_length=declared))

    return handler


def wrong_content_length(declared: int, actual: int) -> Handler:
    """Declare `declared` bytes but send `actual`, keep-alive.

    Shorter than declared (``actual < declared``): the client waits for bytes that never
    come (a read timeout), and the connection stays open. Longer: the surplus arrives
    where the next response should start, so a reused connection reads garbage.
    """
    return serve(lambda _request: response(200, b"x" * actual, content_length=declared))


def until_close(body: bytes = b"ok") -> Handler:
    """Well-behaved, one request per connection: an HTTP/1.1 body framed by neither
    Content-Length nor chunked coding ends when the server closes (RFC 9112, 6.3 rule 8),
    so the connection cannot carry another request."""

    def handler(conn: RawConnection) -> None:
        if conn.read_request() is not None:
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body)

    return handler


def broken_chunked() -> Handler:
    """A chunked body whose second chunk size is not hexadecimal (RFC 9112, 7.1)."""

    def handler(conn: RawConnection) -> None:
        conn.read_request()
        head = response(200, b"", [("Transfer-Encoding", "chunked")])
        conn.send(head + b"5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n")

    return handler


def huge_headers(size: int = HUGE_HEAD) -> Handler:
    """A response head of more than `size` bytes, in 1 KiB header fields, then a body."""
    fields = [(f"X-Filler-{i}", "a" * 1000) for i in range(size // 1000 + 1)]
    fixed = response(200, b"ok", fields)
    return serve(lambda _request: fixed)


def garbage(data: bytes = b"SSH-2.0-OpenSSH_9.6\r\n\r\n") -> Handler:
    """Answer with `data` instead of a status line, then close."""

    def handler(conn: RawConnection) -> None:
        conn.read_request()
        conn.send(data)

    return handler


def stall(seconds: float, body: bytes = b"late") -> Handler:
    """Read a request, wait `seconds` (a read timeout for a client), then answer."""

    def handler(conn: RawConnection) -> None:
        while (request := conn.read_request()) is not None:
            if conn.wait(seconds):
                return
            conn.send(response(200, body, [("X-Path", request.target)]))

    return handler


def reset(*, read_request: bool = True) -> Handler:
    """Abort with a TCP RST (``SO_LINGER`` 0), after reading the request or at once."""

    def handler(conn: RawConnection) -> None:
        if read_request:
            conn.read_request()
        conn.reset()

    return handler


def never_answer() -> Handler:
    """Read what comes and never answer, until the client closes or the server stops."""
    return RawConnection.wait_for_close


def expect_continue(*, accept: bool = True) -> Handler:
    """Honour ``Expect: 100-continue`` (RFC 9110, 10.1.1) or refuse it with a 417.

    Accepting: a 100 (Continue) interim response, then the body is read and the final
    response says ``received <n> bytes, expect=<yes|no>``. Refusing: a final 417 and a
    close, without reading the body.
    """

    def handler(conn: RawConnection) -> None:
        while (head := conn.read_head()) is not None:
            if head.expects_continue and not accept:
                conn.send(response(417, b"no body, thanks", [("Connection", "close")]))
                return
            if head.expects_continue:
                conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            request = conn.read_body(head)
            expect = "yes" if head.expects_continue else "no"
            conn.send(
                response(200, f"received {len(request.body)} bytes, expect={expect}".encode())
            )

    return handler


def informational(*codes: int) -> Handler:
    """Send each 1xx interim response in `codes` (103 carries a Link), then a 200."""

    def interim(code: int) -> bytes:
        link = [("Link", "</style.css>; rel=preload; as=style")] if code == 103 else []
        return response(code, b"", link)

    interims = b"".join(interim(code) for code in codes or (103,))
    return serve(lambda _request: interims + response(200, b"final"))


def bodiless() -> Handler:
    """Responses without content although they announce some (RFC 9110, 6.4.1).

    A HEAD gets Content-Length 1000 and no body; ``/204`` a 204; ``/304`` a 304 with
    Content-Length 1000 and no body. Anything else gets a 200 ``ok``. Keep-alive, so a
    client that wrongly waits for a body hangs, and one that reads too far desyncs.
    """

    def respond(request: RawRequest) -> bytes:
        if request.method == "HEAD":
            return response(200, b"", content_length=1000)
        if request.target == "/204":
            return response(204, b"")
        if request.target == "/304":
            return response(304, b"", [("Content-Length", "1000"), ("ETag", '"v1"')])
        return response(200, b"ok")

    return serve(respond)


def trailers(body_chunks: Iterable[bytes] = (b"hello, ", b"world")) -> Handler:
    """A chunked response with a trailer section (RFC 9112, 7.1.2) after the last chunk."""
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in body_chunks)
    head = response(200, b"", [("Transfer-Encoding", "chunked"), ("Trailer", "X-Checksum")])
    fixed = head + chunks + b"0\r\nX-Checksum: abc123\r\n\r\n"
    return serve(lambda _request: fixed)
