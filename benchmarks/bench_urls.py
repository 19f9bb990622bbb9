"""tether_urls against httpx.URL, urllib.parse (the stdlib floor) and rfc3986.

Each case does the same work in every candidate: parse a string into an object, turn a
parsed object back into a string, resolve a reference against a base, or replace the
path and query of a parsed URL. Parsing never reuses a result: every call parses anew.
Since Python 3.11, `urllib.parse.urlsplit` keeps an LRU cache of its results; the
parse cases call the uncached function beneath it, so that it too parses every time.
`urljoin` cannot be reached without that cache, so its join time flatters it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

import httpx
import rfc3986

import tether_urls
from benchmarks._harness import Result, compare, report

# The function under the cache (Python 3.11+), or urlsplit itself (3.10).
_urlsplit: Callable[[str], urllib.parse.SplitResult] = getattr(
    urllib.parse.urlsplit, "__wrapped__", urllib.parse.urlsplit
)

FULL = "https://user:pass@www.example.org:8443/path?q=1#f"
PLAIN = "http://example.com/"
IDNA = "https://bücher.example/straße?q=1"
BASE = "https://www.example.org/a/b/c?q=1"
REFERENCE = "../d/./e?x=2#top"


def _parse_cases(url: str) -> dict[str, Callable[[], object]]:
    return {
        "tether": lambda: tether_urls.URL(url),
        "httpx": lambda: httpx.URL(url),
        "urllib.parse": lambda: _urlsplit(url),
        "rfc3986": lambda: rfc3986.uri_reference(url),
    }


def main() -> str:
    """Run every case and return the report table."""
    tether_url = tether_urls.URL(FULL)
    httpx_url = httpx.URL(FULL)
    split = urllib.parse.urlsplit(FULL)
    reference = rfc3986.uri_reference(FULL)
    # tether computes a URL's string once, lazily, and keeps it; to time the work and
    # not that saved result, each call wraps the same parsed parts in a new URL object
    # (the peers recompose the string from their parsed parts on every call).
    tether_parts = tether_url._parts
    tether_base, httpx_base = tether_urls.URL(BASE), httpx.URL(BASE)
    rfc_base = rfc3986.uri_reference(BASE)
    results: list[Result] = []
    results += compare("parse full URL", _parse_cases(FULL))
    results += compare("parse http://example.com/", _parse_cases(PLAIN))
    results += compare("parse IDNA host", _parse_cases(IDNA))
    results += compare(
        "str()",
        {
            "tether": lambda: str(tether_urls.URL._of(tether_parts)),
            "httpx": lambda: str(httpx_url),
            "urllib.parse": lambda: urllib.parse.urlunsplit(split),
            "rfc3986": lambda: reference.unsplit(),
        },
    )
    results += compare(
        "join",
        {
            "tether": lambda: tether_base.join(REFERENCE),
            "httpx": lambda: httpx_base.join(REFERENCE),
            "urllib.parse": lambda: urllib.parse.urljoin(BASE, REFERENCE),
            "rfc3986": lambda: rfc3986.uri_reference(REFERENCE).resolve_with(rfc_base),
        },
    )
    results += compare(
        "copy_with(path, query)",
        {
            "tether": lambda: tether_url.copy_with(path="/other", query=b"a=2"),
            "httpx": lambda: httpx_url.copy_with(path="/other", query=b"a=2"),
            "urllib.parse": lambda: split._replace(path="/other", query="a=2"),
            "rfc3986": lambda: reference.copy_with(path="/other", query="a=2"),
        },
    )
    return report("tether_urls: URL parsing, str(), join and copy_with", results)
