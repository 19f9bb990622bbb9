"""multipart/form-data request bodies (RFC 7578), streamed.

Invariants:
- The wire format is httpx 0.28's, byte for byte: for each field
  `--{boundary}\\r\\n`, its headers, `\\r\\n\\r\\n`, its data, `\\r\\n`; then
  `--{boundary}--\\r\\n`. Form fields come first (in `data=` order, a list value
  giving one field per item), then files (in `files=` order).
- Names and filenames are sent as UTF-8 inside double quotes with the HTML5 form
  escapes httpx applies: `"` becomes `%22`, a backslash is doubled, and every C0
  control character except ESC (so CR and LF too) becomes `%XX`. Nothing is
  percent-encoded otherwise: no RFC 2231 `filename*=`, as browsers do
  (RFC 7578 section 4.2).
- Files are never read whole: each is read in `READ_SIZE` chunks while the body
  is iterated, after seeking it to offset 0 (as httpx does). Iterating again
  rewinds every file; a file that cannot seek makes a second iteration raise
  `StreamConsumed`.
- The length is known, and sent as Content-Length, when every file's size is
  known without reading it (bytes, str, `os.fstat` of a regular file, or
  seek-to-end of a seekable object); otherwise the body is sent chunked.
- Extra per-file header names and values may not contain CR, LF or NUL.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from ._exceptions import InvalidInput, StreamConsumed
from ._files import (
    READ_SIZE,
    is_text_file,
    position,
    read_chunks,
    rewind,
    total_size,
)
from ._types import FileTypes, RequestData, RequestFiles

# The HTML5 "multipart/form-data encoding algorithm" escapes httpx 0.28 applies.
_FORM_ESCAPES = str.maketrans(
    {'"': "%22", "\\": "\\\\", **{chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}}
)

# RFC 2046 section 5.1.1: boundary := 0*69<bchars> bcharsnospace
_BCHARS = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")
_MAX_BOUNDARY = 70

# Adjacent small pieces (boundary lines, headers, short values) are joined into one
# chunk up to this size, so a form of many short fields is not written piece by piece.
_JOIN_LIMIT = READ_SIZE


def _quote(value: str, what: str) -> bytes:
    return _encode_text(value.translate(_FORM_ESCAPES), what)


def _form_value(name: str, value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if value is True:
        return b"true"
    if value is False:
        return b"false"
    if value is None:
        return b""
    if isinstance(value, str):
        return _encode_text(value, f"the value of form field {name!r}")
    if isinstance(value, (int, float)):
        return str(value).encode("ascii")
    raise InvalidInput(
        f"form field {name!r} has a {type(value).__name__} value ({value!r:.40}); "
        "expected str, bytes, int, float, bool or None"
    )


def _encode_text(text: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{what} cannot be encoded as UTF-8: {exc.reason}") from None


def _check_header(name: object, value: object, field: str) -> tuple[str, str]:
    if not isinstance(name, str) or not isinstance(value, str):
        raise InvalidInput(
            f"headers of file field {field!r} must map str to str, got {name!r}: {value!r:.40}"
        )
    for part in (name, value):
        if "\r" in part or "\n" in part or "\0" in part:
            raise InvalidInput(
                f"header {name!r} of file field {field!r} contains CR, LF or NUL: {value!r:.40}"
            )
    return name, value


def guess_content_type(filename: str | None) -> str | None:
    """The media type for `filename` from `mimetypes`, else application/octet-stream.

    None when there is no filename, as httpx does (the part then has no Content-Type).
    """
    if not filename:
        return None
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def boundary_from_content_type(content_type: str | bytes | None) -> bytes | None:
    """The `boundary` parameter of a multipart/form-data Content-Type, or None.

    Lets a caller who sets the Content-Type header choose the body's boundary:

    >>> boundary_from_content_type('multipart/form-data; boundary="abc123"')
    b'abc123'
    >>> boundary_from_content_type("text/plain") is None
    True
    """
    if not content_type:
        return None
    text = content_type.decode("latin-1") if isinstance(content_type, bytes) else str(content_type)
    media_type, _, params = text.partition(";")
    if media_type.strip().lower() != "multipart/form-data":
        return None
    for param in params.split(";"):
        key, eq, value = param.strip().partition("=")
        if eq and key.strip().lower() == "boundary":
            return value.strip().strip('"').encode("latin-1")
    return None


def _check_boundary(boundary: bytes | str) -> bytes:
    if isinstance(boundary, str):
        boundary = boundary.encode("latin-1", "replace")
    if not isinstance(boundary, bytes):
        raise InvalidInput(f"boundary must be bytes, got {type(boundary).__name__}")
    if (
        not 0 < len(boundary) <= _MAX_BOUNDARY
        or boundary.endswith(b" ")
        or not _BCHARS.issuperset(boundary)
    ):
        raise InvalidInput(
            f"invalid multipart boundary {boundary!r:.80}: RFC 2046 section 5.1.1 allows "
            "1 to 70 letters, digits and '()+_,-./:=? (and spaces, not last)"
        )
    return boundary


class _File:
    """A file part's source: the object, its size if known, whether it can rewind."""

    __slots__ = ("fileobj", "label", "seekable", "size")

    def __init__(self, fileobj: Any, label: str) -> None:
        self.fileobj = fileobj
        self.label = label
        self.seekable = position(fileobj) is not None
        self.size = total_size(fileobj)

    def chunks(self) -> Iterator[bytes]:
        if self.seekable:
            rewind(self.fileobj, 0)
        return read_chunks(self.fileobj, self.label)


