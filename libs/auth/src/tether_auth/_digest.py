"""`DigestAuth`: the Digest scheme of RFC 7616 (and RFC 2617, RFC 2069).

Invariants:

- One flow sends the request, answers a Digest challenge in a 401 once, and answers
  once more only if that answer was refused with ``stale=true`` (RFC 7616 section 3.3:
  the credentials were right, the nonce had expired). Any other response ends it, and
  the client returns that response.
- The last challenge answered is kept, with the host that sent it, and signs later
  requests to that host before any 401 (pre-authentication, as httpx does, but scoped to
  the host: another server's nonce would only be refused, after leaking a hash).
- ``nc`` counts the requests signed with one nonce: 1, 2, 3... in lower-case hex, eight
  digits (RFC 7616 section 3.4). A new challenge with the same realm and nonce keeps
  counting; a new nonce starts at 1. The count comes from ``itertools.count``, whose
  ``next()`` is atomic, so threads sharing one `DigestAuth` never reuse a count.
- The response follows RFC 7616 section 3.4.1: KD(H(A1), nonce:nc:cnonce:qop:H(A2)), or
  H(H(A1):nonce:H(A2)) when the server sent no ``qop`` (RFC 2069). Every value is
  hashed as UTF-8; credentials given as bytes are hashed as given.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Mapping
from urllib.parse import quote

from ._auth import Auth, Flow
from ._credentials import credential_bytes
from ._digest_challenge import DigestChallenge, select_challenge
from ._protocols import RequestLike
from ._types import CredentialTypes

# RFC 8187 section 3.2.1 attr-char, besides letters and digits: what username* keeps.
_ATTR_CHARS = "!#$&+-.^_`|~"
# What RFC 9110 section 5.6.4 keeps out of a quoted-string: controls other than HTAB.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def _random_cnonce() -> str:
    # 64 random bits in hex: the length httpx sends, and more than a nonce count of one
    # nonce will ever need to stay unique.
    return os.urandom(8).hex()


class DigestAuth(Auth):
    """Answer Digest challenges (RFC 7616, RFC 2617): the API of ``httpx.DigestAuth``.

    Algorithms MD5, SHA-256 and SHA-512-256 (RFC 7616), SHA and SHA-512 (as httpx), each
    also as ``-sess``; ``qop`` ``auth`` or ``auth-int``, or none (RFC 2069);
    ``opaque``, ``userhash`` and ``stale``. `cnonce_factory` returns the client nonce
    for each request (random by default); tests pass a fixed one.

    The request body is read before the flow starts (``requires_request_body``):
    ``qop=auth-int`` hashes it, and the answer to a 401 sends it a second time.

    >>> DigestAuth("Mufasa", "Circle of Life")
    <DigestAuth [secure]>
    """

    __slots__ = ("_cnonce_factory", "_password", "_session", "_username")

    requires_request_body = True

    def __init__(
        self,
        username: CredentialTypes,
        password: CredentialTypes,
        *,
        cnonce_factory: Callable[[], str] | None = None,
    ) -> None:
        self._username = credential_bytes(username, "DigestAuth username")
        self._password = credential_bytes(password, "DigestAuth password")
        if cnonce_factory is not None and not callable(cnonce_factory):
            raise TypeError(f"cnonce_factory must be callable, got {type(cnonce_factory).__name__}")
        self._cnonce_factory = cnonce_factory or _random_cnonce
        self._session: _Session | None = None

    def __repr__(self) -> str:
        return "<DigestAuth [secure]>"

    def auth_flow(self, request: RequestLike) -> Flow:
        """Sign the request if a challenge is known; answer a 401's Digest challenge."""
        host = request.url.host
        session = self._session
        if session is not None and session.host == host:
            request.headers["Authorization"] = session.authorization(request)
        response = yield request
        answers = 0
        while response.status_code == 401:
            header = _www_authenticate(response.headers)
            if header is None:
                return
            challenge = select_challenge(header)
            if challenge is None:
                return
            if answers and (answers > 1 or not challenge.stale):
                return
            answers += 1
            session = self._start_session(host, challenge)
            request.headers["Authorization"] = session.authorization(request)
            response = yield request

    def _start_session(self, host: str, challenge: DigestChallenge) -> _Session:
        previous = self._session
        if (
            previous is not None
            and previous.host == host
            and previous.challenge.realm == challenge.realm
            and previous.challenge.nonce == challenge.nonce
        ):
            counter = previous.counter
        else:
            counter = itertools.count(1)
        session = _Session(
            host, challenge, self._username, self._password, self._cnonce_factory, counter
        )
        self._session = session
        return session


