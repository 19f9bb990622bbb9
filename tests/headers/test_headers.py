"""`Headers` against httpx.Headers as an oracle, plus what tether does on purpose differently."""

from __future__ import annotations

import copy
import pickle
import time
import weakref
from collections.abc import Callable, Iterator
from types import MappingProxyType
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tether_headers
from tether_headers import Headers, InvalidHeader

# (id, input, encoding): every shape httpx.Headers is built from.
CONSTRUCTIONS: list[tuple[str, Any, str | None]] = [
    ("none", None, None),
    ("empty-dict", {}, None),
    ("empty-list", [], None),
    ("dict", {"Content-Type": "text/html", "X-A": "1"}, None),
    ("dict-bytes", {b"Content-Type": b"text/html", b"X-A": b"1"}, None),
    ("dict-mixed", {"Content-Type": b"text/html", b"X-A": "1"}, None),
    ("list", [("Accept", "text/html"), ("Host", "example.org")], None),
    ("tuple", (("Accept", "text/html"), ("Host", "example.org")), None),
    ("list-of-lists", [["Accept", "*/*"], ["Host", "h"]], None),
    ("bytes-pairs", [(b"Accept", b"*/*"), (b"Server", b"x")], None),
    ("duplicates", [("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X", "y")], None),
    ("duplicates-apart", [("A", "1"), ("B", "2"), ("a", "3"), ("b", "4"), ("A", "5")], None),
    ("case-variants", [("X-CASE", "1"), ("x-case", "2"), ("X-Case", "3")], None),
    ("authorization", {"Authorization": "Bearer secret", "X": "1"}, None),
    ("proxy-authorization", [("Proxy-Authorization", "Basic x"), ("A", "b")], None),
    ("secret-duplicates", [("Authorization", "a"), ("authorization", "b")], None),
    ("empty-values", [("A", ""), ("B", ""), ("a", "")], None),
    ("commas", [("Accept", "a, b,c"), ("accept", " d ,e ")], None),
    ("spaces", {"X-Spaces": "  padded  ", "Y": "in between"}, None),
    ("utf8-bytes", [(b"X-Name", "café".encode()), (b"Y", b"1")], None),
    ("latin1-bytes", [(b"X-Name", b"caf\xe9"), (b"Y", b"1")], None),
    ("mixed-encodings", [(b"A", "é".encode()), (b"B", b"\xff")], None),
    ("utf8-name", [("é".encode(), b"1")], None),
    ("utf8-duplicates", [(b"A", "é".encode()), (b"a", b"x"), (b"B", b"y")], None),
    ("latin1-duplicates", [(b"A", b"\xe9"), (b"a", b"x"), (b"A", b"\xff")], None),
    ("explicit-utf8", {"X": "café"}, "utf-8"),
    ("explicit-latin1", {"X": "café"}, "latin-1"),
    ("explicit-iso", [(b"X", b"caf\xe9")], "iso-8859-1"),
    ("explicit-ascii", {"X": "plain"}, "ascii"),
    ("explicit-utf8-ascii", {"X": "plain"}, "utf-8"),
    ("explicit-upper-name", {"X": "plain"}, "UTF-8"),
    ("many", [(f"X-Header-{i}", f"value {i}") for i in range(40)], None),
    ("many-dups", [("X-Dup", str(i)) for i in range(30)], None),
    ("symbols", {"X-Token!#$%&'*+-.^_`|~": "v"}, None),
    ("header-object", Headers({"A": "1", "b": "2"}), None),
    ("mapping-proxy", MappingProxyType({"A": "1", b"B": b"2"}), None),
    ("mixed-bytes-first", [(b"A", b"1"), ("B", "2")], None),
    ("mixed-str-first", [("A", "1"), (b"B", b"2")], None),
]

KEYS = ["a", "A", "x", "X", "content-type", "CONTENT-TYPE", "set-cookie", "authorization"]
KEYS += ["x-name", "missing", "", "x-dup", "accept", "Accept", "b", "y", "é"]


def _oracle_input(value: Any) -> Any:
    """The same input for httpx (a tether Headers becomes an httpx one)."""
    if isinstance(value, Headers):
        return httpx.Headers(value.raw)
    return value


def _build(value: Any, encoding: str | None) -> tuple[Headers, httpx.Headers]:
    return Headers(value, encoding=encoding), httpx.Headers(_oracle_input(value), encoding)


def _state(headers: Any) -> tuple[Any, ...]:
    return (
        headers.raw,
        headers.multi_items(),
        list(headers.items()),
        list(headers.keys()),
        list(headers.values()),
        list(headers),
        len(headers),
        bool(headers),
        repr(headers),
        headers.encoding,
    )


