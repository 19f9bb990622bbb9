"""What the command prints: raw bytes into a pipe, a pretty and coloured view on a terminal.

rich decides what a terminal is; ``FORCE_COLOR`` makes it treat click's captured output
as one, which is how these tests see the terminal view in-process.
"""

from __future__ import annotations

import json
import re

from tests._servers.apps import JSON_BODY, pattern
from tests._servers.uvicorn_server import UvicornServer

from .conftest import TERMINAL, invoke

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text: str) -> str:
    """`text` without its ANSI escape sequences."""
    return ANSI.sub("", text)


def test_piped_output_is_the_body_bytes_unchanged(server: UvicornServer) -> None:
    result = invoke(server.url("/json"))
    assert result.exit_code == 0
    assert result.stdout_bytes == json.dumps(JSON_BODY).encode()  # not re-indented
    assert result.stderr == ""


def test_piped_binary_body_is_written_whole(server: UvicornServer) -> None:
    result = invoke(server.url("/bytes/300000"))
    assert result.exit_code == 0
    assert result.stdout_bytes == pattern(300_000)


def test_piped_streamed_body(server: UvicornServer) -> None:
    result = invoke(server.url("/stream/3"))
    assert result.stdout_bytes == b"chunk 0\nchunk 1\nchunk 2\n"


def test_include_adds_the_status_line_and_headers(server: UvicornServer) -> None:
    result = invoke("-i", server.url("/json"))
    head, _, body = result.stdout.partition("\n\n")
    lines = head.splitlines()
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "content-type: application/json" in lines
    assert "server: uvicorn" in lines
    assert body == json.dumps(JSON_BODY)
    assert "\x1b[" not in result.stdout  # no colours into a pipe


def test_verbose_shows_request_then_response(server: UvicornServer) -> None:
    result = invoke("-v", "-j", '{"k": 1}', server.url("/echo"))
    assert result.exit_code == 0
    request_head, request_body, response_head, body = result.stdout.split("\n\n")
    request_lines = request_head.splitlines()
    assert request_lines[0] == "POST /echo HTTP/1.1"
    assert f"Host: {server.address.netloc}" in request_lines
    assert "Content-Type: application/json" in request_lines
    assert request_body == '{"k":1}'
    assert response_head.splitlines()[0] == "HTTP/1.1 200 OK"
    assert "x-echo-content-type: application/json" in response_head.splitlines()
    assert body == '{"k":1}'


def test_verbose_shows_every_hop_of_a_redirect(server: UvicornServer) -> None:
    result = invoke("-v", "--follow-redirects", server.url("/redirect/2"))
    lines = result.stdout.splitlines()
    requests = [line for line in lines if line.startswith("GET ")]
    statuses = [line for line in lines if line.startswith("HTTP/1.1 ")]
    assert requests == ["GET /redirect/2 HTTP/1.1", "GET /redirect/1 HTTP/1.1", "GET / HTTP/1.1"]
    assert statuses == ["HTTP/1.1 302 Found", "HTTP/1.1 302 Found", "HTTP/1.1 200 OK"]
    assert lines[-1] == "Hello, world!"


def test_terminal_shows_the_head_and_indented_highlighted_json(server: UvicornServer) -> None:
    result = invoke(server.url("/json"), env=TERMINAL)
    assert result.exit_code == 0
    assert "\x1b[" in result.stdout  # coloured
    text = plain(result.stdout)
    head, _, body = text.partition("\n\n")
    assert head.splitlines()[0] == "HTTP/1.1 200 OK"
    assert "content-type: application/json" in head.splitlines()
    assert body.rstrip("\n") == json.dumps(JSON_BODY, indent=4)


def test_no_color_keeps_the_terminal_layout_without_colours(server: UvicornServer) -> None:
    result = invoke(server.url("/json"), env={**TERMINAL, "NO_COLOR": "1"})
    assert "\x1b[3" not in result.stdout  # no colour codes
    assert "\x1b[9" not in result.stdout
    assert plain(result.stdout).endswith(json.dumps(JSON_BODY, indent=4) + "\n")


def test_terminal_shows_text_as_text(server: UvicornServer) -> None:
    result = invoke(server.url("/"), env=TERMINAL)
    assert plain(result.stdout).endswith("\n\nHello, world!\n")


def test_terminal_does_not_dump_binary_data(server: UvicornServer) -> None:
    result = invoke(server.url("/bytes/5000"), env=TERMINAL)
    text = plain(result.stdout)
    assert "[5000 bytes of binary data not shown: use --download FILE, or pipe the output]" in text
    assert len(result.stdout_bytes) < 2000


def test_terminal_shows_a_broken_json_body_as_text(server: UvicornServer) -> None:
    result = invoke("-j", "[1, 2]", "-h", "Content-Type", "application/json", server.url("/echo"))
    assert result.stdout == "[1,2]"
    broken = invoke(
        "-c",
        "{not json",
        "-h",
        "Content-Type",
        "application/json",
        server.url("/echo"),
        env=TERMINAL,
    )
    assert plain(broken.stdout).endswith("\n\n{not json\n")


def test_4xx_exits_4_and_still_shows_the_body(server: UvicornServer) -> None:
    result = invoke(server.url("/status/404"))
    assert (result.exit_code, result.stdout, result.stderr) == (4, "status 404", "")


def test_5xx_exits_5(server: UvicornServer) -> None:
    assert invoke(server.url("/status/503")).exit_code == 5


def test_no_fail_exits_0_on_an_error_status(server: UvicornServer) -> None:
    result = invoke("--no-fail", server.url("/status/500"))
    assert (result.exit_code, result.stdout) == (0, "status 500")


def test_2xx_and_3xx_exit_0(server: UvicornServer) -> None:
    assert invoke(server.url("/status/204")).exit_code == 0
    assert invoke(server.url("/status/304")).exit_code == 0
    assert invoke(server.url("/redirect/1")).exit_code == 0


def test_terminal_tells_text_from_binary_beyond_the_sniffed_bytes(server: UvicornServer) -> None:
    def shown(body: bytes) -> str:
        content = body.decode("utf-8", "surrogateescape")
        args = ("-c", content, "-h", "Content-Type", "application/octet-stream")
        result = invoke(*args, server.url("/echo"), env=TERMINAL)
        return plain(result.stdout).partition("\n\n")[2]

    latin1 = "é".encode("latin-1") * 5000  # no NUL, and not UTF-8
    assert shown(latin1).startswith("[5000 bytes of binary data not shown")
    # 4095 ASCII bytes and a two-byte character: the sniffed 4096 bytes end inside it.
    text = b"a" * 4095 + "é".encode() * 10
    assert shown(text) == text.decode() + "\n"


def test_head_shows_the_head_even_into_a_pipe(server: UvicornServer) -> None:
    result = invoke("-m", "HEAD", server.url("/json"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "content-length: 40" in lines
    assert result.stdout.endswith("\n\n")  # and no body
