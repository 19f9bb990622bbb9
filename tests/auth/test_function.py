"""`FunctionAuth`: a callable as an auth scheme."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from httpx._auth import FunctionAuth as HttpxFunctionAuth

from tether_auth import FunctionAuth, RequestLike

from ._fakes import FakeRequest, FakeResponse


def _sign(request: RequestLike) -> RequestLike:
    request.headers["X-Signed"] = request.method
    return request


def test_the_function_changes_the_request_once() -> None:
    calls: list[RequestLike] = []

    def sign(request: RequestLike) -> RequestLike:
        calls.append(request)
        return _sign(request)

    request = FakeRequest("PATCH")
    flow = FunctionAuth(sign).sync_auth_flow(request)
    assert next(flow).headers == {"X-Signed": "PATCH"}
    with pytest.raises(StopIteration):
        flow.send(FakeResponse(401))
    assert calls == [request]


def test_the_function_may_return_another_request() -> None:
    replacement = FakeRequest("GET")
    flow = FunctionAuth(lambda request: replacement).sync_auth_flow(FakeRequest("POST"))
    assert next(flow) is replacement


def test_matches_httpx() -> None:
    sent = []
    for auth in (FunctionAuth(_sign), HttpxFunctionAuth(_sign)):  # type: ignore[arg-type]
        request = httpx.Request("DELETE", "https://example.org/")
        flow: Any = auth.sync_auth_flow(request)
        sent.append(dict(next(flow).headers))
    assert sent[0] == sent[1]
    assert sent[0]["x-signed"] == "DELETE"


def test_needs_a_callable() -> None:
    with pytest.raises(TypeError, match="FunctionAuth needs a callable, got str"):
        FunctionAuth("not callable")  # type: ignore[arg-type]


def test_repr_names_the_function() -> None:
    assert repr(FunctionAuth(_sign)).startswith("FunctionAuth(<function _sign")
