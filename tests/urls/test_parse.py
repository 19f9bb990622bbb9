"""Parsing and normalisation: the bad-input table, the length cap, linear time."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import httpx
import pytest
import rfc3986.normalizers
import rfc3986.validators
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_urls import URL, InvalidURL, unquote
from tether_urls._parse import MAX_URL_LENGTH, normalise, parse, remove_dot_segments, split

# (URL, words the message must contain, what httpx 0.28 does with it)
# "same": httpx raises InvalidURL too; otherwise what httpx does instead.
BAD_URLS = [
    # An empty host after a scheme that needs one.
    ("http://", ["needs a host", "'http'"], "accepts it as 'http:'"),
    ("https:///path", ["needs a host"], "accepts it as 'https:/path'"),
    ("http://:80/", ["needs a host"], "accepts it as 'http:/'"),
    ("http://user@/", ["needs a host"], "accepts it"),
    ("ws://?q", ["needs a host"], "accepts it"),
    # Ports: out of range, not numeric, not ASCII digits.
    ("http://x:65536/", ["Invalid port", "65536"], "accepts it"),
    ("http://x:99999/", ["Invalid port", "99999"], "accepts it"),
    ("http://x:" + "9" * 40 + "/", ["Invalid port"], "accepts it"),
    ("http://x:-1/", ["Invalid port", "-1"], "accepts it"),
    ("http://x:8o/", ["Invalid port", "8o"], "same"),
    ("http://x:80:80/", ["Invalid port", "80:80"], "same"),
    ("http://x: 80/", ["Invalid port", " 80"], "accepts it as port 80"),
    ("http://x:+80/", ["Invalid port", "+80"], "accepts it as port 80"),
    ("http://x:1_0/", ["Invalid port", "1_0"], "accepts it as port 10"),
    ("http://x:٣/", ["Invalid port", "٣"], "accepts it as port 3"),
    ("http://::1/", ["Invalid port"], "same"),
    # Brackets and IP addresses.
    ("http://[::1/", ["IPv6", "no closing"], "same, as a bad port"),
    ("http://[::1]x/", ["IPv6", "'x'"], "same, as a bad port"),
    ("http://[::g]/", ["Invalid IPv6 address", "::g"], "same"),
    ("http://[]/", ["Invalid IPv6 address"], "same"),
    ("http://[v1.fe]/", ["Invalid IPv6 address", "v1.fe"], "same"),
    ("http://[1:2:3:4:5:6:7:8:9]/", ["Invalid IPv6 address"], "same"),
    ("http://]/", ["Invalid character", "']'"], "accepts it as '%5D'"),
    ("http://x[/", ["Invalid character", "'['"], "accepts it as 'x%5B'"),
    ("http://256.1.1.1/", ["Invalid IPv4 address", "256"], "same"),
    ("http://1.2.3.04/", ["Invalid IPv4 address", "04"], "same"),
    ("http://1.2.3.4444/", ["Invalid IPv4 address", "4444"], "same"),
    # Spaces and other characters no host may hold.
    ("http://a b/", ["Invalid character", "' '", "host"], "accepts it as 'a%20b'"),
    ("http://ex ample.com/", ["Invalid character", "' '"], "accepts it"),
    ("http://a<b/", ["Invalid character", "'<'"], "accepts it as 'a%3Cb'"),
    ("http://a^b/", ["Invalid character", "'^'"], "accepts it as 'a%5Eb'"),
    # Control characters, in every component.
    ("ht\rtp://x/", ["non-printable", "'\\r'", "position 2"], "same"),
    ("http://u\tser:pw@x/", ["non-printable", "'\\t'", "position 8"], "same"),
    ("http://user:p\x00w@x/", ["non-printable", "'\\x00'", "position 13"], "same"),
    ("http://x\n.com/", ["non-printable", "'\\n'", "position 8"], "same"),
    ("http://x:8\n0/", ["non-printable", "'\\n'"], "same"),
    ("http://x/\x00", ["non-printable", "'\\x00'", "position 9"], "same"),
    ("http://x/a\r\nb", ["non-printable", "'\\r'", "position 10"], "same"),
    ("http://x/?q=\x7f", ["non-printable", "'\\x7f'", "position 12"], "same"),
    ("http://x/#\x1b", ["non-printable", "'\\x1b'", "position 10"], "same"),
    # Invalid IDNA.
    ("http://☃.net/", ["Invalid IDNA hostname", "☃"], "same"),
    ("http://xn--zz/", ["Invalid IDNA hostname", "xn--zz"], "accepts it; .host raises IDNAError"),
    ("http://xn--zz.bü.de/", ["Invalid IDNA hostname"], "same"),
    ("http://bü..de/", ["Invalid IDNA hostname", "Empty Label"], "same"),
    ("http://" + "a" * 64 + "ü.com/", ["Invalid IDNA hostname"], "same"),
    ("http://" + "bü." * 90 + "de/", ["Invalid IDNA hostname", "253"], "same"),
    ("http://a\u200db.bü/", ["Invalid IDNA hostname"], "same"),
    # Lone surrogates cannot be encoded.
    ("http://x/\ud800", ["surrogate", "path"], "raises UnicodeEncodeError"),
    ("http://x/?\udfff", ["surrogate", "query"], "raises UnicodeEncodeError"),
    ("http://x/#\udfff", ["surrogate", "fragment"], "raises UnicodeEncodeError"),
    ("http://\ud800@x/", ["surrogate", "userinfo"], "raises UnicodeEncodeError"),
    # Paths that would read as something else.
    ("////x", ["Invalid path", "'//x'"], "same"),
    (":://", ["Invalid path", "':"], "same"),
    # Over-long input.
    ("http://x/" + "a" * MAX_URL_LENGTH, ["too long", "65536"], "same"),
]


@pytest.mark.parametrize(("text", "words", "httpx_does"), BAD_URLS)
def test_bad_url_raises_invalid_url_naming_the_problem(
    text: str, words: list[str], httpx_does: str
) -> None:
    with pytest.raises(InvalidURL) as caught:
        URL(text)
    message = str(caught.value)
    for word in words:
        assert word in message
    if httpx_does.startswith("same"):
        with pytest.raises(httpx.InvalidURL):
            httpx.URL(text)
    elif httpx_does.startswith("raises"):
        with pytest.raises(UnicodeError):
            httpx.URL(text)
    elif httpx_does.startswith("accepts it; .host"):
        with pytest.raises(UnicodeError):
            _ = httpx.URL(text).host
    else:
        httpx.URL(text)  # httpx accepts what tether refuses


def test_passwords_never_appear_in_messages() -> None:
    with pytest.raises(InvalidURL) as caught:
        URL("http://user:hunter2@host:99999/")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(InvalidURL) as caught:
        URL("http://user:hunter2\x00@host/")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Spaces (and other characters outside a component's set) in the userinfo, path,
        # query and fragment are percent-encoded, as httpx does, not refused.
        ("http://us er:pa ss@x/a b?c d#e f", "http://us%20er:pa%20ss@x/a%20b?c%20d#e%20f"),
        ('http://x/"<>`{}', "http://x/%22%3C%3E%60%7B%7D"),
        ('http://x/?"<>`{}#"<>`{}', "http://x/?%22%3C%3E`{}#%22%3C%3E%60{}"),
        # Valid escapes stay (in their case); a stray "%" stays too (WHATWG).
        ("http://x/%7e%7E%zz%", "http://x/%7e%7E%zz%"),
        # Scheme and host are lower-cased; path, query and fragment are not.
        ("HTTP://EXAMPLE.COM/A?B#C", "http://example.com/A?B#C"),
        # Default ports are dropped (WHATWG special schemes); others kept.
        ("http://x:80/", "http://x/"),
        ("https://x:443/", "https://x/"),
        ("ws://x:80/", "ws://x/"),
        ("wss://x:443/", "wss://x/"),
        ("ftp://x:21/", "ftp://x/"),
        ("https://x:80/", "https://x:80/"),
        ("gopher://x:70/", "gopher://x:70/"),
        ("http://x:0080/", "http://x/"),
        # Dot segments go from absolute paths, stay in relative references.
        ("http://x/a/./b/../c", "http://x/a/c"),
        ("http://x/../../a", "http://x/a"),
        ("http://x/a/..", "http://x/"),
        ("a/./b/../c", "a/./b/../c"),
        ("/a/../b", "/a/../b"),
        # IPv6 is validated and lower-cased; IPv4 is validated.
        ("http://[2001:DB8::1]/", "http://[2001:db8::1]/"),
        ("http://[fe80::1%25eth0]/", "http://[fe80::1%25eth0]/"),
        ("http://192.168.0.1:8080/", "http://192.168.0.1:8080/"),
        # IDNA 2008 with UTS 46 mapping: case folding, full-width forms and dots.
        ("http://Bücher.Example/", "http://xn--bcher-kva.example/"),
        ("http://\uff25\uff38\u3002bücher.de/", "http://ex.xn--bcher-kva.de/"),
        ("http://straße.de/", "http://xn--strae-oqa.de/"),
        ("http://ex_ample.bücher.de/", "http://ex_ample.xn--bcher-kva.de/"),
    ],
)
def test_normalisation(text: str, expected: str) -> None:
    assert str(URL(text)) == expected
    assert URL(expected) == URL(text)


def _timed(text: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(InvalidURL):
        URL(text)
    return time.perf_counter() - start


ADVERSARIAL_PIECES = [
    "@",
    "[",
    "]",
    "%",
    ":",
    "/",
    ".",
    "./",
    "../",
    "?",
    "#",
    "a",
    "é",
    "@[",
    ":@",
]


@pytest.mark.parametrize("piece", ADVERSARIAL_PIECES)
@pytest.mark.parametrize("prefix", ["http://", "http://a", "http://[", "http://x/", "", "//"])
@pytest.mark.parametrize("size", [60_000, 100_000])
def test_adversarial_input_is_fast(piece: str, prefix: str, size: int) -> None:
    # The ReDoS class of CVE-2021-33503: each input must parse or fail in linear time.
    text = prefix + piece * (size // len(piece))
    assert _timed(text) < 0.25


def test_parsing_time_grows_linearly() -> None:
    for piece in ["@", "[", ":", "%", "/.", "a@"]:
        small = min(_timed("http://" + piece * 3_000) for _ in range(3))
        large = min(_timed("http://" + piece * 30_000) for _ in range(3))
        # Ten times the input; allow for noise, never for a quadratic hundredfold.
        assert large < small * 30 + 0.002, piece


@pytest.mark.parametrize("size", [MAX_URL_LENGTH, MAX_URL_LENGTH + 1])
def test_length_cap(size: int) -> None:
    text = "http://x/" + "a" * (size - len("http://x/"))
    if size <= MAX_URL_LENGTH:
        assert len(str(URL(text))) == size
    else:
        with pytest.raises(InvalidURL, match="too long"):
            URL(text)


def test_component_length_cap() -> None:
    with pytest.raises(InvalidURL, match="URL path component too long"):
        URL("http://x", path="/" + "a" * MAX_URL_LENGTH)


_segments = st.lists(st.sampled_from(["", ".", "..", "a", "b", "c.d", "..."]), max_size=8)


def _rfc_remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4's loop, step by step, as the spec states it."""
    output = ""
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            output = output[: max(output.rfind("/"), 0)]
        elif path == "/..":
            path = "/"
            output = output[: max(output.rfind("/"), 0)]
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            end = len(path) if end == -1 else end
            output, path = output + path[:end], path[end:]
    return output