def _outcome(func: Callable[[Any], Any], headers: Any) -> tuple[str, Any]:
    try:
        return "ok", func(headers)
    except Exception as exc:
        return "raised", type(exc).__name__


@pytest.mark.parametrize(
    ("value", "encoding"),
    [pytest.param(value, enc, id=name) for name, value, enc in CONSTRUCTIONS],
)
def test_construction_matches_httpx(value: Any, encoding: str | None) -> None:
    mine, theirs = _build(value, encoding)
    assert _state(mine) == _state(theirs)


def _key_ops() -> Iterator[Any]:
    for key in KEYS:
        if not key.isascii():
            continue  # httpx raises UnicodeEncodeError here; see the deviation tests
        yield pytest.param(lambda h, k=key: h.get(k), id=f"get-{key}")
        yield pytest.param(lambda h, k=key: h.get(k, "fallback"), id=f"get-default-{key}")
        yield pytest.param(lambda h, k=key: h[k], id=f"getitem-{key}")
        yield pytest.param(lambda h, k=key: k in h, id=f"contains-{key}")
        yield pytest.param(lambda h, k=key: h.get_list(k), id=f"get_list-{key}")
        yield pytest.param(
            lambda h, k=key: h.get_list(k, split_commas=True), id=f"get_list-split-{key}"
        )


READ_OPS = [
    *_key_ops(),
    pytest.param(lambda h: h.copy().raw, id="copy-raw"),
    pytest.param(lambda h: repr(h.copy()), id="copy-repr"),
    pytest.param(lambda h: h.copy() == h, id="copy-equal"),
    pytest.param(lambda h: h == dict(h.items()), id="eq-items-dict"),
    pytest.param(lambda h: h == h.multi_items(), id="eq-multi-items"),
    pytest.param(lambda h: h == list(reversed(h.multi_items())), id="eq-reversed"),
    pytest.param(lambda h: h == [(k.upper(), v) for k, v in h.multi_items()], id="eq-upper"),
    pytest.param(lambda h: h == [(k, v + "!") for k, v in h.multi_items()], id="eq-changed"),
    pytest.param(lambda h: h == h.multi_items()[1:], id="eq-shorter"),
    pytest.param(lambda h: h == {"unrelated": "1"}, id="eq-other-dict"),
    pytest.param(lambda h: h == [], id="eq-empty-list"),
    pytest.param(lambda h: h != {}, id="ne-empty-dict"),
    pytest.param(lambda h: h == [("a", "1", "extra")], id="eq-bad-pairs"),
    pytest.param(lambda h: h == "not headers", id="eq-str"),
    pytest.param(lambda h: "a" in h.keys(), id="keys-contains"),  # noqa: SIM118
    pytest.param(lambda h: h.keys() == set(h), id="keys-set-equal"),
    pytest.param(lambda h: sorted(h.values()), id="values-sorted"),
    pytest.param(lambda h: ("a", "1") in h.items(), id="items-contains"),
]


@pytest.mark.parametrize(
    ("value", "encoding"),
    [pytest.param(value, enc, id=name) for name, value, enc in CONSTRUCTIONS],
)
@pytest.mark.parametrize("operation", READ_OPS)
def test_reads_match_httpx(
    value: Any, encoding: str | None, operation: Callable[[Any], Any]
) -> None:
    mine, theirs = _build(value, encoding)
    assert _outcome(operation, mine) == _outcome(operation, theirs)


def _update_with(pairs: Any) -> Callable[[Any], Any]:
    def run(headers: Any) -> Any:
        return headers.update(pairs)

    return run


def _delete(key: str) -> Callable[[Any], Any]:
    def run(headers: Any) -> Any:
        del headers[key]

    return run


def _set(key: str, value: str) -> Callable[[Any], Any]:
    def run(headers: Any) -> Any:
        headers[key] = value

    return run


