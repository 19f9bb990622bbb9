"""Authentication through the client, end to end against the apps' own checks."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import tether
import tether_auth

from ._apps import PASSWORD, USER, digest_params
from ._kit import BASE, Kit, TrackedStream, kit_fixtures

kit, anyio_backend = kit_fixtures()
pytestmark = pytest.mark.anyio


# --- Basic ---------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", [(USER, PASSWORD), tether.BasicAuth(USER, PASSWORD)])
async def test_basic_auth_as_a_tuple_or_an_instance(kit: Kit, auth: Any) -> None:
    async with kit.client(auth=auth) as client:
        assert (await client.get("/basic")).json() == {"user": USER}
    async with kit.client() as client:
        assert (await client.get("/basic", auth=auth)).status_code == 200
        assert (await client.get("/basic")).status_code == 401


async def test_credentials_in_the_url(kit: Kit) -> None:
    async with kit.client(base_url="") as client:
        response = await client.get(f"http://{USER}:{PASSWORD}@testserver/basic")
        wrong = await client.get(f"http://{USER}:nope@testserver/basic")
    assert response.status_code == 200
    assert wrong.status_code == 401
    assert kit.seen.requests[0]["header"]["host"] == "testserver"


async def test_request_auth_overrides_the_clients(kit: Kit) -> None:
    async with kit.client(auth=(USER, "wrong")) as client:
        assert (await client.get("/basic")).status_code == 401
        assert (await client.get("/basic", auth=(USER, PASSWORD))).status_code == 200
        assert (await client.get("/basic", auth=tether.USE_CLIENT_DEFAULT)).status_code == 401
        none = await client.get("/echo", auth=None)
    assert "authorization" not in none.json()["header"]


async def test_explicit_auth_wins_over_url_credentials(kit: Kit) -> None:
    async with kit.client(base_url="", auth=(USER, PASSWORD)) as client:
        response = await client.get("http://someone:else@testserver/basic")
    assert response.status_code == 200


# --- function auth ------------------------------------------------------------------------


def sign(request: tether.Request) -> tether.Request:
    request.headers["X-Signed"] = request.method + " " + request.url.path
    return request


@pytest.mark.parametrize("auth", [sign, tether.FunctionAuth(sign)])  # type: ignore[arg-type]
async def test_a_callable_or_function_auth(kit: Kit, auth: Any) -> None:
    async with kit.client() as client:
        await client.post("/echo", auth=auth)
    assert kit.seen.last["header"]["x-signed"] == "POST /echo"


# --- Digest --------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
async def test_digest_auth_answers_the_apps_challenge(kit: Kit, algorithm: str) -> None:
    auth = tether.DigestAuth(USER, PASSWORD)
    async with kit.client(auth=auth) as client:
        response = await client.get(f"/digest/{algorithm}", params={"q": "1"})
        second = await client.post(f"/digest/{algorithm}", content=b"body")
    assert response.status_code == 200
    assert response.json() == {"authenticated": True}
    assert [r.status_code for r in response.history] == [401]
    assert response.history[0].is_closed
    first_try, answer, preauthenticated = kit.seen.requests
    assert "authorization" not in first_try["header"]
    assert digest_params(answer["header"]["authorization"])["nc"] == "00000001"
    # The next request to the host is signed at once, with the next nonce count.
    assert second.status_code == 200
    assert second.history == []
    assert digest_params(preauthenticated["header"]["authorization"])["nc"] == "00000002"


async def test_digest_auth_with_the_wrong_password_ends_at_401(kit: Kit) -> None:
    async with kit.client(auth=tether.DigestAuth(USER, "wrong")) as client:
        response = await client.get("/digest/MD5")
    assert response.status_code == 401
    assert len(kit.seen.requests) == 2


async def test_digest_auth_resends_a_streamed_body(kit: Kit) -> None:
    def sync_body() -> Iterator[bytes]:
        yield b"part one, "
        yield b"part two"

    async def async_body() -> AsyncIterator[bytes]:
        yield b"part one, "
        yield b"part two"

    body: Any = async_body() if kit.is_async else sync_body()
    async with kit.client(auth=tether.DigestAuth(USER, PASSWORD)) as client:
        response = await client.put("/digest/MD5", content=body)
    assert response.status_code == 200
    assert [r["body"] for r in kit.seen.requests] == ["part one, part two"] * 2


async def test_a_malformed_challenge_is_a_protocol_error(kit: Kit) -> None:
    async with kit.client(auth=tether.DigestAuth(USER, PASSWORD)) as client:
        with pytest.raises(tether.ProtocolError, match="nonce") as info:
            await client.get("/digest-malformed")
    assert info.value.request.url == tether.URL(f"{BASE}/digest-malformed")
    assert isinstance(info.value.__cause__, tether_auth.ChallengeError)
    assert "Digest" in str(info.value)


async def test_a_malformed_challenge_closes_its_response(kit: Kit) -> None:
    body = TrackedStream()

    def handler(request: tether.Request) -> tether.Response:
        headers = {"WWW-Authenticate": 'Digest realm="r", nonce="n", algorithm=NOPE'}
        return tether.Response(401, headers=headers, stream=body)

    async with kit.mock(handler) as client:
        with pytest.raises(tether.ProtocolError, match="NOPE"):
            await client.get("/", auth=tether.DigestAuth(USER, PASSWORD))
    assert body.closed


async def test_a_cookie_set_by_the_challenge_is_sent_with_the_answer(kit: Kit) -> None:
    async with kit.client(auth=tether.DigestAuth(USER, PASSWORD), cookies={"mine": "1"}) as client:
        response = await client.get("/digest/MD5", params={"cookie": "1"})
    assert response.status_code == 200
    challenge, answer = kit.seen.requests
    assert challenge["cookies"] == {"mine": "1"}
    assert answer["cookies"] == {"mine": "1", "challenge": "issued"}


def test_httpx_loses_the_challenge_cookie_when_the_client_has_cookies() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("Cookie", ""))
        if "Authorization" not in request.headers:
            challenge = 'Digest realm="r", nonce="n", qop="auth"'
            headers = [("WWW-Authenticate", challenge), ("Set-Cookie", "challenge=issued")]
            return httpx.Response(401, headers=headers)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler), cookies={"mine": "1"})
    client.get("http://x/", auth=httpx.DigestAuth("u", "p"))
    assert sent == ["mine=1", "mine=1"]  # tether sends "mine=1; challenge=issued"


async def test_an_explicit_cookie_header_is_kept_on_the_auth_retry(kit: Kit) -> None:
    async with kit.client(auth=tether.DigestAuth(USER, PASSWORD)) as client:
        await client.get("/digest/MD5", params={"cookie": "1"}, headers={"Cookie": "given=1"})
    assert [r["cookies"] for r in kit.seen.requests] == [{"given": "1"}] * 2


# --- custom Auth classes ---------------------------------------------------------------------


class BodySignature(tether.Auth):
    """Signs the body, which it needs in memory: requires_request_body."""

    requires_request_body = True

    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        digest = hmac.new(b"key", request.content, hashlib.sha256).hexdigest()
        request.headers["X-Body-Signature"] = digest
        yield request


async def test_requires_request_body_reads_a_streamed_body_first(kit: Kit) -> None:
    def sync_body() -> Iterator[bytes]:
        yield b"streamed "
        yield b"body"

    async def async_body() -> AsyncIterator[bytes]:
        yield b"streamed "
        yield b"body"

    body: Any = async_body() if kit.is_async else sync_body()
    async with kit.client(auth=BodySignature()) as client:
        await client.post("/echo", content=body)
    expected = hmac.new(b"key", b"streamed body", hashlib.sha256).hexdigest()
    assert kit.seen.last["header"]["x-body-signature"] == expected
    assert kit.seen.last["body"] == "streamed body"


class TokenFromBody(tether.Auth):
    """Reads the token from the 401's body: requires_response_body."""

    requires_response_body = True

    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        response = yield request
        if response.status_code == 401:
            request.headers["X-Token"] = response.json()["token"]
            yield request


