"""Text decoding: the charset of a Content-Type, the encoding to use, incremental decoding.

Invariants:
- The charset parameter is read the way httpx's `email.message` route reads it:
  the first `charset` parameter, case-insensitive name, quotes and backslash
  escapes removed, value lowercased; a non-ASCII or empty value counts as absent.
- Only text encodings are used: a charset naming a bytes-to-bytes codec
  ("base64", "zlib", "rot13"...) is treated as unknown, so a server cannot
  turn `.text` into a decompressor. httpx accepts any codec name here.
- Decoding never fails: undecodable bytes become U+FFFD (`errors="replace"`,
  as httpx), and a multi-byte character split across chunks is decoded once
  its last byte arrives.
"""

from __future__ import annotations

import codecs
import functools
from collections.abc import Iterator

from ._exceptions import InvalidInput
from ._types import DefaultEncoding


@functools.lru_cache(maxsize=64)
def is_text_encoding(name: str) -> bool:
    """Whether `name` is a codec that decodes bytes to str (what `bytes.decode` accepts)."""
    try:
        info = codecs.lookup(name)
        # bytes.decode refuses codecs such as base64 or zlib on this same flag.
        if not getattr(info, "_is_text_encoding", True):
            return False
        b"\x00".decode(name, "replace")  # "undefined" and the like fail on any input
    except (LookupError, UnicodeError, ValueError, TypeError):
        return False
    return True


def _split_params(text: str) -> Iterator[str]:
    """The ';'-separated parts of a header value, keeping quoted strings whole."""
    start = 0
    quoted = False
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if quoted and char == "\\":
            index += 1
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            yield text[start:index]
            start = index + 1
        index += 1
    yield text[start:]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return inner.replace("\\\\", "\\").replace('\\"', '"') if "\\" in inner else inner
    return value


def charset_from_content_type(content_type: str | bytes | None) -> str | None:
    """The lowercased `charset` parameter of a Content-Type value, or None.

    >>> charset_from_content_type('text/html; charset="ISO-8859-1"')
    'iso-8859-1'
    """
    if not content_type:
        return None
    text = content_type.decode("latin-1") if isinstance(content_type, bytes) else str(content_type)
    if ";" not in text:
        return None
    parts = _split_params(text)
    next(parts)  # the media type
    for part in parts:
        name, eq, value = part.partition("=")
        if eq and name.strip().lower() == "charset":
            charset = _unquote(value.strip())
            if not charset or not charset.isascii():
                return None
            return charset.lower()
    return None


def resolve_encoding(
    content_type: str | bytes | None,
    default_encoding: DefaultEncoding = "utf-8",
    content: bytes | None = None,
) -> str:
    """The encoding for a body's text, as httpx's `Response.encoding` picks it.

    The Content-Type charset if it names a text encoding; else `default_encoding`
    if it is a name; else, if it is a function and `content` is given, its guess
    from the content; else "utf-8".

    >>> resolve_encoding("text/plain; charset=latin-1")
    'latin-1'
    >>> resolve_encoding("text/plain", default_encoding=lambda body: "ascii", content=b"hi")
    'ascii'
    """
    charset = charset_from_content_type(content_type)
    if charset is not None and is_text_encoding(charset):
        return charset
    if isinstance(default_encoding, str):
        guess: str | None = default_encoding
        source = "default_encoding"
    elif callable(default_encoding):
        if content is None:
            return "utf-8"
        guess = default_encoding(content)
        source = f"default_encoding {getattr(default_encoding, '__name__', 'function')}()"
    else:
        raise InvalidInput(
            f"default_encoding must be an encoding name or a function, "
            f"got {type(default_encoding).__name__}"
        )
    if guess is None:
        return "utf-8"
    if not isinstance(guess, str) or not is_text_encoding(guess):
        raise InvalidInput(f"{source} gave {guess!r}, which is not a known text encoding")
    return guess


class TextDecoder:
    """Decodes a body's bytes to str incrementally, across chunk boundaries.

    >>> decoder = TextDecoder("utf-8")
    >>> decoder.decode(b"caf\\xc3") + decoder.decode(b"\\xa9") + decoder.flush()
    'café'
    """

    __slots__ = ("_decoder", "_encoding")

    def __init__(self, encoding: str = "utf-8", errors: str = "replace") -> None:
        """Decode with `encoding`; `errors` is a codecs error handler ("replace" as httpx)."""
        if not isinstance(encoding, str) or not is_text_encoding(encoding):
            raise InvalidInput(f"{encoding!r} is not a known text encoding")
        try:
            codecs.lookup_error(errors)
        except (LookupError, TypeError):
            raise InvalidInput(f"{errors!r} is not a codecs error handler") from None
        self._encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors=errors)

    @property
    def encoding(self) -> str:
        """The encoding in use."""
        return self._encoding

    def decode(self, data: bytes) -> str:
        """Decode the next chunk; an incomplete trailing character waits for the next."""
        return self._decoder.decode(data)

    def flush(self) -> str:
        """Decode what is left at the end of the body."""
        return self._decoder.decode(b"", True)
