"""Reading a Digest challenge: required parameters, algorithms, qop, flags, and the
choice among several challenges."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_auth import ChallengeError
from tether_auth._digest_challenge import DigestChallenge, hash_function, select_challenge


def test_defaults() -> None:
    challenge = DigestChallenge({"realm": "r", "nonce": "n"})
    assert challenge.algorithm == "MD5"
    assert challenge.hash is hashlib.md5
    assert challenge.session is False
    assert challenge.qop is None
    assert challenge.opaque is None
    assert challenge.stale is False
    assert challenge.userhash is False


def test_every_parameter() -> None:
    challenge = DigestChallenge(
        {
            "realm": "r",
            "nonce": "n",
            "algorithm": "Sha-256-Sess",
            "qop": " auth-int ,\tAUTH ",
            "opaque": "o",
            "stale": "TRUE",
            "userhash": "True",
        }
    )
    assert challenge.algorithm == "Sha-256-Sess"
    assert challenge.hash is hashlib.sha256
    assert challenge.session is True
    assert challenge.qop == "auth"
    assert challenge.opaque == "o"
    assert challenge.stale is True
    assert challenge.userhash is True
    assert repr(challenge) == (
        "DigestChallenge(realm='r', nonce='n', algorithm='Sha-256-Sess', qop='auth', "
        "opaque='o', stale=True, userhash=True)"
    )


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        ("auth", "auth"),
        ("auth-int", "auth-int"),
        ("auth-int,auth", "auth"),
        ("x, auth-int", "auth-int"),
    ],
)
def test_qop_prefers_auth(offered: str, chosen: str) -> None:
    assert DigestChallenge({"realm": "r", "nonce": "n", "qop": offered}).qop == chosen


@pytest.mark.parametrize(("flag", "expected"), [("false", False), ("yes", False), ("1", False)])
def test_only_true_sets_a_flag(flag: str, expected: bool) -> None:
    challenge = DigestChallenge({"realm": "r", "nonce": "n", "stale": flag, "userhash": flag})
    assert challenge.stale is expected
    assert challenge.userhash is expected


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("MD5", b"abc", hashlib.md5(b"abc").hexdigest()),
        ("SHA", b"abc", hashlib.sha1(b"abc").hexdigest()),
        ("SHA-256", b"abc", hashlib.sha256(b"abc").hexdigest()),
        ("SHA-512", b"abc", hashlib.sha512(b"abc").hexdigest()),
        # FIPS 180-4 SHA-512/256 of "abc" (its own IV: not a truncated SHA-512).
        ("SHA-512-256", b"abc", "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"),
    ],
)
def test_hash_functions(name: str, data: bytes, expected: str) -> None:
    assert hash_function(name, name)(data).hexdigest() == expected


def test_select_returns_none_without_a_digest_challenge() -> None:
    assert select_challenge('Basic realm="x", Bearer') is None
    assert select_challenge("") is None


def test_select_skips_other_schemes_even_when_they_are_broken() -> None:
    challenge = select_challenge('Basic realm="x" junk, Digest realm="r", nonce="n"')
    assert challenge is not None
    assert challenge.realm == "r"


def test_select_raises_for_a_token68_digest() -> None:
    with pytest.raises(ChallengeError, match="expected parameters, got the token 'abc'"):
        select_challenge("Digest abc")


# The Digest challenges a fuzzer can build from these pieces.
pieces = st.sampled_from(
    [
        "Digest",
        " ",
        ",",
        "=",
        '"',
        "\\",
        "realm",
        "nonce",
        "qop",
        "auth",
        "auth-int",
        "algorithm",
        "MD5",
        "SHA-256-sess",
        "SHA-512-256",
        "stale",
        "true",
        "Basic",
        "x",
        "\x00",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=30).map("".join))
def test_select_raises_only_challenge_error(value: str) -> None:
    try:
        challenge = select_challenge(value)
    except ChallengeError:
        return
    if challenge is not None:
        assert challenge.qop in {None, "auth", "auth-int"}
        assert challenge.hash(b"").hexdigest()
