"""Choosing the HTTP/1.1 engine: LeanEngine by default, h11 by environment or call."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from tether._network import engine_choice
from tether._network.connection import Connection
from tether._network.connection_async import AsyncConnection
from tether._network.engine import H11Engine
from tether._network.engine_lean import LeanEngine


@pytest.fixture
def restore_choice() -> Iterator[None]:
    chosen = engine_choice.new_engine
    yield
    engine_choice.new_engine = chosen


def test_lean_is_the_default(monkeypatch: pytest.MonkeyPatch, restore_choice: None) -> None:
    monkeypatch.delenv("TETHER_HTTP11_ENGINE", raising=False)
    importlib.reload(engine_choice)
    assert engine_choice.new_engine is LeanEngine


@pytest.mark.parametrize(
    ("value", "expected"), [("h11", H11Engine), (" H11 ", H11Engine), ("lean", LeanEngine)]
)
def test_the_environment_chooses(
    monkeypatch: pytest.MonkeyPatch, restore_choice: None, value: str, expected: type
) -> None:
    monkeypatch.setenv("TETHER_HTTP11_ENGINE", value)
    importlib.reload(engine_choice)
    assert engine_choice.new_engine is expected


def test_an_unknown_engine_is_named(monkeypatch: pytest.MonkeyPatch, restore_choice: None) -> None:
    monkeypatch.setenv("TETHER_HTTP11_ENGINE", "picohttp")
    with pytest.raises(ValueError, match=r"unknown HTTP/1.1 engine 'picohttp' .*h11, lean"):
        importlib.reload(engine_choice)
    monkeypatch.delenv("TETHER_HTTP11_ENGINE")
    importlib.reload(engine_choice)


@pytest.mark.parametrize(("name", "expected"), [("h11", H11Engine), ("lean", LeanEngine)])
def test_connections_use_the_chosen_engine(restore_choice: None, name: str, expected: type) -> None:
    engine_choice.use_engine(name)
    for shell in (Connection, AsyncConnection):
        connection = shell(object(), "example.test:80")  # type: ignore[arg-type]
        assert type(connection._engine) is expected
    with pytest.raises(ValueError, match=r"unknown HTTP/1.1 engine 'nope'"):
        engine_choice.use_engine("nope")
