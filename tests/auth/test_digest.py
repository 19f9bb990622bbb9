"""`DigestAuth`: RFC vectors, answers computed from the RFC formulas, httpx as the oracle,
and the flow: retries, stale nonces, pre-authentication and nonce counting."""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import re
import threading
import time
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_auth import ChallengeError, CredentialsError, DigestAuth, RequestLike

from ._fakes import (
    FakeRequest,
    FakeResponse,
    FakeURL,
    authorization_params,
    challenge_response,
    expected_response,
    unquote,
)

MUFASA_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
MUFASA_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
MUFASA_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


def _rfc7616_challenge(algorithm: str) -> str:
    return (
        f'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, '
        f'nonce="{MUFASA_NONCE}", opaque="{MUFASA_OPAQUE}"'
    )


def fixed(cnonce: str) -> Any:
    return lambda: cnonce


def answer(auth: DigestAuth, header: str, request: FakeRequest | None = None) -> str:
    """Run one flow to the point where it answers `header`; return its Authorization."""
    request = request or FakeRequest()
    flow = auth.sync_auth_flow(request)
    next(flow)
    sent: FakeRequest = flow.send(challenge_response(header, request))
    flow.close()
    return sent.headers["Authorization"]


# -- the RFC examples ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
    ],
)
def test_rfc7616_section_3_9_1(algorithm: str, response: str) -> None:
    auth = DigestAuth("Mufasa", "Circle of Life", cnonce_factory=fixed(MUFASA_CNONCE))
    request = FakeRequest(url=FakeURL("www.example.org", b"/dir/index.html"))
    params = authorization_params(answer(auth, _rfc7616_challenge(algorithm), request))
    assert params == {
        "username": '"Mufasa"',
        "realm": '"http-auth@example.org"',
        "nonce": f'"{MUFASA_NONCE}"',
        "uri": '"/dir/index.html"',
        "response": f'"{response}"',
        "algorithm": algorithm,
        "opaque": f'"{MUFASA_OPAQUE}"',
        "qop": "auth",
        "nc": "00000001",
        "cnonce": f'"{MUFASA_CNONCE}"',
    }


def test_rfc7616_section_3_9_1_both_challenges_take_the_first() -> None:
    # The RFC's server sends SHA-256 then MD5, in two fields, in order of preference.
    request = httpx.Request("GET", "http://www.example.org/dir/index.html")
    response = httpx.Response(
        401,
        headers=[
            ("WWW-Authenticate", _rfc7616_challenge("SHA-256")),
            ("WWW-Authenticate", _rfc7616_challenge("MD5")),
        ],
        request=request,
    )
    auth = DigestAuth("Mufasa", "Circle of Life", cnonce_factory=fixed(MUFASA_CNONCE))
    flow = auth.sync_auth_flow(request)
    next(flow)
    params = authorization_params(flow.send(response).headers["Authorization"])
    assert params["algorithm"] == "SHA-256"
    assert params["response"] == (
        '"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"'
    )


JASON_CHALLENGE = (
    'Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, '
    'nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", '
    'opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash={}'
)
# RFC 7616 section 3.9.2 prints a username hash and response that no implementation of
# SHA-512/256 produces from its inputs; erratum 4897 gives these, which hashlib agrees with.
JASON_USERHASH = "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
JASON_RESPONSE = "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"


def _jason(userhash: str) -> dict[str, str]:
    auth = DigestAuth(
        "J\u00e4s\u00f8n Doe",
        "Secret, or not?",
        cnonce_factory=fixed("NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v"),
    )
    request = FakeRequest(url=FakeURL("api.example.org", b"/doe.json"))
    return authorization_params(answer(auth, JASON_CHALLENGE.format(userhash), request))


def test_rfc7616_section_3_9_2_userhash() -> None:
    params = _jason("true")
    assert params["username"] == f'"{JASON_USERHASH}"'
    assert params["userhash"] == "true"
    assert params["response"] == f'"{JASON_RESPONSE}"'
    assert params["algorithm"] == "SHA-512-256"
    assert params["opaque"] == '"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS"'