class _Session:
    """A challenge being answered: what every request signed with it shares."""

    __slots__ = ("challenge", "cnonce_factory", "counter", "ha1", "head", "host", "tail")

    def __init__(
        self,
        host: str,
        challenge: DigestChallenge,
        username: bytes,
        password: bytes,
        cnonce_factory: Callable[[], str],
        counter: itertools.count[int],
    ) -> None:
        self.host = host
        self.challenge = challenge
        self.cnonce_factory = cnonce_factory
        self.counter = counter
        realm = challenge.realm.encode("utf-8")
        # H(A1) without the -sess part: RFC 7616 section 3.4.2.
        self.ha1 = challenge.hash(username + b":" + realm + b":" + password).hexdigest()
        if challenge.userhash:
            # RFC 7616 section 3.4.4: the server advertised it, so the name stays hidden.
            user = "username=" + _quote(challenge.hash(username + b":" + realm).hexdigest())
        else:
            user = _username_field(username)
        self.head = f"Digest {user}, realm={_quote(challenge.realm)}, "
        self.head += f"nonce={_quote(challenge.nonce)}, uri="
        tail = f", algorithm={challenge.algorithm}"
        if challenge.opaque is not None:
            tail += f", opaque={_quote(challenge.opaque)}"
        if challenge.qop is not None:
            tail += f", qop={challenge.qop}"
        self.tail = tail

    def authorization(self, request: RequestLike) -> str:
        """Return the ``Authorization`` value for `request`, counting one more use."""
        challenge = self.challenge
        digest = challenge.hash
        path = request.url.raw_path
        a2 = request.method.encode("utf-8") + b":" + path
        if challenge.qop == "auth-int":
            a2 += b":" + digest(request.content).hexdigest().encode("ascii")
        ha2 = digest(a2).hexdigest()
        cnonce = self.cnonce_factory()
        if not isinstance(cnonce, str):
            raise TypeError(f"cnonce_factory must return str, got {type(cnonce).__name__}")
        ha1 = self.ha1
        if challenge.session:
            ha1 = digest(f"{ha1}:{challenge.nonce}:{cnonce}".encode()).hexdigest()
        uri = _quote(path.decode("latin-1"))
        if challenge.qop is None:
            response = digest(f"{ha1}:{challenge.nonce}:{ha2}".encode()).hexdigest()
            # RFC 2069 has no nc and no cnonce, but -sess mixes the cnonce into H(A1) and
            # the server cannot check the answer without it.
            extra = f", cnonce={_quote(cnonce)}" if challenge.session else ""
        else:
            nc = f"{next(self.counter):08x}"
            data = f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{challenge.qop}:{ha2}"
            response = digest(data.encode()).hexdigest()
            extra = f", nc={nc}, cnonce={_quote(cnonce)}"
        if challenge.userhash:
            extra += ", userhash=true"
        return f'{self.head}{uri}, response="{response}"{self.tail}{extra}'


def _quote(value: str) -> str:
    """Return `value` as an RFC 9110 quoted-string."""
    if '"' in value or "\\" in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{value}"'


def _username_field(username: bytes) -> str:
    # RFC 7616 section 3.4: a name that a quoted-string cannot carry goes in username*,
    # RFC 8187-encoded. UTF-8 text can (as obs-text); httpx sends it that way and so do
    # we, since few servers read username*. Control characters and bytes that are not
    # UTF-8 cannot.
    try:
        text = username.decode("utf-8")
    except UnicodeDecodeError:
        return f"username*=ISO-8859-1''{quote(username, safe=_ATTR_CHARS)}"
    if _CONTROL.search(text) is None:
        return "username=" + _quote(text)
    return f"username*=UTF-8''{quote(username, safe=_ATTR_CHARS)}"


def _www_authenticate(headers: Mapping[str, str]) -> str | None:
    value = headers.get("www-authenticate")
    if value is None:
        # A plain dict is case-sensitive; httpx.Headers is not and never gets here.
        for name, field in headers.items():
            if name.lower() == "www-authenticate":
                return field
    return value
