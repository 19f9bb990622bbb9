"""``import tether as httpx``: typical httpx code runs unchanged, old spellings still work.

Each snippet is run twice, with ``httpx`` bound to httpx 0.28 and then to tether, and
must give the same result. The spellings httpx deprecated or removed (``allow_redirects=``,
``proxies=``, ``app=``, ``cert=``, ``verify=<path>``) keep working in tether with one
DeprecationWarning each, in the one shape, blaming the caller's line.
"""

from __future__ import annotations

import textwrap
from typing import Any

import anyio
import httpx
import pytest

import tether
from tether._network.proxy import ProxyConnectionPool
from tether._urlpatterns import URLPattern

from ._apps import Seen, flask_app, starlette_app

SHAPE = r"^{} is deprecated since httpx 0\.\d+; use .+ instead\.$"


def run(snippet: str, module: Any) -> Any:
    """Run `snippet` with `httpx` bound to `module`; return what it left in `result`."""
    namespace: dict[str, Any] = {"httpx": module, "anyio": anyio}
    exec(textwrap.dedent(snippet), namespace)
    return namespace["result"]


SNIPPETS = {
    "client with base_url, params and json": """
        def handler(request):
            return httpx.Response(200, json={"path": request.url.path,
                                             "query": request.url.query.decode()})

        with httpx.Client(base_url="https://api.example.com/v1",
                          transport=httpx.MockTransport(handler)) as client:
            response = client.get("/users", params={"page": 2})
            response.raise_for_status()
            result = (response.status_code, response.json(), str(response.url),
                      response.is_success, response.reason_phrase)
    """,
    "status errors": """
        def handler(request):
            return httpx.Response(404, text="missing")

        client = httpx.Client(transport=httpx.MockTransport(handler))
        try:
            client.get("https://example.com/nothing").raise_for_status()
        except httpx.HTTPStatusError as exc:
            result = (exc.response.status_code, exc.request.url.path,
                      isinstance(exc, httpx.HTTPError), exc.response.text)
        client.close()
    """,
    "transport errors are request errors": """
        def handler(request):
            raise httpx.ConnectError("refused", request=request)

        client = httpx.Client(transport=httpx.MockTransport(handler))
        try:
            client.get("https://example.com/")
        except httpx.RequestError as exc:
            result = (type(exc).__name__, str(exc), str(exc.request.url),
                      isinstance(exc, httpx.TransportError))
    """,
    "basic auth and headers": """
        def handler(request):
            return httpx.Response(200, json={"auth": request.headers["authorization"],
                                             "custom": request.headers["x-custom"]})

        client = httpx.Client(auth=("alice", "wonderland"), headers={"X-Custom": "1"},
                              transport=httpx.MockTransport(handler))
        result = client.post("https://example.com/", data={"a": "b"}).json()
    """,
    "streaming download": """
        def handler(request):
            return httpx.Response(200, content=b"line one\\nline two\\n")

        client = httpx.Client(transport=httpx.MockTransport(handler))
        with client.stream("GET", "https://example.com/file") as response:
            lines = list(response.iter_lines())
        result = (lines, response.is_closed)
    """,
    "event hooks": """
        log = []

        def handler(request):
            return httpx.Response(204)

        client = httpx.Client(
            transport=httpx.MockTransport(handler),
            event_hooks={"request": [lambda r: log.append(r.method)],
                         "response": [lambda r: log.append(r.status_code)]},
        )
        client.delete("https://example.com/item/1")
        result = log
    """,
    "redirects": """
        def handler(request):
            if request.url.path == "/old":
                return httpx.Response(301, headers={"Location": "/new"})
            return httpx.Response(200, text=request.url.path)

        client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
        response = client.get("https://example.com/old")
        result = (response.text, [r.status_code for r in response.history],
                  response.history[0].is_redirect)
    """,
    "configuration objects": """
        timeout = httpx.Timeout(10.0, connect=60.0)
        limits = httpx.Limits(max_keepalive_connections=5, max_connections=10)
        url = httpx.URL("https://example.com/path?a=1").copy_with(path="/other")
        params = httpx.QueryParams({"a": "1"}).add("b", "2")
        headers = httpx.Headers({"Accept": "text/html"})
        result = (timeout.connect, timeout.read, limits.max_connections, str(url),
                  str(params), headers["accept"], httpx.codes.NOT_FOUND,
                  httpx.codes.get_reason_phrase(418))
    """,
    "async client": """
        async def handler(request):
            return httpx.Response(200, json={"method": request.method})

        async def main():
            async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
                response = await client.put("https://example.com/", json={"x": 1})
                return response.json()

        result = anyio.run(main)
    """,
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_httpx_snippets_run_unchanged(name: str) -> None:
    assert run(SNIPPETS[name], tether) == run(SNIPPETS[name], httpx)


def test_a_wsgi_app_snippet() -> None:
    snippet = """
        with httpx.Client(transport=httpx.WSGITransport(app=app),
                          base_url="http://testserver") as client:
            response = client.post("/echo", json={"hello": "world"})
            result = (response.status_code, response.json()["body"])
    """
    results = []
    for module in (httpx, tether):
        namespace: dict[str, Any] = {"httpx": module, "app": flask_app(Seen())}
        exec(textwrap.dedent(snippet), namespace)
        results.append(namespace["result"])
    assert results[0] == results[1] == (200, '{"hello":"world"}')


# --- deprecated spellings --------------------------------------------------------------------


def test_app_on_client_means_a_wsgi_transport() -> None:
    seen = Seen()
    with pytest.warns(DeprecationWarning, match="app=") as caught:
        client = tether.Client(app=flask_app(seen), base_url="http://testserver")
    (warning,) = caught
    assert warning.filename == __file__
    assert str(warning.message) == (
        "app= is deprecated since httpx 0.27; use transport=WSGITransport(app=...) instead."
    )
    with client:
        assert client.get("/echo").json()["method"] == "GET"
    assert len(seen.requests) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_app_on_async_client_means_an_asgi_transport(anyio_backend: str) -> None:
    seen = Seen()
    with pytest.warns(DeprecationWarning, match=SHAPE.format("app=")) as caught:
        client = tether.AsyncClient(app=starlette_app(seen), base_url="http://testserver")
    assert "transport=ASGITransport(app=...)" in str(caught[0].message)
    assert caught[0].filename == __file__
    async with client:
        assert (await client.get("/echo")).json()["method"] == "GET"
    assert len(seen.requests) == 1


def test_app_with_a_transport_keeps_the_transport() -> None:
    mock = tether.MockTransport(lambda request: tether.Response(200, text="mock"))
    with pytest.warns(DeprecationWarning, match=SHAPE.format("app=")):
        client = tether.Client(app=flask_app(Seen()), transport=mock)
    assert client.get("http://x/").text == "mock"


def _proxy_of(client: tether.Client, url: str) -> str | None:
    """The URL of the proxy that `url` goes through, or None for a direct connection."""
    transport = client._transport_for_url(tether.URL(url))
    assert isinstance(transport, tether.HTTPTransport)
    pool = transport.pool
    return pool.plan.name if isinstance(pool, ProxyConnectionPool) else None


def test_proxies_as_one_url_means_proxy() -> None:
    with pytest.warns(DeprecationWarning, match=SHAPE.format("proxies=")) as caught:
        client = tether.Client(proxies="http://proxy:8080")
    assert caught[0].filename == __file__
    assert "use proxy= or mounts= instead" in str(caught[0].message)
    assert _proxy_of(client, "https://example.com/") == "http://proxy:8080"


def test_proxies_as_a_mapping_means_proxy_mounts() -> None:
    with pytest.warns(DeprecationWarning, match=SHAPE.format("proxies=")):
        client = tether.Client(
            proxies={"http://": "http://plain:1", "all://secure.example": "http://s:2"}
        )
    assert _proxy_of(client, "http://example.com/") == "http://plain:1"
    assert _proxy_of(client, "https://secure.example/") == "http://s:2"
    assert _proxy_of(client, "https://example.com/") is None


def test_proxies_and_proxy_together_are_refused() -> None:
    with (
        pytest.warns(DeprecationWarning, match="proxies="),
        pytest.raises(ValueError, match="proxies= and proxy= cannot be used together"),
    ):
        tether.Client(proxies="http://a:1", proxy="http://b:2")


def test_cert_and_verify_path_warn_and_are_loaded_at_once() -> None:
    # As with httpx, the files are read when the client is made, so a wrong path
    # fails there, naming the argument and the path.
    with (
        pytest.warns(DeprecationWarning, match="deprecated since httpx 0.28") as caught,
        pytest.raises(FileNotFoundError, match=r"verify: .*'/etc/no-such-ca\.pem'"),
    ):
        tether.Client(cert=("client.pem", "client.key"), verify="/etc/no-such-ca.pem")
    verify, cert = caught
    assert str(verify.message).startswith("verify=<path> is deprecated since httpx 0.28; use ")
    assert str(cert.message).startswith("cert= is deprecated since httpx 0.28; use ")
    assert verify.filename == cert.filename == __file__
    with (
        pytest.warns(DeprecationWarning, match="cert= is deprecated"),
        pytest.raises(FileNotFoundError, match=r"cert: .*'client\.pem'"),
    ):
        tether.AsyncClient(cert=("client.pem", "client.key"))


def test_allow_redirects_still_works_with_one_warning() -> None:
    def handler(request: tether.Request) -> tether.Response:
        if request.url.path == "/old":
            return tether.Response(302, headers={"Location": "/new"})
        return tether.Response(200, text=request.url.path)

    client = tether.Client(transport=tether.MockTransport(handler))
    for method in ("get", "head", "options", "delete", "post", "put", "patch"):
        with pytest.warns(DeprecationWarning, match=SHAPE.format("allow_redirects=")) as caught:
            response = getattr(client, method)("http://x/old", allow_redirects=True)
        assert len(caught) == 1
        assert caught[0].filename == __file__
        assert response.status_code == 200
    with pytest.warns(DeprecationWarning, match="use follow_redirects= instead"):
        assert client.request("GET", "http://x/old", allow_redirects=False).status_code == 302
    with (
        pytest.warns(DeprecationWarning, match="allow_redirects="),
        pytest.raises(ValueError, match="cannot be used together"),
    ):
        client.get("http://x/old", allow_redirects=True, follow_redirects=True)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_allow_redirects_on_the_async_client(anyio_backend: str) -> None:
    def handler(request: tether.Request) -> tether.Response:
        if request.url.path == "/old":
            return tether.Response(302, headers={"Location": "/new"})
        return tether.Response(200)

    async with tether.AsyncClient(transport=tether.MockTransport(handler)) as client:
        with pytest.warns(DeprecationWarning, match=SHAPE.format("allow_redirects=")) as caught:
            response = await client.get("http://x/old", allow_redirects=True)
    assert caught[0].filename == __file__
    assert response.status_code == 200


@pytest.mark.parametrize("owner", [tether.Client, tether.AsyncClient])
def test_unknown_constructor_arguments_raise_type_error(owner: Any) -> None:
    with pytest.raises(
        TypeError, match=rf"^{owner.__name__}\(\) got an unexpected keyword argument 'verfiy'$"
    ):
        owner(verfiy=False)
    with pytest.raises(TypeError, match="'backend'"):
        owner(app=None, backend="trio")


def test_unknown_request_arguments_raise_type_error() -> None:
    client = tether.Client(transport=tether.MockTransport(lambda request: tether.Response(200)))
    with pytest.raises(TypeError, match="unexpected keyword argument 'allow_redirect'"):
        client.get("http://x/", allow_redirect=True)
    with pytest.raises(TypeError):
        client.stream("GET", "http://x/", allow_redirects=True)  # type: ignore[call-arg]


# --- mounts ---------------------------------------------------------------------------------


def test_mounts_route_like_httpx() -> None:
    keys = ["all://", "http://", "https://", "all://api.example", "all://*.example", "http://*"]
    urls = [
        "http://api.example/",
        "https://api.example/",
        "https://www.example/",
        "http://example/",
        "https://other.org/",
    ]

    def routes(module: Any) -> list[str]:
        def answer(name: str) -> Any:
            return module.MockTransport(lambda request: module.Response(200, text=name))

        client = module.Client(mounts={key: answer(key) for key in keys})
        return [client.get(url).text for url in urls]

    assert routes(tether) == routes(httpx)


def test_a_none_mount_uses_the_default_transport() -> None:
    default = tether.MockTransport(lambda request: tether.Response(200, text="default"))
    api = tether.MockTransport(lambda request: tether.Response(200, text="api"))
    client = tether.Client(transport=default, mounts={"all://": api, "all://plain.example": None})
    assert client.get("http://plain.example/").text == "default"
    assert client.get("http://other.example/").text == "api"
    assert URLPattern("all://plain.example").matches(tether.URL("https://plain.example/"))


def test_a_bad_mount_pattern_is_refused_naming_it() -> None:
    mock = tether.MockTransport(lambda request: tether.Response(200))
    with pytest.raises(ValueError, match=r"'example\.com'"):
        tether.Client(mounts={"example.com": mock})
