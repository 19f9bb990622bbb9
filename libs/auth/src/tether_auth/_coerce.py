"""`to_auth`: what a client makes of its ``auth=`` argument."""

from __future__ import annotations

from ._auth import Auth
from ._basic import BasicAuth
from ._function import FunctionAuth
from ._types import AuthTypes


def to_auth(auth: AuthTypes | None) -> Auth | None:
    """Turn the shorthand a client accepts into an `Auth`, as httpx's clients do.

    A ``(username, password)`` tuple becomes `BasicAuth`, a callable `FunctionAuth`; an
    `Auth` and None pass through. Anything else raises `TypeError` naming its type (not
    its value, which may hold a password).

    >>> to_auth(("user", "pass"))
    <BasicAuth [secure]>
    >>> to_auth(None) is None
    True
    """
    if auth is None or isinstance(auth, Auth):
        return auth
    if isinstance(auth, tuple):
        if len(auth) != 2:
            raise TypeError(
                f'Invalid "auth" argument: expected a (username, password) tuple, '
                f"got a tuple of {len(auth)} items"
            )
        return BasicAuth(auth[0], auth[1])
    if isinstance(auth, type):
        # auth=BasicAuth is callable, but the flow would fail far from the mistake.
        raise TypeError(f'Invalid "auth" argument: got the class {auth.__name__}; pass an instance')
    if callable(auth):
        return FunctionAuth(auth)
    raise TypeError(
        'Invalid "auth" argument: expected an Auth instance, a (username, password) '
        f"tuple, a callable or None; got {type(auth).__name__}"
    )
