"""The exceptions of tether-auth.

```
AuthError                    everything this package raises for bad input
  ChallengeError             a server's challenge cannot be answered
  CredentialsError           credentials that cannot be sent (also a ValueError)
```

A wrong type (a password that is an ``int``, an ``auth=`` value that is a list) raises
`TypeError` instead, as Python does. Messages name what was wrong and show the offending
value, except credentials: a username or password never appears in a message.
"""

from __future__ import annotations

# How many characters of a server-supplied value a message quotes: enough to recognise
# it, never a 100 KB header copied into a log line.
_EXCERPT_CHARS = 60


class AuthError(Exception):
    """The base class of every error tether-auth raises for bad input."""


class ChallengeError(AuthError):
    """A ``WWW-Authenticate`` challenge that cannot be answered.

    Raised by the Digest flow when the server's challenge is malformed, lacks its
    ``realm`` or ``nonce``, names an algorithm or ``qop`` that does not exist, or names an
    algorithm that this Python's ``hashlib`` does not provide. The client turns it into
    its ``ProtocolError`` where it drives the flow: the server broke the protocol.
    """


class CredentialsError(AuthError, ValueError):
    """Credentials that cannot be sent as given.

    A Basic user-id holding a colon (RFC 7617 section 2 forbids it: the server splits
    ``user:password`` at the first colon) or a netrc file that cannot be parsed. The
    message never contains the credentials themselves.
    """


def excerpt(value: str) -> str:
    """Show a server-supplied `value` in a message: its repr, cut when long."""
    if len(value) <= _EXCERPT_CHARS:
        return repr(value)
    return f"{value[:_EXCERPT_CHARS]!r}... ({len(value)} characters)"