def token_server(request: tether.Request) -> tether.Response:
    if request.headers.get("X-Token") == "t0k3n":
        return tether.Response(200, text="welcome")
    return tether.Response(401, json={"token": "t0k3n"})


async def test_requires_response_body_reads_the_challenge(kit: Kit) -> None:
    async with kit.mock(token_server) as client:
        response = await client.get("/", auth=TokenFromBody())
        async with client.stream("GET", "/", auth=TokenFromBody()) as streamed:
            assert streamed.history[0].json() == {"token": "t0k3n"}
            assert b"".join(await kit.collect(streamed)) == b"welcome"
    assert response.text == "welcome"
    assert response.history[0].json() == {"token": "t0k3n"}


class Failing(tether.Auth):
    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        yield request
        raise RuntimeError("the auth flow broke")


async def test_an_auth_flow_error_propagates_and_closes_the_response(kit: Kit) -> None:
    body = TrackedStream()
    async with kit.mock(lambda request: tether.Response(401, stream=body)) as client:
        with pytest.raises(RuntimeError, match="the auth flow broke"):
            await client.get("/", auth=Failing())
    assert body.closed


class Empty(tether.Auth):
    """An auth_flow that returns without yielding: a bug in the flow, reported as such."""

    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        return
        yield  # pragma: no cover


