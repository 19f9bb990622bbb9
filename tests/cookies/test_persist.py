"""Saving and loading cookies: Netscape cookies.txt (curl, browsers) and JSON."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import stat
import time
from pathlib import Path
from typing import Literal

import pytest

from tether_cookies import CookieFileError, Cookies

FUTURE = int(time.time()) + 3600
Format = Literal["netscape", "json"]


def _sample() -> Cookies:
    cookies = Cookies()
    cookies.extract_from_headers(
        "https://www.example.com/app/",
        [
            ("set-cookie", "host=1"),
            ("set-cookie", "dom=2; Domain=example.com; Path=/; Max-Age=600; Secure"),
            ("set-cookie", "http=3; HttpOnly; SameSite=Strict; Max-Age=600; Path=/"),
            ("set-cookie", "lax=4; SameSite=None; Secure; Max-Age=600"),
            ("set-cookie", "empty=; Max-Age=600"),
        ],
    )
    cookies.set("anywhere", "5")
    return cookies


def _state(cookies: Cookies) -> list[tuple[object, ...]]:
    return sorted(
        (
            c.name,
            c.value,
            c.domain,
            c.domain_specified,
            c.path,
            c.secure,
            c.expires,
            c.has_nonstandard_attr("HttpOnly"),
        )
        for c in cookies.jar
    )


@pytest.mark.parametrize("fmt", ["netscape", "json"])
def test_round_trip_keeps_expiry_and_flags(tmp_path: Path, fmt: Format) -> None:
    original = _sample()
    path = tmp_path / f"cookies.{fmt}"
    original.save(path, format=fmt)
    loaded = Cookies()
    loaded.load(path)
    assert _state(loaded) == _state(original)
    url = "https://www.example.com/app/x"
    assert loaded.cookie_header(url) == original.cookie_header(url)


def test_json_round_trip_keeps_samesite(tmp_path: Path) -> None:
    path = tmp_path / "cookies.json"
    _sample().save(path, format="json")
    loaded = Cookies()
    loaded.load(path, format="json")
    same_site = {c.name: c.get_nonstandard_attr("SameSite") for c in loaded.jar}
    assert same_site["http"] == "Strict"
    assert same_site["lax"] == "None"
    assert same_site["host"] is None


def test_netscape_file_looks_like_curls(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    _sample().save(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "# Netscape HTTP Cookie File"
    body = [line.split("\t") for line in lines if line and not line.startswith("# ")]
    by_name = {fields[5]: fields for fields in body}
    assert by_name["host"] == ["www.example.com", "FALSE", "/app", "FALSE", "0", "host", "1"]
    assert by_name["dom"][:4] == [".example.com", "TRUE", "/", "TRUE"]
    assert by_name["http"][0] == "#HttpOnly_www.example.com"
    assert by_name["empty"][6] == ""
    assert by_name["anywhere"][:2] == ["", "FALSE"]


def test_json_file_uses_the_browser_extension_shape(tmp_path: Path) -> None:
    path = tmp_path / "cookies.json"
    _sample().save(path, format="json")
    entries = {entry["name"]: entry for entry in json.loads(path.read_text())}
    assert entries["dom"] == {
        "name": "dom",
        "value": "2",
        "domain": ".example.com",
        "hostOnly": False,
        "path": "/",
        "secure": True,
        "httpOnly": False,
        "sameSite": "unspecified",
        "session": False,
        "expirationDate": entries["dom"]["expirationDate"],
    }
    assert entries["host"]["session"] is True
    assert "expirationDate" not in entries["host"]
    assert entries["http"]["sameSite"] == "strict"
    assert entries["lax"]["sameSite"] == "no_restriction"


def test_saved_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    _sample().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_store_saves_and_loads(tmp_path: Path) -> None:
    formats: tuple[Format, ...] = ("netscape", "json")
    for fmt in formats:
        path = tmp_path / f"empty.{fmt}"
        Cookies().save(path, format=fmt)
        loaded = Cookies()
        loaded.load(path)
        assert len(loaded) == 0


# -- session and expired cookies ---------------------------------------------------------------


def test_session_cookies_are_saved_unless_asked_not_to(tmp_path: Path) -> None:
    kept, dropped = tmp_path / "kept.txt", tmp_path / "dropped.txt"
    _sample().save(kept)
    _sample().save(dropped, session=False)
    loaded_kept, loaded_dropped = Cookies(), Cookies()
    loaded_kept.load(kept)
    loaded_dropped.load(dropped)
    assert {"host", "anywhere"} <= set(loaded_kept)
    assert set(loaded_dropped) == {"dom", "http", "lax", "empty"}


def test_session_cookies_can_be_skipped_on_load(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    _sample().save(path)
    loaded = Cookies()
    loaded.load(path, session=False)
    assert set(loaded) == {"dom", "http", "lax", "empty"}


def test_expired_cookies_are_neither_saved_nor_loaded(tmp_path: Path) -> None:
    cookies = _sample()
    for cookie in cookies.jar:
        if cookie.name == "dom":
            cookie.expires = int(time.time()) - 1
    path = tmp_path / "cookies.txt"
    cookies.save(path)
    assert "\tdom\t" not in path.read_text()
    path.write_text(f"example.com\tFALSE\t/\tFALSE\t{int(time.time()) - 10}\told\tx\n")
    loaded = Cookies()
    loaded.load(path)
    assert len(loaded) == 0


# -- files written by others -----------------------------------------------------------------------

CURL_FILE = f"""\
# Netscape HTTP Cookie File
# https://curl.se/docs/http-cookies.html
# This file was generated by libcurl! Edit at your own risk.

