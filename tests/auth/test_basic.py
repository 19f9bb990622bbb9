"""`BasicAuth`: RFC 7617 vectors, httpx as the oracle, bad input."""

from __future__ import annotations

import base64
import pickle
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_auth import BasicAuth, CredentialsError

from ._fakes import FakeRequest, FakeResponse


def _header(auth: Any) -> str:
    request = httpx.Request("GET", "https://example.org/")
    flow = auth.sync_auth_flow(request)
    sent = next(flow)
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401, request=request))
    return str(sent.headers["Authorization"])


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        # RFC 7617 section 2.
        ("Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        # RFC 7617 section 2.1, charset="UTF-8": "test" / "123" followed by U+00A3.
        ("test", "123\u00a3", "Basic dGVzdDoxMjPCow=="),
        ("", "", "Basic Og=="),
        (b"test", b"123\xa3", "Basic dGVzdDoxMjOj"),  # bytes go as given (ISO-8859-1)
        (b"user", "p\u00e4ss", "Basic dXNlcjpww6Rzcw=="),
    ],
)
def test_known_vectors(username: str | bytes, password: str | bytes, expected: str) -> None:
    assert _header(BasicAuth(username, password)) == expected


credentials = st.one_of(st.text(), st.binary())


@settings(max_examples=200, deadline=None)
@given(username=credentials, password=credentials)
def test_matches_httpx(username: str | bytes, password: str | bytes) -> None:
    raw_user = username.encode("utf-8", "surrogatepass") if isinstance(username, str) else username
    if b":" in raw_user:
        with pytest.raises(CredentialsError):
            BasicAuth(username, password)
        return
    assert _header(BasicAuth(username, password)) == _header(httpx.BasicAuth(username, password))


@settings(max_examples=200, deadline=None)
@given(username=st.text().filter(lambda name: ":" not in name), password=st.text())
def test_decodes_back_to_the_credentials(username: str, password: str) -> None:
    scheme, token = _header(BasicAuth(username, password)).split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(token).decode("utf-8") == f"{username}:{password}"


def test_sets_the_header_on_every_flow_and_sends_once() -> None:
    auth = BasicAuth("user", "pass")
    for _ in range(2):
        request = FakeRequest(headers={"Authorization": "stale"})
        flow = auth.sync_auth_flow(request)
        assert next(flow).headers["Authorization"] == "Basic dXNlcjpwYXNz"
        with pytest.raises(StopIteration):
            flow.send(FakeResponse(401))  # a 401 is returned, not retried


def test_does_not_read_bodies() -> None:
    assert BasicAuth.requires_request_body is False
    assert BasicAuth.requires_response_body is False


@pytest.mark.parametrize("username", ["a:b", b"a:b", ":"])
def test_a_colon_in_the_user_id_is_refused(username: str | bytes) -> None:
    with pytest.raises(CredentialsError, match="must not contain ':'") as info:
        BasicAuth(username, "secret")
    assert "secret" not in str(info.value)


def test_a_colon_in_the_password_is_fine() -> None:
    assert _header(BasicAuth("a", "b:c")) == "Basic YTpiOmM="


@pytest.mark.parametrize(("username", "password"), [("\ud800", "secret"), ("user", "sec\udfffret")])
def test_unencodable_text_is_a_credentials_error(username: str, password: str) -> None:
    with pytest.raises(CredentialsError, match="lone surrogate") as info:
        BasicAuth(username, password)
    assert "sec" not in str(info.value)


def test_unencodable_text_beside_bytes_names_the_part() -> None:
    with pytest.raises(CredentialsError, match="Basic password cannot be encoded"):
        BasicAuth(b"user", "\ud800")


@pytest.mark.parametrize(
    ("username", "password", "part", "kind"),
    [(1, "secret", "username", "int"), ("user", None, "password", "NoneType")],
)
def test_wrong_types_name_the_part_and_the_type(
    username: Any, password: Any, part: str, kind: str
) -> None:
    with pytest.raises(TypeError, match=f"Basic {part} must be str or bytes, got {kind}"):
        BasicAuth(username, password)


def test_repr_hides_the_credentials() -> None:
    auth = BasicAuth("alice", "hunter2")
    assert "hunter2" not in repr(auth)
    assert "alice" not in repr(auth)
    assert repr(auth) == "<BasicAuth [secure]>"


def test_pickles() -> None:
    auth = pickle.loads(pickle.dumps(BasicAuth("user", "pass")))
    assert _header(auth) == "Basic dXNlcjpwYXNz"


def test_instances_are_slotted() -> None:
    with pytest.raises(AttributeError):
        BasicAuth("u", "p").password = "x"  # type: ignore[attr-defined]
