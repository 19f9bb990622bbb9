"""tether-content installs and works alone: no third-party module, no sibling package."""

from __future__ import annotations

from collections.abc import Callable

CHECK = """
import gzip, io
headers, stream = module.encode_request(
    data={"a": "1"}, files={"f": ("f.txt", io.BytesIO(b"hi"))}, boundary=b"xyz"
)
body = b"".join(stream)
assert headers["Content-Length"] == str(len(body)), headers
assert b'filename="f.txt"' in body
decoder = module.ContentDecoder("gzip")
assert decoder.decode_all(gzip.compress(b"payload")) == b"payload"
assert module.supported_encodings()[:2] == ("gzip", "deflate")
lines = module.LineDecoder()
assert lines.decode("a\\r") + lines.decode("\\nb") + lines.flush() == ["a", "b"]
"""


def test_installs_and_works_alone(standalone_imports: Callable[..., set[str]]) -> None:
    loaded = standalone_imports("content", "tether_content", CHECK)
    assert loaded == {"tether_content"}
