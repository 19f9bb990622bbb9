"""`WSGITransport`: Flask and raw PEP 3333 apps in-process, httpx's transport as oracle."""

from __future__ import annotations

import io
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import flask
import httpx
import pytest
from werkzeug.wrappers import Response as WerkzeugResponse

import tether

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

WSGIApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def send(
    app: WSGIApp, method: str = "GET", url: str = "http://testserver/", **kwargs: Any
) -> tether.Response:
    """Send one request through a WSGITransport and read the whole response."""
    transport_options = {
        key: kwargs.pop(key)
        for key in ("raise_app_exceptions", "script_name", "remote_addr", "wsgi_errors")
        if key in kwargs
    }
    transport = tether.WSGITransport(app, **transport_options)
    response = transport.handle_request(tether.Request(method, url, **kwargs))
    response.read()
    return response


# --- A Flask app -------------------------------------------------------------------------

flask_app = flask.Flask(__name__)
flask_app.config["PROPAGATE_EXCEPTIONS"] = True
produced: list[str] = []


@flask_app.route("/text")
def text() -> str:
    return "hello, tether"


@flask_app.route("/json")
def json_route() -> flask.Response:
    return flask.jsonify(items=[1, 2, 3], query=flask.request.args.to_dict())


@flask_app.route("/stream")
def stream() -> flask.Response:
    def generate() -> Iterator[str]:
        for number in range(3):
            produced.append(f"chunk {number}")
            yield f"chunk {number}\n"

    return flask.Response(generate(), mimetype="text/plain")


@flask_app.route("/form", methods=["POST"])
def form() -> flask.Response:
    return flask.jsonify(form=flask.request.form.to_dict(flat=False))


@flask_app.route("/echo-json", methods=["POST"])
def echo_json() -> flask.Response:
    return flask.jsonify(received=flask.request.get_json())


@flask_app.route("/upload", methods=["POST"])
def upload() -> flask.Response:
    upload = flask.request.files["document"]
    return flask.jsonify(
        name=upload.filename,
        type=upload.content_type,
        body=upload.read().decode(),
        title=flask.request.form["title"],
    )


@flask_app.route("/body", methods=["POST", "PUT"])
def body() -> flask.Response:
    first = flask.request.stream.read(4)
    seen_after_first_read = list(produced)
    rest = flask.request.stream.read()
    return flask.jsonify(
        first=first.decode(), rest=rest.decode(), seen_after_first_read=seen_after_first_read
    )


@flask_app.route("/cookie")
def cookie() -> WerkzeugResponse:
    response = flask.redirect("/text")
    response.set_cookie("session", "abc123", httponly=True)
    return response


@flask_app.route("/fail")
def fail() -> str:
    raise LookupError("the route failed")


@flask_app.route("/café/<name>")
def unicode_path(name: str) -> str:
    return f"{flask.request.path} {name} {flask.request.url}"


@flask_app.route("/whoami")
def whoami() -> flask.Response:
    return flask.jsonify(
        remote=flask.request.remote_addr,
        script_root=flask.request.script_root,
        url=flask.request.url,
        url_for=flask.url_for("text"),
    )


def test_flask_text_response() -> None:
    response = send(flask_app, url="http://testserver/text")
    assert response.status_code == 200
    assert response.reason_phrase == "OK"
    assert response.http_version == "HTTP/1.1"
    assert response.extensions["http_version"] == b"HTTP/1.1"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "hello, tether"
    with pytest.raises(RuntimeError, match="request instance has not been set"):
        response.request  # noqa: B018 (the client attaches it, not the transport)


def test_flask_json_with_query() -> None:
    response = send(flask_app, url="http://testserver/json?a=1&b=x%20y")
    assert response.json() == {"items": [1, 2, 3], "query": {"a": "1", "b": "x y"}}


