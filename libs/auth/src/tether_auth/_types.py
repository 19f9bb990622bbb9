"""The input types that tether-auth accepts, in one place."""

from __future__ import annotations

from collections.abc import Callable

from ._auth import Auth
from ._protocols import RequestLike

# A username or a password: text is sent as UTF-8, bytes as given.
CredentialTypes = str | bytes

# What a client's ``auth=`` accepts, besides None: what `to_auth` converts.
AuthTypes = tuple[CredentialTypes, CredentialTypes] | Callable[[RequestLike], RequestLike] | Auth
