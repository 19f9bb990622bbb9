"""How `Headers` stores what callers give it, and reads it back.

Stored text has one character per byte: bytes are decoded as latin-1, and text is
encoded with the headers' encoding then decoded as latin-1. So bytes off the wire and text
from callers share one form, and encoding it as latin-1 gives back the exact bytes.
ASCII text needs no conversion at all, which is the common case and the fast path.

Input is taken in bulk where possible: a dict of ASCII text, or a list of pairs that are
all bytes or all ASCII text, is checked by one loop and kept as it is; anything else
(mixed types, non-ASCII text, an explicit encoding that changes ASCII) goes through
`coerce_pairs`, one pair at a time, which is also where every bad input is reported.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from ._exceptions import InvalidHeader, preview

Raw = list[tuple[bytes, bytes]]

_ASCII_BYTES = bytes(range(128))
_ASCII_TEXT = _ASCII_BYTES.decode("ascii")


@functools.lru_cache(maxsize=64)
def ascii_compatible(encoding: str) -> bool:
    """Whether `encoding` is a text codec that decodes ASCII bytes as themselves.

    Raises `InvalidHeader` if it is not a text codec at all.
    """
    if not isinstance(encoding, str):
        raise TypeError(f"header encoding must be a str, not {type(encoding).__name__}")
    try:
        decoded = _ASCII_BYTES.decode(encoding)
        "".encode(encoding)
    except LookupError:
        raise InvalidHeader(f"header encoding {encoding!r} is not a known text codec") from None
    except UnicodeError:
        return False
    return decoded == _ASCII_TEXT


def ascii_lower(name: str) -> str:
    """Lower the ASCII letters of stored text only, as ``bytes.lower()`` does."""
    return name.lower() if name.isascii() else name.encode("latin-1").lower().decode("latin-1")


def is_ascii(names: list[str], values: list[str]) -> bool:
    """Whether every stored name and value is ASCII."""
    return "".join(names).isascii() and "".join(values).isascii()


def detect(names: list[str], values: list[str]) -> str:
    """httpx's encoding detection for text that is not all ASCII: utf-8, else latin-1."""
    try:
        for text in (*names, *values):
            text.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        # ISO-8859-1 maps every byte to a character, so it always decodes.
        return "iso-8859-1"
    return "utf-8"


def decode_raw(raw: Raw) -> tuple[list[str], list[str], bool]:
    """Stored text for raw (name, value) byte pairs, and whether it is all ASCII."""
    try:
        # UTF-8 is bytes.decode's fastest path, and reads ASCII as latin-1 does.
        names = [name.decode() for name, _ in raw]
        values = [value.decode() for _, value in raw]
        if is_ascii(names, values):
            return names, values, True
    except UnicodeDecodeError:
        pass
    names = [name.decode("latin-1") for name, _ in raw]
    values = [value.decode("latin-1") for _, value in raw]
    return names, values, False


def encode_raw(names: list[str], values: list[str], plain: bool) -> Raw:
    """Raw (name, value) byte pairs for stored text; `plain` if all of it is ASCII."""
    if plain:
        # ASCII encodes the same in UTF-8 (str.encode's default, its fastest path).
        return list(zip(map(str.encode, names), map(str.encode, values), strict=False))
    return [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in zip(names, values, strict=True)
    ]


def _not_a_pair(pair: object) -> TypeError:
    return TypeError(f"header items must be (name, value) pairs, got {pair!r:.80}")


def _shown(name: str | bytes) -> str:
    return name if isinstance(name, str) else name.decode("latin-1")


def to_text(item: object, encoding: str, name: str | bytes | None = None) -> str:
    """Stored text for one name (`name` None) or value given by a caller."""
    if isinstance(item, str):
        try:
            return item.encode(encoding).decode("latin-1")
        except UnicodeError:
            what = "name" if name is None else f"value of header {_shown(name)!r}"
            shown = None if name is None else _shown(name)
            hint = "; pass bytes or choose an encoding" if encoding == "ascii" else ""
            raise InvalidHeader(
                f"header {what} cannot be encoded as {encoding}{hint}: {preview(item, shown)}",
                name=str.__str__(item) if name is None else shown,
            ) from None
    if isinstance(item, bytes):
        return item.decode("latin-1")
    what = "name" if name is None else f"value of {_shown(name)!r}"
    raise TypeError(f"header {what} must be str or bytes, not {type(item).__name__}")


def coerce_pairs(
    pairs: Iterable[Any], encoding: str, compatible: bool
) -> tuple[list[str], list[str]]:
    """Stored text for pairs of any accepted types, one at a time; reports bad input."""
    names: list[str] = []
    values: list[str] = []
    for pair in pairs:
        try:
            name, value = pair
        except (TypeError, ValueError):
            raise _not_a_pair(pair) from None
        if type(name) is str and compatible and name.isascii():
            names.append(name)
        else:
            names.append(to_text(name, encoding))
        if type(value) is str and compatible and value.isascii():
            values.append(value)
        else:
            values.append(to_text(value, encoding, name))
    return names, values


def take(
    headers: object, encoding: str | None, compatible: bool
) -> tuple[Raw | None, list[str], list[str]]:
    """Store `headers` (not a `Headers`): raw byte pairs to decode later, or stored text.

    Returns ``(raw, [], [])`` when everything is bytes (decoding waits for the first
    read), else ``(None, names, values)``.
    """
    if headers is None:
        return None, [], []
    if isinstance(headers, (list, tuple)):
        pairs: list[Any] = list(headers)
    elif isinstance(headers, dict):
        names = list(headers)
        values = list(headers.values())
        exact_text = {*map(type, names), *map(type, values)} == {str}
        if compatible and exact_text and is_ascii(names, values):
            return None, names, values
        pairs = list(zip(names, values, strict=True))
    elif isinstance(headers, Mapping):
        pairs = list(headers.items())
    elif isinstance(headers, (str, bytes)) or not isinstance(headers, Iterable):
        raise TypeError(
            "headers must be a mapping or a sequence of (name, value) pairs, "
            f"not {type(headers).__name__}"
        )
    else:
        pairs = list(headers)
    if not pairs:
        return None, [], []
    first = pairs[0]
    # The fast paths only check; a pair that is not a pair of the right type sends the
    # whole input to coerce_pairs, which converts it or says what is wrong.
    if type(first) is tuple and len(first) == 2 and type(first[0]) is bytes:
        if _all_bytes(pairs) and {*map(type, pairs)} == {tuple}:
            return pairs, [], []
    elif compatible and type(first) is tuple and len(first) == 2 and type(first[0]) is str:
        names, values = _all_text(pairs)
        if len(names) == len(pairs) and is_ascii(names, values):
            return None, names, values
    return (None, *coerce_pairs(pairs, encoding or "ascii", compatible))


def _all_bytes(pairs: list[Any]) -> bool:
    try:
        for name, value in pairs:
            if type(name) is not bytes or type(value) is not bytes:
                return False
    except (TypeError, ValueError):
        return False
    return True


def _all_text(pairs: list[Any]) -> tuple[list[str], list[str]]:
    """The names and values of leading pairs of str (all of them, if all are)."""
    names: list[str] = []
    values: list[str] = []
    try:
        for name, value in pairs:
            if type(name) is not str or type(value) is not str:
                break
            names.append(name)
            values.append(value)
    except (TypeError, ValueError):
        pass
    return names, values
