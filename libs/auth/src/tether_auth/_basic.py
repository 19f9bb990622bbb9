"""`BasicAuth`: the Basic scheme of RFC 7617."""

from __future__ import annotations

from binascii import b2a_base64

from ._auth import Auth, Flow
from ._credentials import credential_bytes
from ._exceptions import CredentialsError
from ._protocols import RequestLike
from ._types import CredentialTypes


class BasicAuth(Auth):
    """Send a username and password with every request (RFC 7617).

    Text is encoded as UTF-8 (httpx 0.28 does the same); bytes are sent as given. The
    header is built once, here, and the credentials are not kept otherwise.

    >>> BasicAuth("Aladdin", "open sesame")
    <BasicAuth [secure]>
    """

    __slots__ = ("_header",)

    def __init__(self, username: CredentialTypes, password: CredentialTypes) -> None:
        self._header = basic_header(username, password)

    def __repr__(self) -> str:
        return "<BasicAuth [secure]>"

    def auth_flow(self, request: RequestLike) -> Flow:
        """Set ``Authorization: Basic ...`` and send the request once."""
        request.headers["Authorization"] = self._header
        yield request


def basic_header(username: CredentialTypes, password: CredentialTypes) -> str:
    """Return the ``Authorization`` value for a user-id and password (RFC 7617 section 2).

    >>> basic_header("Aladdin", "open sesame")
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='
    """
    if isinstance(username, str) and isinstance(password, str):
        # The common case, encoded in one step: a client may build one per request.
        if ":" in username:
            raise _colon_error()
        try:
            userpass = f"{username}:{password}".encode()
        except UnicodeEncodeError:
            raise CredentialsError(
                "Basic credentials cannot be encoded as UTF-8: they hold a lone surrogate"
            ) from None
    else:
        user = credential_bytes(username, "Basic username")
        if b":" in user:
            raise _colon_error()
        userpass = user + b":" + credential_bytes(password, "Basic password")
    return "Basic " + b2a_base64(userpass, newline=False).decode()


def _colon_error() -> CredentialsError:
    # RFC 7617 section 2: the server splits at the first colon, so user "a:b" with
    # password "c" would log in as "a" with password "b:c".
    return CredentialsError("a Basic user-id must not contain ':' (RFC 7617 section 2)")