def _steps(*steps: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(headers: Any) -> Any:
        return [step(headers) for step in steps]

    return run


MUTATIONS = [
    pytest.param(_set("X-New", "1"), id="set-new"),
    pytest.param(_set("a", "new"), id="set-a"),
    pytest.param(_set("A", "new"), id="set-A-casing"),
    pytest.param(_set("x-dup", "one"), id="set-collapses-dups"),
    pytest.param(_set("set-cookie", "c=3"), id="set-set-cookie"),
    pytest.param(_set("X-CASE", ""), id="set-empty"),
    pytest.param(_delete("a"), id="del-a"),
    pytest.param(_delete("X-DUP"), id="del-dups"),
    pytest.param(_delete("missing"), id="del-missing"),
    pytest.param(_delete("set-cookie"), id="del-set-cookie"),
    pytest.param(lambda h: h.pop("a", "gone"), id="pop-a"),
    pytest.param(lambda h: h.pop("x-case"), id="pop-x-case"),
    pytest.param(lambda h: h.popitem(), id="popitem"),
    pytest.param(lambda h: h.setdefault("a", "d"), id="setdefault-a"),
    pytest.param(lambda h: h.setdefault("Fresh", "d"), id="setdefault-new"),
    pytest.param(lambda h: h.clear(), id="clear"),
    pytest.param(_update_with({"A": "u", "New": "n"}), id="update-dict"),
    pytest.param(_update_with([("a", "1"), ("A", "2")]), id="update-dups"),
    pytest.param(_update_with([(b"X-Dup", b"b")]), id="update-bytes"),
    pytest.param(_update_with(None), id="update-none"),
    pytest.param(_update_with({}), id="update-empty"),
    pytest.param(_update_with({"set-cookie": "only"}), id="update-set-cookie"),
    pytest.param(
        _steps(_set("Z", "1"), _set("z", "2"), _delete("Z"), _set("z", "3")),
        id="set-del-set",
    ),
    pytest.param(
        _steps(_update_with([("K", "1"), ("k", "2")]), _set("K", "one"), _delete("a")),
        id="update-set-del",
    ),
    pytest.param(_steps(lambda h: h.clear(), _set("After", "clear")), id="clear-then-set"),
    pytest.param(
        _steps(*[_set(f"Bulk-{i}", str(i)) for i in range(30)], _delete("bulk-7")),
        id="bulk",
    ),
    pytest.param(_steps(lambda h: [h.pop(k) for k in list(h)]), id="pop-all"),
    pytest.param(lambda h: h.update(h), id="update-with-itself"),
    pytest.param(lambda h: h.update(h.copy()), id="update-with-copy"),
    pytest.param(
        _steps(lambda h: h.copy().update({"a": "changed"}), _set("b", "mine")), id="copy-changed"
    ),
    pytest.param(_steps(lambda h: [h.__delitem__(k) for k in h]), id="delete-while-iterating"),
]


@pytest.mark.parametrize(
    ("value", "encoding"),
    [pytest.param(value, enc, id=name) for name, value, enc in CONSTRUCTIONS],
)
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutations_match_httpx(
    value: Any, encoding: str | None, mutation: Callable[[Any], Any]
) -> None:
    mine, theirs = _build(value, encoding)
    assert _outcome(mutation, mine) == _outcome(mutation, theirs)
    # httpx keeps the encoding it detected before the change; tether detects again.
    theirs._encoding = encoding
    assert _state(mine) == _state(theirs)


NAMES = st.sampled_from(["a", "A", "Content-Type", "content-type", "X-Y", "Set-Cookie", "ETag"])
VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=6)
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=8)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), NAMES, VALUES),
        st.tuples(st.just("del"), NAMES),
        st.tuples(st.just("update"), PAIRS),
        st.tuples(st.just("setdefault"), NAMES, VALUES),
        st.tuples(st.just("get_list"), NAMES, st.booleans()),
        st.tuples(st.just("get"), NAMES),
        st.tuples(st.just("copy")),
    ),
    max_size=12,
)


def _apply(headers: Any, operation: tuple[Any, ...]) -> Any:
    kind = operation[0]
    if kind == "set":
        headers[operation[1]] = operation[2]
        return None
    if kind == "del":
        return _outcome(_delete(operation[1]), headers)
    if kind == "update":
        return headers.update(operation[1])
    if kind == "setdefault":
        return headers.setdefault(operation[1], operation[2])
    if kind == "get_list":
        return headers.get_list(operation[1], split_commas=operation[2])
    if kind == "get":
        return headers.get(operation[1])
    return headers.copy().multi_items()


@settings(max_examples=200, deadline=None)
@given(PAIRS, OPERATIONS)
def test_any_sequence_of_operations_matches_httpx(
    pairs: list[tuple[str, str]], operations: list[tuple[Any, ...]]
) -> None:
    mine, theirs = Headers(pairs), httpx.Headers(pairs)
    for operation in operations:
        assert _apply(mine, operation) == _apply(theirs, operation)
        assert _state(mine) == _state(theirs)


