"""tether_headers against httpx.Headers and, for header values, the standard library.

Each case does the same work in every candidate: build a Headers from 20 pairs (as a
client does per request, from text, and per response, from bytes), read keys from it,
list its items, copy it, or turn it into bytes for the wire; parse a value's parameters,
an HTTP date, or a Content-Type's charset. Parsing never reuses a result: every call
parses anew. Every Headers case but `items()` and `copy()` builds a fresh object on
each call: the plain "build" cases measure construction alone (tether defers its index
and, for bytes, its decoding to the first read), and the cases that then read or take
`raw` pay for that deferred work. `items()` and `copy()` run on one object that has
been read before, as a client calls them on headers it holds.

Link headers are not compared: httpx splits them at ", <" and at every ";" and "=",
which is less work than reading quoted-strings (and wrong when they hold those
characters), so the two do not do the same work.
"""

from __future__ import annotations

import email.message
import email.utils
from collections.abc import Callable

import httpx
from httpx._models import _parse_content_type_charset

import tether_headers
from benchmarks._harness import Result, compare, report

REQUEST = {
    "Host": "api.example.org",
    "User-Agent": "python-httpx/0.28.1",
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "en-GB,en;q=0.9",
    "Connection": "keep-alive",
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": "348",
    "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx",
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
    "Origin": "https://www.example.org",
    "Referer": "https://www.example.org/dashboard",
    "X-Request-Id": "5f1c2b7e-8a9d-4e3f-b6c1-0d2e3f4a5b6c",
    "X-Forwarded-For": "203.0.113.7",
    "If-None-Match": 'W/"67ab43"',
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Site": "same-site",
    "DNT": "1",
    "Cookie": "session=abc123; theme=dark",
}
RESPONSE = [(name.encode(), value.encode()) for name, value in REQUEST.items()]
READ = ("content-type", "Content-Length", "authorization", "x-missing", "ACCEPT-ENCODING")

CONTENT_DISPOSITION = 'attachment; filename="annual report.pdf"; size=48213; creation-date=x'
DATE = "Sun, 06 Nov 1994 08:49:37 GMT"
CONTENT_TYPE = 'text/html; charset="UTF-8"'


def _build_and_read(factory: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        headers = factory()
        return [headers.get(key) for key in READ]  # type: ignore[attr-defined]

    return run


def _email_params(value: str) -> object:
    message = email.message.Message()
    message["content-disposition"] = value
    return message.get_params(header="content-disposition")


def main() -> str:
    """Run every case and return the report table."""
    pairs = list(REQUEST.items())
    mine, theirs = tether_headers.Headers(REQUEST), httpx.Headers(REQUEST)
    results: list[Result] = []
    results += compare(
        "build 20 + read 5",
        {
            "tether": _build_and_read(lambda: tether_headers.Headers(REQUEST)),
            "httpx": _build_and_read(lambda: httpx.Headers(REQUEST)),
        },
    )
    results += compare(
        "build from dict (20)",
        {
            "tether": lambda: tether_headers.Headers(REQUEST),
            "httpx": lambda: httpx.Headers(REQUEST),
        },
    )
    results += compare(
        "build from str pairs (20)",
        {
            "tether": lambda: tether_headers.Headers(pairs),
            "httpx": lambda: httpx.Headers(pairs),
        },
    )
    results += compare(
        "build from bytes pairs (20)",
        {
            "tether": lambda: tether_headers.Headers(RESPONSE),
            "httpx": lambda: httpx.Headers(RESPONSE),
        },
    )
    results += compare(
        "response: bytes 20 + read 5",
        {
            "tether": _build_and_read(lambda: tether_headers.Headers(RESPONSE)),
            "httpx": _build_and_read(lambda: httpx.Headers(RESPONSE)),
        },
    )
    results += compare(
        "request: build 20 + raw",
        {
            "tether": lambda: tether_headers.Headers(REQUEST).raw,
            "httpx": lambda: httpx.Headers(REQUEST).raw,
        },
    )
    results += compare("items()", {"tether": mine.items, "httpx": theirs.items})
    results += compare("copy()", {"tether": mine.copy, "httpx": theirs.copy})
    results += compare(
        "parse parameters",
        {
            "tether": lambda: tether_headers.parse_header_params(CONTENT_DISPOSITION),
            "email.message": lambda: _email_params(CONTENT_DISPOSITION),
        },
    )
    results += compare(
        "Content-Type charset",
        {
            "tether": lambda: tether_headers.content_type_charset(CONTENT_TYPE),
            "httpx": lambda: _parse_content_type_charset(CONTENT_TYPE),
        },
    )
    results += compare(
        "parse HTTP date",
        {
            "tether": lambda: tether_headers.parse_http_date(DATE),
            "email.utils": lambda: email.utils.parsedate_to_datetime(DATE),
        },
    )
    results += compare(
        "format HTTP date",
        {
            "tether": lambda: tether_headers.format_http_date(784111777),
            "email.utils": lambda: email.utils.formatdate(784111777, usegmt=True),
        },
    )
    return report("tether_headers vs httpx.Headers and the stdlib", results)
