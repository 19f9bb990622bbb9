"""The input types tether-content accepts, in one place (httpx 0.28's `_types.py` shapes)."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeAlias


class SupportsReadBytes(Protocol):
    """A binary file-like object: anything with `read(size) -> bytes`."""

    def read(self, size: int, /) -> bytes:
        """Return up to `size` bytes; `b""` at the end."""
        ...


class SupportsAreadBytes(Protocol):
    """An async binary file-like object: anything with `async aread(size) -> bytes`."""

    async def aread(self, size: int, /) -> bytes:
        """Return up to `size` bytes; `b""` at the end."""
        ...


PrimitiveData: TypeAlias = str | int | float | bool | None
"""A form value: `None` is sent as "", booleans as "true"/"false", numbers with `str()`."""

RequestContent: TypeAlias = str | bytes | Iterable[bytes] | AsyncIterable[bytes]
"""`content=`: bytes, text (sent as UTF-8), or a sync or async iterable of bytes."""

ResponseContent: TypeAlias = RequestContent
"""`content=` of a response built in code."""

# A string: on Python 3.10 `isinstance(Mapping[str, Any], type)` is True, and an
# exported alias must not pass for a class of this package.
RequestData: TypeAlias = "Mapping[str, Any]"
"""`data=`: form fields; a list or tuple value becomes one field per item."""

FileContent: TypeAlias = SupportsReadBytes | bytes | str
"""One uploaded file's body: a binary file object, bytes, or text (sent as UTF-8)."""

FileTypes: TypeAlias = (
    FileContent
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
"""A `files=` value: the content, or (filename, content[, content_type[, headers]])."""

RequestFiles: TypeAlias = Mapping[str, FileTypes] | Sequence[tuple[str, FileTypes]]
"""`files=`: a mapping or a sequence of (field name, file) pairs."""

DefaultEncoding: TypeAlias = str | Callable[[bytes], str | None]
"""An encoding name, or a function that guesses one from the body (`None` if unsure)."""
