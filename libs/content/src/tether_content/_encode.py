"""The request and response encoders: arguments in, (headers, stream) out.

Invariants:
- The headers returned are only those the body implies: Content-Length when the
  size is known (omitted for an empty body, as httpx does), else
  Transfer-Encoding: chunked, plus Content-Type for form, multipart, JSON,
  text and HTML bodies. The caller merges them under its own headers.
- The priority of the arguments is httpx 0.28's: `content`, then `files`
  (with `data` as extra form fields), then `data` (urlencoded), then `json`.
- JSON is `json.dumps(..., ensure_ascii=False, separators=(",", ":"),
  allow_nan=False)` encoded as UTF-8: httpx 0.28's compact form, byte for byte.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Any, cast
from urllib.parse import quote_plus

from ._deprecation import warn_deprecated
from ._exceptions import InvalidInput
from ._multipart import MultipartStream
from ._streams import AsyncIteratorStream, ByteStream, IteratorStream
from ._types import RequestContent, RequestData, RequestFiles, ResponseContent

BodyStream = ByteStream | IteratorStream | AsyncIteratorStream | MultipartStream
"""Any stream an encoder returns."""

# httpx's Request adds "Content-Length: 0" to a bodiless request with these methods
# (RFC 9110 section 8.6: a user agent SHOULD send it when a body is expected).
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _utf8(text: str, what: str) -> bytes:
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be str, got {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            f"{what} cannot be encoded as UTF-8: {exc.reason} at index {exc.start}"
        ) from None


def _sized(body: bytes, content_type: str | None = None) -> tuple[dict[str, str], ByteStream]:
    headers = {"Content-Length": str(len(body))}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers, ByteStream(body)


def encode_content(content: RequestContent) -> tuple[dict[str, str], BodyStream]:
    """Encode raw `content=`: bytes, str (as UTF-8), or a sync or async iterable of bytes."""
    if isinstance(content, (bytes, bytearray, memoryview, str)):
        body = _utf8(content, "content=") if isinstance(content, str) else bytes(content)
        return ({"Content-Length": str(len(body))} if body else {}), ByteStream(body)
    if isinstance(content, Mapping):
        raise InvalidInput(
            f"content= got a {type(content).__name__}; use data= for form fields "
            "or json= for a JSON body"
        )
    if hasattr(content, "read") or isinstance(content, Iterable):
        stream = IteratorStream(cast("Iterable[bytes]", content))
        length = stream.content_length
        if length is None:
            return {"Transfer-Encoding": "chunked"}, stream
        return {"Content-Length": str(length)}, stream
    if hasattr(content, "aread") or isinstance(content, AsyncIterable):
        return {"Transfer-Encoding": "chunked"}, AsyncIteratorStream(content)
    raise InvalidInput(
        f"content= must be bytes, str, or a sync or async iterable of bytes, "
        f"got {type(content).__name__}"
    )


def _form_text(value: object) -> str | bytes:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (str, bytes)):
        return value
    return str(value)


def encode_urlencoded(data: RequestData) -> tuple[dict[str, str], ByteStream]:
    """Encode form fields as application/x-www-form-urlencoded (list values repeat the key)."""
    pairs: list[str] = []
    try:
        for key, value in data.items():
            raw_key: object = key  # typed str, but httpx str()s whatever it gets
            name = quote_plus(raw_key if isinstance(raw_key, bytes) else str(raw_key))
            for item in value if isinstance(value, (list, tuple)) else (value,):
                pairs.append(name + "=" + quote_plus(_form_text(item)))
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"a form field in data= cannot be encoded as UTF-8: {exc}") from None
    body = "&".join(pairs).encode("ascii")
    return _sized(body, "application/x-www-form-urlencoded")


def encode_json(value: Any) -> tuple[dict[str, str], ByteStream]:
    """Encode `value` as compact UTF-8 JSON, exactly as httpx 0.28 does."""
    try:
        text = jsonlib.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput(f"json= cannot be serialized as JSON: {exc}") from exc
    return _sized(_utf8(text, "json="), "application/json")


def encode_multipart(
    data: RequestData, files: RequestFiles, boundary: bytes | str | None = None
) -> tuple[dict[str, str], MultipartStream]:
    """Encode form fields and files as multipart/form-data, streamed."""
    stream = MultipartStream(data, files, boundary)
    return stream.headers, stream


def encode_request(
    content: RequestContent | None = None,
    data: RequestData | None = None,
    files: RequestFiles | None = None,
    json: Any | None = None,
    boundary: bytes | str | None = None,
    *,
    method: str | None = None,
) -> tuple[dict[str, str], BodyStream]:
    """Encode a request body from httpx's arguments; return (headers, stream).

    `boundary` fixes the multipart boundary (see `boundary_from_content_type`).
    With `method`, a bodiless POST, PUT or PATCH gets "Content-Length: 0" as
    httpx's Request adds it.

    >>> headers, stream = encode_request(json={"name": "tether"})
    >>> headers
    {'Content-Length': '17', 'Content-Type': 'application/json'}
    >>> b"".join(stream)
    b'{"name":"tether"}'
    """
    headers: dict[str, str]
    stream: BodyStream
    raw: object = data  # typed as a mapping, but httpx still accepts raw content here
    if raw is not None and not isinstance(raw, Mapping):
        warn_deprecated(
            "data=<bytes, str or iterable>",
            since="tether-content 0.1.0 (as in httpx)",
            instead="content=<...> to upload raw bytes/text content",
        )
        headers, stream = encode_content(raw)  # type: ignore[arg-type]
    elif content is not None:
        headers, stream = encode_content(content)
    elif files:
        headers, stream = encode_multipart(data or {}, files, boundary)
    elif data:
        headers, stream = encode_urlencoded(data)
    elif json is not None:
        headers, stream = encode_json(json)
    else:
        headers, stream = {}, ByteStream(b"")
    if not headers and method is not None and method.upper() in _BODY_METHODS:
        headers = {"Content-Length": "0"}
    return headers, stream


def encode_response(
    content: ResponseContent | None = None,
    text: str | None = None,
    html: str | None = None,
    json: Any | None = None,
) -> tuple[dict[str, str], BodyStream]:
    """Encode a response body built in code (tests, mock transports); return (headers, stream).

    >>> encode_response(text="hi")[0]
    {'Content-Length': '2', 'Content-Type': 'text/plain; charset=utf-8'}
    """
    if content is not None:
        return encode_content(content)
    if text is not None:
        return _sized(_utf8(text, "text="), "text/plain; charset=utf-8")
    if html is not None:
        return _sized(_utf8(html, "html="), "text/html; charset=utf-8")
    if json is not None:
        return encode_json(json)
    return {}, ByteStream(b"")
