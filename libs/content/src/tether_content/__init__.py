"""HTTP bodies for tether: request encoding and response decoding.

Sans-I/O: nothing here touches a socket. `encode_request` and
`encode_response` turn httpx-style arguments into (headers, stream), where the
stream is iterable sync and/or async; `ContentDecoder`, `TextDecoder`,
`LineDecoder` and the chunkers turn a received body back into bytes, text and
lines, the same way for sync and async clients.
"""

from .__about__ import __version__ as __version__
from ._chunkers import ByteChunker as ByteChunker
from ._chunkers import TextChunker as TextChunker
from ._codecs import supported_encodings as supported_encodings
from ._decoder import ContentDecoder as ContentDecoder
from ._encode import BodyStream as BodyStream
from ._encode import encode_request as encode_request
from ._encode import encode_response as encode_response
from ._exceptions import ContentError as ContentError
from ._exceptions import DecodingError as DecodingError
from ._exceptions import InvalidInput as InvalidInput
from ._exceptions import StreamConsumed as StreamConsumed
from ._exceptions import StreamError as StreamError
from ._exceptions import StreamModeError as StreamModeError
from ._lines import LineDecoder as LineDecoder
from ._multipart import MultipartStream as MultipartStream
from ._multipart import boundary_from_content_type as boundary_from_content_type
from ._streams import AsyncIteratorStream as AsyncIteratorStream
from ._streams import ByteStream as ByteStream
from ._streams import IteratorStream as IteratorStream
from ._text import TextDecoder as TextDecoder
from ._text import charset_from_content_type as charset_from_content_type
from ._text import resolve_encoding as resolve_encoding
from ._types import DefaultEncoding as DefaultEncoding
from ._types import FileContent as FileContent
from ._types import FileTypes as FileTypes
from ._types import RequestContent as RequestContent
from ._types import RequestData as RequestData
from ._types import RequestFiles as RequestFiles
from ._types import ResponseContent as ResponseContent

__all__ = [
    "AsyncIteratorStream",
    "BodyStream",
    "ByteChunker",
    "ByteStream",
    "ContentDecoder",
    "ContentError",
    "DecodingError",
    "DefaultEncoding",
    "FileContent",
    "FileTypes",
    "InvalidInput",
    "IteratorStream",
    "LineDecoder",
    "MultipartStream",
    "RequestContent",
    "RequestData",
    "RequestFiles",
    "ResponseContent",
    "StreamConsumed",
    "StreamError",
    "StreamModeError",
    "TextChunker",
    "TextDecoder",
    "__version__",
    "boundary_from_content_type",
    "charset_from_content_type",
    "encode_request",
    "encode_response",
    "resolve_encoding",
    "supported_encodings",
]

# Public classes live in private modules; name the package as their home so that
# pickles and reprs never depend on the private module layout.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) and _value.__module__.startswith(__name__ + "."):
        _value.__module__ = __name__
del _name, _value