.example.com\tTRUE\t/\tFALSE\t{FUTURE}\tdomain\tvalue one
www.example.com\tFALSE\t/path\tTRUE\t0\tsession\ts
#HttpOnly_example.com\tFALSE\t/\tFALSE\t{FUTURE}\tprivate\tp
example.org\tFALSE\t/\tFALSE\t{FUTURE}\tnovalue
example.net\ttrue\t/\tfalse\t{FUTURE}\tlower\tflags
"""


def test_curl_cookie_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "curl.txt"
    path.write_bytes(CURL_FILE.replace("\n", "\r\n").encode())
    cookies = Cookies()
    cookies.load(path)
    assert dict(cookies) == {
        "domain": "value one",
        "session": "s",
        "private": "p",
        "novalue": "",
        "lower": "flags",
    }
    by_name = {cookie.name: cookie for cookie in cookies.jar}
    assert by_name["private"].has_nonstandard_attr("HttpOnly")
    assert by_name["session"].expires is None
    assert by_name["session"].secure
    assert by_name["lower"].domain == ".example.net"
    assert cookies.cookie_header("https://api.example.com/") == "domain=value one"
    assert cookies.cookie_header("https://www.example.com/path/x") == "session=s; domain=value one"


def test_file_from_stdlib_mozillacookiejar_loads(tmp_path: Path) -> None:
    path = tmp_path / "mozilla.txt"
    jar = http.cookiejar.MozillaCookieJar(str(path))
    for name, expires in (("persistent", FUTURE), ("session", None)):
        jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                name,
                "v",
                None,
                False,
                ".example.com",
                True,
                True,
                "/",
                True,
                False,
                expires,
                expires is None,
                None,
                None,
                {"HttpOnly": ""},
            )
        )
    jar.save(ignore_discard=True)
    cookies = Cookies()
    cookies.load(path)
    assert sorted(cookies) == ["persistent", "session"]
    assert {cookie.name: cookie.expires for cookie in cookies.jar} == {
        "persistent": FUTURE,
        "session": None,
    }


def test_valueless_cookies_round_trip_in_the_stdlib_spelling(tmp_path: Path) -> None:
    path = tmp_path / "valueless.txt"
    path.write_text(f"example.com\tFALSE\t/\tFALSE\t{FUTURE}\t\tflag\n")
    cookies = Cookies()
    cookies.load(path)
    (cookie,) = cookies.jar
    assert (cookie.name, cookie.value) == ("flag", None)
    assert cookies.cookie_header("https://example.com/") == "flag"
    cookies.save(path)
    assert f"\t{FUTURE}\t\tflag\n" in path.read_text()
    jar = http.cookiejar.MozillaCookieJar(str(path))
    jar.load()
    assert [(c.name, c.value) for c in jar] == [("flag", None)]


def test_our_file_loads_in_stdlib_mozillacookiejar(tmp_path: Path) -> None:
    path = tmp_path / "ours.txt"
    _sample().save(path)
    jar = http.cookiejar.MozillaCookieJar(str(path))
    jar.load(ignore_discard=True, ignore_expires=True)
    assert sorted(c.name for c in jar) == sorted(_sample())


def test_format_is_guessed_from_the_content(tmp_path: Path) -> None:
    path = tmp_path / "no-extension"
    path.write_text('  [{"name": "a", "value": "1", "domain": "example.com"}]')
    cookies = Cookies()
    cookies.load(path)
    assert cookies.cookie_header("https://example.com/") == "a=1"


def test_json_defaults_for_missing_optional_fields(tmp_path: Path) -> None:
    path = tmp_path / "cookies.json"
    path.write_text(
        json.dumps(
            [
                {"name": "host", "value": "1", "domain": "example.com"},
                {
                    "name": "dom",
                    "value": "2",
                    "domain": ".example.com",
                    "expirationDate": FUTURE + 0.5,
                },
            ]
        )
    )
    cookies = Cookies()
    cookies.load(path)
    host, dom = cookies.jar
    assert (host.domain, host.domain_specified, host.path, host.expires) == (
        "example.com",
        False,
        "/",
        None,
    )
    assert (dom.domain, dom.domain_specified, dom.expires) == (".example.com", True, FUTURE)


def test_loading_merges_into_the_existing_store(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    Cookies({"a": "from-file"}).save(path)
    cookies = Cookies({"a": "old", "b": "kept"})
    cookies.load(path)
    assert dict(cookies) == {"a": "from-file", "b": "kept"}


# -- corrupt files ---------------------------------------------------------------------------

NETSCAPE_ERRORS = [
    ("example.com\tFALSE\t/\n", 1, "7 TAB-separated fields, got 3"),
    (
        "# ok\n\nexample.com\tMAYBE\t/\tFALSE\t0\ta\tb\n",
        3,
        "include-subdomains must be TRUE or FALSE",
    ),
    ("example.com\tFALSE\t/\tyes\t0\ta\tb\n", 1, "secure must be TRUE or FALSE"),
    ("example.com\tFALSE\t/\tFALSE\tsoon\ta\tb\n", 1, "expiry must be an integer, got 'soon'"),
    ("example.com\tFALSE\t/\tFALSE\t" + "9" * 30 + "\ta\tb\n", 1, "expiry must be an integer"),
    ("example.com\tFALSE\t/\tFALSE\t0\t\t\n", 1, "invalid cookie name ''"),
    ("example.com\tFALSE\t/\tFALSE\t0\ta b\tb\n", 1, "invalid cookie name 'a b'"),
    ("example.com\tFALSE\t/\tFALSE\t0\ta\tb\x01\n", 1, "cookie value contains a control character"),
    ("example.com\tFALSE\t/\tFALSE\t0\ta\tb;c=d\n", 1, "cookie value contains ';'"),
    ("exa mple.com\tFALSE\t/\tFALSE\t0\ta\tb\n", 1, "invalid domain 'exa mple.com'"),
    ("example.com\tFALSE\trelative\tFALSE\t0\ta\tb\n", 1, "path must start with '/'"),
    ("example.com\tFALSE\t/\x7f\tFALSE\t0\ta\tb\n", 1, "path contains a control character"),
]


@pytest.mark.parametrize(("text", "line", "reason"), NETSCAPE_ERRORS)
def test_corrupt_netscape_files_name_file_and_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(CookieFileError) as info:
        Cookies().load(path)
    assert info.value.filename == str(path)
    assert info.value.lineno == line
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{path}, line {line}: ")


def test_non_utf8_netscape_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"# header\nexample.com\tFALSE\t/\tFALSE\t0\ta\t\xff\n")
    with pytest.raises(CookieFileError, match=r"line 2: not UTF-8"):
        Cookies().load(path)


JSON_ERRORS = [
    ('{"name": "a"}', 1, "must be a list"),
    ("", 1, "must be a list"),
    ('[\n{"name": "a",\n', 3, "invalid JSON"),
    (
        '[\n  {"name": "a", "value": "1", "domain": "x"}\n  {"name": "b"}\n]',
        3,
        "expected ',' or ']'",
    ),
    ("[1]", 1, "must be a JSON object"),
    ('[\n{"value": "1", "domain": "x"}\n]', 2, "cookie has no 'name'"),
    ('[\n\n{"name": 5, "value": "1", "domain": "x"}]', 3, "'name' must be a str, got 5"),
    ('[{"name": "a", "value": "1", "domain": "x", "secure": "yes"}]', 1, "'secure' must be a bool"),
    (
        '[{"name": "a", "value": "1", "domain": "x", "session": false}]',
        1,
        "'expirationDate' must be a number, got None",
    ),
    (
        '[{"name": "a", "value": "1", "domain": "x", "expirationDate": true}]',
        1,
        "'expirationDate' must be a number",
    ),
    (
        '[{"name": "a", "value": "1", "domain": "x", "expirationDate": NaN}]',
        1,
        "'expirationDate' must be a number",
    ),
    (
        '[{"name": "a", "value": "1", "domain": "x", "expirationDate": 1e300}]',
        1,
        "'expirationDate' must be a number",
    ),
    (
        '[{"name": "a", "value": "1", "domain": "x", "sameSite": "sometimes"}]',
        1,
        "unknown sameSite value",
    ),
    ('[{"name": "a", "value": "1\\r\\nX: y", "domain": "x"}]', 1, "control character"),
    ('[{"name": "a", "value": "1", "domain": "x"}] trailing', 1, "unexpected data after the list"),
    ("[" * 100_000, 1, "nested too deeply"),
]


@pytest.mark.parametrize(
    ("text", "line", "reason"), JSON_ERRORS, ids=lambda value: repr(value)[:30]
)
def test_corrupt_json_files_name_file_and_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(CookieFileError) as info:
        Cookies().load(path, format="json")
    assert info.value.filename == str(path)
    assert info.value.lineno == line
    assert reason in info.value.reason


def test_non_utf8_json_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'[\n{"name": "\xff"}]')
    with pytest.raises(CookieFileError, match=r"line 2: not UTF-8"):
        Cookies().load(path, format="json")


@pytest.mark.parametrize(
    "content",
    [
        b"\t" * 100_000,
        b"#" * 100_000,
        b"\n" * 100_000 + b"x",
        b"example.com\tFALSE\t/\tFALSE\t0\ta\t" + b"v" * 100_000,
        b"[" + b" " * 100_000 + b"{}",
        b"[" + b'{"name": "a", "value": "1", "domain": "x"},\n' * 2000 + b"1]",
        b'[{"name": "' + b"a" * 100_000 + b'", "value": "", "domain": "x"}]',
    ],
    ids=lambda content: repr(content[:16]),
)
def test_hundred_kilobyte_files_fail_or_load_quickly(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "big"
    path.write_bytes(content)
    start = time.perf_counter()
    with contextlib.suppress(CookieFileError):
        Cookies().load(path)
    assert time.perf_counter() - start < 1.0


def test_many_lines_load_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    path.write_text(
        "".join(f"example.com\tFALSE\t/\tFALSE\t{FUTURE}\tc{i}\tv\n" for i in range(5000))
    )
    start = time.perf_counter()
    cookies = Cookies()
    cookies.load(path)
    assert len(cookies) == 5000
    assert time.perf_counter() - start < 2.0


def test_failed_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a-directory"
    target.mkdir()
    (target / "occupied").write_text("x")
    with pytest.raises(IsADirectoryError):
        _sample().save(target)
    assert sorted(os.listdir(tmp_path)) == ["a-directory"]


def test_missing_file_raises_the_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Cookies().load(tmp_path / "missing.txt")
