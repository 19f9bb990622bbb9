"""quote and unquote, and the component safe sets behind URL normalisation."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_urls import InvalidURL, quote, unquote
from tether_urls._quoting import (
    FRAGMENT_SAFE,
    PATH_SAFE,
    QUERY_SAFE,
    USERINFO_SAFE,
    USERNAME_SAFE,
)


@pytest.mark.parametrize(
    ("text", "safe", "expected"),
    [
        ("", "", ""),
        ("abcXYZ019-._~", "", "abcXYZ019-._~"),
        ("a b", "", "a%20b"),
        ("a/b", "", "a%2Fb"),
        ("a/b", "/", "a/b"),
        ("%20%2f%zz%", "", "%20%2f%25zz%25"),
        ("%", "%", "%"),
        ("%zz", "%", "%zz"),
        ("€", "", "%E2%82%AC"),
        ("😀", "", "%F0%9F%98%80"),
        ("a+b=c", "+=", "a+b=c"),
        ("é", "é", "%C3%A9"),  # only ASCII characters can be safe
    ],
)
def test_quote(text: str, safe: str, expected: str) -> None:
    assert quote(text, safe) == expected


def test_quote_refuses_lone_surrogates() -> None:
    with pytest.raises(InvalidURL, match=r"'\\ud800'.*position 1"):
        quote("a\ud800")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a%20b", "a b"), ("%zz%", "%zz%"), ("%E2%82%AC", "€"), ("%ff", "\ufffd"), ("+", "+")],
)
def test_unquote(text: str, expected: str) -> None:
    assert unquote(text) == expected


_any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(_any_text)
def test_quote_then_unquote_round_trips_without_escapes(text: str) -> None:
    # With no "%" in the input there is nothing to keep: the round trip is exact.
    text = text.replace("%", "")
    assert unquote(quote(text)) == text
    assert quote(text) == urllib.parse.quote(text, safe="")


@settings(max_examples=200, deadline=None)
@given(_any_text, st.sampled_from(["", "/", ":@", "!$&'()*+,;="]))
def test_quote_is_idempotent(text: str, safe: str) -> None:
    once = quote(text, safe)
    assert quote(once, safe) == once
    assert once.isascii()


def test_component_safe_sets_follow_whatwg() -> None:
    # url.spec.whatwg.org section 1.3, as httpx 0.28 applies it.
    assert set(QUERY_SAFE) - set(FRAGMENT_SAFE) == {"`"}
    assert set(FRAGMENT_SAFE) - set(QUERY_SAFE) == {"#"}
    assert set(QUERY_SAFE) - set(PATH_SAFE) == set("?`{}")
    assert set(PATH_SAFE) - set(USERINFO_SAFE) == set("/;=@[\\]^|")
    assert set(USERINFO_SAFE) - set(USERNAME_SAFE) == {":"}
    for safe in (FRAGMENT_SAFE, QUERY_SAFE, PATH_SAFE, USERINFO_SAFE):
        assert not set(' "<>') & set(safe)
        assert "%" in safe
