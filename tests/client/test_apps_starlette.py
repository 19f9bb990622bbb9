"""`AsyncClient` and a real Starlette app through ASGITransport, under asyncio and trio."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

import tether

pytestmark = pytest.mark.anyio
BASE = "http://testserver"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_app(done: list[str]) -> Starlette:
    async def form(request: Request) -> Response:
        async with request.form() as parsed:
            fields = {k: v for k, v in parsed.multi_items() if isinstance(v, str)}
            files = {
                k: [v.filename, v.content_type, (await v.read()).decode()]
                for k, v in parsed.multi_items()
                if not isinstance(v, str)
            }
        return JSONResponse({"fields": fields, "files": files})

    async def json_body(request: Request) -> Response:
        return JSONResponse({"received": await request.json()})

    async def old(request: Request) -> Response:
        return RedirectResponse("/new")  # 307: the body is sent again

    async def new(request: Request) -> Response:
        return JSONResponse({"method": request.method, "body": (await request.body()).decode()})

    async def login(request: Request) -> Response:
        request.session["user"] = (await request.form())["user"]
        return RedirectResponse("/whoami", status_code=303)

    async def whoami(request: Request) -> Response:
        return JSONResponse({"user": request.session.get("user"), "method": request.method})

    async def missing(request: Request) -> Response:
        raise HTTPException(status_code=404, detail="no such thing")

    async def crash(request: Request) -> Response:
        raise LookupError("the endpoint crashed")

    async def background(request: Request) -> Response:
        async def later() -> None:
            done.append("background task")

        return PlainTextResponse("sent", background=BackgroundTask(later))

    async def large(request: Request) -> Response:
        return PlainTextResponse("compress me " * 1000)

    async def path(request: Request) -> Response:
        return JSONResponse(
            {"name": request.path_params["name"], "q": request.query_params.getlist("q")}
        )

    return Starlette(
        routes=[
            Route("/form", form, methods=["POST"]),
            Route("/json", json_body, methods=["POST"]),
            Route("/old", old, methods=["POST"]),
            Route("/new", new, methods=["POST"]),
            Route("/login", login, methods=["POST"]),
            Route("/whoami", whoami),
            Route("/missing", missing),
            Route("/crash", crash),
            Route("/background", background),
            Route("/large", large),
            Route("/path/{name}", path),
        ],
        middleware=[
            Middleware(SessionMiddleware, secret_key="not-so-secret"),
            Middleware(GZipMiddleware, minimum_size=500),
        ],
    )


@pytest.fixture
async def client(anyio_backend: str) -> AsyncIterator[tether.AsyncClient]:
    transport = tether.ASGITransport(make_app([]))
    async with tether.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def test_form_fields_and_files_are_parsed_by_starlette(client: tether.AsyncClient) -> None:
    response = await client.post(
        "/form",
        data={"name": "tether"},
        files={"doc": ("notes.txt", b"file contents", "text/plain")},
    )
    assert response.json() == {
        "fields": {"name": "tether"},
        "files": {"doc": ["notes.txt", "text/plain", "file contents"]},
    }


async def test_json_is_parsed_by_starlette(client: tether.AsyncClient) -> None:
    response = await client.post("/json", json={"nested": [1, {"a": None}]})
    assert response.json() == {"received": {"nested": [1, {"a": None}]}}


async def test_a_307_redirect_resends_the_post_body(client: tether.AsyncClient) -> None:
    response = await client.post("/old", content=b"payload", follow_redirects=True)
    assert response.json() == {"method": "POST", "body": "payload"}
    assert response.history[0].status_code == 307


async def test_a_session_lives_in_the_clients_jar(client: tether.AsyncClient) -> None:
    response = await client.post("/login", data={"user": "ada"}, follow_redirects=True)
    assert response.json() == {"user": "ada", "method": "GET"}
    assert "session" in client.cookies
    assert (await client.get("/whoami")).json()["user"] == "ada"


async def test_http_exception_and_raise_for_status(client: tether.AsyncClient) -> None:
    response = await client.get("/missing")
    assert response.status_code == 404
    assert response.text == "no such thing"
    with pytest.raises(tether.HTTPStatusError, match="404 Not Found"):
        response.raise_for_status()


async def test_an_endpoint_exception_propagates(client: tether.AsyncClient) -> None:
    with pytest.raises(LookupError, match="the endpoint crashed"):
        await client.get("/crash")
    assert (await client.get("/whoami")).status_code == 200


async def test_an_endpoint_exception_can_become_a_500(anyio_backend: str) -> None:
    transport = tether.ASGITransport(make_app([]), raise_app_exceptions=False)
    async with tether.AsyncClient(transport=transport, base_url=BASE) as client:
        assert (await client.get("/crash")).status_code == 500


async def test_background_tasks_have_run_when_the_body_is_read(anyio_backend: str) -> None:
    done: list[str] = []
    transport = tether.ASGITransport(make_app(done))
    async with tether.AsyncClient(transport=transport, base_url=BASE) as client:
        response = await client.get("/background")
    assert response.text == "sent"
    assert done == ["background task"]


async def test_gzip_middleware_output_is_decoded(client: tether.AsyncClient) -> None:
    response = await client.get("/large")
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.text == "compress me " * 1000
    assert response.num_bytes_downloaded < len(response.content)


async def test_non_ascii_paths_and_query_lists(client: tether.AsyncClient) -> None:
    response = await client.get("/path/café", params={"q": ["ü", "ö"]})
    assert response.json() == {"name": "café", "q": ["ü", "ö"]}