class RefusesAtOnce(tether.Auth):
    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        if request.method:
            raise tether_auth.ChallengeError("the cached challenge is unusable")
        yield request  # pragma: no cover


async def test_auth_flow_errors_before_the_first_request(kit: Kit) -> None:
    async with kit.mock(token_server) as client:
        with pytest.raises(tether_auth.AuthError, match=r"Empty.auth_flow\(\) ended without"):
            await client.get("/", auth=Empty())
        with pytest.raises(tether.ProtocolError, match="the cached challenge is unusable"):
            await client.get("/", auth=RefusesAtOnce())


class Silent(tether.Auth):
    """A flow that overrides the drivers and yields nothing at all."""

    def sync_auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        return
        yield  # pragma: no cover

    async def async_auth_flow(self, request: Any) -> AsyncGenerator[Any, Any]:
        return
        yield  # pragma: no cover


class YieldsNotARequest(tether.Auth):
    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        yield "GET /"


async def test_broken_auth_flows_are_reported(kit: Kit) -> None:
    async with kit.mock(token_server) as client:
        with pytest.raises(RuntimeError, match="the auth flow yielded no request for <Request"):
            await client.get("/", auth=Silent())
        with pytest.raises(TypeError, match="must yield tether Requests, not str"):
            await client.get("/", auth=YieldsNotARequest())


class TwoSteps(tether.Auth):
    """A second request that yields something wrong, then a flow that raises AuthError."""

    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        yield request
        yield 42


async def test_a_wrong_second_yield_closes_the_first_response(kit: Kit) -> None:
    body = TrackedStream()
    async with kit.mock(lambda request: tether.Response(401, stream=body)) as client:
        with pytest.raises(TypeError, match="not int"):
            await client.get("/", auth=TwoSteps())
    assert body.closed


async def test_a_hand_built_request_keeps_its_cookie_and_gains_the_challenges(kit: Kit) -> None:
    async with kit.client(auth=tether.DigestAuth(USER, PASSWORD)) as client:
        request = tether.Request(
            "GET", f"{BASE}/digest/MD5?cookie=1", headers={"Cookie": "given=1;"}
        )
        response = await client.send(request)
    assert response.status_code == 200
    assert [r["cookies"] for r in kit.seen.requests] == [
        {"given": "1"},
        {"given": "1", "challenge": "issued"},
    ]


class FreshRetry(tether.Auth):
    """Answers a 401 with a new Request object rather than the one it was given."""

    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        response = yield request
        if response.status_code == 401:
            retry = tether.Request(
                request.method, request.url.copy_with(path="/redirect/302"), headers=request.headers
            )
            retry.url = retry.url.copy_merge_params({"to": "/echo"})
            retry.headers["Authorization"] = "Token yes"
            yield retry


async def test_a_new_retry_request_keeps_the_request_cookies_across_redirects(kit: Kit) -> None:
    async with kit.client(follow_redirects=True) as client:
        response = await client.get("/basic", cookies={"mine": "1"}, auth=FreshRetry())
    assert response.json()["cookies"] == {"mine": "1"}
    assert response.json()["header"]["authorization"] == "Token yes"
    assert [r["cookies"] for r in kit.seen.requests] == [{"mine": "1"}] * 3


async def test_netrc_auth(kit: Kit, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine testserver login {USER} password {PASSWORD}\n")
    async with kit.client(auth=tether.NetRCAuth(str(netrc))) as client:
        assert (await client.get("/basic")).status_code == 200
        assert "authorization" not in (await client.get("http://other/echo")).json()["header"]