_Piece = bytes | _File


def _data_fields(data: RequestData) -> Iterator[tuple[str, bytes]]:
    if not isinstance(data, Mapping):
        raise InvalidInput(f"data= must be a mapping of form fields, got {type(data).__name__}")
    for name, value in data.items():
        if not isinstance(name, str):
            raise InvalidInput(f"form field names must be str, got {type(name).__name__} {name!r}")
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            yield name, _form_value(name, item)


def _file_header(name: str, filename: str | None, headers: Mapping[str, str]) -> bytes:
    parts = [b'Content-Disposition: form-data; name="', _quote(name, "a field name"), b'"']
    if filename:
        parts += [b'; filename="', _quote(filename, f"the filename of field {name!r}"), b'"']
    for key, value in headers.items():
        what = f"header {key!r} of field {name!r}"
        parts += [b"\r\n", _encode_text(key, what), b": ", _encode_text(value, what)]
    parts.append(b"\r\n\r\n")
    return b"".join(parts)


def _file_field(name: object, value: FileTypes) -> tuple[bytes, bytes | _File]:
    if not isinstance(name, str):
        raise InvalidInput(f"file field names must be str, got {type(name).__name__} {name!r}")
    content_type: object = None
    extra: object = {}
    if isinstance(value, tuple):
        if not 2 <= len(value) <= 4:
            raise InvalidInput(
                f"file field {name!r} must be (filename, file[, content_type[, headers]]), "
                f"got a tuple of {len(value)} items"
            )
        filename: object = value[0]
        fileobj: object = value[1]
        if len(value) >= 3:
            content_type = value[2]
        if len(value) == 4:
            extra = value[3]
    else:
        filename = Path(str(getattr(value, "name", "upload"))).name
        fileobj = value
    if filename is not None and not isinstance(filename, str):
        raise InvalidInput(f"the filename of file field {name!r} must be str or None: {filename!r}")
    if content_type is not None and not isinstance(content_type, str):
        raise InvalidInput(
            f"the content type of file field {name!r} must be str or None: {content_type!r}"
        )
    if not isinstance(extra, Mapping):
        raise InvalidInput(f"the headers of file field {name!r} must be a mapping: {extra!r:.40}")
    headers = dict(_check_header(k, v, name) for k, v in extra.items())
    if content_type is None:
        content_type = guess_content_type(filename)
    # httpx: a content type given in the headers wins over the tuple's third item.
    if content_type is not None and not any("content-type" in key.lower() for key in headers):
        _check_header("Content-Type", content_type, name)
        headers["Content-Type"] = content_type

    header = _file_header(name, filename, headers)
    if isinstance(fileobj, bytes):
        return header, fileobj
    if isinstance(fileobj, str):
        return header, _encode_text(fileobj, f"the content of file field {name!r}")
    if is_text_file(fileobj):
        raise InvalidInput(
            f"file field {name!r} is a text-mode file ({type(fileobj).__name__}); "
            "multipart uploads need binary files: open it with 'rb' or use io.BytesIO"
        )
    if not hasattr(fileobj, "read"):
        raise InvalidInput(
            f"file field {name!r} must be a binary file object, bytes or str, "
            f"got {type(fileobj).__name__}"
        )
    return header, _File(fileobj, f"the file of field {name!r}")


