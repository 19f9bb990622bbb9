"""`Client` and a real Flask app through WSGITransport: what a Flask test suite does."""

from __future__ import annotations

import io
from collections.abc import Iterator

import flask
import pytest
from werkzeug.wrappers import Response as WerkzeugResponse

import tether

BASE = "http://testserver"


def make_app() -> flask.Flask:
    app = flask.Flask("flask-e2e")
    app.secret_key = "not-so-secret"
    app.config["PROPAGATE_EXCEPTIONS"] = True
    request = flask.request

    @app.post("/form")
    def form() -> flask.Response:
        files = {
            name: [upload.filename, upload.mimetype, upload.read().decode()]
            for name, upload in request.files.items()
        }
        return flask.jsonify(form=request.form.to_dict(flat=False), files=files)

    @app.post("/json")
    def json_body() -> flask.Response:
        return flask.jsonify(received=request.get_json(), type=request.content_type)

    @app.get("/query")
    def query() -> flask.Response:
        return flask.jsonify(request.args.to_dict(flat=False))

    @app.post("/login")
    def login() -> WerkzeugResponse:
        flask.session["user"] = request.form["user"]
        return flask.redirect(flask.url_for("whoami"))

    @app.get("/whoami")
    def whoami() -> flask.Response:
        return flask.jsonify(user=flask.session.get("user"), method=request.method)

    @app.get("/missing")
    def missing() -> flask.Response:
        flask.abort(404)

    @app.get("/crash")
    def crash() -> flask.Response:
        raise LookupError("the view crashed")

    @app.get("/path/<name>")
    def path(name: str) -> flask.Response:
        return flask.jsonify(name=name, q=request.args.get("q"))

    @app.get("/big")
    def big() -> flask.Response:
        def produce() -> Iterator[bytes]:
            for _ in range(64):
                yield b"x" * 16384

        return flask.Response(produce())

    @app.post("/size")
    def size() -> flask.Response:
        return flask.jsonify(size=len(request.get_data()))

    return app


@pytest.fixture
def client() -> Iterator[tether.Client]:
    with tether.Client(transport=tether.WSGITransport(make_app()), base_url=BASE) as client:
        yield client


def test_form_fields_and_files_are_parsed_by_flask(client: tether.Client) -> None:
    response = client.post(
        "/form",
        data={"name": "tether", "tags": ["a", "b"]},
        files={"doc": ("notes.txt", b"file contents", "text/plain")},
    )
    assert response.json() == {
        "form": {"name": ["tether"], "tags": ["a", "b"]},
        "files": {"doc": ["notes.txt", "text/plain", "file contents"]},
    }


def test_json_is_parsed_by_flask(client: tether.Client) -> None:
    response = client.post("/json", json={"nested": {"list": [1, 2]}, "text": "é"})
    assert response.json() == {
        "received": {"nested": {"list": [1, 2]}, "text": "é"},
        "type": "application/json",
    }


def test_query_lists(client: tether.Client) -> None:
    response = client.get("/query", params={"tag": ["a", "b"], "one": 1, "flag": True})
    assert response.json() == {"tag": ["a", "b"], "one": ["1"], "flag": ["true"]}


def test_a_flask_session_lives_in_the_clients_jar(client: tether.Client) -> None:
    response = client.post("/login", data={"user": "ada"}, follow_redirects=True)
    assert response.json() == {"user": "ada", "method": "GET"}
    assert response.history[0].status_code == 302
    assert "session" in client.cookies
    assert client.get("/whoami").json()["user"] == "ada"
    client.cookies.clear()
    assert client.get("/whoami").json()["user"] is None


def test_abort_404_and_raise_for_status(client: tether.Client) -> None:
    response = client.get("/missing")
    assert response.status_code == 404
    with pytest.raises(tether.HTTPStatusError, match=f"GET {BASE}/missing got a client error"):
        response.raise_for_status()


def test_a_view_exception_propagates(client: tether.Client) -> None:
    with pytest.raises(LookupError, match="the view crashed"):
        client.get("/crash")
    assert client.get("/query").status_code == 200


def test_a_view_exception_can_become_a_500() -> None:
    errors = io.StringIO()
    transport = tether.WSGITransport(make_app(), raise_app_exceptions=False, wsgi_errors=errors)
    with tether.Client(transport=transport, base_url=BASE) as client:
        assert client.get("/crash").status_code == 500
    assert "LookupError: the view crashed" in errors.getvalue()


def test_non_ascii_paths_and_queries(client: tether.Client) -> None:
    response = client.get("/path/café", params={"q": "ü ö"})
    assert response.json() == {"name": "café", "q": "ü ö"}
    assert response.url.raw_path == b"/path/caf%C3%A9?q=%C3%BC+%C3%B6"


def test_head_has_headers_but_no_body(client: tether.Client) -> None:
    response = client.head("/whoami")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["Content-Length"]) > 0


def test_a_megabyte_each_way(client: tether.Client) -> None:
    with client.stream("GET", "/big") as response:
        sizes = [len(chunk) for chunk in response.iter_bytes(100_000)]
    assert sizes == [100_000] * 10 + [48_576]
    body = b"y" * 1_048_576
    assert client.post("/size", content=body).json() == {"size": 1_048_576}