def test_rfc7616_section_3_9_2_without_userhash() -> None:
    # The RFC shows username*; it says username* "can be used" for names a quoted-string
    # cannot carry. UTF-8 can be carried, and httpx (and most servers) use username.
    params = _jason("false")
    assert params["username"] == '"J\u00e4s\u00f8n Doe"'
    assert "username*" not in params
    assert "userhash" not in params
    assert params["response"] == f'"{JASON_RESPONSE}"'


def test_userhash_is_computed_as_rfc7616_section_3_4_4_says() -> None:
    username = "J\u00e4s\u00f8n Doe:api@example.org".encode()
    assert hashlib.new("sha512_256", username).hexdigest() == JASON_USERHASH


def test_rfc2617_section_3_5() -> None:
    auth = DigestAuth("Mufasa", "Circle Of Life", cnonce_factory=fixed("0a4f113b"))
    challenge = (
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    request = FakeRequest(url=FakeURL("www.nowhere.org", b"/dir/index.html"))
    params = authorization_params(answer(auth, challenge, request))
    assert params["response"] == '"6629fae49393a05397450978507c4ef1"'
    assert params["nc"] == "00000001"
    assert params["cnonce"] == '"0a4f113b"'
    assert params["qop"] == "auth"
    assert params["algorithm"] == "MD5"  # the default, stated as httpx does
    assert params["opaque"] == '"5ccc069c403ebaf9f0171e9517f40e41"'


# -- every algorithm and qop against the RFC formulas -----------------------------------

ALGORITHMS = ["MD5", "SHA", "SHA-256", "SHA-512", "SHA-512-256"]


@pytest.mark.parametrize("session", [False, True], ids=["plain", "sess"])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("qop", ["auth", "auth-int", None])
def test_every_algorithm_and_qop(algorithm: str, session: bool, qop: str | None) -> None:
    name = algorithm + ("-sess" if session else "")
    header = f'Digest realm="r@h", nonce="n0nce", algorithm={name}'
    if qop is not None:
        header += f', qop="{qop}"'
    auth = DigestAuth("user", "pässword", cnonce_factory=fixed("c1"))
    request = FakeRequest("POST", FakeURL("h", b"/p?q=1"), body=b'{"a": 1}')
    params = authorization_params(answer(auth, header, request))
    expected = expected_response(
        algorithm=name,
        username="user",
        realm="r@h",
        password="pässword",
        method="POST",
        uri="/p?q=1",
        nonce="n0nce",
        cnonce="c1",
        qop=qop,
        body=b'{"a": 1}',
    )
    assert unquote(params["response"]) == expected
    assert params["algorithm"] == name
    if qop is None:
        assert "qop" not in params
        assert "nc" not in params
        # -sess mixes the cnonce into H(A1): the server needs it to check the answer.
        assert ("cnonce" in params) == session
    else:
        assert params["qop"] == qop
        assert params["nc"] == "00000001"
        assert params["cnonce"] == '"c1"'


def test_auth_int_hashes_the_body_the_driver_read() -> None:
    header = 'Digest realm="r", nonce="n", qop="auth-int"'
    request = FakeRequest("PUT", body=b"first")
    flow = DigestAuth("u", "p", cnonce_factory=fixed("c")).sync_auth_flow(request)
    next(flow)
    assert request.reads == ["read"]
    sent = flow.send(challenge_response(header, request))
    expected = expected_response(
        algorithm="MD5",
        username="u",
        realm="r",
        password="p",
        method="PUT",
        uri="/",
        nonce="n",
        cnonce="c",
        qop="auth-int",
        body=b"first",
    )
    assert unquote(authorization_params(sent.headers["Authorization"])["response"]) == expected


def test_auth_int_through_the_async_driver_with_httpx_objects() -> None:
    header = 'Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256'

    async def drive() -> str:
        request = httpx.Request("POST", "https://h/up", content=b"payload")
        flow = DigestAuth("u", "p", cnonce_factory=fixed("c")).async_auth_flow(request)
        await flow.__anext__()
        response = httpx.Response(401, headers={"WWW-Authenticate": header}, request=request)
        sent = await flow.asend(response)
        await flow.aclose()
        return str(sent.headers["Authorization"])

    expected = expected_response(
        algorithm="SHA-256",
        username="u",
        realm="r",
        password="p",
        method="POST",
        uri="/up",
        nonce="n",
        cnonce="c",
        qop="auth-int",
        body=b"payload",
    )
    assert unquote(authorization_params(asyncio.run(drive()))["response"]) == expected


# -- httpx as the oracle ---------------------------------------------------------------


def _both(header: str, method: str = "GET", url: str = "https://example.org/a/b?c=d") -> Any:
    """The Authorization headers tether and httpx send for `header`, same cnonce."""
    results = []
    for auth in (DigestAuth("user", "pass", cnonce_factory=fixed("abc123")), _httpx_digest()):
        request = httpx.Request(method, url)
        flow = auth.sync_auth_flow(request)
        next(flow)
        response = httpx.Response(401, headers={"WWW-Authenticate": header}, request=request)
        results.append(authorization_params(flow.send(response).headers["Authorization"]))
    return results


def _httpx_digest() -> httpx.DigestAuth:
    auth = httpx.DigestAuth("user", "pass")
    auth._get_client_nonce = lambda nonce_count, nonce: b"abc123"  # type: ignore[method-assign]
    return auth


ORACLE_CHALLENGES = [
    'Digest realm="r", nonce="n", qop="auth"',
    'Digest realm="me@example.org", nonce="abc", qop="auth", opaque="xyz"',
    'Digest realm="r", nonce="n", qop="auth,auth-int", algorithm=SHA-256',
    'Digest realm="r", nonce="n", qop="auth-int, auth", algorithm=SHA-512',
    'Digest realm="r", nonce="n", qop="auth", algorithm=SHA',
    'Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess',
    'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256-sess, opaque="o"',
    'Digest realm="r", nonce="n", qop="auth", algorithm=sha-256',  # echoed as spelled
    'Digest realm="r", nonce="n"',  # RFC 2069: no qop
    'Digest realm="r", nonce="n", algorithm=SHA-256',
    "Digest realm=r, nonce=n, qop=auth",  # unquoted tokens
    'Digest   realm="r",nonce="n" ,  qop="auth"',  # odd spacing
    'digest realm="r", nonce="n", qop="auth"',  # scheme case
    'Digest realm="r", nonce="n", qop="auth", stale=true',
    'Digest realm="r", nonce="n", qop="auth", domain="/a /b", charset=UTF-8',
]


@pytest.mark.parametrize("header", ORACLE_CHALLENGES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_matches_httpx(header: str, method: str) -> None:
    ours, theirs = _both(header, method)
    assert ours == theirs


@settings(max_examples=200, deadline=None)
@given(
    realm=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters='"\\,')),
    nonce=st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"\\,'),
        min_size=1,
    ),
    opaque=st.none()
    | st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"\\,'),
        min_size=1,
    ),
    algorithm=st.sampled_from(["MD5", "SHA", "SHA-256", "SHA-512", "md5-sess", "Sha-256-Sess"]),
    qop=st.sampled_from(["auth", "auth,auth-int", "auth-int,auth"]),
    path=st.text(st.sampled_from("abc/%20?=&;~-"), max_size=20),
)
def test_matches_httpx_on_generated_challenges(
    realm: str, nonce: str, opaque: str | None, algorithm: str, qop: str, path: str
) -> None:
    header = f'Digest realm="{realm}", nonce="{nonce}", algorithm={algorithm}, qop="{qop}"'
    if opaque is not None:
        header += f', opaque="{opaque}"'
    ours, theirs = _both(header, url=f"https://example.org/{path}")
    assert ours == theirs


