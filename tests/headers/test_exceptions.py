"""InvalidHeader: a ValueError that names the culprit, pickles, and keeps secrets."""

from __future__ import annotations

import pickle

import pytest

from tether_headers import (
    Headers,
    InvalidHeader,
    format_header_params,
    format_http_date,
    validate_header_value,
)
from tether_headers._exceptions import preview


def _raised(func: object, *args: object) -> InvalidHeader:
    with pytest.raises(InvalidHeader) as info:
        func(*args)  # type: ignore[operator]
    return info.value


@pytest.mark.parametrize(
    "error",
    [
        InvalidHeader("plain"),
        InvalidHeader("named", name="X-Name"),
        pytest.param(_raised(validate_header_value, "Authorization", "x\n"), id="validate"),
        pytest.param(_raised(Headers, {"X": "é"}), id="encode"),
        pytest.param(_raised(Headers, {}, "nope"), id="codec"),
        pytest.param(_raised(format_header_params, "a", {"b c": "1"}), id="format"),
        pytest.param(_raised(format_http_date, float("nan")), id="date"),
    ],
)
def test_every_invalid_header_pickles(error: InvalidHeader) -> None:
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is InvalidHeader
    assert str(restored) == str(error)
    assert restored.name == error.name
    assert restored.args == error.args


def test_is_a_value_error_of_the_package() -> None:
    assert issubclass(InvalidHeader, ValueError)
    assert InvalidHeader.__module__ == "tether_headers"
    error = InvalidHeader("message", name="X")
    assert str(error) == "message"
    assert error.name == "X"
    assert InvalidHeader("message").name is None


@pytest.mark.parametrize(
    ("value", "name", "at", "expected"),
    [
        ("short", None, None, "'short'"),
        ("secret", "Authorization", None, "[secure]"),
        ("secret", "set-cookie", 3, "[secure]"),
        ("x" * 100, None, None, "'" + "x" * 60 + "'... (100 characters)"),
        (
            "a" * 50 + "!" + "b" * 49,
            None,
            50,
            "...'" + "a" * 30 + "!" + "b" * 29 + "'... (100 characters)",
        ),
        ("a" * 95 + "!", None, 95, "...'" + "a" * 30 + "!'" + " (96 characters)"),
        ("a" * 61, "X-Name", 0, "'" + "a" * 60 + "'... (61 characters)"),
    ],
)
def test_preview(value: str, name: str | None, at: int | None, expected: str) -> None:
    assert preview(value, name, at) == expected