def test_flask_streaming_response_is_streamed_chunk_by_chunk() -> None:
    produced.clear()
    transport = tether.WSGITransport(flask_app)
    response = transport.handle_request(tether.Request("GET", "http://testserver/stream"))
    chunks = response.iter_raw()
    assert next(chunks) == b"chunk 0\n"
    assert produced == ["chunk 0"]
    assert next(chunks) == b"chunk 1\n"
    assert produced == ["chunk 0", "chunk 1"]
    assert list(chunks) == [b"chunk 2\n"]
    response.close()


def test_flask_form_post() -> None:
    response = send(
        flask_app, "POST", "http://testserver/form", data={"name": "tether", "tag": ["a", "b"]}
    )
    assert response.json() == {"form": {"name": ["tether"], "tag": ["a", "b"]}}


def test_flask_json_post() -> None:
    payload = {"nested": {"list": [1, 2.5, None, True]}, "text": "ünïcode"}
    response = send(flask_app, "POST", "http://testserver/echo-json", json=payload)
    assert response.json() == {"received": payload}


def test_flask_file_upload() -> None:
    response = send(
        flask_app,
        "POST",
        "http://testserver/upload",
        data={"title": "report"},
        files={"document": ("notes.txt", io.BytesIO(b"line one\nline two"), "text/plain")},
    )
    assert response.json() == {
        "name": "notes.txt",
        "type": "text/plain",
        "body": "line one\nline two",
        "title": "report",
    }


def test_flask_reads_a_chunked_body_as_it_is_streamed() -> None:
    produced.clear()

    def body() -> Iterator[bytes]:
        for part in (b"abcd", b"efgh", b"ijkl"):
            produced.append(part.decode())
            yield part

    response = send(flask_app, "POST", "http://testserver/body", content=body())
    # Chunked: no Content-Length; wsgi.input_terminated lets werkzeug read to the end.
    assert response.json() == {
        "first": "abcd",
        "rest": "efghijkl",
        "seen_after_first_read": ["abcd"],
    }


def test_flask_cookie_and_redirect() -> None:
    response = send(flask_app, url="http://testserver/cookie")
    assert response.status_code == 302
    assert response.reason_phrase == "FOUND"
    assert response.headers["location"] == "/text"
    assert response.headers["set-cookie"] == "session=abc123; HttpOnly; Path=/"
    assert response.is_redirect


def test_flask_exception_is_raised() -> None:
    with pytest.raises(LookupError, match="the route failed"):
        send(flask_app, url="http://testserver/fail")


def test_flask_exception_becomes_500_when_not_raised() -> None:
    errors = io.StringIO()
    response = send(
        flask_app, url="http://testserver/fail", raise_app_exceptions=False, wsgi_errors=errors
    )
    assert response.status_code == 500
    assert response.content == b""
    assert "LookupError: the route failed" in errors.getvalue()


def test_flask_own_error_page_is_a_normal_response() -> None:
    quiet = flask.Flask("quiet")

    @quiet.route("/")
    def boom() -> str:
        raise LookupError("handled by flask")

    response = send(quiet)
    assert response.status_code == 500
    assert b"Internal Server Error" in response.content


def test_flask_sees_a_unicode_path_and_the_mount_point() -> None:
    # PEP 3333 PATH_INFO is latin-1 text of the path's bytes; httpx passes decoded text
    # there, so werkzeug sees mojibake.
    response = send(flask_app, url="http://testserver/caf%C3%A9/na%C3%AFve")
    assert response.text == "/café/naïve naïve http://testserver/café/naïve"


def test_script_name_and_remote_addr() -> None:
    response = send(
        flask_app,
        url="http://example.org:8080/whoami",
        script_name="/mounted",
        remote_addr="10.1.2.3",
    )
    assert response.json() == {
        "remote": "10.1.2.3",
        "script_root": "/mounted",
        "url": "http://example.org:8080/mounted/whoami",
        "url_for": "/mounted/text",
    }


# --- Raw WSGI apps ------------------------------------------------------------------------