@pytest.mark.parametrize(
    ("username", "password"),
    [("J\u00e4s\u00f8n Doe", "Secret, or not?"), ("\u7528\u6237", "\u5bc6\u7801"), (b"u", b"p")],
)
def test_matches_httpx_with_non_ascii_credentials(
    username: str | bytes, password: str | bytes
) -> None:
    header = 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256'
    sent = []
    for auth in (
        DigestAuth(username, password, cnonce_factory=fixed("abc123")),
        httpx.DigestAuth(username, password),
    ):
        if isinstance(auth, httpx.DigestAuth):
            auth._get_client_nonce = lambda nonce_count, nonce: b"abc123"  # type: ignore[method-assign]
        request = httpx.Request("GET", "https://example.org/")
        flow = auth.sync_auth_flow(request)
        next(flow)
        response = httpx.Response(401, headers={"WWW-Authenticate": header}, request=request)
        assert flow.send(response) is request
        sent.append(request.headers.raw)
    assert sent[0] == sent[1]


def test_nonce_counting_matches_httpx() -> None:
    header = 'Digest realm="r", nonce="n", qop="auth"'
    transcripts = []
    for auth in (DigestAuth("user", "pass", cnonce_factory=fixed("abc123")), _httpx_digest()):
        sent = []
        for path in ("/1", "/2", "/3"):
            request = httpx.Request("GET", f"https://example.org{path}")
            flow = auth.sync_auth_flow(request)
            first = next(flow)
            if "Authorization" not in first.headers:
                response = httpx.Response(
                    401, headers={"WWW-Authenticate": header}, request=request
                )
                first = flow.send(response)
            sent.append(authorization_params(first.headers["Authorization"]))
            with pytest.raises(StopIteration):
                flow.send(httpx.Response(200, request=request))
        transcripts.append(sent)
    assert transcripts[0] == transcripts[1]
    assert [params["nc"] for params in transcripts[0]] == ["00000001", "00000002", "00000003"]


