"""Turning a username or password into the bytes that get hashed or encoded.

Text is encoded as UTF-8, as httpx 0.28 does and as RFC 7617 section 2.1 and RFC 7616
section 4 name for ``charset=UTF-8``; bytes are used as given, so a server that wants
ISO-8859-1 can be given ``"pässword".encode("latin-1")``. No message names the value.
"""

from __future__ import annotations

from ._exceptions import CredentialsError
from ._types import CredentialTypes


def credential_bytes(value: CredentialTypes, what: str) -> bytes:
    """Return `value` as bytes; `what` names it in errors ("BasicAuth password")."""
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise CredentialsError(
                f"{what} cannot be encoded as UTF-8: it holds a lone surrogate"
            ) from None
    if isinstance(value, bytes):
        return value
    raise TypeError(f"{what} must be str or bytes, got {type(value).__name__}")
