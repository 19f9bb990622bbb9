"""What a Digest challenge asks for (RFC 7616 section 3.3, RFC 2617 section 3.2.1).

Invariants:

- A `DigestChallenge` is built only from a challenge that can be answered: it has a
  realm and a nonce, an algorithm this Python can compute and a quality of protection
  this package implements. Anything else raises `ChallengeError` naming the problem.
- Parameter names and the values of ``algorithm``, ``qop``, ``stale`` and ``userhash``
  are read case-insensitively; ``algorithm`` is echoed back as the server spelled it,
  as httpx does.
- Choosing among several Digest challenges (RFC 7616 section 3.7: a server lists them
  in its order of preference): the first one that can be answered wins; when none can,
  the first one's error is raised.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from typing import Protocol

from ._challenge import parse_challenges
from ._exceptions import ChallengeError, excerpt


class Hash(Protocol):
    """What Digest needs of a hashlib object."""

    def hexdigest(self) -> str:
        """The digest as lower-case hex."""
        ...


HashFunction = Callable[[bytes], Hash]

# RFC 7616 section 6.1 registers MD5, SHA-256 and SHA-512-256; RFC 2617 defines MD5.
# "SHA" (SHA-1) and "SHA-512" are not registered but httpx 0.28 answers them, so a
# server that works with httpx keeps working. Each also exists as "<name>-sess".
_ALGORITHMS: dict[str, HashFunction] = {
    "MD5": hashlib.md5,
    "SHA": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-512": hashlib.sha512,
}
# SHA-512/256 (FIPS 180-4) comes from OpenSSL through hashlib.new(), when it is there.
_SHA512_256 = "SHA-512-256"
_KNOWN = "MD5, SHA, SHA-256, SHA-512 or SHA-512-256, each with or without -sess"
_QOPS = ("auth", "auth-int")


class DigestChallenge:
    """One answerable Digest challenge: the parameters that shape the answer."""

    __slots__ = (
        "algorithm",
        "hash",
        "nonce",
        "opaque",
        "qop",
        "realm",
        "session",
        "stale",
        "userhash",
    )

    realm: str
    nonce: str
    algorithm: str
    hash: HashFunction
    session: bool
    qop: str | None
    opaque: str | None
    stale: bool
    userhash: bool

    def __init__(self, params: Mapping[str, str]) -> None:
        realm = params.get("realm")
        if realm is None:
            raise ChallengeError("the Digest challenge has no 'realm' parameter")
        nonce = params.get("nonce")
        if nonce is None:
            raise ChallengeError("the Digest challenge has no 'nonce' parameter")
        self.realm = realm
        self.nonce = nonce
        # RFC 7616 section 3.3: without the parameter, the algorithm is MD5.
        self.algorithm = params.get("algorithm", "MD5")
        name = self.algorithm.upper()
        self.session = name.endswith("-SESS")
        self.hash = hash_function(name[:-5] if self.session else name, self.algorithm)
        qop = params.get("qop")
        self.qop = None if qop is None else _choose_qop(qop)
        self.opaque = params.get("opaque")
        self.stale = params.get("stale", "").lower() == "true"
        self.userhash = params.get("userhash", "").lower() == "true"

    def __repr__(self) -> str:
        return (
            f"DigestChallenge(realm={self.realm!r}, nonce={self.nonce!r}, "
            f"algorithm={self.algorithm!r}, qop={self.qop!r}, opaque={self.opaque!r}, "
            f"stale={self.stale}, userhash={self.userhash})"
        )


def hash_function(name: str, spelled: str) -> HashFunction:
    """Return the hash for an upper-case algorithm `name` without "-SESS".

    `spelled` is the algorithm as the server wrote it, for messages.
    """
    function = _ALGORITHMS.get(name)
    if function is not None:
        return function
    if name != _SHA512_256:
        raise ChallengeError(f"unknown Digest algorithm {excerpt(spelled)}; expected {_KNOWN}")
    try:
        hashlib.new("sha512_256")
    except ValueError:
        raise ChallengeError(
            f"the Digest algorithm {spelled!r} needs SHA-512/256, which this Python's "
            "hashlib (OpenSSL) does not provide"
        ) from None
    return functools.partial(hashlib.new, "sha512_256")


def _choose_qop(offered: str) -> str:
    # RFC 7616 section 3.3: a quoted, comma-separated list of tokens. Prefer "auth", as
    # httpx does: "auth-int" hashes the whole body again on every request.
    options = {option.strip(" \t").lower() for option in offered.split(",")}
    for qop in _QOPS:
        if qop in options:
            return qop
    raise ChallengeError(
        f"the Digest challenge offers no supported qop in {excerpt(offered)}; "
        "expected 'auth' or 'auth-int'"
    )


def select_challenge(header: str) -> DigestChallenge | None:
    """Return the first answerable Digest challenge of a ``WWW-Authenticate`` value.

    None when the value holds no Digest challenge at all; `ChallengeError` when it holds
    some but none can be answered.
    """
    first_error: ChallengeError | None = None
    for challenge in parse_challenges(header):
        if challenge.scheme != "digest":
            continue
        try:
            if challenge.error is not None:
                raise ChallengeError(f"malformed Digest challenge: {challenge.error}")
            if challenge.token68 is not None:
                raise ChallengeError(
                    "malformed Digest challenge: expected parameters, got the token "
                    f"{excerpt(challenge.token68)}"
                )
            return DigestChallenge(challenge.params)
        except ChallengeError as exc:
            if first_error is None:
                first_error = exc
    if first_error is not None:
        raise first_error
    return None