# -- the flow --------------------------------------------------------------------------

CHALLENGE = 'Digest realm="r", nonce="n1", qop="auth"'


class Server:
    """Plays a script of responses to a flow; records what was sent."""

    def __init__(self, auth: DigestAuth, *responses: FakeResponse) -> None:
        self.auth = auth
        self.responses = list(responses)
        self.sent: list[str | None] = []

    def request(self, request: FakeRequest | None = None) -> FakeResponse:
        """Run one flow to its end; return the response the client would return."""
        request = request or FakeRequest()
        flow = self.auth.sync_auth_flow(request)
        current: RequestLike = next(flow)
        while True:
            self.sent.append(current.headers.get("Authorization"))
            response = self.responses.pop(0)
            try:
                current = flow.send(response)
            except StopIteration:
                return response

    def nc(self) -> list[str | None]:
        return [
            None if header is None else authorization_params(header).get("nc")
            for header in self.sent
        ]


def _digest(*responses: FakeResponse) -> Server:
    return Server(DigestAuth("u", "p"), *responses)


@pytest.mark.parametrize("status", [200, 403, 404, 500])
def test_a_response_other_than_401_ends_the_flow(status: int) -> None:
    server = _digest(FakeResponse(status, {"WWW-Authenticate": CHALLENGE}))
    assert server.request().status_code == status
    assert server.sent == [None]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Content-Length": "0"},
        {"WWW-Authenticate": 'Basic realm="r"'},
        {"WWW-Authenticate": "Negotiate, Bearer"},
    ],
)
def test_a_401_without_a_digest_challenge_is_returned(headers: dict[str, str]) -> None:
    server = _digest(FakeResponse(401, headers))
    assert server.request().status_code == 401
    assert server.sent == [None]


def test_a_challenge_is_answered_once() -> None:
    server = _digest(challenge_response(CHALLENGE), FakeResponse(200))
    assert server.request().status_code == 200
    assert server.sent[0] is None
    assert server.sent[1] is not None
    assert server.nc() == [None, "00000001"]


