"""``tether --demo``: the command line at work, with no network beyond loopback.

A small server (the standard library's ``http.server``) listens on 127.0.0.1, on a port
the kernel picks, in a background thread; the demo then runs four ``tether`` commands
against it, each shown before its output: a GET answered with JSON, a POST of JSON, a
redirect followed (verbose, so both hops show) and a download with the progress bar.
"""

from __future__ import annotations

import json
import shlex
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import click
from rich.console import Console
from rich.rule import Rule

from ..__about__ import __version__

DOWNLOAD_SIZE = 2 * 1024 * 1024
DOWNLOAD_PIECES = 32
# A pause between pieces, so that the progress bar has something to show on loopback.
PIECE_PAUSE = 0.02


class DemoHandler(BaseHTTPRequestHandler):
    """``/hello`` (JSON), ``POST /echo`` (JSON back), ``/old`` (302 to /hello), ``/download``."""

    server_version = "tether-demo"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the demo's output to what the client prints."""

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: object) -> None:
        self._send(200, json.dumps(value).encode(), "application/json")

    def do_GET(self) -> None:
        """Serve the GET routes."""
        if self.path == "/hello":
            self._json({"message": "Hello from tether's demo server", "version": __version__})
        elif self.path == "/old":
            self._send(302, b"", "text/plain", Location="/hello")
        elif self.path == "/download":
            self._download()
        else:
            self._send(404, b"not found\n", "text/plain")

    def do_POST(self) -> None:
        """Echo a JSON body."""
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size)
        if self.path != "/echo":
            self._send(404, b"not found\n", "text/plain")
            return
        try:
            document = json.loads(body)
        except ValueError:
            self._send(400, b"send JSON\n", "text/plain")
            return
        self._json({"you_sent": document, "content_type": self.headers.get("Content-Type")})

    def _download(self) -> None:
        piece = bytes(range(256)) * (DOWNLOAD_SIZE // DOWNLOAD_PIECES // 256)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(piece) * DOWNLOAD_PIECES))
        self.end_headers()
        for _ in range(DOWNLOAD_PIECES):
            self.wfile.write(piece)
            self.wfile.flush()
            time.sleep(PIECE_PAUSE)


class DemoServer:
    """The demo server on 127.0.0.1, port 0, serving from a thread while in a ``with``."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), DemoHandler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """An absolute URL on the server."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def run_demo(command: click.Command) -> int:
    """Run the demo's commands with `command`; the first failing one's status is returned."""
    console = Console(highlight=False)
    # Piped, the command prints bodies only: -i keeps the status lines in the demo.
    include = [] if console.is_terminal else ["-i"]
    with DemoServer() as server, tempfile.TemporaryDirectory() as directory:
        target = str(Path(directory) / "demo.bin")
        steps = [
            ("a GET; the JSON answer is indented", [*include, server.url("/hello")]),
            ("a POST of JSON", [*include, "-j", '{"name": "tether"}', server.url("/echo")]),
            (
                "a redirect, followed; -v shows both hops",
                ["-v", "--follow-redirects", server.url("/old")],
            ),
            (
                "a download, with a progress bar",
                [*include, "--download", target, server.url("/download")],
            ),
        ]
        console.print(f"tether {__version__}: a demo server listens on {server.url('/')}")
        for title, args in steps:
            console.print()
            console.print(Rule(title))
            console.print(f"$ tether {shlex.join(args)}", style="bold", markup=False)
            console.file.flush()
            status = command.main(args, prog_name="tether", standalone_mode=False)
            if status:
                return int(status)
    console.print()
    console.print("Done: four requests, no network needed beyond 127.0.0.1.")
    return 0
