"""`Timeout` and `Limits`: httpx's value objects, immutable, plus tether's `total`."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest

import tether

TIMEOUTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((5.0,), {}),
    ((None,), {}),
    ((5.0,), {"connect": 1.0}),
    ((5.0,), {"read": None}),
    ((), {"connect": 1, "read": 2, "write": 3, "pool": 4}),
    (((1, 2, 3, 4),), {}),
    ((0,), {}),
]


@pytest.mark.parametrize(("args", "kwargs"), TIMEOUTS)
def test_timeout_matches_httpx(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    ours = tether.Timeout(*args, **kwargs)
    theirs = httpx.Timeout(*args, **kwargs)
    assert ours.as_dict() == theirs.as_dict()
    assert repr(ours) == repr(theirs)
    assert ours == tether.Timeout(ours)
    assert pickle.loads(pickle.dumps(ours)) == ours


def test_timeout_needs_a_default_or_all_four_phases() -> None:
    with pytest.raises(ValueError, match="missing: read, write, pool"):
        tether.Timeout(connect=5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"timeout": "5"}, TypeError, "connect must be a number of seconds or None, not '5'"),
        ({"timeout": True}, TypeError, "not True"),
        ({"timeout": -1}, ValueError, "zero or more seconds, not -1"),
        ({"timeout": float("nan")}, ValueError, "not nan"),
        ({"timeout": 5, "read": -0.5}, ValueError, "read must be zero or more"),
        ({"timeout": (1, 2)}, ValueError, "four values .* not 2"),
        ({"timeout": 5, "total": -3}, ValueError, "total must be zero or more"),
        ({"timeout": tether.Timeout(1), "connect": 2}, ValueError, "no per-phase arguments"),
    ],
)
def test_bad_timeouts_name_the_phase_and_value(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        tether.Timeout(**kwargs)


def test_total_is_tethers_whole_request_deadline() -> None:
    timeout = tether.Timeout(5.0, total=30.0)
    assert timeout.total == 30.0
    assert timeout.as_dict() == {
        "connect": 5.0,
        "read": 5.0,
        "write": 5.0,
        "pool": 5.0,
        "total": 30.0,
    }
    assert repr(timeout) == "Timeout(timeout=5.0, total=30.0)"
    assert timeout != tether.Timeout(5.0)
    assert tether.Timeout(timeout).total == 30.0
    assert tether.Timeout(timeout, total=9).total == 9
    assert pickle.loads(pickle.dumps(timeout)) == timeout


def test_timeout_is_immutable_and_hashable() -> None:
    timeout = tether.Timeout(5.0)
    with pytest.raises(AttributeError, match="immutable"):
        timeout.read = 1.0
    assert {timeout, tether.Timeout(5.0)} == {timeout}
    assert timeout != 5.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"max_connections": 100, "max_keepalive_connections": 20},
        {"max_connections": 1, "max_keepalive_connections": 0, "keepalive_expiry": None},
        {"keepalive_expiry": 0.5},
    ],
)
def test_limits_match_httpx(kwargs: dict[str, Any]) -> None:
    ours = tether.Limits(**kwargs)
    assert repr(ours) == repr(httpx.Limits(**kwargs))
    assert ours == tether.Limits(**kwargs)
    assert hash(ours) == hash(tether.Limits(**kwargs))
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert ours != object()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_connections": -1}, ValueError, "max_connections must be zero or more, not -1"),
        ({"max_connections": 1.5}, TypeError, "max_connections must be a number"),
        ({"max_keepalive_connections": "3"}, TypeError, "not '3'"),
        ({"keepalive_expiry": -2.0}, ValueError, "keepalive_expiry must be zero or more"),
        ({"max_connections": False}, TypeError, "not False"),
    ],
)
def test_bad_limits_name_the_setting(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        tether.Limits(**kwargs)


def test_limits_are_immutable() -> None:
    with pytest.raises(AttributeError, match="immutable"):
        tether.Limits().max_connections = 3
