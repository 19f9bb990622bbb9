"""`tether.codes`: httpx's status codes enum, member for member."""

from __future__ import annotations

import httpx
import pytest

import tether


def test_members_match_httpx_name_value_and_phrase() -> None:
    ours = [(code.name, int(code), code.phrase) for code in tether.codes]
    theirs = [(code.name, int(code), code.phrase) for code in httpx.codes]  # type: ignore[attr-defined]
    assert ours == theirs


def test_members_are_integers_that_format_as_numbers() -> None:
    not_found: int = tether.codes.NOT_FOUND
    assert not_found == 404
    assert str(tether.codes.OK) == "200"
    assert f"{tether.codes.CREATED}" == "201"
    assert repr(tether.codes.OK) == "<codes.OK: 200>"
    assert tether.codes(418) is tether.codes.IM_A_TEAPOT


def test_lower_case_aliases_are_plain_integers() -> None:
    assert tether.codes.ok == 200  # type: ignore[attr-defined]
    assert type(tether.codes.not_found) is int  # type: ignore[attr-defined]
    assert tether.codes.im_a_teapot == 418  # type: ignore[attr-defined]


def test_reason_phrase_of_unknown_code_is_empty() -> None:
    assert tether.codes.get_reason_phrase(404) == "Not Found"
    assert tether.codes.get_reason_phrase(299) == ""
    assert tether.codes.get_reason_phrase(-1) == ""


@pytest.mark.parametrize("value", [99, 100, 199, 200, 299, 300, 399, 400, 499, 500, 599, 600])
def test_classifiers_agree_with_httpx(value: int) -> None:
    for name in (
        "is_informational",
        "is_success",
        "is_redirect",
        "is_client_error",
        "is_server_error",
        "is_error",
    ):
        assert getattr(tether.codes, name)(value) == getattr(httpx.codes, name)(value), name
