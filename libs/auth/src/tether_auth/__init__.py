"""HTTP authentication flows for tether: Basic, Digest, NetRC and custom auth.

The API of httpx 0.28's auth: `Auth` is a generator protocol (``response = yield
request``) that the sync and async clients both drive, with no I/O of its own.
`BasicAuth`, `DigestAuth`, `NetRCAuth` and `FunctionAuth` implement it; `to_auth` turns
a client's ``auth=`` shorthand into one. A flow works on any request and response of
the shapes `RequestLike` and `ResponseLike` (httpx's fit). A challenge that cannot be
answered raises `ChallengeError`; every error is an `AuthError`, or a `TypeError` for a
wrong type.
"""

from .__about__ import __version__ as __version__
from ._auth import Auth as Auth
from ._basic import BasicAuth as BasicAuth
from ._coerce import to_auth as to_auth
from ._digest import DigestAuth as DigestAuth
from ._exceptions import AuthError as AuthError
from ._exceptions import ChallengeError as ChallengeError
from ._exceptions import CredentialsError as CredentialsError
from ._function import FunctionAuth as FunctionAuth
from ._netrc import NetRCAuth as NetRCAuth
from ._protocols import RequestLike as RequestLike
from ._protocols import ResponseLike as ResponseLike
from ._protocols import URLLike as URLLike
from ._types import AuthTypes as AuthTypes
from ._types import CredentialTypes as CredentialTypes

__all__ = [
    "Auth",
    "AuthError",
    "AuthTypes",
    "BasicAuth",
    "ChallengeError",
    "CredentialTypes",
    "CredentialsError",
    "DigestAuth",
    "FunctionAuth",
    "NetRCAuth",
    "RequestLike",
    "ResponseLike",
    "URLLike",
    "__version__",
    "to_auth",
]

# Public classes and functions belong to the package, not to its private modules, so
# that pickles, reprs and docs never name a private path.
for _public in (
    Auth,
    AuthError,
    BasicAuth,
    ChallengeError,
    CredentialsError,
    DigestAuth,
    FunctionAuth,
    NetRCAuth,
    RequestLike,
    ResponseLike,
    URLLike,
    to_auth,
):
    _public.__module__ = __name__
del _public
