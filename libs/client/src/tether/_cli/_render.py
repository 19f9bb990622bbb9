"""How the command line shows requests and responses.

Two audiences, told apart the way rich tells them (a TTY, or ``FORCE_COLOR`` /
``TTY_COMPATIBLE`` set): on a terminal, the status line and headers, then the body
with JSON indented and syntax-highlighted (HTTPie's and httpx's default); into a pipe
or a file, only the body's bytes, unchanged, so ``tether URL | jq`` and
``tether URL > file`` work (HTTPie's rule). ``-i`` adds the response head to piped
output; ``-v`` adds every request and response head, and connection details (see
`_verbose`), to both.
"""

from __future__ import annotations

import json
import sys
from typing import IO

from rich.console import Console, RenderableType
from rich.syntax import Syntax
from rich.text import Text

from .._exceptions import RequestNotRead
from .._request import Request
from .._response import Response

# Colours from the terminal's own palette, on its own background.
THEME = "ansi_dark"
# Bytes looked at to tell text from binary data.
SNIFF_BYTES = 4096
# Syntax highlighting for text bodies other than JSON, by media type.
LEXERS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/xml": "xml",
    "application/xml": "xml",
    "image/svg+xml": "xml",
    "text/css": "css",
    "text/javascript": "javascript",
    "application/javascript": "javascript",
    "text/markdown": "markdown",
    "application/x-yaml": "yaml",
    "application/yaml": "yaml",
    "text/yaml": "yaml",
    "application/toml": "toml",
}


def media_type(response: Response) -> str:
    """The response's media type, lower-cased, without parameters (``text/html``)."""
    return response.headers.get("content-type", "").partition(";")[0].strip().lower()


def is_json(media: str) -> bool:
    """``application/json`` and the ``+json`` family (RFC 6839, section 3.1)."""
    return media == "application/json" or media.endswith("+json")


def looks_binary(response: Response) -> bool:
    """NUL bytes, or bytes that are not text in the response's charset (UTF-8 by default)."""
    sample = response.content[:SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    if media_type(response).startswith("text/") or response.charset_encoding:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut short inside a character fails only in its last three bytes.
        cut = len(sample) == SNIFF_BYTES and exc.reason == "unexpected end of data"
        return not (cut and exc.start >= len(sample) - 3)
    return False


def pretty_body(response: Response) -> RenderableType | None:
    """The body as a terminal shows it; `None` for an empty body."""
    if not response.content:
        return None
    media = media_type(response)
    if is_json(media):
        try:
            document = json.loads(response.text)
        except ValueError:
            pass
        else:
            pretty = json.dumps(document, indent=4, ensure_ascii=False)
            return Syntax(pretty, "json", theme=THEME, background_color="default", word_wrap=True)
    if looks_binary(response):
        return Text(
            f"[{len(response.content)} bytes of binary data not shown: "
            "use --download FILE, or pipe the output]",
            style="dim",
        )
    lexer = LEXERS.get(media)
    if lexer is None:
        return Text(response.text)
    return Syntax(response.text, lexer, theme=THEME, background_color="default", word_wrap=True)


def request_line(request: Request, version: str = "HTTP/1.1") -> str:
    """``GET /path?query HTTP/1.1``: the target as sent, in origin form."""
    target = request.url.raw_path.decode("ascii")
    return f"{request.method} {target} {version}"


def status_line(response: Response) -> str:
    """``HTTP/1.1 200 OK``."""
    return f"{response.http_version} {response.status_code} {response.reason_phrase}".rstrip()


class Output:
    """Where the command writes: the terminal through rich, or raw bytes to a pipe."""

    def __init__(self, *, verbose: bool, include: bool) -> None:
        self.console = Console(soft_wrap=True, highlight=False, markup=False, emoji=False)
        self.errors = Console(stderr=True, soft_wrap=True, highlight=False, markup=False)
        self.terminal = self.console.is_terminal
        self.verbose = verbose
        self.include = include or self.terminal
        self._pipe: IO[bytes] = sys.stdout.buffer

    def _line(self, text: Text) -> None:
        if self.terminal:
            self.console.print(text)
        else:
            self._pipe.write(text.plain.encode("utf-8", "replace") + b"\n")

    def _fields(self, fields: list[tuple[bytes, bytes]]) -> None:
        for name, value in fields:  # as on the wire: names keep their case
            text = value.decode("latin-1")
            self._line(Text.assemble((name.decode("latin-1"), "cyan"), ": ", text))

    def note(self, message: str) -> None:
        """A detail of the exchange (``* Connected to ...``), in verbose output."""
        self._line(Text(f"* {message}", style="dim"))

    def request_head(self, request: Request, version: str = "HTTP/1.1") -> None:
        """The request line and headers, and the body when it is in memory and text."""
        method, _, rest = request_line(request, version).partition(" ")
        self._line(Text.assemble((method, "bold green"), " ", rest))
        self._fields(request.headers.raw)
        self._line(Text())
        try:
            body = request.content
        except RequestNotRead:  # a stream (multipart files): shown by its headers only
            return
        if body:
            try:
                self._line(Text(body.decode("utf-8")))
            except UnicodeDecodeError:
                self._line(Text(f"[{len(body)} bytes of binary data]", style="dim"))
            self._line(Text())

    def response_head(self, response: Response) -> None:
        """The status line and headers."""
        version, _, status = status_line(response).partition(" ")
        style = "bold green" if response.status_code < 400 else "bold red"
        self._line(Text.assemble((version, "blue"), " ", (status, style)))
        self._fields(response.headers.raw)
        self._line(Text())

    def body(self, response: Response) -> None:
        """The body: pretty on a terminal, its bytes as they arrive into a pipe."""
        if self.terminal:
            response.read()
            shown = pretty_body(response)
            if shown is not None:
                self.console.print(shown)
            return
        for chunk in response.iter_bytes():
            self._pipe.write(chunk)
        self._pipe.flush()

    def error(self, message: str) -> None:
        """One line on stderr, naming what failed."""
        self.errors.print(Text(f"tether: {message}", style="bold red"))

    def flush(self) -> None:
        """Push out what was written to the pipe."""
        self._pipe.flush()
