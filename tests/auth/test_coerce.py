"""`to_auth`: the ``auth=`` shorthand of a client, with httpx's client as the oracle."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tether_auth import Auth, BasicAuth, DigestAuth, FunctionAuth, RequestLike, to_auth

from ._fakes import FakeRequest


def _identity(request: RequestLike) -> RequestLike:
    return request


def test_none_stays_none() -> None:
    assert to_auth(None) is None


@pytest.mark.parametrize("auth", [Auth(), BasicAuth("u", "p"), DigestAuth("u", "p")])
def test_auth_instances_pass_through(auth: Auth) -> None:
    assert to_auth(auth) is auth


@pytest.mark.parametrize("pair", [("user", "pass"), (b"user", b"pass"), ("user", b"pass")])
def test_a_pair_becomes_basic_auth(pair: tuple[str | bytes, str | bytes]) -> None:
    auth = to_auth(pair)
    assert isinstance(auth, BasicAuth)
    request = FakeRequest()
    next(auth.sync_auth_flow(request))
    assert request.headers["Authorization"] == "Basic dXNlcjpwYXNz"


def test_a_callable_becomes_function_auth() -> None:
    auth = to_auth(_identity)
    assert isinstance(auth, FunctionAuth)
    request = FakeRequest()
    assert next(auth.sync_auth_flow(request)) is request


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (None, None),
        (("user", "pass"), ("user", "pass")),
        (_identity, _identity),
        (BasicAuth("u", "p"), httpx.BasicAuth("u", "p")),
        (DigestAuth("u", "p"), httpx.DigestAuth("u", "p")),
    ],
    ids=["none", "tuple", "callable", "basic", "digest"],
)
def test_converts_what_httpx_clients_convert(ours: Any, theirs: Any) -> None:
    assert type(to_auth(ours)).__name__ == type(httpx.Client()._build_auth(theirs)).__name__


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (["user", "secret"], "expected an Auth instance.*; got list"),
        ("user:secret", "got str"),
        (42, "got int"),
        (("user",), r"expected a \(username, password\) tuple, got a tuple of 1 items"),
        (("user", "secret", "x"), "got a tuple of 3 items"),
        (BasicAuth, "got the class BasicAuth; pass an instance"),
        (httpx.BasicAuth("user", "secret"), "got BasicAuth"),
    ],
)
def test_anything_else_is_a_type_error_naming_the_type(auth: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message) as info:
        to_auth(auth)
    assert "secret" not in str(info.value)


@pytest.mark.parametrize("auth", [["user", "secret"], "user:secret", 42, ("user",)])
def test_httpx_refuses_them_too(auth: Any) -> None:
    # httpx's errors are a TypeError that prints the value, or a bare IndexError.
    with pytest.raises((TypeError, IndexError)):
        httpx.Client()._build_auth(auth)