@settings(max_examples=200, deadline=None)
@given(PAIRS, st.lists(st.tuples(st.integers(0, 3), OPERATIONS.map(tuple)), max_size=6))
def test_copies_never_see_each_others_changes(
    pairs: list[tuple[str, str]], rounds: list[tuple[int, tuple[tuple[Any, ...], ...]]]
) -> None:
    # Copies share their fields until one changes: any interleaving of changes to an
    # original, its copies and copies of copies must read as if every copy were fresh.
    mine: list[Any] = [Headers(pairs)]
    theirs: list[Any] = [httpx.Headers(pairs)]
    for which, operations in rounds:
        source = which % len(mine)
        mine.append(mine[source].copy())
        theirs.append(theirs[source].copy())
        for operation in operations:
            target = (which + len(operation)) % len(mine)
            assert _apply(mine[target], operation) == _apply(theirs[target], operation)
        for one, other in zip(mine, theirs, strict=True):
            assert one.multi_items() == other.multi_items()
            assert one.raw == other.raw


@settings(max_examples=200, deadline=None)
@given(PAIRS, OPERATIONS)
def test_from_wire_reads_and_changes_like_headers_built_from_the_same_bytes(
    pairs: list[tuple[str, str]], operations: list[tuple[Any, ...]]
) -> None:
    fields = [(name.encode(), value.encode()) for name, value in pairs]
    adopted, built = Headers.from_wire(fields), Headers(list(fields))
    assert _state(adopted) == _state(built)
    for operation in operations:
        assert _apply(adopted, operation) == _apply(built, operation)
        assert _state(adopted) == _state(built)
    # The adopted list is the headers' own, but no change ever writes into it.
    assert fields == [(name.encode(), value.encode()) for name, value in pairs]


def test_from_wire_adopts_the_list_without_copying_or_decoding_it() -> None:
    fields = [(b"Content-Type", b"text/plain; charset=latin-1"), (b"X-Name", b"caf\xe9")]
    headers = Headers.from_wire(fields)
    assert headers._raw is fields
    assert headers._names is None  # decoded on first read only
    assert "content-type" in headers
    assert headers["X-Name"] == "café"  # the encoding is detected, as for Headers(fields)
    assert headers.encoding == Headers(fields).encoding == "iso-8859-1"


def test_building_from_headers_shares_until_a_change() -> None:
    original = Headers([("A", "1"), ("a", "2"), ("B", "3")])
    derived = Headers(original)
    original["b"] = "changed"
    del derived["a"]
    assert original.multi_items() == [("a", "1"), ("a", "2"), ("b", "changed")]
    assert derived.multi_items() == [("b", "3")]
    raw_only = Headers([(b"X", b"1")])
    shared = Headers(raw_only, encoding="latin-1")
    shared["Y"] = "é"
    assert raw_only.raw == [(b"X", b"1")]
    assert shared.raw == [(b"X", b"1"), (b"Y", b"\xe9")]


def test_copies_share_the_fields_encoded_once() -> None:
    # A client's headers are copied for every request and each copy is sent: the bytes
    # are encoded once, on the original, and every copy shares them.
    original = Headers({"Accept": "*/*", "User-Agent": "tether"})
    first, second = Headers(original), Headers(original)
    assert first._raw is not None
    assert first._raw is second._raw
    assert first.raw == second.raw == [(b"Accept", b"*/*"), (b"User-Agent", b"tether")]
    original["Accept"] = "text/html"  # a change drops the shared bytes of the original only
    assert Headers(original).raw == [(b"Accept", b"text/html"), (b"User-Agent", b"tether")]
    assert first.raw == [(b"Accept", b"*/*"), (b"User-Agent", b"tether")]
    latin = Headers({"X": b"\xe9"}, encoding="latin-1")
    assert Headers(latin).raw == [(b"X", b"\xe9")]


# Where tether differs from httpx 0.28 on purpose: httpx raises or answers oddly.


def test_lookup_of_a_name_the_encoding_cannot_hold_is_a_miss_not_an_error() -> None:
    headers = Headers({"a": "1"})
    with pytest.raises(UnicodeEncodeError):
        httpx.Headers({"a": "1"})["é"]
    assert headers.get("é") is None
    assert "é" not in headers
    assert headers.get_list("é") == []
    with pytest.raises(KeyError):
        headers["é"]
    with pytest.raises(KeyError):
        del headers["é"]


def test_lookups_with_non_str_keys_miss() -> None:
    headers = Headers({"a": "1"})
    assert 1 not in headers  # type: ignore[comparison-overlap]
    assert b"a" not in headers  # type: ignore[comparison-overlap]
    assert headers.get(None) is None  # type: ignore[call-overload]
    with pytest.raises(KeyError):
        headers[1]  # type: ignore[index]