class Recorder:
    """A WSGI app that records its environ and answers 200 with the request body."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        self.environ = dict(environ)
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]


def comparable(environ: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in environ.items()
        if key not in {"wsgi.input", "wsgi.errors", "wsgi.input_terminated"}
    }


@pytest.mark.parametrize(
    ("method", "url", "headers", "content"),
    [
        ("GET", "http://testserver/", {}, None),
        ("GET", "https://example.org/a/b?x=1&y=%20z", {"Accept": "text/plain"}, None),
        (
            "POST",
            "http://example.org:8000/submit",
            {"Content-Type": "application/json"},
            b'{"a": 1}',
        ),
        ("PUT", "http://[::1]:9000/v6", {"X-Custom-Header": "value"}, b"data"),
        ("DELETE", "http://testserver/items/%7E1?", {}, None),
    ],
)
def test_environ_matches_httpx(
    method: str, url: str, headers: dict[str, str], content: bytes | None
) -> None:
    ours, theirs = Recorder(), Recorder()
    tether.WSGITransport(ours).handle_request(
        tether.Request(method, url, headers=headers, content=content)
    ).read()
    httpx.WSGITransport(theirs).handle_request(
        httpx.Request(method, url, headers=headers, content=content)
    ).read()
    assert comparable(ours.environ) == comparable(theirs.environ)
    assert ours.environ["wsgi.input_terminated"] is True
    assert ours.environ["wsgi.errors"] is sys.stderr


def test_environ_contents() -> None:
    app = Recorder()
    errors = io.StringIO()
    transport = tether.WSGITransport(app, script_name="/app", wsgi_errors=errors)
    request = tether.Request(
        "POST",
        "https://example.org/caf%C3%A9/%2F?q=%C3%A9",
        headers=[
            ("Content-Type", "text/plain"),
            ("Accept", "text/html"),
            ("Accept", "application/json"),
            ("Cookie", "a=1"),
            ("Cookie", "b=2"),
            ("X-Latin", "caf\xe9".encode("latin-1")),
        ],
        content=b"payload",
    )
    response = transport.handle_request(request)
    assert response.read() == b"payload"
    environ = app.environ
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["SCRIPT_NAME"] == "/app"
    assert environ["PATH_INFO"] == "/caf\xc3\xa9//"
    assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == "/café//"
    assert environ["QUERY_STRING"] == "q=%C3%A9"
    assert environ["SERVER_NAME"] == "example.org"
    assert environ["SERVER_PORT"] == "443"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["CONTENT_LENGTH"] == "7"
    assert "HTTP_CONTENT_TYPE" not in environ
    assert environ["HTTP_ACCEPT"] == "text/html, application/json"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert environ["HTTP_X_LATIN"] == "caf\xe9"
    assert environ["HTTP_HOST"] == "example.org"
    assert environ["wsgi.version"] == (1, 0)
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["wsgi.errors"] is errors
    assert environ["wsgi.multithread"] is True
    assert environ["wsgi.multiprocess"] is False
    assert environ["wsgi.run_once"] is False


def test_idna_host_is_the_ascii_form() -> None:
    app = Recorder()
    tether.WSGITransport(app).handle_request(tether.Request("GET", "http://bücher.example/"))
    assert app.environ["SERVER_NAME"] == "xn--bcher-kva.example"
    assert app.environ["HTTP_HOST"] == "xn--bcher-kva.example"


def test_wsgi_input_file_api() -> None:
    seen: list[Any] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        stream = environ["wsgi.input"]
        seen.append(stream.read(3))
        seen.append(stream.readline())
        seen.append(list(stream))
        seen.append(stream.read())
        seen.append(stream.read(10))
        start_response("204 No Content", [])
        return []

    def body() -> Iterator[bytes]:
        yield b"abc"
        yield b"def\nline "
        yield b"two\nlast"

    response = send(app, "POST", content=body())
    assert response.status_code == 204
    assert seen == [b"abc", b"def\n", [b"line two\n", b"last"], b"", b""]


def test_unsupported_scheme() -> None:
    app = Recorder()
    transport = tether.WSGITransport(app)
    with pytest.raises(tether.UnsupportedProtocol, match="'ftp'"):
        transport.handle_request(tether.Request("GET", "ftp://example.org/file"))
    assert app.environ == {}


def simple_app(status: Any, headers: Any) -> WSGIApp:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response(status, headers)
        return [b"body"]

    return app


def test_custom_reason_phrase() -> None:
    response = send(simple_app("299 Quite Alright", [("X-A", "1"), ("x-a", "2")]))
    assert response.status_code == 299
    assert response.reason_phrase == "Quite Alright"
    assert response.extensions["reason_phrase"] == b"Quite Alright"
    assert response.headers.get_list("x-a") == ["1", "2"]
    assert response.content == b"body"


def test_status_without_reason_and_latin1_header() -> None:
    response = send(simple_app("404", [("X-Name", "caf\xe9")]))
    assert response.status_code == 404
    assert response.headers.raw == [(b"X-Name", b"caf\xe9")]


@pytest.mark.parametrize(
    "status",
    [
        "OK",
        "2000 Big",
        "20 Small",
        "abc OK",
        "200\r\nX-Evil: 1",
        "099 Low",
        "200 Snow \u2603",
        b"200 OK",
        200,
        "",
    ],
)
def test_malformed_status(status: Any) -> None:
    with pytest.raises(tether.RemoteProtocolError, match="malformed status") as info:
        send(simple_app(status, []))
    assert repr(status) in str(info.value)


def test_malformed_status_is_a_500_when_app_errors_are_not_raised() -> None:
    response = send(simple_app("OK", []), raise_app_exceptions=False, wsgi_errors=io.StringIO())
    assert response.status_code == 500


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({"X-A": "1"}, "not a list"),
        ([("X-A", 1)], "malformed response header"),
        ([(b"X-A", b"1")], "malformed response header"),
        ([("X-A",)], "malformed response header"),
        ([("X-A", "a\r\nX-Evil: 1")], "CR"),
        ([("Bad Name", "1")], "not a token"),
        ([("X-A", "snow ☃")], "malformed response header"),
    ],
)
def test_malformed_headers(headers: Any, match: str) -> None:
    with pytest.raises(tether.RemoteProtocolError, match=match):
        send(simple_app("200 OK", headers))


def test_start_response_twice_without_exc_info() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        start_response("201 Created", [])
        return []

    with pytest.raises(tether.RemoteProtocolError, match="a second time without exc_info"):
        send(app)


def error_page_app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise KeyError("database is down")
    except KeyError:
        start_response("503 Service Unavailable", [("Retry-After", "5")], sys.exc_info())
    return [b"try later"]


def test_exc_info_before_headers_sent_raises_the_app_error() -> None:
    with pytest.raises(KeyError, match="database is down"):
        send(error_page_app)


def test_exc_info_before_headers_sent_replaces_the_response() -> None:
    response = send(error_page_app, raise_app_exceptions=False)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "content-type" not in response.headers
    assert response.content == b"try later"


def test_exc_info_after_headers_sent_is_reraised_from_the_body() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        try:
            raise ValueError("broke mid-body")
        except ValueError:
            info: OptExcInfo = sys.exc_info()
            start_response("500 Internal Server Error", [], info)
        yield b"never"

    transport = tether.WSGITransport(app)
    response = transport.handle_request(tether.Request("GET", "http://testserver/"))
    assert response.status_code == 200
    with pytest.raises(ValueError, match="broke mid-body"):
        response.read()

    quiet = tether.WSGITransport(app, raise_app_exceptions=False)
    response = quiet.handle_request(tether.Request("GET", "http://testserver/"))
    with pytest.raises(tether.RemoteProtocolError, match="incomplete: ValueError") as info:
        response.read()
    assert isinstance(info.value.__cause__, ValueError)


def test_app_returning_without_start_response() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        return [b"no status"]

    with pytest.raises(tether.RemoteProtocolError, match="without calling start_response"):
        send(app)


def test_start_response_called_lazily_from_a_generator() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        yield b""
        start_response("201 Created", [("X-Lazy", "yes")])
        yield b""
        yield b"made"
        yield b""
        yield b" late"

    response = send(app)
    assert response.status_code == 201
    assert response.headers["x-lazy"] == "yes"
    assert response.content == b"made late"


def test_empty_body() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("204 No Content", [])
        return [b"", b""]

    response = send(app)
    assert response.status_code == 204
    assert response.content == b""


def test_write_callable_comes_before_the_iterable() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        write = start_response("200 OK", [])
        write(b"written ")
        yield b"yielded "
        write(b"again ")
        yield b"end"

    assert send(app).content == b"written yielded again end"


def test_write_only_app() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"all ")
        write(b"written")
        return []

    assert send(app).content == b"all written"


def test_exc_info_of_nones_counts_as_no_exc_info() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        start_response("500 Oops", [], (None, None, None))
        return []

    with pytest.raises(tether.RemoteProtocolError, match="a second time"):
        send(app)


def test_exc_info_after_a_write_is_reraised() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"sent")
        try:
            raise OSError("disk full")
        except OSError:
            start_response("500 Error", [], sys.exc_info())
        return []

    with pytest.raises(OSError, match="disk full"):
        send(app)


@pytest.mark.parametrize("chunk", ["text", 42, bytearray(b"x")])
def test_non_bytes_chunk(chunk: Any) -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[Any]:
        start_response("200 OK", [])
        return [chunk]

    with pytest.raises(tether.RemoteProtocolError, match=f"type {type(chunk).__name__}"):
        send(app)


class ClosingBody:
    """An app iterable with close(), as PEP 3333 lets apps return."""

    def __init__(self, chunks: list[bytes], fail_at: int | None = None) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_at:
                raise RuntimeError(f"failed at chunk {index}")
            yield chunk

    def close(self) -> None:
        self.closed += 1


def closing_app(body: ClosingBody, status: str = "200 OK") -> WSGIApp:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> ClosingBody:
        start_response(status, [])
        return body

    return app


def test_iterable_closed_once_when_the_response_closes() -> None:
    body = ClosingBody([b"a", b"b", b"c"])
    transport = tether.WSGITransport(closing_app(body))
    response = transport.handle_request(tether.Request("GET", "http://testserver/"))
    assert body.closed == 0
    assert next(response.iter_raw()) == b"a"
    response.close()
    response.close()
    assert body.closed == 1


def test_iterable_closed_after_a_full_read() -> None:
    body = ClosingBody([b"a", b"b"])
    assert send(closing_app(body)).content == b"ab"
    assert body.closed == 1


def test_iterable_closed_when_the_app_fails_before_the_first_chunk() -> None:
    body = ClosingBody([b"a"], fail_at=0)
    with pytest.raises(RuntimeError, match="failed at chunk 0"):
        send(closing_app(body))
    assert body.closed == 1


def test_iterable_closed_when_the_status_is_malformed() -> None:
    class LazyStart(ClosingBody):
        def __init__(self, start_response: StartResponse) -> None:
            super().__init__([b"a"])
            self.start_response = start_response

        def __iter__(self) -> Iterator[bytes]:
            self.start_response("bad", [])
            return super().__iter__()

    bodies: list[LazyStart] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> LazyStart:
        bodies.append(LazyStart(start_response))
        return bodies[-1]

    with pytest.raises(tether.RemoteProtocolError, match="'bad'"):
        send(app)
    assert bodies[0].closed == 1


def test_stream_close_is_idempotent() -> None:
    body = ClosingBody([b"a"])
    response = tether.WSGITransport(closing_app(body)).handle_request(
        tether.Request("GET", "http://testserver/")
    )
    assert isinstance(response.stream, tether.SyncByteStream)
    response.stream.close()
    response.stream.close()
    assert body.closed == 1


def test_failure_after_the_response_started() -> None:
    body = ClosingBody([b"a", b"b", b"c"], fail_at=2)
    transport = tether.WSGITransport(closing_app(body))
    response = transport.handle_request(tether.Request("GET", "http://testserver/"))
    assert response.status_code == 200
    with pytest.raises(RuntimeError, match="failed at chunk 2"):
        response.read()
    assert body.closed == 1


def test_app_exception_before_start() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        raise ZeroDivisionError("app bug")

    with pytest.raises(ZeroDivisionError, match="app bug"):
        send(app)
    response = send(app, raise_app_exceptions=False, wsgi_errors=io.StringIO())
    assert response.status_code == 500
    assert response.extensions["http_version"] == b"HTTP/1.1"


def test_request_body_errors_are_raised_even_when_app_errors_are_not() -> None:
    def broken_body() -> Iterator[bytes]:
        yield b"start"
        raise ConnectionResetError("upload source vanished")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        try:
            environ["wsgi.input"].read()
        except ConnectionResetError:
            raise ValueError("app saw a broken body") from None
        start_response("200 OK", [])
        return []

    with pytest.raises(ConnectionResetError, match="vanished"):
        send(app, "POST", content=broken_body(), raise_app_exceptions=False)

    def streaming_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"echo:"
        yield environ["wsgi.input"].read()

    transport = tether.WSGITransport(streaming_app, raise_app_exceptions=False)
    response = transport.handle_request(
        tether.Request("POST", "http://testserver/", content=broken_body())
    )
    with pytest.raises(ConnectionResetError, match="vanished"):
        response.read()


def test_request_body_error_hidden_by_the_app_mid_body() -> None:
    def broken_body() -> Iterator[bytes]:
        yield b"start"
        raise ConnectionResetError("upload source vanished")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"reading:"
        try:
            environ["wsgi.input"].read()
        except OSError:
            raise ValueError("the app hid the upload error") from None
        yield b"never"

    transport = tether.WSGITransport(app)
    response = transport.handle_request(
        tether.Request("POST", "http://testserver/", content=broken_body())
    )
    with pytest.raises(ConnectionResetError, match="vanished") as info:
        response.read()
    assert isinstance(info.value.__cause__, ValueError)


def test_unread_request_body_iterator_is_closed() -> None:
    class Body(tether.SyncByteStream):
        def __init__(self) -> None:
            self.finished = False

        def __iter__(self) -> Iterator[bytes]:
            try:
                yield b"first"
                yield b"second"
            finally:
                self.finished = True

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        environ["wsgi.input"].read(2)
        start_response("200 OK", [])
        return [b"ok"]

    body = Body()
    request = tether.Request("POST", "http://testserver/", stream=body)
    response = tether.WSGITransport(app).handle_request(request)
    assert not body.finished
    assert response.read() == b"ok"
    assert body.finished


def test_async_request_body_is_refused() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"async"

    request = tether.Request("POST", "http://testserver/", content=body())
    with pytest.raises(RuntimeError, match="cannot send an async request body"):
        tether.WSGITransport(Recorder()).handle_request(request)


def test_consumed_request_body_is_refused_before_the_app_runs() -> None:
    app = Recorder()
    request = tether.Request("POST", "http://testserver/", content=iter([b"once"]))
    assert send(app, "POST", content=b"x").content == b"x"
    tether.WSGITransport(app).handle_request(request).read()
    app.environ = {}
    with pytest.raises(tether.StreamConsumed):
        tether.WSGITransport(app).handle_request(request)
    assert app.environ == {}


def test_transport_is_a_context_manager() -> None:
    with tether.WSGITransport(simple_app("200 OK", [])) as transport:
        assert isinstance(transport, tether.BaseTransport)
        response = transport.handle_request(tether.Request("GET", "http://testserver/"))
        assert response.read() == b"body"
