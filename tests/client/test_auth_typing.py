"""Custom auth written as httpx's documentation shows type-checks against tether.

CI runs mypy --strict over the tests: this file fails there if tether_auth's
overridable signatures ever become narrower than the client's concrete types.
"""

from __future__ import annotations

from collections.abc import Generator

import tether


class TokenAuth(tether.Auth):
    """A bearer token, annotated with the client's own types."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(
        self, request: tether.Request
    ) -> Generator[tether.Request, tether.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = "Bearer refreshed"
            yield request


def sign(request: tether.Request) -> tether.Request:
    request.headers["X-Signed"] = "yes"
    return request


def _handler(request: tether.Request) -> tether.Response:
    token = request.headers.get("Authorization")
    status = 200 if token in (None, "Bearer refreshed") else 401
    return tether.Response(status, json={"auth": token, "signed": request.headers.get("X-Signed")})


def test_typed_auth_flow_and_function_auth_work() -> None:
    with tether.Client(transport=tether.MockTransport(_handler)) as client:
        response = client.get("https://example.org/", auth=TokenAuth("expired"))
        assert response.json()["auth"] == "Bearer refreshed"
        assert [r.status_code for r in response.history] == [401]
        assert client.get("https://example.org/", auth=sign).json()["signed"] == "yes"