def test_non_ascii_text_without_an_encoding_raises_invalid_header() -> None:
    with pytest.raises(InvalidHeader, match=r"cannot be encoded as ascii.*'café'") as info:
        Headers({"X-Name": "café"})
    assert isinstance(info.value, ValueError)
    assert info.value.name == "X-Name"
    with pytest.raises(InvalidHeader, match=r"header name cannot be encoded"):
        Headers({"Naïve": "1"})


def test_non_ascii_secret_is_redacted_in_the_encoding_error() -> None:
    with pytest.raises(InvalidHeader) as info:
        Headers({"Authorization": "Bearer sécret"})
    assert "sécret" not in str(info.value)
    assert "[secure]" in str(info.value)


def test_explicit_encoding_that_cannot_encode_raises_invalid_header() -> None:
    with pytest.raises(InvalidHeader, match="cannot be encoded as latin-1"):
        Headers({"X": "€"}, encoding="latin-1")
    headers = Headers(encoding="latin-1")
    with pytest.raises(InvalidHeader, match="cannot be encoded as latin-1"):
        headers["X"] = "€"
    assert headers.raw == []


def test_setting_non_ascii_text_after_reading_the_encoding_uses_utf8() -> None:
    headers = Headers({"a": "1"})
    assert headers.encoding == "ascii"
    headers["b"] = "café"
    assert headers.raw == [(b"a", b"1"), (b"b", "café".encode())]
    assert headers["b"] == "café"
    assert headers.encoding == "utf-8"


def test_setting_non_ascii_text_keeps_a_detected_latin1() -> None:
    headers = Headers([(b"a", b"\xff")])
    assert headers.encoding == "iso-8859-1"
    headers["b"] = "é"
    assert headers.raw[-1] == (b"b", b"\xe9")
    assert headers["b"] == "é"
    with pytest.raises(InvalidHeader, match="iso-8859-1"):
        headers["c"] = "€"


def test_detected_encoding_follows_changes() -> None:
    headers = Headers([(b"a", b"1")])
    assert headers.encoding == "ascii"
    headers.update([(b"b", b"\xc3\xa9")])
    assert headers.encoding == "utf-8"
    assert headers["b"] == "é"
    headers.update([(b"c", b"\xff")])
    assert headers.encoding == "iso-8859-1"
    del headers["c"]
    assert headers.encoding == "utf-8"
    del headers["b"]
    assert headers.encoding == "ascii"


def test_an_explicit_encoding_that_does_not_fit_decodes_with_replacement() -> None:
    headers = Headers([(b"X", b"caf\xe9")], encoding="ascii")
    assert headers["x"] == "caf\ufffd"
    assert headers.raw == [(b"X", b"caf\xe9")]


def test_an_unknown_or_non_text_encoding_is_refused() -> None:
    with pytest.raises(InvalidHeader, match="'no-such-codec' is not a known text codec"):
        Headers({"a": "1"}, encoding="no-such-codec")
    with pytest.raises(InvalidHeader, match="'hex' is not a known text codec"):
        Headers({"a": "1"}, encoding="hex")
    headers = Headers({"a": "1"})
    with pytest.raises(InvalidHeader):
        headers.encoding = "rot-nope"
    assert headers.encoding == "ascii"
    with pytest.raises(TypeError, match="must be a str"):
        Headers(encoding=5)  # type: ignore[arg-type]


def test_an_encoding_that_changes_ascii_reads_every_byte_through_it() -> None:
    headers = Headers({"A": "b"}, encoding="utf-16")
    assert headers.raw == [("A".encode("utf-16"), "b".encode("utf-16"))]
    assert headers["a"] == "b"
    assert headers.multi_items() == [("a", "b")]
    assert "A" in headers
    headers["C"] = "d"
    assert headers.get_list("c") == ["d"]
    assert headers == Headers({"a": "b", "c": "d"}, encoding="utf-16")
    headers.encoding = "ascii"
    assert list(headers.keys()) == ["\ufffd\ufffda\x00", "\ufffd\ufffdc\x00"]


def test_a_codec_that_cannot_read_ascii_bytes_is_used_with_replacement() -> None:
    headers = Headers([(b"Name", b"Valu")], encoding="utf-32")
    assert headers.raw == [(b"Name", b"Valu")]
    assert headers.multi_items() == [("\ufffd", "\ufffd")]


def test_update_from_headers_with_another_encoding_keeps_the_bytes() -> None:
    other = Headers([(b"X", b"1")], encoding="utf-32")
    headers = Headers({"A": "2"})
    headers.update(other)
    assert headers.raw == [(b"A", b"2"), (b"X", b"1")]
    assert headers.encoding == "ascii"
    assert headers["x"] == "1"