class MultipartStream:
    """A multipart/form-data body built from form fields and files, read lazily."""

    __slots__ = ("_boundary", "_content_length", "_files", "_pieces", "_started")

    supports_sync: ClassVar[bool] = True
    supports_async: ClassVar[bool] = True

    def __init__(
        self, data: RequestData, files: RequestFiles, boundary: bytes | str | None = None
    ) -> None:
        """Lay out the parts of `data` then `files`; `boundary` defaults to 32 random hex digits."""
        self._boundary = (
            os.urandom(16).hex().encode("ascii") if boundary is None else _check_boundary(boundary)
        )
        delimiter = b"--" + self._boundary + b"\r\n"
        pieces: list[_Piece] = []
        length: int | None = 0

        def add(header: bytes, body: bytes | _File) -> None:
            nonlocal length
            pieces.extend((delimiter, header, body, b"\r\n"))
            size = len(body) if isinstance(body, bytes) else body.size
            if length is not None:
                length = None if size is None else length + len(delimiter) + len(header) + size + 2

        for name, value in _data_fields(data):
            quoted = _quote(name, "a field name")
            add(b'Content-Disposition: form-data; name="' + quoted + b'"\r\n\r\n', value)
        if isinstance(files, Mapping):
            items: Any = files.items()
        elif isinstance(files, (list, tuple)):
            items = files
        else:
            raise InvalidInput(
                f"files= must be a mapping or a list of (name, file) pairs, "
                f"got {type(files).__name__}"
            )
        for item in items:
            if not isinstance(item, tuple) or len(item) != 2:
                raise InvalidInput(f"files= items must be (name, file) pairs, got {item!r:.60}")
            add(*_file_field(*item))
        closing = b"--" + self._boundary + b"--\r\n"
        pieces.append(closing)
        self._content_length = None if length is None else length + len(closing)
        self._pieces = _join_small(pieces)
        self._files = [piece for piece in self._pieces if isinstance(piece, _File)]
        self._started = False

    @property
    def boundary(self) -> bytes:
        """The boundary that separates the parts."""
        return self._boundary

    @property
    def content_type(self) -> str:
        """The Content-Type header value, naming the boundary."""
        return "multipart/form-data; boundary=" + self._boundary.decode("ascii")

    @property
    def content_length(self) -> int | None:
        """The body's size in bytes, or None if some file's size is unknown."""
        return self._content_length

    @property
    def headers(self) -> dict[str, str]:
        """Content-Length (or Transfer-Encoding: chunked) and Content-Type, as httpx orders them."""
        if self._content_length is None:
            return {"Transfer-Encoding": "chunked", "Content-Type": self.content_type}
        return {"Content-Length": str(self._content_length), "Content-Type": self.content_type}

    @property
    def replayable(self) -> bool:
        """Whether every file can be rewound, so the body can be sent again."""
        return all(file.seekable for file in self._files)

    def __iter__(self) -> Iterator[bytes]:
        """Yield the body, reading each file in chunks; `StreamConsumed` if it cannot replay."""
        if self._started and not self.replayable:
            stuck = next(file.label for file in self._files if not file.seekable)
            raise StreamConsumed(
                f"the multipart body was already sent and {stuck} cannot seek back to be "
                "read again (a redirect or an auth retry needs it twice); "
                "pass a seekable file or bytes instead"
            )
        self._started = True
        return self._generate()

    def _generate(self) -> Iterator[bytes]:
        for piece in self._pieces:
            if isinstance(piece, bytes):
                yield piece
            else:
                yield from piece.chunks()

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield the body asynchronously (file reads are blocking, as in httpx)."""
        return self._agenerate(iter(self))

    async def _agenerate(self, chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    def close(self) -> None:
        """Nothing to release: the files belong to the caller."""

    async def aclose(self) -> None:
        """Nothing to release: the files belong to the caller."""

    def __repr__(self) -> str:
        return f"<MultipartStream [{self.content_type}, {len(self._pieces)} pieces]>"


def _join_small(pieces: list[_Piece]) -> list[_Piece]:
    joined: list[_Piece] = []
    run: list[bytes] = []
    size = 0
    for piece in pieces:
        if isinstance(piece, bytes) and len(piece) <= _JOIN_LIMIT:
            if size + len(piece) > _JOIN_LIMIT:
                joined.append(b"".join(run))
                run, size = [], 0
            run.append(piece)
            size += len(piece)
            continue
        if size:
            joined.append(b"".join(run))
        run, size = [], 0
        joined.append(piece)
    if size:
        joined.append(b"".join(run))
    return joined