def test_a_refused_answer_returns_the_401() -> None:
    refused = challenge_response(CHALLENGE)
    server = _digest(challenge_response(CHALLENGE), refused)
    assert server.request() is refused
    assert len(server.sent) == 2


def test_a_stale_nonce_is_retried_once() -> None:
    stale = 'Digest realm="r", nonce="n2", qop="auth", stale=TRUE'
    still_stale = challenge_response('Digest realm="r", nonce="n3", qop="auth", stale=true')
    server = _digest(challenge_response(CHALLENGE), challenge_response(stale), still_stale)
    assert server.request() is still_stale
    assert len(server.sent) == 3
    nonces = [authorization_params(h)["nonce"] for h in server.sent[1:] if h is not None]
    assert nonces == ['"n1"', '"n2"']
    assert server.nc() == [None, "00000001", "00000001"]


def test_stale_false_is_not_retried() -> None:
    refused = challenge_response('Digest realm="r", nonce="n2", qop="auth", stale=false')
    server = _digest(challenge_response(CHALLENGE), refused)
    assert server.request() is refused
    assert len(server.sent) == 2


def test_later_requests_are_pre_authenticated_and_counted() -> None:
    server = _digest(challenge_response(CHALLENGE), *[FakeResponse(200)] * 16)
    for _ in range(16):
        server.request()
    assert server.sent[0] is None
    assert server.nc()[1:] == [f"{n:08x}" for n in range(1, 17)]
    assert server.nc()[-2:] == ["0000000f", "00000010"]  # lower-case hex


def test_a_new_nonce_restarts_the_count() -> None:
    fresh = 'Digest realm="r", nonce="n2", qop="auth", stale=true'
    server = _digest(
        challenge_response(CHALLENGE),
        FakeResponse(200),
        FakeResponse(200),
        challenge_response(fresh),  # the pre-authenticated request is refused
        FakeResponse(200),
    )
    server.request()
    server.request()
    server.request()
    assert server.nc() == [None, "00000001", "00000002", "00000003", "00000001"]


def test_the_same_nonce_again_keeps_counting() -> None:
    # A 401 to a pre-authenticated request with the nonce already in use: the server has
    # seen counts 1 and 2, so 1 again would look like a replay.
    server = _digest(
        challenge_response(CHALLENGE),
        FakeResponse(200),
        challenge_response(CHALLENGE),
        FakeResponse(200),
    )
    server.request()
    server.request()
    assert server.nc() == [None, "00000001", "00000002", "00000003"]


def test_a_refused_pre_authentication_is_answered_then_stale_once_more() -> None:
    stale = challenge_response('Digest realm="r", nonce="n3", qop="auth", stale=true')
    server = _digest(
        challenge_response(CHALLENGE),
        FakeResponse(200),
        challenge_response('Digest realm="r", nonce="n2", qop="auth"'),
        stale,
        FakeResponse(200),
    )
    server.request()
    assert server.request().status_code == 200
    nonces = [None if h is None else authorization_params(h)["nonce"] for h in server.sent]
    assert nonces == [None, '"n1"', '"n1"', '"n2"', '"n3"']


def test_pre_authentication_stays_with_the_host_that_challenged() -> None:
    server = _digest(challenge_response(CHALLENGE), FakeResponse(200), FakeResponse(200))
    server.request(FakeRequest(url=FakeURL("a.example")))
    server.request(FakeRequest(url=FakeURL("b.example")))
    assert server.sent[0] is None
    assert server.sent[1] is not None
    assert server.sent[2] is None  # not sent to another host


def test_threads_never_reuse_a_nonce_count() -> None:
    auth = DigestAuth("u", "p")
    answer(auth, CHALLENGE)
    counts: list[str] = []
    lock = threading.Lock()

    def sign() -> None:
        for _ in range(200):
            request = FakeRequest()
            flow = auth.sync_auth_flow(request)
            header = next(flow).headers["Authorization"]
            flow.close()
            with lock:
                counts.append(authorization_params(header)["nc"])

    threads = [threading.Thread(target=sign) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counts) == len(set(counts)) == 800


