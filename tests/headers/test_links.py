"""Link headers, with httpx's Response.links as the oracle."""

from __future__ import annotations

import time

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_headers import parse_link_header, parse_links

WELL_FORMED = [
    "",
    "<https://example.org/>",
    '<https://api.example.org/items?page=2>; rel="next"',
    "<https://api.example.org/items?page=2>; rel=next",
    '<https://x.test/2>; rel="next", <https://x.test/9>; rel="last"',
    '<https://x.test/2>; rel="next",<https://x.test/1>; rel="prev"',
    '<https://x.test/a.jpeg>; type="image/jpeg", <https://x.test/b.jpeg>',
    '<https://x.test/1>; rel="next", <https://x.test/2>; rel="next"',
    '<https://x.test/style.css>; rel=preload; as=style; crossorigin="anonymous"',
    '<https://x.test/>; rel="preconnect"',
    "<https://x.test/>; rel=alternate; hreflang=de",
    '<https://x.test/x>; rel="next"; title="Page 2"',
    "</relative/path>; rel=up",
]


@pytest.mark.parametrize("value", WELL_FORMED)
def test_links_match_httpx(value: str) -> None:
    oracle = httpx.Response(200, headers={"Link": value}).links
    assert parse_links(value) == oracle


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<https://x.test/a,b>; rel=next", [{"url": "https://x.test/a,b", "rel": "next"}]),
        (
            '<https://x.test/1>; title="a, <b>"; rel=x, <https://x.test/2>',
            [
                {"url": "https://x.test/1", "title": "a, <b>", "rel": "x"},
                {"url": "https://x.test/2"},
            ],
        ),
        ('<u>; rel="a=b"', [{"url": "u", "rel": "a=b"}]),
        ("<u>; REL=Next", [{"url": "u", "rel": "Next"}]),
        ("<u>; rel=first; rel=second", [{"url": "u", "rel": "first"}]),
        ("<u>; title*=UTF-8''%C3%A9t%C3%A9; title=ete", [{"url": "u", "title": "été"}]),
        ("<u>; url=spoofed", [{"url": "u"}]),
        ("< u >", [{"url": "u"}]),
        ("<unterminated", [{"url": "unterminated"}]),
        ("garbage, <u>", [{"url": "u"}]),
        ("no links here", []),
        ("<a>; rel=x; , <b>", [{"url": "a", "rel": "x"}, {"url": "b"}]),
        ("<a>; anchor; rel=x", [{"url": "a", "anchor": "", "rel": "x"}]),
        ('<a>; rel="unterminated, <b>', [{"url": "a", "rel": "unterminated, <b>"}]),
        (b"<https://x.test/\xe9>", [{"url": "https://x.test/é"}]),
    ],
)
def test_parse_link_header(value: str | bytes, expected: list[dict[str, str]]) -> None:
    assert parse_link_header(value) == expected


def test_links_are_keyed_by_rel_then_url() -> None:
    links = parse_links(
        "<https://x.test/1>; rel=next, <https://x.test/2>, <https://x.test/3>; rel="
    )
    assert list(links) == ["next", "https://x.test/2", "https://x.test/3"]


URLS = st.text(st.sampled_from("abc:/?=&.,;%-_~"), max_size=20)
PARAM_VALUES = st.text(st.sampled_from('ab ,;=<>"\\'), max_size=10)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(URLS, st.sampled_from(["next", "prev", "last"]), PARAM_VALUES)))
def test_formatted_links_read_back(links: list[tuple[str, str, str]]) -> None:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    value = ", ".join(f"<{url}>; rel={rel}; title={quoted(title)}" for url, rel, title in links)
    assert parse_link_header(value) == [
        {"url": url.strip(" \t"), "rel": rel, "title": title} for url, rel, title in links
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_fails_and_always_has_a_url(value: str) -> None:
    for link in parse_link_header(value):
        assert "url" in link


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("<" * 100_000, id="openings"),
        pytest.param("<a>," * 25_000, id="many-links"),
        pytest.param("<a>" * 30_000, id="no-commas"),
        pytest.param("<a>; rel=" + '"' * 100_000, id="quotes"),
        pytest.param("<a>; " + "; r=x" * 20_000, id="many-params"),
        pytest.param("<" + "x" * 100_000 + ">", id="long-url"),
        pytest.param(",<a>;" + '"' + "\\" * 100_000, id="backslashes"),
    ],
)
def test_adversarial_links_parse_quickly(value: str) -> None:
    start = time.perf_counter()
    parse_links(value)
    assert time.perf_counter() - start < 1.0
