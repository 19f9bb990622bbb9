"""`Client` and `AsyncClient`: merging, settings, closing, decoding and bad input.

Each test runs three times (the `kit` fixture): `Client` through the Flask app, and
`AsyncClient` through the Starlette app under asyncio and under trio. httpx 0.28 is the
oracle where tether must behave the same.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import tether
import tether_content
from tether._merge import accept_encoding

from ._apps import TEXT
from ._kit import BASE, Driver, Kit, kit_fixtures

kit, anyio_backend = kit_fixtures()
pytestmark = pytest.mark.anyio


def echo_handler(request: tether.Request) -> tether.Response:
    """A MockTransport handler that replies with what it was sent."""
    return tether.Response(
        200,
        json={
            "method": request.method,
            "url": str(request.url),
            "headers": [[k, v] for k, v in request.headers.multi_items()],
            "body": request.content.decode("latin-1"),
        },
    )


# --- Default headers ------------------------------------------------------------------------


async def test_default_headers_reach_the_app(kit: Kit) -> None:
    async with kit.client() as client:
        await client.get("/echo")
    assert kit.seen.last["headers"][:5] == [
        ["host", "testserver"],
        ["accept", "*/*"],
        ["accept-encoding", accept_encoding()],
        ["connection", "keep-alive"],
        ["user-agent", f"python-tether/{tether.__version__}"],
    ]


def test_default_headers_are_httpxs_but_the_user_agent() -> None:
    ours = list(tether.Client().headers.items())
    theirs = list(httpx.Client().headers.items())
    assert ours[:3] == theirs[:3]
    assert ours[3] == ("user-agent", "python-tether/0.1.0")
    assert theirs[3] == ("user-agent", f"python-httpx/{httpx.__version__}")


def test_accept_encoding_lists_the_installed_decoders() -> None:
    assert accept_encoding() == "gzip, deflate, br, zstd"
    assert accept_encoding() == ", ".join(tether_content.supported_encodings())


def test_accept_encoding_leaves_out_a_missing_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("brotli", "brotlicffi"):
        monkeypatch.setitem(sys.modules, module, None)
    accept_encoding.cache_clear()
    try:
        assert tether.Client().headers["Accept-Encoding"] == "gzip, deflate, zstd"
    finally:
        accept_encoding.cache_clear()
    monkeypatch.undo()
    assert tether.Client().headers["Accept-Encoding"] == "gzip, deflate, br, zstd"


async def test_request_headers_override_client_headers_by_name(kit: Kit) -> None:
    async with kit.client(headers={"X-Client": "c", "X-Both": "client"}) as client:
        await client.get("/echo", headers={"x-both": "request", "User-Agent": "me/1"})
    header = kit.seen.last["header"]
    assert header["x-client"] == "c"
    assert header["x-both"] == "request"
    assert header["user-agent"] == "me/1"
    assert [name for name, _ in kit.seen.last["headers"]].count("x-both") == 1


def test_client_headers_keep_the_defaults_unless_overridden() -> None:
    client = tether.Client(headers={"Accept": "application/json"})
    assert client.headers["Accept"] == "application/json"
    assert client.headers["Connection"] == "keep-alive"


# --- base_url --------------------------------------------------------------------------------

JOINS = [
    ("http://x/api", "/users"),
    ("http://x/api/", "/users"),
    ("http://x/api", "users"),
    ("http://x/api", ""),
    ("http://x/api", "users?page=2"),
    ("http://x", "/a/b"),
    ("http://x/api/v1", "../v2/items"),
    ("http://x/api", "https://other.example/x"),
    ("http://x:8080/api", "/users"),
]


@pytest.mark.parametrize(("base_url", "url"), JOINS)
def test_base_url_joining_matches_httpx(base_url: str, url: str) -> None:
    ours = tether.Client(base_url=base_url).build_request("GET", url).url
    theirs = httpx.Client(base_url=base_url).build_request("GET", url).url
    assert str(ours) == str(theirs)


def test_base_url_gets_a_trailing_slash() -> None:
    client = tether.Client(base_url="http://x/api")
    assert client.base_url == tether.URL("http://x/api/")
    assert tether.Client(base_url="http://x/api/").base_url == tether.URL("http://x/api/")
    assert httpx.Client(base_url="http://x/api").base_url == httpx.URL("http://x/api/")


def test_base_url_with_a_query_keeps_it_a_query() -> None:
    # httpx appends the slash to the query: http://x/api?k=v/ (encode/httpx#3614).
    client = tether.Client(base_url="http://x/api?k=v")
    assert str(client.base_url) == "http://x/api/?k=v"
    assert str(client.build_request("GET", "/u?p=1").url) == "http://x/api/u?k=v&p=1"
    assert str(httpx.Client(base_url="http://x/api?k=v").base_url) == "http://x/api?k=v/"


def test_scheme_relative_url_with_a_base_url_is_refused() -> None:
    # httpx silently sends //other/x to http://x/api/x.
    client = tether.Client(base_url="http://x/api")
    with pytest.raises(tether.InvalidURL, match="'//other/x'"):
        client.build_request("GET", "//other/x")
    assert str(httpx.Client(base_url="http://x/api").build_request("GET", "//other/x").url) == (
        "http://x/api/x"
    )


async def test_base_url_path_reaches_the_app(kit: Kit) -> None:
    async with kit.client(base_url=f"{BASE}/") as client:
        response = await client.get("echo", params={"q": "1"})
    assert response.json()["url"] == f"{BASE}/echo?q=1"


# --- params and cookies ----------------------------------------------------------------------


async def test_client_params_and_request_params_are_merged(kit: Kit) -> None:
    async with kit.client(params={"a": "1", "b": "client"}) as client:
        await client.get("/echo", params={"b": "request", "c": ["x", "y"]})
        await client.get("/echo")
    first, second = kit.seen.requests
    assert first["url"] == f"{BASE}/echo?a=1&b=request&c=x&c=y"
    assert second["url"] == f"{BASE}/echo?a=1&b=client"


@pytest.mark.parametrize(
    ("client_params", "params"),
    [({"a": "1"}, {"b": "2"}), ({"a": "1"}, {"a": "2"}), (None, "x=1&x=2"), ({"a": "1"}, None)],
)
def test_params_merge_like_httpx(client_params: Any, params: Any) -> None:
    ours = tether.Client(params=client_params).build_request("GET", "http://x/", params=params)
    theirs = httpx.Client(params=client_params).build_request("GET", "http://x/", params=params)
    assert str(ours.url) == str(theirs.url)


async def test_client_cookies_and_request_cookies_are_sent(kit: Kit) -> None:
    async with kit.client(cookies={"client": "1", "both": "client"}) as client:
        await client.get("/echo", cookies={"request": "2", "both": "request"})
        await client.get("/echo")
        assert dict(client.cookies) == {"client": "1", "both": "client"}
    first, second = kit.seen.requests
    assert first["cookies"] == {"client": "1", "both": "request", "request": "2"}
    assert second["cookies"] == {"client": "1", "both": "client"}


# --- build_request and send --------------------------------------------------------------


async def test_build_request_then_send(kit: Kit) -> None:
    async with kit.client(headers={"X-Client": "yes"}, params={"p": "1"}) as client:
        request = client.build_request("PUT", "/echo", content=b"body", params={"q": "2"})
        assert isinstance(request, tether.Request)
        assert request.headers["X-Client"] == "yes"
        request.headers["X-Added"] = "later"
        response = await client.send(request)
    assert response.request is request
    seen = kit.seen.last
    assert (seen["method"], seen["url"], seen["body"]) == ("PUT", f"{BASE}/echo?p=1&q=2", "body")
    assert seen["header"]["x-added"] == "later"


async def test_every_method_helper(kit: Kit) -> None:
    async with kit.client() as client:
        for name in ("get", "head", "options", "delete"):
            response = await client.method(name, "/echo")
            assert response.status_code == 200
        for name in ("post", "put", "patch"):
            response = await client.method(name, "/echo", json={"m": name})
            assert response.json()["body"] == '{"m":"' + name + '"}'
        response = await client.request("PATCH", "/echo", data={"k": "v"})
    assert [r["method"] for r in kit.seen.requests] == [
        "GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH", "PATCH",
    ]  # fmt: skip
    assert kit.seen.last["body"] == "k=v"
    assert kit.seen.last["header"]["content-type"] == "application/x-www-form-urlencoded"


async def test_files_upload_reaches_the_app(kit: Kit) -> None:
    async with kit.client() as client:
        await client.post("/echo", files={"f": ("a.txt", b"file body", "text/plain")})
    seen = kit.seen.last
    assert seen["header"]["content-type"].startswith("multipart/form-data; boundary=")
    assert 'filename="a.txt"' in seen["body"]
    assert "file body" in seen["body"]


# --- settable properties ---------------------------------------------------------------------


async def test_settable_properties_apply_to_the_next_request(kit: Kit) -> None:
    calls: list[str] = []
    async with kit.client() as client:
        client.headers = {"X-Set": "1"}
        client.params = {"set": "1"}
        client.cookies = {"jar": "set"}
        client.auth = ("user", "secret")
        client.base_url = f"{BASE}/status"
        client.timeout = 7.0
        client.event_hooks = {"request": [kit.hook(lambda r: calls.append(str(r.url)))]}
        response = await client.get("/200")
    seen = kit.seen.last
    assert seen["url"] == f"{BASE}/status/200?set=1"
    assert seen["header"]["x-set"] == "1"
    assert seen["header"]["user-agent"].startswith("python-tether/")
    assert seen["header"]["authorization"] == "Basic dXNlcjpzZWNyZXQ="
    assert seen["cookies"] == {"jar": "set"}
    assert response.request.extensions["timeout"]["read"] == 7.0
    assert calls == [f"{BASE}/status/200?set=1"]


def test_property_getters_return_the_parsed_values() -> None:
    client = tether.Client(
        params="a=1", cookies={"c": "v"}, timeout=3, auth=("u", "p"), base_url="http://x"
    )
    assert client.params == tether.QueryParams("a=1")
    assert isinstance(client.cookies, tether.Cookies)
    assert client.timeout == tether.Timeout(3)
    assert isinstance(client.auth, tether.BasicAuth)
    assert str(client.base_url) == str(httpx.Client(base_url="http://x").base_url)
    assert client.event_hooks == {"request": [], "response": []}
    assert client.trust_env is True
    assert client.follow_redirects is False
    assert client.max_redirects == 20
    client.auth = None
    assert client.auth is None


# --- timeout ---------------------------------------------------------------------------------


async def test_timeout_reaches_the_request_extensions(kit: Kit) -> None:
    async with kit.client(timeout=tether.Timeout(2.0, connect=1.0)) as client:
        default = await client.get("/echo")
        explicit = await client.get("/echo", timeout=tether.USE_CLIENT_DEFAULT)
        disabled = await client.get("/echo", timeout=None)
        own = await client.get("/echo", timeout=9)
        extension = await client.get("/echo", extensions={"timeout": {"read": 1}})
    client_timeout = {"connect": 1.0, "read": 2.0, "write": 2.0, "pool": 2.0}
    assert default.request.extensions["timeout"] == client_timeout
    assert explicit.request.extensions["timeout"] == client_timeout
    assert disabled.request.extensions["timeout"] == dict.fromkeys(client_timeout)
    assert own.request.extensions["timeout"] == dict.fromkeys(client_timeout, 9)
    assert extension.request.extensions["timeout"] == {"read": 1}


def test_timeout_extension_matches_httpx() -> None:
    for timeout in (None, 3.0, httpx.Timeout(1.0, read=4.0)):
        theirs = httpx.Client(timeout=timeout).build_request("GET", "http://x/")
        ours_timeout = tether.Timeout(1.0, read=4.0) if timeout is not None else None
        if isinstance(timeout, float):
            ours_timeout = tether.Timeout(timeout)
        ours = tether.Client(timeout=ours_timeout).build_request("GET", "http://x/")
        assert ours.extensions["timeout"] == theirs.extensions["timeout"]


def test_use_client_default_is_one_marker() -> None:
    import copy
    import pickle

    marker = tether.USE_CLIENT_DEFAULT
    assert repr(marker) == "USE_CLIENT_DEFAULT"
    assert copy.deepcopy(marker) is marker
    assert pickle.loads(pickle.dumps(marker)) is marker


# --- decoding --------------------------------------------------------------------------------


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd", "deflate"])
async def test_compressed_bodies_are_decoded(kit: Kit, coding: str) -> None:
    async with kit.client() as client:
        response = await client.get(f"/compressed/{coding}")
        async with client.stream("GET", f"/compressed/{coding}") as streamed:
            raw = b"".join(await kit.collect(streamed, "raw"))
    assert response.headers["Content-Encoding"] == coding
    assert response.content == TEXT
    assert response.text == TEXT.decode()
    assert raw != TEXT
    assert len(raw) < len(TEXT)


@pytest.mark.parametrize(
    "default_encoding", ["latin-1", lambda content: "latin-1" if b"\xe9" in content else "ascii"]
)
async def test_default_encoding(kit: Kit, default_encoding: str | Callable[[bytes], str]) -> None:
    async with kit.client(default_encoding=default_encoding) as client:
        response = await client.get("/latin1")
    assert response.encoding == "latin-1"
    assert response.text == "café"


async def test_without_default_encoding_utf8_replaces_bad_bytes(kit: Kit) -> None:
    async with kit.client() as client:
        response = await client.get("/latin1")
    assert response.encoding == "utf-8"
    assert response.text == "caf\ufffd"


async def test_elapsed_is_set(kit: Kit) -> None:
    async with kit.client() as client:
        response = await client.get("/echo")
        assert response.elapsed.total_seconds() >= 0
        async with client.stream("GET", "/chunks?n=2&size=3") as streamed:
            with pytest.raises(RuntimeError, match="elapsed"):
                _ = streamed.elapsed
            await kit.read(streamed)
            assert streamed.elapsed.total_seconds() >= 0


class FailingStream(tether.SyncByteStream, tether.AsyncByteStream):
    """A body that breaks after its first chunk, and records whether it was closed."""

    closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b"first"
        raise tether.ReadError("connection lost")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"first"
        raise tether.ReadError("connection lost")

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


async def test_a_body_that_fails_while_read_is_closed(kit: Kit) -> None:
    body = FailingStream()
    async with kit.mock(lambda request: tether.Response(200, stream=body)) as client:
        with pytest.raises(tether.ReadError, match="connection lost") as info:
            await client.get("/broken")
    assert body.closed
    assert info.value.request.url == tether.URL(f"{BASE}/broken")


async def test_a_failing_mock_handler_propagates_and_the_client_goes_on(kit: Kit) -> None:
    calls: list[str] = []

    def handler(request: tether.Request) -> tether.Response:
        calls.append(request.url.path)
        if request.url.path == "/fail":
            raise ConnectionResetError("handler failed")
        return tether.Response(200, text="fine")

    async with kit.mock(handler) as client:
        with pytest.raises(ConnectionResetError, match="handler failed"):
            await client.get("/fail")
        assert (await client.get("/ok")).text == "fine"
    assert calls == ["/fail", "/ok"]


# --- closing ---------------------------------------------------------------------------------


class Recording(tether.BaseTransport, tether.AsyncBaseTransport):
    """A transport that answers 200 and records when it is entered and closed."""

    def __init__(self, name: str = "t") -> None:
        self.name = name
        self.events: list[str] = []

    def handle_request(self, request: tether.Request) -> tether.Response:
        return tether.Response(200, text=self.name)

    async def handle_async_request(self, request: tether.Request) -> tether.Response:
        return tether.Response(200, text=self.name)

    def __enter__(self) -> Recording:
        self.events.append("enter")
        return self

    async def __aenter__(self) -> Recording:
        self.events.append("enter")
        return self

    def close(self) -> None:
        self.events.append("close")

    async def aclose(self) -> None:
        self.events.append("close")


async def test_context_manager_opens_and_closes_every_transport(kit: Kit) -> None:
    main, mounted = Recording("main"), Recording("mounted")
    client = kit.client(transport=main, mounts={"all://api.example": mounted, "all://x": None})
    assert not client.is_closed
    async with client:
        assert (await client.get("http://api.example/")).text == "mounted"
        assert (await client.get("http://other.example/")).text == "main"
        assert (await client.get("http://x/")).text == "main"
        assert not client.is_closed
    assert client.is_closed
    assert main.events == ["enter", "close"]
    assert mounted.events == ["enter", "close"]


async def test_close_closes_transports_once(kit: Kit) -> None:
    main, mounted = Recording(), Recording()
    client = kit.client(transport=main, mounts={"https://": mounted, "all://none": None})
    await client.get("http://x/")
    await client.close()
    await client.close()
    assert client.is_closed
    assert main.events == ["close"]
    assert mounted.events == ["close"]


async def test_a_closed_client_refuses_requests(kit: Kit) -> None:
    client = kit.client()
    async with client:
        await client.get("/echo")
    message = "Cannot send a request, as the client has been closed."
    with pytest.raises(RuntimeError, match=message):
        await client.get("/echo")
    with pytest.raises(RuntimeError, match=message):
        await client.send(tether.Request("GET", f"{BASE}/echo"))
    with pytest.raises(RuntimeError, match=message):
        async with client.stream("GET", "/echo"):
            pass  # pragma: no cover
    assert len(kit.seen.requests) == 1


async def test_a_client_cannot_be_reopened_or_opened_twice(kit: Kit) -> None:
    client = kit.client()
    async with client:
        with pytest.raises(RuntimeError, match="Cannot open a client instance more than once"):
            async with client:
                pass  # pragma: no cover
    with pytest.raises(RuntimeError, match="Cannot reopen a client instance, once it has been"):
        async with client:
            pass  # pragma: no cover
    closed = kit.client()
    await closed.close()
    with pytest.raises(RuntimeError, match="Cannot reopen"):
        async with closed:
            pass  # pragma: no cover


def test_closed_client_messages_match_httpx() -> None:
    for module in (httpx, tether):
        client: Any = module.Client()
        client.close()
        with pytest.raises(RuntimeError) as info:
            client.get("http://x/")
        assert str(info.value) == "Cannot send a request, as the client has been closed."
        with pytest.raises(RuntimeError) as info:
            client.__enter__()
        assert str(info.value) == "Cannot reopen a client instance, once it has been closed."


# --- mounts and the default transport ------------------------------------------------------


async def test_mount_patterns_route_to_their_transport(kit: Kit) -> None:
    http, https, api, port = (
        Recording("http"),
        Recording("https"),
        Recording("api"),
        Recording("8080"),
    )
    client = kit.client(
        transport=Recording("default"),
        mounts={
            "http://": http,
            "https://": https,
            "all://*.api.example": api,
            "all://x:8080": port,
        },
    )
    async with client:
        routed = {
            url: (await client.get(url)).text
            for url in (
                "http://a.example/",
                "https://a.example/",
                "https://v1.api.example/",
                "http://x:8080/",
            )
        }
    assert routed == {
        "http://a.example/": "http",
        "https://a.example/": "https",
        "https://v1.api.example/": "api",
        "http://x:8080/": "8080",
    }


async def test_without_transport_requests_go_over_the_network(kit: Kit) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now: the connection is refused
    raw = kit.raw_client()
    expected = tether.AsyncHTTPTransport if kit.is_async else tether.HTTPTransport
    assert type(raw._transport) is expected
    url = f"http://127.0.0.1:{port}/path?q=1"
    async with Driver(raw, kit.is_async) as client:
        with pytest.raises(tether.ConnectError, match=f"127.0.0.1:{port}") as info:
            await client.get(url)
    assert info.value.request.url == tether.URL(url)


# --- bad input -------------------------------------------------------------------------------


async def test_bad_urls_raise_invalid_url_naming_them(kit: Kit) -> None:
    async with kit.client() as client:
        with pytest.raises(tether.InvalidURL, match=r"\[bad"):
            await client.get("http://[bad/")
        with pytest.raises(tether.InvalidURL, match="'https:no-host'"):
            await client.get("https:no-host")
    assert kit.seen.requests == []


async def test_a_relative_url_without_base_url_is_refused(kit: Kit) -> None:
    async with kit.client(base_url="") as client:
        with pytest.raises(tether.UnsupportedProtocol, match="/echo"):
            await client.get("/echo")


async def test_bad_timeouts_are_refused_naming_the_value(kit: Kit) -> None:
    with pytest.raises(TypeError, match="'soon'"):
        kit.raw_client(timeout="soon")
    with pytest.raises(ValueError, match="-1"):
        kit.raw_client(timeout=-1)
    async with kit.client() as client:
        with pytest.raises(TypeError, match="'soon'"):
            await client.get("/echo", timeout="soon")
        with pytest.raises(TypeError, match="'soon'"):
            client.timeout = "soon"
    assert kit.seen.requests == []


async def test_bad_auth_types_are_refused_naming_the_type(kit: Kit) -> None:
    with pytest.raises(TypeError, match="got int"):
        kit.raw_client(auth=123)
    with pytest.raises(TypeError, match="tuple of 3 items"):
        kit.raw_client(auth=("a", "b", "c"))
    async with kit.client() as client:
        with pytest.raises(TypeError, match="got list"):
            await client.get("/echo", auth=["user", "secret"])
        with pytest.raises(TypeError, match="the class BasicAuth"):
            client.auth = tether.BasicAuth
    assert kit.seen.requests == []


async def test_bad_event_hooks_are_refused_naming_them(kit: Kit) -> None:
    with pytest.raises(ValueError, match=r"not \['requests'\]"):
        kit.raw_client(event_hooks={"requests": []})
    client = kit.raw_client()
    with pytest.raises(ValueError, match=r"not \['on_response'\]"):
        client.event_hooks = {"request": [], "on_response": []}
    with pytest.raises(
        TypeError, match=r"event_hooks\['request'\] holds 'print', which is not callable"
    ):
        kit.raw_client(event_hooks={"request": ["print"]})
    with pytest.raises(TypeError, match=r"'response'.*a list of callables"):
        kit.raw_client(event_hooks={"response": print})
    with pytest.raises(TypeError, match=r"event_hooks\['request'\] must be a list.*not int 5"):
        kit.raw_client(event_hooks={"request": 5})
    with pytest.raises(TypeError, match=r"event_hooks must be a dict.*not list"):
        kit.raw_client(event_hooks=[print])


async def test_bad_max_redirects_are_refused_naming_the_value(kit: Kit) -> None:
    with pytest.raises(TypeError, match="max_redirects must be an int, not '5'"):
        kit.raw_client(max_redirects="5")
    with pytest.raises(ValueError, match="max_redirects must be 0 or more, not -1"):
        kit.raw_client(max_redirects=-1)
    async with kit.client(max_redirects=0, follow_redirects=True) as client:
        with pytest.raises(TypeError, match="not True"):
            client.max_redirects = True
        assert (await client.get("/chain/0")).text == "done"
        with pytest.raises(tether.TooManyRedirects):
            await client.get("/chain/1")


async def test_bad_methods_are_refused_naming_them(kit: Kit) -> None:
    async with kit.client() as client:
        with pytest.raises(ValueError, match="'GET /x'"):
            await client.request("GET /x", "/echo")
    assert kit.seen.requests == []


async def test_unknown_keyword_arguments_raise_type_error_naming_them(kit: Kit) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'verfy'"):
        kit.raw_client(verfy=False)
    async with kit.client() as client:
        with pytest.raises(TypeError, match="unexpected keyword argument 'param'"):
            await client.get("/echo", param={"a": 1})
        with pytest.raises(TypeError, match="unexpected keyword argument 'jsn'"):
            await client.post("/echo", jsn={})
    assert kit.seen.requests == []