@pytest.mark.parametrize("name", ["www-authenticate", "WWW-AUTHENTICATE", "Www-Authenticate"])
def test_the_challenge_is_found_in_a_plain_dict_whatever_its_case(name: str) -> None:
    server = _digest(FakeResponse(401, {name: CHALLENGE}), FakeResponse(200))
    server.request()
    assert server.sent[1] is not None


def test_digest_among_other_schemes_in_one_field() -> None:
    header = f'Basic realm="x", Negotiate, Bearer error="invalid_token", {CHALLENGE}'
    params = authorization_params(answer(DigestAuth("u", "p"), header))
    assert params["nonce"] == '"n1"'


def test_the_first_answerable_digest_challenge_is_used() -> None:
    header = f'Digest realm="r", nonce="x", algorithm=SHA3-256, {CHALLENGE}'
    params = authorization_params(answer(DigestAuth("u", "p"), header))
    assert params["nonce"] == '"n1"'
    assert params["algorithm"] == "MD5"


def test_the_flow_reads_the_request_body_first() -> None:
    assert DigestAuth.requires_request_body is True
    assert DigestAuth.requires_response_body is False
    request = FakeRequest(body=b"x")
    flow = DigestAuth("u", "p").sync_auth_flow(request)
    next(flow)
    assert request.reads == ["read"]


# -- quoting ---------------------------------------------------------------------------


def test_escaped_quotes_are_unescaped_for_hashing_and_escaped_again() -> None:
    header = r'Digest realm="a \"quoted\" realm", nonce="n\\1", qop=auth'
    auth = DigestAuth("u", "p", cnonce_factory=fixed("c"))
    params = authorization_params(answer(auth, header))
    assert params["realm"] == r'"a \"quoted\" realm"'
    assert params["nonce"] == r'"n\\1"'
    expected = expected_response(
        algorithm="MD5",
        username="u",
        realm='a "quoted" realm',
        password="p",
        method="GET",
        uri="/",
        nonce="n\\1",
        cnonce="c",
    )
    assert unquote(params["response"]) == expected


def test_parameter_names_and_keywords_are_case_insensitive() -> None:
    header = 'Digest REALM="r", Nonce="n", QOP="Auth", Algorithm=sha-256-SESS, UserHash=TRUE'
    auth = DigestAuth("u", "p", cnonce_factory=fixed("c"))
    params = authorization_params(answer(auth, header))
    assert params["qop"] == "auth"
    assert params["algorithm"] == "sha-256-SESS"
    assert params["userhash"] == "true"
    expected = expected_response(
        algorithm="SHA-256-sess",
        username="u",
        realm="r",
        password="p",
        method="GET",
        uri="/",
        nonce="n",
        cnonce="c",
    )
    assert unquote(params["response"]) == expected


@pytest.mark.parametrize(
    ("username", "field", "value"),
    [
        ('say "hi"', "username", r'"say \"hi\""'),
        ("back\\slash", "username", r'"back\\slash"'),
        ("tab\there", "username", '"tab\there"'),
        ("line\r\nbreak", "username*", "UTF-8''line%0D%0Abreak"),
        ("nul\x00 j\u00e4", "username*", "UTF-8''nul%00%20j%C3%A4"),
        ("del\x7f", "username*", "UTF-8''del%7F"),
        ("J\u00e4s\u00f8n", "username", '"J\u00e4s\u00f8n"'),
        (b"J\xc3\xa4s", "username", '"J\u00e4s"'),
        (b"J\xe4s\xf8n", "username*", "ISO-8859-1''J%E4s%F8n"),
        ("a!#$&+-.^_`|~z", "username", '"a!#$&+-.^_`|~z"'),
    ],
)
def test_usernames_that_need_care(username: str | bytes, field: str, value: str) -> None:
    params = authorization_params(answer(DigestAuth(username, "p"), CHALLENGE))
    assert params[field] == value


