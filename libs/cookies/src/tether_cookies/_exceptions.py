"""The exceptions of tether-cookies.

```
CookieError                      anything this package refuses
  CookieConflict                 several cookies match a name (httpx's CookieConflict)
  InvalidCookie (ValueError)     a name, value or domain that would make an unsafe header
  CookieFileError (ValueError)   a cookies.txt or JSON file that cannot be read
```

Messages name the rule and the offending value. Every exception pickles.
"""

from __future__ import annotations


class CookieError(Exception):
    """Base class of every error raised by tether-cookies."""


class CookieConflict(CookieError):
    """Several cookies match a name, so a single value cannot be returned."""


class InvalidCookie(CookieError, ValueError):
    """A cookie name, value, domain or path that cannot be stored safely."""


class CookieFileError(CookieError, ValueError):
    """A cookies file (Netscape cookies.txt or JSON) is corrupt.

    `filename` names the file and `lineno` the line (1-based) where the problem was
    found, or None when the problem is not tied to one line.
    """

    def __init__(self, filename: str, lineno: int | None, reason: str) -> None:
        where = filename if lineno is None else f"{filename}, line {lineno}"
        super().__init__(f"{where}: {reason}")
        self.filename = filename
        self.lineno = lineno
        self.reason = reason

    def __reduce__(self) -> tuple[type[CookieFileError], tuple[str, int | None, str]]:
        return (type(self), (self.filename, self.lineno, self.reason))
