"""multipart/form-data: httpx's bytes on the wire, valid to a real parser, streamed from disk."""

from __future__ import annotations

import asyncio
import io
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.content._support import (
    ReadOnly,
    SpyFile,
    ajoin,
    httpx_wire,
    parse_multipart,
    wire,
)
from tether_content import (
    InvalidInput,
    MultipartStream,
    StreamConsumed,
    boundary_from_content_type,
    encode_request,
)

BOUNDARY = b"fixed-boundary-0123"


def _cases() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(id, our kwargs, httpx kwargs): file objects are built twice, one per side."""

    def both(**kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return kwargs, kwargs

    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def add(name: str, make: Any) -> None:
        cases.append((name, make(), make()))

    add("bytes", lambda: {"files": {"f": b"data"}})
    add("str", lambda: {"files": {"f": "text ☃"}})
    add("fileobj", lambda: {"files": {"f": io.BytesIO(b"\x00\x01")}})
    add("named fileobj", lambda: {"files": {"f": SpyFile(b"abc", name="/tmp/dir/report.pdf")}})
    add("2-tuple", lambda: {"files": {"f": ("a.txt", b"x")}})
    add("3-tuple", lambda: {"files": {"f": ("a.txt", b"x", "text/x-custom")}})
    add("4-tuple", lambda: {"files": {"f": ("a.txt", b"x", None, {"X-Extra": "1"})}})
    add(
        "4-tuple with content-type header",
        lambda: {"files": {"f": ("a.txt", b"x", "ignored/type", {"content-type": "a/b"})}},
    )
    add("no filename", lambda: {"files": {"f": (None, b"x")}})
    add("empty filename", lambda: {"files": {"f": ("", b"x")}})
    add("unknown extension", lambda: {"files": {"f": ("blob.zzzunknown", b"x")}})
    add("list of pairs", lambda: {"files": [("f", b"1"), ("f", b"2"), ("g", ("g.json", b"{}"))]})
    add(
        "data and files",
        lambda: {
            "data": {"a": "1", "b": ["x", "y"], "c": True, "d": None, "e": 2.5, "f": b"raw"},
            "files": {"up": ("u.png", io.BytesIO(b"\x89PNG"))},
        },
    )
    add(
        "unicode names",
        lambda: {"data": {"ключ": "значение"}, "files": {"файл": ("отчёт.txt", b"x")}},
    )
    add(
        "escaped names",
        lambda: {
            "data": {'quo"te\\back': "v"},
            "files": {"f\r\nX-Injected: 1": ('evil"\r\n\x00\x1b\x7f.txt', b"x")},
        },
    )
    add("empty file", lambda: {"files": {"f": ("e.bin", b"")}})
    return cases


CASES = _cases()


@pytest.mark.parametrize(("ours", "theirs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_multipart_matches_httpx_byte_for_byte(
    ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    content_type = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY.decode()}"}
    expected_headers, expected_body = httpx_wire(headers=content_type, **theirs)
    headers, body = wire(*encode_request(boundary=BOUNDARY, **ours))
    assert body == expected_body
    # httpx keeps the caller's Content-Type header first; the implied one is the same value.
    assert dict(headers) == {k: v for k, v in expected_headers}


@pytest.mark.parametrize(("ours", "theirs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_multipart_parses_back(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    headers, stream = encode_request(boundary=BOUNDARY, **ours)
    body = b"".join(stream)
    assert int(headers["Content-Length"]) == len(body)
    parts = parse_multipart(body, BOUNDARY)
    data = theirs.get("data", {})
    files = theirs["files"]
    items = list(files.items()) if isinstance(files, dict) else files
    expected_count = sum(len(v) if isinstance(v, list) else 1 for v in data.values()) + len(items)
    assert len(parts) == expected_count
    for part_headers, _ in parts:
        assert part_headers["content-disposition"].startswith("form-data; name=")
        assert "x-injected" not in part_headers


def test_a_random_boundary_is_32_hex_digits() -> None:
    headers, stream = encode_request(files={"f": b"x"})
    assert isinstance(stream, MultipartStream)
    boundary = stream.boundary
    assert len(boundary) == 32
    int(boundary, 16)
    assert headers["Content-Type"] == f"multipart/form-data; boundary={boundary.decode()}"
    other = encode_request(files={"f": b"x"})[1]
    assert isinstance(other, MultipartStream)
    assert other.boundary != boundary
    assert parse_multipart(b"".join(stream), boundary)[0][1] == b"x"


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        ("multipart/form-data; boundary=abc", b"abc"),
        ('multipart/form-data; boundary="quoted value"', b"quoted value"),
        ("Multipart/Form-Data;charset=utf-8; BOUNDARY=x-y", b"x-y"),
        (b"multipart/form-data; boundary=raw", b"raw"),
        ("multipart/form-data", None),
        ("multipart/mixed; boundary=abc", None),
        ("text/plain", None),
        ("", None),
        (None, None),
    ],
)
def test_boundary_from_content_type(
    content_type: str | bytes | None, boundary: bytes | None
) -> None:
    assert boundary_from_content_type(content_type) == boundary


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=abc", 'multipart/form-data; boundary="a b"; charset=x'],
)
def test_boundary_parsing_agrees_with_httpx(content_type: str) -> None:
    from httpx._multipart import get_multipart_boundary_from_content_type

    expected = get_multipart_boundary_from_content_type(content_type.encode())
    assert boundary_from_content_type(content_type) == expected


@pytest.mark.parametrize(
    "boundary", [b"", b"a" * 71, b"bad\r\nline", b"trailing ", b"semi;colon", 7]
)
def test_invalid_boundaries_are_refused(boundary: Any) -> None:
    with pytest.raises(InvalidInput, match="boundary"):
        encode_request(files={"f": b"x"}, boundary=boundary)


def test_a_str_boundary_is_accepted() -> None:
    headers, _ = encode_request(files={"f": b"x"}, boundary="str-boundary")
    assert headers["Content-Type"].endswith("boundary=str-boundary")


def test_a_large_file_is_streamed_in_chunks_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    size = 20 * 1024 * 1024
    with path.open("wb") as out:
        block = os.urandom(1024 * 1024)
        for _ in range(size // len(block)):
            out.write(block)

    class Spy(io.FileIO):
        reads: list[int] = []  # noqa: RUF012

        def read(self, size: int | None = -1, /) -> bytes:
            type(self).reads.append(-1 if size is None else size)
            return super().read(size)

    with Spy(path, "rb") as file:
        headers, stream = encode_request(files={"big": file}, boundary=BOUNDARY)
        framing = (
            b"--" + BOUNDARY + b"\r\n"
            b'Content-Disposition: form-data; name="big"; filename="big.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
            b"\r\n--" + BOUNDARY + b"--\r\n"
        )
        assert int(headers["Content-Length"]) == size + len(framing)
        tracemalloc.start()
        try:
            total = 0
            largest = 0
            for chunk in stream:
                total += len(chunk)
                largest = max(largest, len(chunk))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert total == int(headers["Content-Length"])
    assert largest <= 65536
    assert set(Spy.reads) == {65536}
    assert peak < 1024 * 1024  # the file never sits in memory


def test_a_file_of_unknown_size_makes_the_body_chunked() -> None:
    headers, stream = encode_request(files={"f": ReadOnly(b"abc")}, boundary=BOUNDARY)
    assert headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in headers
    parts = parse_multipart(b"".join(stream), BOUNDARY)
    assert parts[0][1] == b"abc"
    assert parts[0][0]["content-disposition"] == 'form-data; name="f"; filename="upload"'
    with pytest.raises(StreamConsumed, match="the file of field 'f' cannot seek back"):
        list(stream)


def test_files_are_rewound_for_a_replay() -> None:
    file = io.BytesIO(b"0123456789")
    file.seek(5)  # httpx sends the whole file from offset 0
    headers, stream = encode_request(files={"f": file}, boundary=BOUNDARY)
    assert isinstance(stream, MultipartStream)
    assert stream.replayable
    first = b"".join(stream)
    assert b"".join(stream) == first
    assert parse_multipart(first, BOUNDARY)[0][1] == b"0123456789"
    assert int(headers["Content-Length"]) == len(first)


def test_async_iteration_yields_the_same_body() -> None:
    _, stream = encode_request(
        data={"a": "1"}, files={"f": io.BytesIO(b"x" * 100_000)}, boundary=BOUNDARY
    )
    assert asyncio.run(ajoin(stream)) == b"".join(stream)
    asyncio.run(stream.aclose())
    stream.close()
    assert "MultipartStream" in repr(stream)


def test_text_mode_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("x")
    with path.open() as file, pytest.raises(InvalidInput, match=r"text-mode file.*'rb'"):
        encode_request(files={"f": file})  # type: ignore[dict-item]
    with pytest.raises(InvalidInput, match=r"io\.BytesIO"):
        encode_request(files={"f": ("a.txt", io.StringIO("x"))})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("files", "match"),
    [
        ({"f": ("a", b"x", None, {"X": "a\r\nInjected: 1"})}, "CR, LF or NUL"),
        ({"f": ("a", b"x", None, {"Bad\nName": "v"})}, "CR, LF or NUL"),
        ({"f": ("a", b"x", "text/plain\r\nX: y")}, "CR, LF or NUL"),
        ({"f": ("a", b"x", None, {"X": 1})}, "must map str to str"),
        ({"f": ("a", b"x", None, ["X"])}, "must be a mapping"),
        ({"f": ("a",)}, "tuple of 1 items"),
        ({"f": ("a", b"x", None, {}, "extra")}, "tuple of 5 items"),
        ({"f": (b"name", b"x")}, "filename .* must be str or None"),
        ({"f": ("a", b"x", 3)}, "content type .* must be str or None"),
        ({"f": ("a", 123)}, "binary file object, bytes or str, got int"),
        ({1: b"x"}, "file field names must be str"),
        ({"f": ("\udcff", b"x")}, "UTF-8"),
        ({"f": ("a", "\ud800")}, "UTF-8"),
        ({"f": ("a", b"x", None, {"X": "\ud800"})}, "UTF-8"),
        ("not files", "files= must be a mapping or a list"),
        ([("only-name",)], r"\(name, file\) pairs"),
    ],
)
def test_bad_files_raise_invalid_input(files: Any, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        encode_request(files=files)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"a": object()}, "form field 'a' has a object value"),
        ({"a": [1, {"x": 1}]}, "has a dict value"),
        ({1: "x"}, "form field names must be str"),
        ({"\ud800": "x"}, "UTF-8"),
        ({"a": "\ud800"}, "UTF-8"),
    ],
)
def test_bad_form_fields_in_multipart_raise_invalid_input(data: Any, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        encode_request(data=data, files={"f": b"x"})


def test_multipart_data_must_be_a_mapping() -> None:
    with pytest.raises(InvalidInput, match="data= must be a mapping"):
        MultipartStream(["a"], {"f": b"x"})  # type: ignore[arg-type]


def test_the_content_type_guess_follows_mimetypes() -> None:
    _, stream = encode_request(
        files={"a": ("x.json", b"{}"), "b": ("x.html", b""), "c": ("noext", b"")}, boundary=BOUNDARY
    )
    types = [h.get("content-type") for h, _ in parse_multipart(b"".join(stream), BOUNDARY)]
    assert types == ["application/json", "text/html", "application/octet-stream"]


def test_big_bytes_parts_are_not_copied_into_small_chunks() -> None:
    big = b"y" * 200_000
    _, stream = encode_request(data={"a": "1"}, files={"f": ("f", big)}, boundary=BOUNDARY)
    chunks = list(stream)
    assert any(chunk is big for chunk in chunks)
    assert len(chunks) == 3


filenames = st.text(st.characters(codec="utf-8"), max_size=20)


@settings(max_examples=200, deadline=None)
@given(name=filenames, filename=filenames, value=st.binary(max_size=50))
def test_any_name_round_trips_through_a_real_parser(name: str, filename: str, value: bytes) -> None:
    ours: dict[str, Any] = {"files": {name: (filename, value)}}
    headers, stream = encode_request(boundary=BOUNDARY, **ours)
    body = b"".join(stream)
    expected = httpx_wire(
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY.decode()}"}, **ours
    )[1]
    assert body == expected
    ((_, data),) = parse_multipart(body, BOUNDARY)
    assert data == value
    assert int(headers["Content-Length"]) == len(body)


def test_adversarial_content_types_give_a_boundary_in_linear_time() -> None:
    start = time.perf_counter()
    assert boundary_from_content_type("multipart/form-data" + ";" * 100_000) is None
    hostile = "multipart/form-data; " + "a=b; " * 20_000 + "boundary=" + "x" * 100_000
    assert boundary_from_content_type(hostile) == b"x" * 100_000
    with pytest.raises(InvalidInput, match="1 to 70"):
        encode_request(files={"f": b"x"}, boundary=boundary_from_content_type(hostile))
    assert time.perf_counter() - start < 1


def _encode_fields(count: int) -> tuple[float, bytes]:
    data = {f"field{i}": "v" * 10 for i in range(count)}
    start = time.perf_counter()
    _, stream = encode_request(data=data, files={"f": b"x"}, boundary=BOUNDARY)
    body = b"".join(stream)
    return time.perf_counter() - start, body


def test_many_fields_encode_in_linear_time() -> None:
    # Growth, not an absolute bound, so a loaded machine cannot fail it: ten times the
    # fields may cost about ten times as much (quadratic work would cost a hundred).
    small = min(_encode_fields(2_000)[0] for _ in range(3))
    large, body = min(_encode_fields(20_000) for _ in range(3))
    assert large < 30 * small + 0.05
    assert len(parse_multipart(body, BOUNDARY)) == 20_001
