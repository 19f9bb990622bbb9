"""QueryParams: construction, coercion, the multi-dict API, immutability, errors."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether_urls import InvalidURL, QueryParams
from tether_urls._types import PrimitiveData


def test_construction_forms_agree() -> None:
    expected = [("a", "1"), ("a", "2"), ("b", "x y")]
    assert QueryParams("a=1&a=2&b=x+y").multi_items() == expected
    assert QueryParams(b"a=1&a=2&b=x%20y").multi_items() == expected
    assert QueryParams({"a": ["1", "2"], "b": "x y"}).multi_items() == expected
    assert QueryParams([("a", "1"), ("a", "2"), ("b", "x y")]).multi_items() == expected
    assert QueryParams((("a", 1), ("a", 2), ("b", "x y"))).multi_items() == expected
    assert QueryParams(QueryParams("a=1&a=2&b=x+y")).multi_items() == expected
    assert QueryParams(a=1, b="x y").multi_items() == [("a", "1"), ("b", "x y")]
    assert QueryParams().multi_items() == []
    assert QueryParams(None).multi_items() == []


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (True, "true"), (False, "false"), (1, "1"), (2.5, "2.5"), ("s", "s")],
)
def test_value_coercion(value: Any, text: str) -> None:
    assert QueryParams({"k": value})["k"] == text
    assert QueryParams().set("k", value)["k"] == text
    assert QueryParams().add("k", value)["k"] == text


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"a": object()}, "query parameter 'a'"),
        ({"a": b"bytes"}, "got bytes"),
        ({"a": [1, {}]}, "got dict"),
        ({None: "x"}, "parameter name"),
        ([("a",)], r"\(name, value\) pair"),
        ([("a", 1, 2)], r"\(name, value\) pair"),
        (["ab"], r"\(name, value\) pair"),
        (5, "got int"),
        ({1, 2}, "got set"),
    ],
)
def test_bad_types_raise_type_error(value: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        QueryParams(value)


def test_bad_call_shapes() -> None:
    with pytest.raises(TypeError, match="at most 1 argument"):
        QueryParams("a", "b")
    with pytest.raises(TypeError, match="not both"):
        QueryParams("a=1", b=2)
    with pytest.raises(InvalidURL, match="ASCII"):
        QueryParams("é=1".encode())
    with pytest.raises(TypeError, match="parameter name"):
        QueryParams().set(None, 1)  # type: ignore[arg-type]


def test_mapping_interface() -> None:
    q = QueryParams("a=123&a=456&b=789")
    assert isinstance(q, Mapping)
    assert list(q) == ["a", "b"]
    assert list(q.keys()) == ["a", "b"]
    assert list(q.values()) == ["123", "789"]
    assert list(q.items()) == [("a", "123"), ("b", "789")]
    assert q["a"] == "123"
    assert q.get("a") == "123"
    assert q.get("zz") is None
    assert q.get("zz", "d") == "d"
    assert q.get(1, "d") == "d"
    assert q.get_list("a") == ["123", "456"]
    assert q.get_list("zz") == []
    assert "a" in q
    assert "zz" not in q
    assert len(q) == 2
    assert q
    assert not QueryParams("")
    with pytest.raises(KeyError):
        q["zz"]


def test_modifiers_return_new_objects() -> None:
    q = QueryParams("a=1")
    assert q.set("a", "2") == QueryParams("a=2")
    assert q.add("a", "2") == QueryParams("a=1&a=2")
    assert q.add("b", "2") == QueryParams("a=1&b=2")
    assert q.remove("a") == QueryParams("")
    assert q.remove("missing") == q
    assert q.merge({"b": "2"}) == QueryParams("a=1&b=2")
    assert q.merge({"a": "3", "b": "4"}) == QueryParams("a=3&b=4")
    assert q.merge() == q
    assert q == QueryParams("a=1")
    got = q.get_list("a")
    got.append("x")
    assert q.get_list("a") == ["1"]


def test_immutable() -> None:
    q = QueryParams("a=1")
    with pytest.raises(RuntimeError, match="immutable"):
        q["a"] = "2"
    with pytest.raises(RuntimeError, match="merge"):
        q.update({"a": "2"})
    with pytest.raises(AttributeError):
        q.anything = 1  # type: ignore[attr-defined]


def test_equality_and_hash_ignore_order() -> None:
    one, two = QueryParams("a=1&b=2"), QueryParams("b=2&a=1")
    assert one == two
    assert hash(one) == hash(two)
    assert one != QueryParams("a=1")
    assert one != "a=1&b=2"


def test_str_and_repr() -> None:
    q = QueryParams({"a": "b c&d=é", "e": "/?#%+"})
    assert str(q) == "a=b+c%26d%3D%C3%A9&e=%2F%3F%23%25%2B"
    assert repr(q) == "QueryParams('a=b+c%26d%3D%C3%A9&e=%2F%3F%23%25%2B')"
    with pytest.raises(InvalidURL, match="surrogate"):
        str(QueryParams({"a": "\ud800"}))


def test_parsing_details() -> None:
    q = QueryParams("a&b=&=c&&d=%zz&e=%E2%82%AC&f=1=2")
    assert q.multi_items() == [
        ("a", ""),
        ("b", ""),
        ("", "c"),
        ("d", "%zz"),
        ("e", "€"),
        ("f", "1=2"),
    ]


def test_pickle() -> None:
    q = QueryParams("a=1&a=2&b=3")
    clone = pickle.loads(pickle.dumps(q))
    assert clone == q
    assert clone.multi_items() == q.multi_items()


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_text, _text), max_size=6))
def test_str_round_trips(pairs: list[tuple[str, PrimitiveData]]) -> None:
    q = QueryParams(list(pairs))
    assert QueryParams(str(q)).multi_items() == q.multi_items()