@settings(max_examples=300, deadline=None)
@given(_segments, st.booleans())
def test_remove_dot_segments_matches_rfc3986(segments: list[str], rooted: bool) -> None:
    path = ("/" if rooted else "") + "/".join(segments)
    if path.startswith("/"):
        # Absolute paths: the RFC's own algorithm. (rfc3986 returns "" for "/../".)
        assert remove_dot_segments(path) == _rfc_remove_dot_segments(path)
    else:
        # Relative paths, where the RFC's loop would add a leading "/": as rfc3986 does.
        assert remove_dot_segments(path) == rfc3986.normalizers.remove_dot_segments(path)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # RFC 3986 section 5.2.4's own examples.
        ("/a/b/c/./../../g", "/a/g"),
        ("mid/content=5/../6", "mid/6"),
        ("/./", "/"),
        ("/..", "/"),
        ("/a/.", "/a/"),
        ("/a//../b", "/a/b"),
        ("", ""),
    ],
)
def test_remove_dot_segments(path: str, expected: str) -> None:
    assert remove_dot_segments(path) == expected


_unreserved = st.text(alphabet="abcdefxyz0123456789-._~", min_size=1, max_size=8)
# RFC 3986 pchar: unreserved, sub-delims, ":", "@" and valid escapes only.
_pchars = st.lists(
    st.sampled_from([*"abcXYZ019-._~!$&'()*+,;=:@", "%41", "%2F", "%e2%82%ac"]), max_size=8
).map("".join)


