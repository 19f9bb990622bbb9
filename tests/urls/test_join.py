"""URL.join: RFC 3986 section 5.4's examples, and rfc3986 as the oracle on random input."""

from __future__ import annotations

import re
import warnings

import pytest
import rfc3986
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_urls import URL, InvalidURL

RFC_BASE = "http://a/b/c/d;p?q"


def _rfc3986_join(base: str, reference: str) -> str:
    """rfc3986's strict resolution; it calls its own deprecated `is_absolute` inside."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolved = rfc3986.uri_reference(reference).resolve_with(
            rfc3986.uri_reference(base), strict=True
        )
    return str(resolved.unsplit())


# RFC 3986 section 5.4.1, every normal example.
NORMAL = {
    "g:h": "g:h",
    "g": "http://a/b/c/g",
    "./g": "http://a/b/c/g",
    "g/": "http://a/b/c/g/",
    "/g": "http://a/g",
    "//g": "http://g",
    "?y": "http://a/b/c/d;p?y",
    "g?y": "http://a/b/c/g?y",
    "#s": "http://a/b/c/d;p?q#s",
    "g#s": "http://a/b/c/g#s",
    "g?y#s": "http://a/b/c/g?y#s",
    ";x": "http://a/b/c/;x",
    "g;x": "http://a/b/c/g;x",
    "g;x?y#s": "http://a/b/c/g;x?y#s",
    "": "http://a/b/c/d;p?q",
    ".": "http://a/b/c/",
    "./": "http://a/b/c/",
    "..": "http://a/b/",
    "../": "http://a/b/",
    "../g": "http://a/b/g",
    "../..": "http://a/",
    "../../": "http://a/",
    "../../g": "http://a/g",
}

# RFC 3986 section 5.4.2, every abnormal example (the strict reading of "http:g").
ABNORMAL = {
    "../../../g": "http://a/g",
    "../../../../g": "http://a/g",
    "/./g": "http://a/g",
    "/../g": "http://a/g",
    "g.": "http://a/b/c/g.",
    ".g": "http://a/b/c/.g",
    "g..": "http://a/b/c/g..",
    "..g": "http://a/b/c/..g",
    "./../g": "http://a/b/g",
    "./g/.": "http://a/b/c/g/",
    "g/./h": "http://a/b/c/g/h",
    "g/../h": "http://a/b/c/h",
    "g;x=1/./y": "http://a/b/c/g;x=1/y",
    "g;x=1/../y": "http://a/b/c/y",
    "g?y/./x": "http://a/b/c/g?y/./x",
    "g?y/../x": "http://a/b/c/g?y/../x",
    "g#s/./x": "http://a/b/c/g#s/./x",
    "g#s/../x": "http://a/b/c/g#s/../x",
    "http:g": "http:g",
}


@pytest.mark.parametrize(("reference", "expected"), [*NORMAL.items(), *ABNORMAL.items()])
def test_rfc3986_examples(reference: str, expected: str) -> None:
    joined = URL(RFC_BASE).join(reference)
    assert str(joined) == expected
    assert str(URL(RFC_BASE).join(URL(reference))) == expected
    assert _rfc3986_join(RFC_BASE, reference) == expected


def test_join_drops_default_port_of_the_base_scheme() -> None:
    assert str(URL("https://a/b").join("//c:443/d")) == "https://c/d"
    assert str(URL("https://a/b").join("//c:8443/d")) == "https://c:8443/d"


def test_join_keeps_base_authority_and_query_rules() -> None:
    base = URL("https://user:pw@a:8443/x/y?q=1#frag")
    assert str(base.join("")) == "https://user:pw@a:8443/x/y?q=1"
    assert str(base.join("#f2")) == "https://user:pw@a:8443/x/y?q=1#f2"
    assert str(base.join("z")) == "https://user:pw@a:8443/x/z"
    assert str(URL("https://a").join("z")) == "https://a/z"


def test_join_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="expected str or URL"):
        URL("http://a/").join(b"x")  # type: ignore[arg-type]


_segment = st.sampled_from(["a", "b", "c", ".", "..", "", "g;x", "d.e"])


@st.composite
def _path(draw: st.DrawFn, rooted: bool) -> str:
    segments = draw(st.lists(_segment, max_size=5))
    text = "/".join(segments)
    return "/" + text if rooted else text


@st.composite
def _reference(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["scheme", "authority", "absolute", "relative", "empty"]))
    if kind == "scheme":
        text = "https://h" + draw(_path(True))
    elif kind == "authority":
        text = "//h" + draw(_path(True))
    elif kind == "absolute":
        # A path-absolute reference never starts with "//", which would begin an authority.
        text = "/" + draw(_path(True)).lstrip("/")
    elif kind == "relative":
        text = draw(_path(False)).lstrip("/") or "g"
    else:
        text = ""
    if draw(st.booleans()):
        text += "?" + draw(st.sampled_from(["", "y", "a=1"]))
    if draw(st.booleans()):
        text += "#" + draw(st.sampled_from(["", "s"]))
    return text


@st.composite
def _base(draw: st.DrawFn) -> str:
    text = "http://a" + draw(_path(True)).replace("/./", "/x/").replace("..", "p")
    if draw(st.booleans()):
        text += "?q"
    return text


@settings(max_examples=300, deadline=None)
@given(_base(), _reference())
def test_join_agrees_with_rfc3986(base: str, reference: str) -> None:
    if reference.startswith(":") or reference.split("/")[0].count(":"):
        return
    expected = _rfc3986_join(base, reference)
    joined = str(URL(base).join(reference))
    if joined != expected:
        # rfc3986 empties the path "/.." where RFC 3986 section 5.2.4 gives "/": the one
        # difference allowed, and only for references that climb with "..".
        assert ".." in reference
        assert re.sub(r"^(\w+://[^/?#]*)/", r"\1", joined, count=1) == expected


def test_join_refuses_an_empty_authority_before_a_double_slash_path() -> None:
    # "////a" is a network-path reference with an empty authority and the path "//a";
    # httpx refuses it too ("Relative URLs cannot have a path starting with '//'").
    with pytest.raises(InvalidURL, match="cannot start with '//'"):
        URL("http://a/").join("////a")
