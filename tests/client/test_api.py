"""The top-level functions: `tether.get`, `tether.post`, ..., `tether.request`, `tether.stream`.

They make a `Client` with the default transport, which stays offline until the network
transport becomes the default: every call fails at once with `UnsupportedProtocol` naming
the request.
To prove that they pass every argument on, some tests put an answering transport in the
offline transport's place.
"""

from __future__ import annotations

import inspect
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import httpx
import pytest

import tether
import tether._client
from tests._servers.uvicorn_server import UvicornServer

NO_BODY = ["get", "options", "head", "delete"]
WITH_BODY = ["post", "put", "patch"]
ALL = ["request", "stream", *NO_BODY, *WITH_BODY]


def call(name: str, url: str = "https://example.com/x", **kwargs: Any) -> tether.Response:
    """Call tether.<name>, reading the response of `stream` inside its block."""
    if name in NO_BODY:
        kwargs.pop("content", None)
    if name == "request":
        return tether.request("GET", url, **kwargs)
    if name == "stream":
        with tether.stream("GET", url, **kwargs) as response:
            response.read()
            return response
    function: Callable[..., tether.Response] = getattr(tether, name)
    return function(url, **kwargs)


def method_of(name: str) -> str:
    return "GET" if name in ("request", "stream") else name.upper()


# --- the default transport sends ----------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[UvicornServer]:
    with UvicornServer() as running:
        yield running


@pytest.mark.parametrize("name", ALL)
def test_the_functions_send_over_the_network(name: str, server: UvicornServer) -> None:
    response = call(name, server.url("/echo"), params={"q": "1"}, content=b"up")
    assert response.status_code == 200
    assert response.headers["x-echo-method"] == method_of(name)
    assert response.url == tether.URL(server.url("/echo?q=1"))


def test_the_functions_name_an_unreachable_server() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(tether.ConnectError, match=f"127.0.0.1:{port}") as info:
        tether.get(f"http://127.0.0.1:{port}/x")
    assert info.value.request.url == tether.URL(f"http://127.0.0.1:{port}/x")


# --- signatures ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_signatures_are_httpxs(name: str) -> None:
    ours = inspect.signature(getattr(tether, name)).parameters
    theirs = inspect.signature(getattr(httpx, name)).parameters

    def shape(parameters: Any) -> list[tuple[str, Any, str]]:
        return [(p.name, p.kind, repr(p.default)) for p in parameters.values()]

    # tether adds only **deprecated, for the old spellings.
    assert shape(ours)[:-1] == shape(theirs)
    assert list(ours)[-1] == "deprecated"
    assert ours["deprecated"].kind is inspect.Parameter.VAR_KEYWORD


# --- arguments reach the request (an answering transport in the network one's place) ------


class Answering(tether.BaseTransport):
    """Stands in for the network transport: answers, and keeps what it was made with."""

    made: ClassVar[list[Answering]] = []

    def __init__(self, **settings: Any) -> None:
        self.settings = settings
        self.closed = False
        Answering.made.append(self)

    def handle_request(self, request: tether.Request) -> tether.Response:
        if request.url.path == "/moved":
            return tether.Response(302, headers={"Location": "/x"})
        sent = {
            "method": request.method,
            "url": str(request.url),
            "headers": dict(request.headers),
            "body": request.read().decode(),
            "timeout": request.extensions["timeout"],
        }
        return tether.Response(200, stream=tether.ByteStream(json.dumps(sent).encode()))

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def answering(monkeypatch: pytest.MonkeyPatch) -> type[Answering]:
    Answering.made = []
    monkeypatch.setattr(tether._client, "HTTPTransport", Answering)
    return Answering


