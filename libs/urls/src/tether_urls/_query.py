"""QueryParams: an immutable multi-dict of query parameters, as httpx's.

Invariants: `_dict` maps each key (text) to a non-empty list of values (text), in first
insertion order; no method mutates it after `__init__`, so an instance is immutable
and hashable, and every "modifying" method returns a new instance.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from ._exceptions import InvalidURL
from ._quoting import form_decode, form_encode
from ._types import QueryParamTypes

_IMMUTABLE = "QueryParams are immutable; use `q = q.{}(...)` to get an updated copy."


def _value_to_text(key: str, value: object) -> str:
    """Coerce a parameter value as httpx does: None -> "", True -> "true", 1 -> "1"."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(
        f"Invalid type for query parameter {key!r}: expected str, int, float, bool or None, "
        f"got {type(value).__name__}: {value!r}"
    )


def _key_to_text(key: object) -> str:
    if isinstance(key, (str, int, float)):
        return str(key)
    raise TypeError(
        f"Invalid type for query parameter name: expected str, got {type(key).__name__}: {key!r}"
    )


def _parse(query: str) -> dict[str, list[str]]:
    """Parse "a=1&b=&c" as HTML forms do: "+" is a space, a bare name has the value ""."""
    parsed: dict[str, list[str]] = {}
    for field in query.split("&"):
        if field:
            name, _, value = field.partition("=")
            parsed.setdefault(form_decode(name), []).append(form_decode(value))
    return parsed


def _from_pairs(pairs: Any) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"Invalid query parameter {pair!r}: expected a (name, value) pair")
        key = _key_to_text(pair[0])
        parsed.setdefault(key, []).append(_value_to_text(key, pair[1]))
    return parsed


def _from_mapping(mapping: Mapping[Any, Any]) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for raw_key, value in mapping.items():
        key = _key_to_text(raw_key)
        values = value if isinstance(value, (list, tuple)) else [value]
        parsed.setdefault(key, []).extend(_value_to_text(key, item) for item in values)
    return parsed


def _build(value: Any) -> dict[str, list[str]]:
    if value is None:
        return {}
    if isinstance(value, str):
        return _parse(value)
    if isinstance(value, bytes):
        try:
            return _parse(value.decode("ascii"))
        except UnicodeDecodeError:
            raise InvalidURL(f"Invalid query string {value!r}: bytes must be ASCII") from None
    if isinstance(value, QueryParams):
        return value._dict
    if isinstance(value, Mapping):
        return _from_mapping(value)
    if isinstance(value, (list, tuple)):
        return _from_pairs(value)
    raise TypeError(
        "Invalid type for query parameters: expected str, bytes, a mapping, a list of pairs "
        f"or QueryParams, got {type(value).__name__}: {value!r}"
    )


class QueryParams(Mapping[str, str]):
    """URL query parameters as an immutable multi-dict.

    >>> q = QueryParams("a=1&a=2&b=x+y")
    >>> q["a"], q.get_list("a"), q["b"]
    ('1', ['1', '2'], 'x y')
    >>> str(q.set("c", True).remove("a"))
    'b=x+y&c=true'
    """

    __slots__ = ("_dict",)

    _dict: dict[str, list[str]]

    def __init__(self, *args: QueryParamTypes | None, **kwargs: Any) -> None:
        """Build from a query string, bytes, a mapping, pairs, QueryParams or keywords."""
        if len(args) > 1:
            raise TypeError(f"QueryParams expected at most 1 argument, got {len(args)}")
        if args and kwargs:
            raise TypeError("QueryParams takes either one argument or keywords, not both")
        self._dict = _build(args[0] if args else kwargs)

    @classmethod
    def _of(cls, parsed: dict[str, list[str]]) -> QueryParams:
        params = cls.__new__(cls)
        params._dict = parsed
        return params

    def keys(self) -> KeysView[str]:
        """Every key once, in first-seen order."""
        return self._dict.keys()

    def values(self) -> ValuesView[str]:
        """The first value of each key."""
        return {key: values[0] for key, values in self._dict.items()}.values()

    def items(self) -> ItemsView[str, str]:
        """Each key with its first value."""
        return {key: values[0] for key, values in self._dict.items()}.items()

    def multi_items(self) -> list[tuple[str, str]]:
        """Every (key, value) pair, repeated keys included."""
        return [(key, value) for key, values in self._dict.items() for value in values]

    def get(self, key: Any, default: Any = None) -> Any:
        """The first value of `key`, or `default` if it is absent."""
        values = self._dict.get(key) if isinstance(key, str) else None
        return values[0] if values else default

    def get_list(self, key: str) -> list[str]:
        """Every value of `key` (an empty list if it is absent)."""
        return list(self._dict.get(str(key), ()))

    def set(self, key: str, value: Any = None) -> QueryParams:
        """A copy where `key` has the one value `value`."""
        name = _key_to_text(key)
        parsed = dict(self._dict)
        parsed[name] = [_value_to_text(name, value)]
        return self._of(parsed)

    def add(self, key: str, value: Any = None) -> QueryParams:
        """A copy where `value` is appended to the values of `key`."""
        name = _key_to_text(key)
        parsed = dict(self._dict)
        parsed[name] = [*parsed.get(name, ()), _value_to_text(name, value)]
        return self._of(parsed)

    def remove(self, key: str) -> QueryParams:
        """A copy without `key`."""
        parsed = dict(self._dict)
        parsed.pop(str(key), None)
        return self._of(parsed)

    def merge(self, params: QueryParamTypes | None = None) -> QueryParams:
        """A copy where each key of `params` replaces the values of that key."""
        return self._of({**self._dict, **_build(params)})

    def update(self, params: QueryParamTypes | None = None) -> None:
        """Always raises RuntimeError: QueryParams are immutable (use `merge`)."""
        raise RuntimeError(_IMMUTABLE.format("merge"))

    def __setitem__(self, key: str, value: str) -> None:
        """Always raises RuntimeError: QueryParams are immutable (use `set`)."""
        raise RuntimeError(_IMMUTABLE.format("set"))

    def __getitem__(self, key: Any) -> str:
        """The first value of `key`; KeyError if it is absent (the Mapping contract)."""
        return self._dict[key][0]

    def __contains__(self, key: Any) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __bool__(self) -> bool:
        return bool(self._dict)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, QueryParams):
            return False
        return sorted(self.multi_items()) == sorted(other.multi_items())

    def __hash__(self) -> int:
        # Consistent with __eq__, which ignores the order of the pairs.
        return hash(tuple(sorted(self.multi_items())))

    def __str__(self) -> str:
        return "&".join(
            f"{form_encode(key)}={form_encode(value)}"
            for key, values in self._dict.items()
            for value in values
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[type[QueryParams], tuple[list[tuple[str, str]]]]:
        return (type(self), (self.multi_items(),))