def test_names_that_the_detected_encoding_cannot_hold_are_missing() -> None:
    headers = Headers([(b"X", b"\xff")])
    assert headers.encoding == "iso-8859-1"
    assert "€" not in headers
    assert headers.get("€") is None
    assert headers["x"] == "ÿ"


def test_setting_the_encoding_changes_the_reading_not_the_bytes() -> None:
    headers = Headers([(b"X", "é".encode())])
    assert headers["x"] == "é"
    headers.encoding = "latin-1"
    assert headers["x"] == "Ã©"
    assert repr(headers) == "Headers({'x': 'Ã©'}, encoding='latin-1')"
    headers.encoding = "utf-8"
    assert headers["x"] == "é"
    assert headers.raw == [(b"X", "é".encode())]


def test_equality_with_unrelated_objects_is_false() -> None:
    assert httpx.Headers() == None  # noqa: E711 - httpx answers True
    assert Headers() != None  # noqa: E711
    assert Headers() != 0
    assert Headers({"a": "1"}) != [("a",)]
    assert Headers({"a": "1"}) != "a"


def test_wrong_types_raise_type_error_with_the_culprit() -> None:
    with pytest.raises(TypeError, match="header value of 'X' must be str or bytes, not int"):
        Headers({"X": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="header name must be str or bytes, not int"):
        Headers({1: "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"must be \(name, value\) pairs, got .*'a', 'b', 'c'"):
        Headers([("a", "b", "c")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"pairs, got"):
        Headers([1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"pairs, got 5"):
        Headers([(b"a", b"b"), 5])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"pairs, got \('c',\)"):
        Headers([("a", "b"), ("c",)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not str"):
        Headers("X-Name: value")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not int"):
        Headers(5)  # type: ignore[arg-type]
    headers = Headers()
    with pytest.raises(TypeError, match="not NoneType"):
        headers["a"] = None  # type: ignore[assignment]
    with pytest.raises(TypeError):
        headers.setdefault("a")  # type: ignore[call-arg]
    assert headers.raw == []


def test_any_iterable_of_pairs_is_accepted() -> None:
    pairs = [("A", "1"), ("a", "2")]
    mine = Headers(pair for pair in pairs)  # type: ignore[arg-type]
    assert _state(mine) == _state(httpx.Headers(pair for pair in pairs))  # type: ignore[arg-type]


def test_building_from_headers_with_another_encoding_reads_through_it() -> None:
    original = Headers([(b"X", "é".encode())])
    assert original["x"] == "é"
    assert Headers(original, encoding="latin-1")["x"] == "Ã©"
    assert original["x"] == "é"


def test_setitem_accepts_bytes() -> None:
    headers = Headers()
    headers[b"X-Raw"] = b"\xff"  # type: ignore[index,assignment]
    assert headers.raw == [(b"X-Raw", b"\xff")]
    assert headers["x-raw"] == "ÿ"


def test_str_subclasses_are_stored_as_plain_str() -> None:
    class Name(str):
        pass

    headers = Headers({Name("X-Sub"): Name("v")})  # type: ignore[arg-type]
    headers[Name("Y")] = Name("w")
    (name, value), (other, _) = headers.raw
    assert type(headers.multi_items()[0][0]) is str
    assert (name, value, other) == (b"X-Sub", b"v", b"Y")


# Behaviour of tether's own design.


def test_lookup_time_does_not_grow_with_the_number_of_fields() -> None:
    small = Headers([(f"X-{i}", "v") for i in range(10)])
    large = Headers([(f"X-{i}", "v") for i in range(20_000)])

    def timed(headers: Headers) -> float:
        start = time.perf_counter()
        for _ in range(2_000):
            headers.get("x-5")
            "x-9" in headers  # noqa: B015
            headers["X-3"]
        return time.perf_counter() - start

    timed(small)
    # A scan of 20,000 fields would be about 2,000 times slower; allow noise.
    assert timed(large) < 20 * timed(small) + 0.05


def test_copy_is_independent() -> None:
    original = Headers([("A", "1"), ("a", "2"), ("B", "3")])
    duplicate = original.copy()
    duplicate["a"] = "x"
    duplicate.update({"b": "y"})
    duplicate["Extra"] = "e"
    assert original.multi_items() == [("a", "1"), ("a", "2"), ("b", "3")]
    assert duplicate.multi_items() == [("a", "x"), ("b", "y"), ("extra", "e")]
    assert copy.copy(original) == original
    assert copy.deepcopy(original).raw == original.raw


def test_building_from_headers_does_not_share_state() -> None:
    original = Headers([("A", "1"), ("a", "2")])
    derived = Headers(original)
    derived.update({"a": "3"})
    assert original.get_list("a") == ["1", "2"]
    assert derived.get_list("a") == ["3"]


def test_update_keeps_the_lists_of_the_other_headers_separate() -> None:
    other = Headers([("A", "1"), ("a", "2")])
    mine = Headers()
    mine.update(other)
    mine.update([("b", "1")])
    other["a"] = "changed"
    assert mine.get_list("a") == ["1", "2"]


def test_update_applies_the_encoding_of_the_target() -> None:
    headers = Headers(encoding="utf-8")
    headers.update({"X": "é"})
    assert headers.raw == [(b"X", "é".encode())]


def test_get_list_returns_a_fresh_list() -> None:
    headers = Headers([("a", "1"), ("A", "2")])
    headers.get_list("a").append("3")
    assert headers.get_list("a") == ["1", "2"]


def test_repr_uses_list_form_for_repeats_and_hides_credentials() -> None:
    assert repr(Headers({"Authorization": "Bearer t", "Accept": "*/*"})) == (
        "Headers({'authorization': '[secure]', 'accept': '*/*'})"
    )
    assert repr(Headers([("Proxy-Authorization", "p"), ("a", "1"), ("A", "2")])) == (
        "Headers([('proxy-authorization', '[secure]'), ('a', '1'), ('a', '2')])"
    )

    class Custom(Headers):
        __slots__ = ()

    assert repr(Custom({"a": "1"})) == "Custom({'a': '1'})"


@pytest.mark.parametrize(
    ("value", "encoding"),
    [pytest.param(value, enc, id=name) for name, value, enc in CONSTRUCTIONS],
)
def test_pickles(value: Any, encoding: str | None) -> None:
    headers = Headers(value, encoding)
    restored = pickle.loads(pickle.dumps(headers))
    assert _state(restored) == _state(headers)
    assert type(restored) is Headers


def test_is_a_mutable_mapping_and_weakly_referencable() -> None:
    from collections.abc import MutableMapping

    headers = Headers()
    assert isinstance(headers, MutableMapping)
    assert weakref.ref(headers)() is headers
    with pytest.raises(TypeError):
        hash(headers)
    with pytest.raises(AttributeError):
        headers.anything = 1  # type: ignore[attr-defined]


def test_every_public_member_of_httpx_headers_exists() -> None:
    public = {name for name in dir(httpx.Headers) if not name.startswith("_")}
    assert public <= set(dir(Headers))
    dunders = {"__contains__", "__delitem__", "__eq__", "__getitem__", "__iter__", "__len__"}
    assert dunders | {"__repr__", "__setitem__"} <= set(vars(Headers))


def test_headers_module_is_the_package() -> None:
    assert Headers.__module__ == "tether_headers"
    assert tether_headers.Headers is Headers


# validate(): the one check a client runs before sending.


def test_validate_accepts_tokens_and_ordinary_values() -> None:
    headers = Headers([("X-Token!#$%&'*+-.^_`|~09az", "any\tvalue \x01 with ctl"), (b"B", b"\xff")])
    headers.validate()
    Headers().validate()


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("Bad Name", "v")], r"header name 'Bad Name' is not a token"),
        ([("", "v")], r"header name is empty"),
        ([("X:", "v")], r"header name 'X:' is not a token"),
        ([("a,b", "v")], r"header name 'a,b' is not a token"),
        ([("a", "v"), ("b,c", "v"), ("d", "v")], r"header name 'b,c' is not a token"),
        ([(b"X\xe9", b"v")], r"header name 'Xé' is not a token"),
        ([("Ok", "v"), ("Bad(", "v")], r"'Bad\(' is not a token"),
        ([("X", "a\r\nEvil: 1")], r"header 'X' has a value with CR at index 1 .*'a\\r\\nEvil: 1'"),
        ([("X", "a\nb")], r"with LF at index 1"),
        ([("X", "a\x00b")], r"with NUL at index 1"),
        ([("Ok", "fine"), ("Y", "bad\n")], r"header 'Y' has a value with LF at index 3"),
    ],
)
def test_validate_names_the_bad_header(pairs: list[tuple[Any, Any]], message: str) -> None:
    with pytest.raises(InvalidHeader, match=message):
        Headers(pairs).validate()


def test_validate_redacts_credentials() -> None:
    for name in ("Authorization", "proxy-authorization", "Cookie", "Set-Cookie"):
        with pytest.raises(InvalidHeader) as info:
            Headers({name: "token-123\r\nX: 1"}).validate()
        assert "token-123" not in str(info.value)
        assert "[secure]" in str(info.value)
        assert info.value.name == name


def test_validate_remembers_a_pass_until_a_change() -> None:
    headers = Headers({"A": "1"})
    headers.validate()
    # Reach past the public API to plant a bad value: only a change must re-check.
    headers._names.append("Bad Name")  # type: ignore[union-attr]
    headers._values.append("v")  # type: ignore[union-attr]
    headers.validate()
    headers["Other"] = "2"
    with pytest.raises(InvalidHeader, match="Bad Name"):
        headers.validate()


def _remembered(headers: Headers) -> bool:
    return headers._valid


def test_validate_state_follows_copies_and_updates() -> None:
    headers = Headers({"A": "1"})
    headers.validate()
    assert _remembered(headers.copy())
    assert _remembered(Headers(headers))
    headers.update(Headers({"B": "2"}))
    assert not _remembered(headers)
    headers.validate()
    other = Headers({"C": "3"})
    other.validate()
    headers.update(other)
    assert _remembered(headers)
    del headers["a"]
    assert _remembered(headers)
    headers.update({"Bad Name": "x"})
    with pytest.raises(InvalidHeader):
        headers.validate()


# Bad input: big, many, odd. None may be slow.


def _fast(func: Callable[[], object], limit: float = 1.0) -> None:
    start = time.perf_counter()
    func()
    assert time.perf_counter() - start < limit


def test_huge_values_and_many_fields_are_handled_quickly() -> None:
    big = "x" * 100_000
    _fast(lambda: Headers({"X": big})["x"])
    _fast(lambda: Headers([("X-Dup", big[:10])] * 20_000).get_list("x-dup"))
    _fast(lambda: Headers([("X-Dup", "v")] * 20_000)["x-dup"])
    headers = Headers([(f"X-{i}", "v") for i in range(20_000)])
    _fast(headers.validate)
    _fast(lambda: Headers({"X": big + "\r\n"}).validate, limit=1.0)
    with pytest.raises(InvalidHeader) as info:
        Headers({"X": big + "\r\n"}).validate()
    assert len(str(info.value)) < 300
    with pytest.raises(InvalidHeader) as info:
        Headers({"x" * 100_000 + " ": "v"}).validate()
    assert len(str(info.value)) < 300


def test_many_repeats_of_one_name_stay_linear() -> None:
    pairs = [("Set-Cookie", f"c{i}=1") for i in range(50_000)]
    _fast(lambda: Headers(pairs).items(), limit=2.0)
    headers = Headers(pairs)
    _fast(lambda: headers.__setitem__("set-cookie", "only"), limit=1.0)
    assert headers.get_list("set-cookie") == ["only"]


RAW_FIELDS = [
    (b"Server", b"nginx"),
    (b"SET-Cookie", b"a=1"),
    (b"X-\xc3\xa9t\xc3\xa9", b"utf-8 name"),
    (b"X-\xe9", b"latin-1 name"),
    (b"X-\xe2\x84\xaa", b"kelvin sign"),
]


@pytest.mark.parametrize(
    "key", ["set-cookie", "Set-Cookie", "server", "x-été", "X-É", "x-é", "x-\u212a", "x-k", "nope"]
)
def test_membership_in_raw_fields_matches_the_index(key: str) -> None:
    for fields in (RAW_FIELDS, RAW_FIELDS[:2], RAW_FIELDS[:1] * 30 + RAW_FIELDS[1:2]):
        indexed = Headers(fields)
        indexed.get("server")  # decodes and indexes the fields
        assert indexed._index is not None
        assert (key in Headers(fields)) is (key in indexed), (key, fields)
        if key.isascii():  # httpx refuses non-ASCII names when its fields are ASCII
            assert (key in Headers(fields)) is (key in httpx.Headers(fields)), (key, fields)


def test_membership_in_a_few_raw_fields_does_not_decode_them() -> None:
    # A response's headers are asked for Set-Cookie and Content-Encoding on every
    # request: a scan of the raw names answers without decoding and indexing them all.
    headers = Headers([(b"Server", b"nginx"), (b"Set-Cookie", b"a=1")])
    assert "set-cookie" in headers
    assert "content-encoding" not in headers
    assert headers._names is None
    assert headers._index is None
    many = Headers([(f"X-{i}".encode(), b"v") for i in range(100)])
    assert "x-99" in many
    assert many._index is not None  # too many to scan on every lookup: indexed once
