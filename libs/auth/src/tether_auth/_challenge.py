"""Reading ``WWW-Authenticate``: a list of challenges (RFC 9110 section 11.6.1).

```
WWW-Authenticate = #challenge
challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
auth-param       = token BWS "=" BWS ( token / quoted-string )
token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
```

Several ``WWW-Authenticate`` fields arrive joined with ``", "``, so challenges and their
parameters share one comma-separated list: an element of the form ``name=value`` is a
parameter of the current challenge, anything else starts a new challenge.

Invariants:

- Linear time. The scan only moves forward; every pattern is anchored at the current
  position and can fail only a bounded distance past it, after which the scan resumes
  beyond that point. No pattern nests a repetition inside a repetition that could match
  the same text two ways.
- A syntax error is recorded on the challenge it occurs in, and the scan resumes at the
  next comma outside a quoted string: a garbled ``Negotiate`` challenge does not hide the
  ``Digest`` challenge after it, and only the scheme that reads the challenge decides
  whether the error matters.
- Parameter names are lower-cased (they are case-insensitive, RFC 9110 section
  11.2); values are unquoted and unescaped; the scheme is lower-cased.
- Leniency, for servers seen in the wild: unquoted values may hold any visible character
  but ``"``, ``,`` and ``\\`` (``nonce=abc/def==``), and whitespace may surround ``=``.
  Control characters are refused everywhere but in the whitespace around the syntax, so
  no value can carry CR or LF into a header built from it.
"""

from __future__ import annotations

import re

from ._exceptions import excerpt

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
# A quoted string's inside, unrolled ("normal* (special normal*)*") so that it has a
# single way to match any text: qdtext is HTAB, SP, VCHAR but '"' and '\', or obs-text.
_QDTEXT = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
_QUOTED = rf'"({_QDTEXT}(?:\\[\t\x20-\x7e\x80-\U0010ffff]{_QDTEXT})*)"'
_UNQUOTED = r'([^\x00-\x20",\\\x7f]+)'

_TOKEN_RE = re.compile(_TOKEN)
_SPACE_RE = re.compile(r"[ \t]*")
_SEPARATORS_RE = re.compile(r"[ \t,]*")
# token68 only directly after the scheme, and only when nothing but the end of the
# element follows; otherwise ``realm=x`` would read as token68 ``realm`` plus junk.
_TOKEN68_RE = re.compile(r"([A-Za-z0-9\-._~+/]+=*)[ \t]*(?=,|\Z)")
_PARAM_RE = re.compile(rf"({_TOKEN})[ \t]*=[ \t]*(?:{_QUOTED}|{_UNQUOTED})[ \t]*")
# After a comma: does a parameter of the current challenge follow (``name =``)?
_NEXT_PARAM_RE = re.compile(rf"[ \t,]*(?={_TOKEN}[ \t]*=)")
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
# For skipping a bad element: runs of ordinary characters, and quoted strings whose
# closing quote may be missing.
_PLAIN_RE = re.compile(r'[^",]+')
_QUOTED_REST_RE = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)


class Challenge:
    """One challenge: its scheme, then a token68 or parameters, and its first error."""

    __slots__ = ("error", "params", "scheme", "token68")

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.token68: str | None = None
        self.params: dict[str, str] = {}
        self.error: str | None = None

    def __repr__(self) -> str:
        return (
            f"Challenge(scheme={self.scheme!r}, token68={self.token68!r}, "
            f"params={self.params!r}, error={self.error!r})"
        )

    def fail(self, message: str) -> None:
        """Record `message`, unless an earlier error is already recorded."""
        if self.error is None:
            self.error = message


def parse_challenges(value: str) -> list[Challenge]:
    """Split a ``WWW-Authenticate`` value into its challenges, in order.

    >>> [c.scheme for c in parse_challenges('Basic realm="a", Digest realm="b", nonce=n')]
    ['basic', 'digest']
    """
    challenges: list[Challenge] = []
    end = len(value)
    pos = _scan(_SEPARATORS_RE, value, 0)
    while pos < end:
        match = _TOKEN_RE.match(value, pos)
        if match is None:
            # Not even a scheme: nothing here can be answered. Skip the element.
            pos = _skip_element(value, pos)
        else:
            challenge = Challenge(match.group().lower())
            challenges.append(challenge)
            pos = _parse_payload(value, match.end(), challenge)
        pos = _scan(_SEPARATORS_RE, value, pos)
    return challenges


def _parse_payload(value: str, pos: int, challenge: Challenge) -> int:
    """Read what follows a challenge's scheme; return where the next element starts."""
    end = len(value)
    after_space = _scan(_SPACE_RE, value, pos)
    if after_space == end or value[after_space] == ",":
        return after_space  # A scheme alone, such as "Negotiate".
    if after_space == pos:
        challenge.fail(f"no space after the scheme {excerpt(challenge.scheme)} at {pos}")
        return _skip_element(value, pos)
    pos = after_space
    match = _TOKEN68_RE.match(value, pos)
    if match is not None:
        challenge.token68 = match.group(1)
        return match.end()
    while True:
        match = _PARAM_RE.match(value, pos)
        if match is None:
            challenge.fail(f"malformed parameter at {pos}: {excerpt(value[pos : pos + 40])}")
            return _skip_element(value, pos)
        name = match.group(1).lower()
        quoted = match.group(2)
        if quoted is None:
            parameter = match.group(3)
        elif "\\" in quoted:
            parameter = _ESCAPE_RE.sub(r"\1", quoted)
        else:
            parameter = quoted
        if name in challenge.params:
            challenge.fail(f"the parameter {name!r} appears twice")
        else:
            challenge.params[name] = parameter
        pos = match.end()
        if pos == end:
            return pos
        if value[pos] != ",":
            challenge.fail(f"expected ',' at {pos}: {excerpt(value[pos : pos + 40])}")
            return _skip_element(value, pos)
        follow = _NEXT_PARAM_RE.match(value, pos)
        if follow is None:
            return pos  # The next element starts another challenge.
        pos = follow.end()


def _skip_element(value: str, pos: int) -> int:
    """Return the position of the next comma outside a quoted string, or the end."""
    end = len(value)
    while pos < end:
        char = value[pos]
        if char == ",":
            return pos
        if char == '"':
            pos = _scan(_QUOTED_REST_RE, value, pos + 1)
        else:
            pos = _scan(_PLAIN_RE, value, pos)
    return end


def _scan(pattern: re.Pattern[str], value: str, pos: int) -> int:
    """Return where `pattern` ends when matched at `pos` (callers use it where it cannot fail)."""
    match = pattern.match(value, pos)
    return match.end() if match else pos
