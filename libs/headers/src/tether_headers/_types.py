"""The input types that tether-headers accepts, in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from ._headers import Headers

#: A header name or value as given by a caller: text, or bytes as read off the wire.
HeaderText = str | bytes

#: Anything `Headers` is built from: another `Headers`, a mapping, or a sequence of pairs
#: (the same shapes as httpx's ``HeaderTypes``, plus mixed str and bytes).
HeaderTypes = Union[
    "Headers",
    Mapping[str, HeaderText],
    Mapping[bytes, HeaderText],
    Sequence[tuple[HeaderText, HeaderText]],
]

#: Parameters to format: a mapping of names to values, or (name, value) pairs.
ParamTypes = Mapping[str, str] | Sequence[tuple[str, str]]

#: A moment to format as an HTTP date: a datetime, or seconds since the epoch.
DateTypes = datetime | float | int