@st.composite
def _urls(draw: Any) -> str:
    scheme = draw(st.sampled_from(["http", "https", "ftp", "ws", "custom+x"]))
    host = ".".join(draw(st.lists(_unreserved, min_size=1, max_size=3)))
    port = draw(st.one_of(st.none(), st.integers(0, 65535)))
    path = "".join("/" + draw(_pchars) for _ in range(draw(st.integers(0, 4))))
    query = draw(st.one_of(st.none(), _pchars))
    fragment = draw(st.one_of(st.none(), _pchars))
    text = f"{scheme}://{host}" + ("" if port is None else f":{port}") + path
    text += "" if query is None else f"?{query}"
    return text + ("" if fragment is None else f"#{fragment}")


@settings(max_examples=200, deadline=None)
@given(_urls())
def test_valid_references_round_trip_against_rfc3986(text: str) -> None:
    url = URL(text)
    reference = rfc3986.uri_reference(text)
    rfc3986.validators.Validator().check_validity_of(
        "scheme", "host", "port", "path", "query", "fragment"
    ).validate(reference)
    assert URL(str(url)) == url
    assert url.scheme == reference.scheme
    assert url.raw_host.decode() == reference.host.lower()
    assert url.query == (reference.query or "").encode()
    assert url.fragment == unquote(reference.fragment or "")
    if "/." not in (reference.path or ""):
        assert url.raw_path.split(b"?")[0] == (reference.path or "/").encode()
    expected_port = None if reference.port is None else int(reference.port)
    if expected_port in (80, 443, 21) and url.port is None:
        return
    assert url.port == expected_port


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_raises_invalid_url(text: str) -> None:
    try:
        url = URL(text)
    except InvalidURL:
        return
    assert URL(str(url)) == url


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="htps:/@[]%.?#:0123456789abé ", max_size=30))
def test_delimiter_soup_parses_or_raises_invalid_url(text: str) -> None:
    with contextlib.suppress(InvalidURL):
        URL(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_urls(), st.text(alphabet="hts:/@[]%.?#=;0123456789aBé ~-_", max_size=40)))
def test_fast_path_agrees_with_the_general_path(text: str) -> None:
    # The canonical fast path must be a pure shortcut: same parts, or the same refusal.
    def attempt(parser: Any) -> object:
        try:
            return parser(text)
        except InvalidURL as exc:
            return str(exc)

    assert attempt(parse) == attempt(lambda text: normalise(split(text)))


@pytest.mark.parametrize(
    "text",
    [
        "http://x:65535/",
        "http://x:65536/",
        "http://x:00080/",
        "HTTPS://A.B:443/./a/../b",
        "http://1.2.3.4/",
        "http://1.2.3.400/",
        "http://xn--bcher-kva.example/",
        "http://xn--zz/",
        "http://u:p@h/",
    ],
)
def test_fast_path_cases(text: str) -> None:
    def attempt(parser: Any) -> object:
        try:
            return parser(text)
        except InvalidURL as exc:
            return str(exc)

    assert attempt(parse) == attempt(lambda text: normalise(split(text)))