def test_empty_opaque_is_echoed() -> None:
    # RFC 7616 section 3.3: the client returns opaque unchanged, even when empty.
    params = authorization_params(answer(DigestAuth("u", "p"), CHALLENGE + ', opaque=""'))
    assert params["opaque"] == '""'


def test_credentials_given_as_bytes_are_hashed_as_given() -> None:
    auth = DigestAuth(b"u", "p\xe4".encode("latin-1"), cnonce_factory=fixed("c"))
    params = authorization_params(answer(auth, CHALLENGE))
    a1 = hashlib.md5(b"u:r:p\xe4").hexdigest()
    a2 = hashlib.md5(b"GET:/").hexdigest()
    expected = hashlib.md5(f"{a1}:n1:00000001:c:auth:{a2}".encode()).hexdigest()
    assert unquote(params["response"]) == expected


# -- client nonces ---------------------------------------------------------------------


def test_default_cnonces_are_random_hex_per_request() -> None:
    auth = DigestAuth("u", "p")
    first = authorization_params(answer(auth, CHALLENGE))["cnonce"]
    second = authorization_params(answer(auth, CHALLENGE))["cnonce"]
    assert re.fullmatch(r'"[0-9a-f]{16}"', first)
    assert first != second


def test_the_cnonce_factory_is_called_for_every_request() -> None:
    values = iter(["one", "two"])
    server = Server(
        DigestAuth("u", "p", cnonce_factory=lambda: next(values)),
        challenge_response(CHALLENGE),
        FakeResponse(200),
        FakeResponse(200),
    )
    server.request()
    server.request()
    cnonces = [authorization_params(h)["cnonce"] for h in server.sent if h is not None]
    assert cnonces == ['"one"', '"two"']


def test_a_cnonce_factory_must_return_text() -> None:
    auth = DigestAuth("u", "p", cnonce_factory=lambda: b"bytes")  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="cnonce_factory must return str, got bytes"):
        answer(auth, CHALLENGE)


def test_a_cnonce_factory_must_be_callable() -> None:
    with pytest.raises(TypeError, match="cnonce_factory must be callable, got str"):
        DigestAuth("u", "p", cnonce_factory="abc")  # type: ignore[arg-type]


# -- bad input and secrets -------------------------------------------------------------

BAD_CHALLENGES = [
    ('Digest nonce="n"', "no 'realm' parameter"),
    ('Digest realm="r"', "no 'nonce' parameter"),
    ('Digest realm="r", nonce="n", algorithm=SHA3-256', "unknown Digest algorithm 'SHA3-256'"),
    ('Digest realm="r", nonce="n", algorithm=""', "unknown Digest algorithm ''"),
    ('Digest realm="r", nonce="n", qop="auth-conf"', "no supported qop in 'auth-conf'"),
    ('Digest realm="r", nonce="n", qop=""', "no supported qop in ''"),
    ('Digest realm="r", nonce="n", realm="s"', "'realm' appears twice"),
    ('Digest realm="r", nonce="unterminated', "malformed Digest challenge"),
    ('Digest realm="r" nonce="n"', "malformed Digest challenge: expected ','"),
    ("Digest abc==", "expected parameters, got the token 'abc=='"),
    ('Digest realm="r\x00", nonce="n"', "malformed Digest challenge"),
    ('Digest realm="r", nonce="n\r\nX-Injected: 1"', "malformed Digest challenge"),
]


@pytest.mark.parametrize(("header", "message"), BAD_CHALLENGES)
def test_unanswerable_challenges_raise_challenge_error(header: str, message: str) -> None:
    with pytest.raises(ChallengeError, match=re.escape(message)) as info:
        answer(DigestAuth("Mufasa", "Circle of Life"), header)
    assert "Circle of Life" not in str(info.value)
    assert "Mufasa" not in str(info.value)


