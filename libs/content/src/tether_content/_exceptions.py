"""The errors tether-content raises.

```
ContentError                     every error of this package
  DecodingError                  a response body that cannot be decoded
  InvalidInput                   also a TypeError and a ValueError: an argument we cannot use
  StreamError                    also a RuntimeError: a body stream used the wrong way
    StreamConsumed               a one-shot body iterated a second time
    StreamModeError              a sync body in an async consumer, or the reverse
```

`InvalidInput` derives from both `TypeError` and `ValueError` so that code
written against httpx (which raises `TypeError` for a wrong body type and lets
`json.dumps` raise `ValueError`) keeps catching it. The client defines
`class DecodingError(RequestError, tether_content.DecodingError)`, so this
package's classes stay plain `Exception` subclasses with a message as their only
argument, which also keeps them picklable.
"""

from __future__ import annotations


class ContentError(Exception):
    """Base class of every error raised by tether-content."""


class DecodingError(ContentError):
    """A response body could not be decoded: corrupt, truncated or over a limit."""


class InvalidInput(ContentError, TypeError, ValueError):
    """An argument tether-content cannot encode or use; the message names it."""


class StreamError(ContentError, RuntimeError):
    """A body stream was used in a way its source does not allow."""


class StreamConsumed(StreamError):
    """A body whose source can be read only once was iterated again."""


class StreamModeError(StreamError):
    """A sync-only body was iterated with `async for`, or an async-only one with `for`."""