@pytest.mark.parametrize("name", ALL)
def test_arguments_reach_the_request(name: str, answering: type[Answering]) -> None:
    response = call(
        name,
        "https://example.com/x",
        params={"q": "1"},
        headers={"X-H": "h"},
        cookies={"c": "1"},
        auth=("user", "pass"),
        timeout=3.0,
    )
    sent = response.json()
    assert sent["method"] == method_of(name)
    assert sent["url"] == "https://example.com/x?q=1"
    assert sent["headers"]["x-h"] == "h"
    assert sent["headers"]["cookie"] == "c=1"
    assert sent["headers"]["authorization"] == "Basic dXNlcjpwYXNz"
    assert sent["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 3.0)
    (transport,) = answering.made
    assert transport.closed


@pytest.mark.parametrize("name", ["request", "stream", *WITH_BODY])
def test_bodies_reach_the_request(name: str, answering: type[Answering]) -> None:
    assert call(name, content=b"raw").json()["body"] == "raw"
    assert call(name, json={"a": 1}).json()["body"] == '{"a":1}'
    assert call(name, data={"k": "v"}).json()["body"] == "k=v"
    assert "filename" in call(name, files={"f": b"x"}).json()["body"]


@pytest.mark.parametrize("name", ALL)
def test_follow_redirects(name: str, answering: type[Answering]) -> None:
    assert call(name, "https://example.com/moved").status_code == 302
    followed = call(name, "https://example.com/moved", follow_redirects=True)
    assert followed.json()["url"] == "https://example.com/x"


def test_network_settings_reach_the_transport(answering: type[Answering]) -> None:
    tether.get("https://example.com/x", proxy="http://proxy:8080", verify=False, trust_env=False)
    direct, proxied = answering.made
    assert "proxy" not in direct.settings
    assert proxied.settings["proxy"].url == tether.URL("http://proxy:8080")
    for transport in (direct, proxied):
        assert transport.settings["verify"] is False
        assert transport.settings["trust_env"] is False
        assert transport.closed


def test_stream_yields_the_response_unread_and_closes_it(answering: type[Answering]) -> None:
    with tether.stream("POST", "https://example.com/x", content=b"up") as response:
        assert not response.is_stream_consumed
        assert json.loads(b"".join(response.iter_bytes(4)))["body"] == "up"
    assert response.is_closed
    assert answering.made[0].closed


# --- old spellings and unknown arguments --------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_allow_redirects_still_works_with_a_warning(name: str, answering: type[Answering]) -> None:
    with pytest.warns(DeprecationWarning, match="allow_redirects= is deprecated") as caught:
        response = call(name, "https://example.com/moved", allow_redirects=True)
    assert len(caught) == 1
    assert response.status_code == 200


def test_cert_and_proxies_still_work_with_a_warning(answering: type[Answering]) -> None:
    with pytest.warns(DeprecationWarning, match=r"^cert= is deprecated since httpx 0.28; use"):
        tether.get("https://example.com/x", cert="client.pem")
    with pytest.warns(DeprecationWarning, match=r"^proxies= is deprecated since httpx 0.26; use"):
        tether.post("https://example.com/x", proxies="http://proxy:8080")
    with pytest.warns(DeprecationWarning, match=r"^verify=<path> is deprecated since httpx 0.28"):
        tether.request("GET", "https://example.com/x", verify="/etc/ca.pem")
    cert, direct, proxied, verify = answering.made
    assert cert.settings["cert"] == "client.pem"
    assert "proxy" not in direct.settings
    assert proxied.settings["proxy"].url == tether.URL("http://proxy:8080")
    assert verify.settings["verify"] == "/etc/ca.pem"


@pytest.mark.parametrize("name", ALL)
def test_unknown_arguments_raise_type_error_naming_them(name: str) -> None:
    message = f"^{name}\\(\\) got an unexpected keyword argument 'tmeout'$"
    with pytest.raises(TypeError, match=message):
        call(name, tmeout=1)


def test_allow_redirects_and_follow_redirects_together_are_refused() -> None:
    with (
        pytest.warns(DeprecationWarning, match="allow_redirects="),
        pytest.raises(ValueError, match="cannot be used together"),
    ):
        tether.get("https://example.com/", allow_redirects=True, follow_redirects=True)