def test_when_every_digest_challenge_fails_the_first_error_is_raised() -> None:
    header = 'Digest realm="r", Basic realm="x", Digest realm="r", nonce="n", qop=nope'
    with pytest.raises(ChallengeError, match="no 'nonce' parameter"):
        answer(DigestAuth("u", "p"), header)


def test_a_malformed_challenge_after_an_answer_raises_too() -> None:
    server = _digest(challenge_response(CHALLENGE), challenge_response('Digest realm="r"'))
    with pytest.raises(ChallengeError, match="no 'nonce'"):
        server.request()


def test_long_values_are_cut_in_messages() -> None:
    header = 'Digest realm="r", nonce="n", algorithm=' + "X" * 100_000
    with pytest.raises(ChallengeError) as info:
        answer(DigestAuth("u", "p"), header)
    assert len(str(info.value)) < 300
    assert "100000 characters" in str(info.value)


def test_sha_512_256_missing_from_hashlib_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real_new = hashlib.new

    def new(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.lower().replace("/", "_") == "sha512_256":
            raise ValueError(f"unsupported hash type {name}")
        return real_new(name, *args, **kwargs)

    monkeypatch.setattr(hashlib, "new", new)
    header = 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256-sess'
    with pytest.raises(ChallengeError, match=r"'SHA-512-256-sess' needs SHA-512/256"):
        answer(DigestAuth("u", "p"), header)


def test_sha_512_256_falls_back_to_the_next_challenge_when_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_new = hashlib.new

    def new(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "sha512_256":
            raise ValueError("unsupported hash type")
        return real_new(name, *args, **kwargs)

    monkeypatch.setattr(hashlib, "new", new)
    header = (
        'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256, '
        'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256'
    )
    assert authorization_params(answer(DigestAuth("u", "p"), header))["algorithm"] == "SHA-256"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        (1, "p", "DigestAuth username must be str or bytes, got int"),
        ("u", ["p"], "DigestAuth password must be str or bytes, got list"),
    ],
)
def test_wrong_credential_types(username: Any, password: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        DigestAuth(username, password)


def test_unencodable_password_is_a_credentials_error() -> None:
    with pytest.raises(CredentialsError, match="DigestAuth password cannot be encoded"):
        DigestAuth("u", "\udcff")


def test_repr_hides_the_credentials() -> None:
    auth = DigestAuth("Mufasa", "Circle of Life")
    answer(auth, CHALLENGE)
    assert "Circle" not in repr(auth)
    assert "Mufasa" not in repr(auth)
    assert repr(auth) == "<DigestAuth [secure]>"


def test_challenge_errors_pickle() -> None:
    with pytest.raises(ChallengeError) as info:
        answer(DigestAuth("u", "p"), 'Digest realm="r"')
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ChallengeError
    assert str(copy) == str(info.value)


HOSTILE_DIGEST = {
    "long realm": 'Digest nonce="n", realm="' + "r" * 100_000 + '"',
    "unterminated": 'Digest realm="' + "\\x" * 50_000,
    "many params": "Digest realm=r, nonce=n, " + "p=v, " * 20_000,
    "many challenges": "Digest x=y, " * 8_000 + 'Digest realm="r", nonce="n"',
    "many schemes": "Basic, " * 14_000 + 'Digest realm="r", nonce="n"',
    "long qop": 'Digest realm=r, nonce=n, qop="' + "auth-conf," * 10_000 + 'auth"',
}


@pytest.mark.parametrize("header", HOSTILE_DIGEST.values(), ids=HOSTILE_DIGEST.keys())
def test_hostile_100_kb_challenges_are_handled_quickly(header: str) -> None:
    assert len(header) >= 90_000
    server = _digest(challenge_response(header), FakeResponse(200))
    message = ""
    start = time.perf_counter()
    try:
        server.request()
    except ChallengeError as exc:
        message = str(exc)
    assert time.perf_counter() - start < 0.5
    assert len(message) < 300
