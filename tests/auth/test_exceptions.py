"""The exception hierarchy: shape, pickling, and message excerpts."""

from __future__ import annotations

import pickle

import pytest

import tether_auth
from tether_auth import AuthError, ChallengeError, CredentialsError
from tether_auth._exceptions import excerpt


def test_hierarchy() -> None:
    assert issubclass(ChallengeError, AuthError)
    assert issubclass(CredentialsError, AuthError)
    assert issubclass(CredentialsError, ValueError)
    assert not issubclass(ChallengeError, ValueError)
    assert issubclass(AuthError, Exception)


@pytest.mark.parametrize("kind", [AuthError, ChallengeError, CredentialsError])
def test_every_exception_pickles(kind: type[AuthError]) -> None:
    error = kind("the Digest challenge has no 'nonce' parameter")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is kind
    assert copy.args == error.args
    assert copy.__module__ == "tether_auth"


def test_pickles_name_the_package_not_a_private_module() -> None:
    assert b"tether_auth._" not in pickle.dumps(ChallengeError("x"))
    assert b"tether_auth._" not in pickle.dumps(tether_auth.BasicAuth("u", "p"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("short", "'short'"),
        ("x" * 60, repr("x" * 60)),
        ("y" * 61, repr("y" * 60) + "... (61 characters)"),
    ],
)
def test_excerpt(value: str, expected: str) -> None:
    assert excerpt(value) == expected
