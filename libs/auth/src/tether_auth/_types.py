"""The input types that tether-auth accepts, in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._auth import Auth

# A username or a password: text is sent as UTF-8, bytes as given.
CredentialTypes = str | bytes

# What a client's ``auth=`` accepts, besides None: what `to_auth` converts. The callable
# takes and returns a request of whatever concrete type the client sends (hence Any).
AuthTypes = tuple[CredentialTypes, CredentialTypes] | Callable[[Any], Any] | Auth
