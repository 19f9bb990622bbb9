"""Small stand-ins for a client's request and response, and an independent reader of
the Authorization headers the flows produce.

The fakes record the reads the drivers make, so tests can prove when bodies are read.
`authorization_params` is a few lines of its own, not tether-auth's parser.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class FakeURL:
    host: str = "example.org"
    raw_path: bytes = b"/"


@dataclass
class FakeRequest:
    method: str = "GET"
    url: FakeURL = field(default_factory=FakeURL)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    reads: list[str] = field(default_factory=list)

    @property
    def content(self) -> bytes:
        if not self.reads:
            raise RuntimeError("the body was never read")
        return self.body

    def read(self) -> bytes:
        self.reads.append("read")
        return self.body

    async def aread(self) -> bytes:
        self.reads.append("aread")
        return self.body


@dataclass
class FakeResponse:
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    request: FakeRequest = field(default_factory=FakeRequest)
    reads: list[str] = field(default_factory=list)

    def read(self) -> bytes:
        self.reads.append("read")
        return b""

    async def aread(self) -> bytes:
        self.reads.append("aread")
        return b""


def challenge_response(header: str, request: FakeRequest | None = None) -> FakeResponse:
    """A 401 carrying `header` as its WWW-Authenticate value."""
    return FakeResponse(401, {"WWW-Authenticate": header}, request or FakeRequest())


def authorization_params(value: str) -> dict[str, str]:
    """Split ``Digest a="b", c=d`` into its parameters, unquoted (quotes kept as '"…"')."""
    scheme, _, rest = value.partition(" ")
    assert scheme == "Digest", value
    items = []
    start = 0
    quoted = escaped = False
    for index, char in enumerate(rest):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append(rest[start:index])
            start = index + 1
    items.append(rest[start:])
    params: dict[str, str] = {}
    for item in items:
        name, _, raw = item.strip().partition("=")
        assert name not in params, value
        params[name] = raw
    return params


def unquote(raw: str) -> str:
    """The inside of a quoted-string, unescaped."""
    assert raw[0] == raw[-1] == '"', raw
    inner = raw[1:-1]
    out = []
    escaped = False
    for char in inner:
        if escaped or char != "\\":
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)


def expected_response(
    *,
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    nc: str = "00000001",
    cnonce: str = "",
    qop: str | None = "auth",
    body: bytes = b"",
) -> str:
    """The Digest response, written straight from RFC 7616 sections 3.4.1 to 3.4.3."""
    base = algorithm.upper().removesuffix("-SESS")
    name = {
        "MD5": "md5",
        "SHA": "sha1",
        "SHA-256": "sha256",
        "SHA-512": "sha512",
        "SHA-512-256": "sha512_256",
    }[base]

    def h(data: str | bytes) -> str:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return hashlib.new(name, raw).hexdigest()

    a1 = f"{username}:{realm}:{password}"
    if algorithm.upper().endswith("-SESS"):
        a1 = f"{h(a1)}:{nonce}:{cnonce}"
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 += ":" + h(body)
    if qop is None:
        return h(f"{h(a1)}:{nonce}:{h(a2)}")
    return h(f"{h(a1)}:{nonce}:{nc}:{cnonce}:{qop}:{h(a2)}")
