"""The ``tether`` command: its options, and the step from them to `run`.

The options are httpx's command line's (``-m``, ``-p``, ``-c``, ``-d``, ``-f``, ``-j``,
``-h``, ``--cookies``, ``--proxy``, ``--timeout``, ``--follow-redirects``,
``--no-verify``, ``--http2``, ``--download``, ``-v``) with these differences:
``--auth USER:PASS`` as curl and HTTPie spell it, plus ``--auth-type digest``;
``--fail/--no-fail``, ``-i/--include``, ``--version`` and ``--demo``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import click

from ..__about__ import __version__
from ._options import (
    AUTH_TYPES,
    JSONBody,
    check_headers,
    check_json,
    check_method,
    check_proxy,
    check_url,
    parse_auth,
)
from ._run import Invocation, run

EPILOG = """\b
Output: on a terminal, the status line, the headers and the body (JSON indented and
highlighted); into a pipe or a file, only the body's bytes (-i adds the status line
and headers, -v everything).

\b
Exit status:
  0    a response arrived (1xx-3xx; any status with --no-fail)
  1    the request failed: connect, TLS, timeout, protocol, proxy, too many redirects
  2    bad usage: unknown option, malformed URL, header, JSON, --auth or --proxy
  4/5  a 4xx/5xx response (with --fail, the default); the body is still shown

\b
Examples:
  tether https://example.org/
  tether -j '{"name": "tether"}' https://example.org/post
  tether -p q tether -h Accept text/html example.org/search
  tether --download big.iso https://example.org/big.iso
  tether --demo
"""


def _grouped(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Form fields: a name given twice is sent twice."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


@click.command(
    "tether",
    epilog=EPILOG,
    context_settings={"help_option_names": ["--help"], "max_content_width": 100},
)
@click.argument("url", required=False, metavar="URL", callback=check_url)
@click.option(
    "-m",
    "--method",
    callback=check_method,
    help="Request method, such as GET, POST, PUT, PATCH, DELETE, HEAD. "
    "[default: GET, or POST with a body]",
)
@click.option(
    "-p",
    "--params",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="Query parameter to add to the URL (repeatable).",
)
@click.option("-c", "--content", metavar="TEXT", help="Request body, as UTF-8 text.")
@click.option(
    "-d",
    "--data",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="Form field to send, URL-encoded (multipart with -f) (repeatable).",
)
@click.option(
    "-f",
    "--files",
    type=(str, click.File("rb")),
    multiple=True,
    metavar="NAME FILE",
    help="File to upload, multipart-encoded (repeatable).",
)
@click.option(
    "-j", "--json", "json_text", metavar="JSON", callback=check_json, help="JSON request body."
)
@click.option(
    "-h",
    "--headers",
    type=(str, str),
    multiple=True,
    callback=check_headers,
    metavar="NAME VALUE",
    help="Request header (repeatable).",
)
@click.option(
    "--cookies",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="Cookie to send (repeatable).",
)
@click.option(
    "--auth",
    metavar="USER[:PASS]",
    help="Credentials; without ':PASS' the password is asked for. "
    "Note that -v shows the Authorization header.",
)
@click.option(
    "--auth-type",
    type=click.Choice(AUTH_TYPES, case_sensitive=False),
    default="basic",
    show_default=True,
    help="How --auth is sent.",
)
@click.option(
    "--proxy",
    metavar="URL",
    callback=check_proxy,
    help="Send the request through this proxy "
    "[default: HTTP_PROXY, HTTPS_PROXY or ALL_PROXY, unless NO_PROXY names the host].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="Limit on connecting, and on each wait for the network.",
)
@click.option("--follow-redirects", is_flag=True, help="Follow redirects.")
@click.option("--no-verify", is_flag=True, help="Do not verify the server's TLS certificate.")
@click.option("--http2", is_flag=True, help="Use HTTP/2 if the server offers it.")
@click.option(
    "--download",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE",
    help="Save the body of a 2xx response to FILE, with a progress bar.",
)
@click.option(
    "-i", "--include", is_flag=True, help="Show the status line and headers in piped output too."
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show the request, each response, and connection and TLS details.",
)
@click.option(
    "--fail/--no-fail",
    default=True,
    show_default=True,
    help="Exit with status 4 or 5 on a 4xx or 5xx response.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Start a small server on 127.0.0.1 and show a few requests to it (no network needed).",
)
@click.version_option(__version__, prog_name="tether", message="%(prog)s %(version)s")
@click.pass_context
def command(
    ctx: click.Context,
    url: str | None,
    method: str | None,
    params: tuple[tuple[str, str], ...],
    content: str | None,
    data: tuple[tuple[str, str], ...],
    files: tuple[tuple[str, IO[bytes]], ...],
    json_text: JSONBody | None,
    headers: list[tuple[str, str]],
    cookies: tuple[tuple[str, str], ...],
    auth: str | None,
    auth_type: str,
    proxy: str | None,
    timeout: float,
    follow_redirects: bool,
    no_verify: bool,
    http2: bool,
    download: Path | None,
    include: bool,
    verbose: bool,
    fail: bool,
    demo: bool,
) -> None:
    """Send an HTTP request and show the response.

    URL may leave out 'http://'.
    """
    if demo:
        if url is not None:
            raise click.UsageError("--demo starts its own server: give no URL")
        from ._demo import run_demo

        ctx.exit(run_demo(command))
    if url is None:
        raise click.UsageError("Missing argument 'URL'.")
    bodies = [
        option for option, given in (("-c", content is not None), ("-d/-f", data or files)) if given
    ]
    if json_text is not None:
        bodies.append("-j")
    if len(bodies) > 1:
        raise click.UsageError(f"give one request body, not {' and '.join(bodies)}")
    invocation = Invocation(
        url=url,
        method=method or ("POST" if bodies else "GET"),
        params=list(params),
        headers=headers,
        cookies=list(cookies),
        # surrogateescape: bytes of the command line that are not UTF-8 are sent as given.
        content=None if content is None else content.encode("utf-8", "surrogateescape"),
        data=_grouped(data) if data else None,
        files=list(files) if files else None,
        auth=parse_auth(auth, auth_type.lower()),
        auth_type=auth_type.lower(),
        proxy=proxy,
        timeout=timeout,
        follow_redirects=follow_redirects,
        verify=not no_verify,
        http2=http2,
        download=download,
        verbose=verbose,
        include=include,
        fail=fail,
    )
    if json_text is not None:
        if json_text.value is None:  # `null` is a document; json=None would mean no body
            invocation.content = b"null"
            invocation.headers.append(("Content-Type", "application/json"))
        else:
            invocation.json = json_text.value
    ctx.exit(run(invocation))
