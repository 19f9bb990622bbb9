"""A small stand-in for https://httpbin.org, which the docs' examples talk to.

The docs test (tests/test_docs.py) serves this app on loopback and points the name
``httpbin.org`` at it, so every example sends real requests without leaving the
machine. Each route answers with the JSON shape httpbin.org gives for the fields the
examples print, so a reader can also paste an example and run it against the real
service. Routes:

- ``/get``, ``/post``, ``/put``, ``/patch``, ``/delete``, ``/anything[/...]``: the
  request echoed as ``{"args", "headers", "url", "method", "data", "form", "files",
  "json"}``.
- ``/headers``, ``/user-agent``, ``/json``, ``/html``.
- ``/status/{code}``, ``/delay/{seconds}``, ``/stream/{n}``, ``/bytes/{n}``,
  ``/range/{n}``, ``/gzip``, ``/response-headers?name=value``.
- ``/redirect/{n}``, ``/redirect-to?url=...&status_code=...``, ``/absolute-redirect/{n}``.
- ``/cookies``, ``/cookies/set?name=value``, ``/cookies/delete?name``.
- ``/basic-auth/{user}/{password}``, ``/digest-auth/auth/{user}/{password}``, ``/bearer``.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

MAX_DELAY = 10.0
SLIDESHOW = {
    "slideshow": {
        "author": "Yours Truly",
        "date": "date of publication",
        "slides": [
            {"title": "Wake up to WonderWidgets!", "type": "all"},
            {
                "items": [
                    "Why <em>WonderWidgets</em> are great",
                    "Who <em>buys</em> WonderWidgets",
                ],
                "title": "Overview",
                "type": "all",
            },
        ],
        "title": "Sample Slide Show",
    }
}


def _multi(items: list[tuple[str, str]]) -> dict[str, Any]:
    """httpbin's way with repeated names: one value, or a list of them."""
    found: dict[str, Any] = {}
    for name, value in items:
        if name in found:
            previous = found[name]
            found[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            found[name] = value
    return found


def _headers(request: Request) -> dict[str, str]:
    return {name.title(): value for name, value in request.headers.items()}


async def _echo(request: Request) -> dict[str, Any]:
    """What httpbin's method routes answer: the request, taken apart."""
    body = await request.body()
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    data = ""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        fields: list[tuple[str, str]] = []
        async with request.form() as parsed_form:  # closes the uploads' temporary files
            for name, value in parsed_form.multi_items():
                if isinstance(value, UploadFile):
                    files[name] = (await value.read()).decode("utf-8", "replace")
                else:
                    fields.append((name, value))
        form = _multi(fields)
    else:
        data = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(body) if content_type.startswith("application/json") else None
    except ValueError:
        parsed = None
    return {
        "args": _multi(list(request.query_params.multi_items())),
        "data": data,
        "files": files,
        "form": form,
        "headers": _headers(request),
        "json": parsed,
        "method": request.method,
        "url": str(request.url),
    }


async def get(request: Request) -> Response:
    echoed = await _echo(request)
    return JSONResponse({key: echoed[key] for key in ("args", "headers", "url")})


async def anything(request: Request) -> Response:
    return JSONResponse(await _echo(request))


async def headers(request: Request) -> Response:
    return JSONResponse({"headers": _headers(request)})


async def user_agent(request: Request) -> Response:
    return JSONResponse({"user-agent": request.headers.get("user-agent")})


async def slideshow(request: Request) -> Response:
    return JSONResponse(SLIDESHOW)


async def html(request: Request) -> Response:
    return HTMLResponse(
        "<!DOCTYPE html>\n<html><body><h1>Herman Melville - Moby-Dick</h1></body></html>"
    )


async def status(request: Request) -> Response:
    code = int(request.path_params["code"])
    if code == 401:
        return Response(status_code=401, headers={"www-authenticate": 'Basic realm="Fake Realm"'})
    return Response(status_code=code)


async def delay(request: Request) -> Response:
    await asyncio.sleep(min(float(request.path_params["seconds"]), MAX_DELAY))
    return await get(request)


async def stream(request: Request) -> Response:
    count = min(int(request.path_params["n"]), 100)
    echoed = await _echo(request)

    async def lines() -> AsyncIterator[bytes]:
        for index in range(count):
            line = {"id": index, "url": echoed["url"], "args": echoed["args"]}
            yield json.dumps(line).encode() + b"\n"

    return StreamingResponse(lines(), media_type="application/json")


async def some_bytes(request: Request) -> Response:
    size = min(int(request.path_params["n"]), 100 * 1024)
    return Response(
        bytes(index % 256 for index in range(size)), media_type="application/octet-stream"
    )


async def a_range(request: Request) -> Response:
    size = min(int(request.path_params["n"]), 100 * 1024)
    letters = bytes(ord("a") + index % 26 for index in range(size))
    return Response(letters, media_type="application/octet-stream")


async def gzipped(request: Request) -> Response:
    echoed = await _echo(request)
    body = json.dumps({"gzipped": True, "headers": echoed["headers"], "method": echoed["method"]})
    return Response(
        gzip.compress(body.encode()),
        media_type="application/json",
        headers={"content-encoding": "gzip"},
    )


async def response_headers(request: Request) -> Response:
    answer = JSONResponse(_multi(list(request.query_params.multi_items())))
    for name, value in request.query_params.multi_items():
        answer.headers.append(name, value)
    return answer


def _redirect(location: str, code: int = 302) -> Response:
    return Response(status_code=code, headers={"location": location})


async def redirect(request: Request) -> Response:
    hops = int(request.path_params["n"])
    return _redirect("/get" if hops <= 1 else f"/redirect/{hops - 1}")


async def absolute_redirect(request: Request) -> Response:
    hops = int(request.path_params["n"])
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return _redirect(origin + ("/get" if hops <= 1 else f"/absolute-redirect/{hops - 1}"))


async def redirect_to(request: Request) -> Response:
    code = int(request.query_params.get("status_code", "302"))
    return _redirect(request.query_params["url"], code if 300 <= code < 400 else 302)


async def cookies(request: Request) -> Response:
    return JSONResponse({"cookies": dict(request.cookies)})


async def set_cookies(request: Request) -> Response:
    answer = _redirect("/cookies")
    for name, value in request.query_params.items():
        answer.set_cookie(name, value, path="/")
    return answer


async def delete_cookies(request: Request) -> Response:
    answer = _redirect("/cookies")
    for name in request.query_params:
        answer.delete_cookie(name, path="/")
    return answer


def _basic_user(request: Request) -> tuple[str, str] | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    user, _, password = base64.b64decode(credentials).decode().partition(":")
    return user, password


async def basic_auth(request: Request) -> Response:
    expected = (request.path_params["user"], request.path_params["password"])
    if _basic_user(request) != expected:
        return Response(status_code=401, headers={"www-authenticate": 'Basic realm="Fake Realm"'})
    return JSONResponse({"authenticated": True, "user": expected[0]})


async def bearer(request: Request) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return Response(status_code=401, headers={"www-authenticate": "Bearer"})
    return JSONResponse({"authenticated": True, "token": token})


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _digest_fields(header: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in header.removeprefix("Digest ").split(","):
        name, _, value = part.strip().partition("=")
        fields[name.lower()] = value.strip('"')
    return fields


async def digest_auth(request: Request) -> Response:
    """RFC 7616 with MD5 and qop=auth: enough to show a client answering a challenge."""
    user, password = request.path_params["user"], request.path_params["password"]
    realm = "me@kennethreitz.com"
    header = request.headers.get("authorization", "")
    if header.startswith("Digest "):
        got = _digest_fields(header)
        ha1 = _md5(f"{user}:{realm}:{password}")
        ha2 = _md5(f"{request.method}:{got.get('uri', '')}")
        parts = [ha1, got.get("nonce", ""), got.get("nc", ""), got.get("cnonce", ""), "auth", ha2]
        if got.get("username") == user and got.get("response") == _md5(":".join(parts)):
            return JSONResponse({"authenticated": True, "user": user})
    challenge = (
        f'Digest realm="{realm}", qop="auth", nonce="{secrets.token_hex(16)}", '
        f'opaque="{secrets.token_hex(16)}", algorithm=MD5'
    )
    return Response(status_code=401, headers={"www-authenticate": challenge})


METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
app = Starlette(
    routes=[
        Route("/get", get, methods=["GET", "HEAD", "OPTIONS"]),
        Route("/post", anything, methods=["POST"]),
        Route("/put", anything, methods=["PUT"]),
        Route("/patch", anything, methods=["PATCH"]),
        Route("/delete", anything, methods=["DELETE"]),
        Route("/anything", anything, methods=METHODS),
        Route("/anything/{rest:path}", anything, methods=METHODS),
        Route("/headers", headers),
        Route("/user-agent", user_agent),
        Route("/json", slideshow),
        Route("/html", html),
        Route("/status/{code:int}", status, methods=METHODS),
        Route("/delay/{seconds}", delay),
        Route("/stream/{n:int}", stream),
        Route("/bytes/{n:int}", some_bytes),
        Route("/range/{n:int}", a_range),
        Route("/gzip", gzipped),
        Route("/response-headers", response_headers),
        Route("/redirect/{n:int}", redirect),
        Route("/absolute-redirect/{n:int}", absolute_redirect),
        Route("/redirect-to", redirect_to, methods=METHODS),
        Route("/cookies", cookies),
        Route("/cookies/set", set_cookies),
        Route("/cookies/delete", delete_cookies),
        Route("/basic-auth/{user}/{password}", basic_auth),
        Route("/digest-auth/auth/{user}/{password}", digest_auth),
        Route("/bearer", bearer),
    ]
)
