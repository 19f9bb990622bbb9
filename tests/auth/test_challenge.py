"""The ``WWW-Authenticate`` parser: RFC 9110 section 11.6.1 syntax, leniency, recovery
from garbage, and linear time on hostile input."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_auth._challenge import Challenge, parse_challenges


def _summary(value: str) -> list[tuple[str, str | None, dict[str, str], bool]]:
    return [(c.scheme, c.token68, c.params, c.error is not None) for c in parse_challenges(value)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        (" , ,, ", []),
        ("Negotiate", [("negotiate", None, {}, False)]),
        ("Basic YWxhZGRpbjpvcGVuc2VzYW1l", [("basic", "YWxhZGRpbjpvcGVuc2VzYW1l", {}, False)]),
        ("Basic abc==, Bearer", [("basic", "abc==", {}, False), ("bearer", None, {}, False)]),
        ('Basic realm="x"', [("basic", None, {"realm": "x"}, False)]),
        (
            'Basic realm="a, b", charset="UTF-8", Digest realm=c, nonce=d',
            [
                ("basic", None, {"realm": "a, b", "charset": "UTF-8"}, False),
                ("digest", None, {"realm": "c", "nonce": "d"}, False),
            ],
        ),
        (
            'DIGEST Realm = "x" ,\tNONCE=abc/def+==',
            [("digest", None, {"realm": "x", "nonce": "abc/def+=="}, False)],
        ),
        (r'Digest realm="a\"b\\c\d"', [("digest", None, {"realm": 'a"b\\cd'}, False)]),
        ('Digest opaque=""', [("digest", None, {"opaque": ""}, False)]),
        ('Digest realm="caf\u00e9"', [("digest", None, {"realm": "caf\u00e9"}, False)]),
        ('Digest realm="tab\there"', [("digest", None, {"realm": "tab\there"}, False)]),
        # Recovery: an error marks its own challenge; the next one still parses.
        (
            'Basic realm="x" junk, Digest realm="r"',
            [("basic", None, {"realm": "x"}, True), ("digest", None, {"realm": "r"}, False)],
        ),
        ('"quoted, junk", Digest realm="r"', [("digest", None, {"realm": "r"}, False)]),
        # No space after the scheme: "realm=r" is an element of its own, and not a challenge.
        ("Digest,realm=r", [("digest", None, {}, False), ("realm", None, {}, True)]),
        ("Basic@ x", [("basic", None, {}, True)]),
        ("Digest realm=r x", [("digest", None, {"realm": "r"}, True)]),
        ('Digest realm="a" "b"', [("digest", None, {"realm": "a"}, True)]),
        # "realm=" is a token68 by the grammar; the Digest reader then refuses it.
        ("Digest realm=, nonce=n", [("digest", "realm=", {}, False), ("nonce", None, {}, True)]),
        ('Digest realm="r\nx"', [("digest", None, {}, True)]),
        ("Digest a=b, a=c", [("digest", None, {"a": "b"}, True)]),
    ],
)
def test_examples(value: str, expected: list[tuple[str, str | None, dict[str, str], bool]]) -> None:
    assert _summary(value) == expected


def test_errors_say_where() -> None:
    (challenge,) = parse_challenges('Digest realm="r" nonce="n"')
    assert challenge.error == "expected ',' at 17: 'nonce=\"n\"'"
    assert "Challenge(scheme='digest'" in repr(challenge)


def test_only_the_first_error_is_kept() -> None:
    challenge = Challenge("digest")
    challenge.fail("first")
    challenge.fail("second")
    assert challenge.error == "first"


# -- round trips -----------------------------------------------------------------------

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
tokens = st.text(st.sampled_from(TCHARS), min_size=1, max_size=12)
# Any text a quoted-string can carry: no control characters but HTAB.
values = st.text(
    st.characters(codec="utf-8", exclude_characters="\x7f").filter(
        lambda char: char == "\t" or ord(char) >= 0x20
    ),
    max_size=30,
)
spaces = st.text(st.sampled_from(" \t"), max_size=2)


@st.composite
def challenge_lists(draw: st.DrawFn) -> tuple[str, list[tuple[str, dict[str, str]]]]:
    """A header value and the challenges it should parse to."""
    expected: list[tuple[str, dict[str, str]]] = []
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        scheme = draw(tokens)
        names = draw(st.lists(tokens, max_size=5, unique_by=str.lower))
        params: dict[str, str] = {}
        rendered = []
        for name in names:
            value = draw(values)
            params[name.lower()] = value
            as_token = value != "" and all(char in TCHARS for char in value)
            if as_token and draw(st.booleans()):
                shown = value
            else:
                shown = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            rendered.append(f"{name}{draw(spaces)}={draw(spaces)}{shown}")
        expected.append((scheme.lower(), params))
        separator = "," + draw(spaces)
        parts.append(scheme + (" " + separator.join(rendered) if rendered else ""))
    return ("," + draw(spaces)).join(parts), expected


@settings(max_examples=200, deadline=None)
@given(challenge_lists())
def test_round_trip(case: tuple[str, list[tuple[str, dict[str, str]]]]) -> None:
    value, expected = case
    parsed = parse_challenges(value)
    assert [(c.scheme, c.params) for c in parsed] == expected
    assert all(c.error is None and c.token68 is None for c in parsed)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(TCHARS + ' \t,="\\/\x00\r\n\u00e9'), max_size=60))
def test_any_text_parses_without_raising(value: str) -> None:
    for challenge in parse_challenges(value):
        assert challenge.scheme == challenge.scheme.lower()
        for name, parameter in challenge.params.items():
            assert name == name.lower()
            assert "\r" not in parameter
            assert "\n" not in parameter
            assert "\x00" not in parameter


# -- hostile input ---------------------------------------------------------------------

HOSTILE: dict[str, Callable[[int], str]] = {
    "one long token": lambda n: "Digest " + "a" * n,
    "long token then junk": lambda n: "Digest " + "a" * n + " b",
    "many schemes": lambda n: "a " * (n // 2),
    "many bare schemes": lambda n: "a, " * (n // 3),
    "many commas": lambda n: "Digest realm=r" + "," * n,
    "commas and spaces": lambda n: "Digest realm=r" + ", " * (n // 2) + "x",
    "many params": lambda n: "Digest " + "a=b, " * (n // 5),
    "many duplicate params": lambda n: "Digest " + "a=b," * (n // 4),
    "unterminated quote": lambda n: 'Digest realm="' + "a" * n,
    "unterminated escapes": lambda n: 'Digest realm="' + "\\a" * (n // 2),
    "trailing backslash": lambda n: 'Digest realm="' + "a" * n + "\\",
    "many quotes": lambda n: '"' * n,
    "quotes and commas": lambda n: '",' * (n // 2),
    "equals signs": lambda n: "Digest " + "=" * n,
    "token68 lookalike": lambda n: "Digest " + "a" * n + "=" * 10 + "x",
    "params without commas": lambda n: "Digest " + "a=b " * (n // 4),
    "nested looking quotes": lambda n: 'Digest a="' + '\\"' * (n // 2) + '"',
    "spaces": lambda n: " " * n,
    "names without values": lambda n: "Digest " + "a=, " * (n // 4),
    "control characters": lambda n: 'Digest realm="' + "\x01" * n + '"',
}


@pytest.mark.parametrize("make", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_100_kb_headers_parse_in_linear_time(make: Callable[[int], str]) -> None:
    def seconds(size: int) -> float:
        value = make(size)
        start = time.perf_counter()
        parse_challenges(value)
        return time.perf_counter() - start

    # The collector's pauses depend on what else the process holds, not on the parser.
    gc.collect()
    gc.disable()
    try:
        seconds(1_000)  # warm up
        large = min(seconds(100_000) for _ in range(3))
        small = min(seconds(10_000) for _ in range(3))
    finally:
        gc.enable()
    # Generous for a loaded CI runner; a quadratic parser takes many seconds here.
    assert large < 0.5
    # Ten times the input, about ten times the time; quadratic would be a hundred.
    assert large < 40 * small + 0.05
