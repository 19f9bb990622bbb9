"""Request heads for the lean engine: what a plan carries, and its bounded cache."""

from __future__ import annotations

import pytest

from tether import LocalProtocolError
from tether._network import lean_request
from tether._network.lean_request import RequestPlan, plan_request

WHERE = "example.test:80"
HOST = (b"Host", b"example.test")


def test_a_plan_carries_the_head_and_what_the_fields_announce() -> None:
    fields = [(b"Content-Length", b"3"), HOST, (b"Expect", b"100-Continue")]
    plan = plan_request(b"PUT", b"/x", fields, WHERE)
    assert plan == RequestPlan(
        b"PUT /x HTTP/1.1\r\nHost: example.test\r\nContent-Length: 3\r\n"
        b"Expect: 100-Continue\r\n\r\n",
        b"3",
        3,
        False,
        True,
        True,
        False,
    )
    closing = plan_request(b"GET", b"/", [HOST, (b"Connection", b"Close")], WHERE)
    assert (closing.declared, closing.length, closing.keep_alive) == (b"0", 0, False)


def test_a_repeated_head_is_the_same_plan() -> None:
    fields = [HOST, (b"X-Repeat", b"1")]
    first = plan_request(b"GET", b"/repeat", fields, WHERE)
    assert plan_request(b"GET", b"/repeat", list(fields), WHERE) is first
    assert plan_request(b"GET", b"/repeat", [*fields, (b"X-B", b"2")], WHERE) is not first


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lean_request, "_PLANS", {})
    for number in range(lean_request._PLANS_MAX + 10):
        plan_request(b"GET", b"/%d" % number, [HOST], WHERE)
    assert 0 < len(lean_request._PLANS) <= lean_request._PLANS_MAX


def test_an_invalid_head_is_never_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lean_request, "_PLANS", {})
    for _ in range(2):
        with pytest.raises(LocalProtocolError, match="needs exactly one Host header"):
            plan_request(b"GET", b"/", [HOST, HOST], WHERE)
    assert lean_request._PLANS == {}
