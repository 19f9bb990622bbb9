"""`Headers`: a case-insensitive, order-keeping multi-dict with the API of httpx.Headers.

Theory of operation
-------------------
Fields are kept as two parallel lists, `_names` and `_values`, of stored text (one
character per byte, see `_storage`), so that bulk work (lowering, encoding, joining)
runs in C over whole lists. Everything else is derived lazily and kept:

* `_raw`, the fields as byte pairs. Headers built from bytes (a response) keep only
  this until first read; headers built from text compute it when `raw` is asked for.
* `_index`, built on the first lookup: each lowered name present maps to its value, or
  to the list of its values, in order, when it occurs more than once. Its keys are in
  order of first occurrence, which is the order httpx gives `keys()`.

Invariants:

1. `_names` is None only while the text has not been decoded from `_raw`; then
   `_values` and `_index` are None too.
2. `_raw`, when set, holds exactly the fields; it is replaced, never changed in place,
   and dropped (set to None) by every change, so copies may share it.
3. `_index`, when set, agrees with `_names` and `_values`; every change updates it.
   Lookups are one dict access; only replacing or removing a name that is present
   scans the fields.
4. `_view` says how to read stored text (meaningful once `_names` is set): None when it
   is the text itself (all ASCII, and the encoding reads ASCII as ASCII); "" when the
   encoding is to be detected on next read; otherwise the codec to decode with.
5. `_encoding` is the encoding the caller chose, or None to detect one as httpx does.
6. `_valid` is true only if `validate()` passed and nothing was added since.
7. `_shared` is true when `_names`, `_values` and `_index` may be shared with a copy
   (copy on write): every change first takes private copies (`_own`). Lazy work that
   assigns new containers (decoding, indexing) needs no copy.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    MutableMapping,
    ValuesView,
)
from typing import Any, TypeVar, cast, overload

from ._storage import (
    ascii_compatible,
    ascii_lower,
    decode_raw,
    detect,
    encode_raw,
    is_ascii,
    take,
    to_text,
)
from ._types import HeaderTypes
from ._validation import check_fields

_T = TypeVar("_T")
_Found = str | list[str]

# The repr hides these values, as httpx's does (its list, kept to match its output).
_HIDDEN_IN_REPR = frozenset({"authorization", "proxy-authorization"})
_PLAIN_INPUTS = frozenset({dict, list, tuple, type(None)})
# Raw fields up to this many answer `in` by a scan, without being decoded and indexed.
_SCAN_LIMIT = 24


def _join(found: _Found) -> str:
    return found if type(found) is str else ", ".join(found)


def _copy_index(index: dict[str, _Found]) -> dict[str, _Found]:
    return {key: found if isinstance(found, str) else found.copy() for key, found in index.items()}


class Headers(MutableMapping[str, str]):
    """HTTP headers: a case-insensitive multi-dict that keeps order and original casing.

    Built from a mapping, a sequence of ``(name, value)`` pairs or another `Headers`;
    names and values may be `str` or `bytes`. Reading a name that occurs more than once
    joins its values with ``", "``; `get_list()` and `multi_items()` keep them apart,
    and `raw` gives the field lines as bytes, with their original casing, for the wire.
    Nothing is validated on construction (responses are shown as received); call
    `validate()` before sending.

    >>> headers = Headers([("Accept", "text/html"), ("accept", "application/json")])
    >>> headers["ACCEPT"]
    'text/html, application/json'
    >>> headers.get_list("accept")
    ['text/html', 'application/json']
    >>> headers.raw
    [(b'Accept', b'text/html'), (b'accept', b'application/json')]
    """

    __slots__ = (
        "__weakref__",
        "_encoding",
        "_index",
        "_names",
        "_raw",
        "_shared",
        "_valid",
        "_values",
        "_view",
    )

    _names: list[str] | None
    _values: list[str] | None
    _raw: list[tuple[bytes, bytes]] | None
    _index: dict[str, _Found] | None
    _view: str | None
    _encoding: str | None
    _valid: bool
    _shared: bool

    def __init__(self, headers: HeaderTypes | None = None, encoding: str | None = None) -> None:
        compatible = True if encoding is None else ascii_compatible(encoding)
        self._encoding = encoding
        # Spare the common inputs the slower ABC instance check.
        if type(headers) is Headers or (
            type(headers) not in _PLAIN_INPUTS and isinstance(headers, Headers)
        ):
            headers._share_with(self)
            if encoding != headers._encoding and self._names is not None:
                self._refresh_view()
            return
        raw, names, values = take(headers, encoding, compatible)
        self._raw = raw
        self._index = None
        self._valid = False
        self._shared = False
        if raw is not None:
            self._names = self._values = self._view = None
            return
        self._names = names
        self._values = values
        self._set_view(compatible and is_ascii(names, values))

    @classmethod
    def from_wire(cls, fields: list[tuple[bytes, bytes]]) -> Headers:
        """Headers that adopt `fields`, byte pairs a strict parser already checked.

        The list is neither copied nor checked: it must hold ``(bytes, bytes)`` tuples
        and nobody may change it afterwards. This spares a transport that has parsed a
        response head (or a client that has assembled a request's fields from checked
        ones) a second pass over every field; anything else should use ``Headers(...)``.
        """
        headers = cls.__new__(cls)
        headers._encoding = None
        headers._raw = fields
        headers._names = headers._values = headers._view = None
        headers._index = None
        headers._valid = False
        headers._shared = False
        return headers

    # -- the lazy parts ---------------------------------------------------------------

    def _share_with(self, new: Headers) -> None:
        """Give `new` this one's fields, shared until either changes (copy on write)."""
        if self._raw is None and self._names is not None:
            # Copies are made to be sent (a client's headers, once per request): encode
            # the fields here, once, and not in every copy that reads `raw`.
            self._raw = encode_raw(self._names, cast("list[str]", self._values), self._view is None)
        new._raw = self._raw
        new._names = self._names
        new._values = self._values
        new._index = self._index
        new._view = self._view
        new._valid = self._valid
        new._shared = self._shared = True

    def _own(self) -> None:
        """Stop sharing: take private copies of the fields (indexed) before changing them."""
        names, values = cast("tuple[list[str], list[str]]", (self._names, self._values))
        index = cast("dict[str, _Found]", self._index)
        self._names = names.copy()
        self._values = values.copy()
        # Without repeated names every value is a str: a flat copy is enough.
        self._index = index.copy() if len(index) == len(names) else _copy_index(index)
        self._shared = False

    def _text(self) -> tuple[list[str], list[str]]:
        """The stored names and values, decoding them from `_raw` on first use."""
        names, values = self._names, self._values
        if names is None or values is None:
            names, values, ascii_only = decode_raw(cast("list[tuple[bytes, bytes]]", self._raw))
            self._names, self._values = names, values
            encoding = self._encoding
            self._set_view(ascii_only and (encoding is None or ascii_compatible(encoding)))
        return names, values

    def _set_view(self, plain: bool) -> None:
        """Read stored text as is if `plain`, else through the encoding (see invariant 4)."""
        self._view = None if plain else (self._encoding or "")

    def _indexed(self) -> dict[str, _Found]:
        index = self._index
        if index is not None:
            return index
        names, values = self._text()
        lowers = list(map(str.lower if self._view is None else ascii_lower, names))
        # zip(strict=False) here and below: the lists have one length by invariant 1.
        index = dict(zip(lowers, values, strict=False))
        if len(index) != len(names):
            index = {}
            for lower_name, value in zip(lowers, values, strict=False):
                found = index.get(lower_name)
                if found is None:
                    index[lower_name] = value
                elif isinstance(found, str):
                    index[lower_name] = [found, value]
                else:
                    found.append(value)
        self._index = index
        return index

    def _lowers(self) -> list[str]:
        names = self._text()[0]
        return list(map(str.lower if self._view is None else ascii_lower, names))

    def _refresh_view(self) -> None:
        encoding = self._encoding
        names, values = self._text()
        self._set_view((encoding is None or ascii_compatible(encoding)) and is_ascii(names, values))

    def _decoder(self) -> Callable[[str], str]:
        """How to read stored text when `_view` is not None (the slow path)."""
        encoding = self.encoding
        if ascii_compatible(encoding):
            return lambda text: (
                text if text.isascii() else text.encode("latin-1").decode(encoding, "replace")
            )
        return lambda text: text.encode("latin-1").decode(encoding, "replace")

    def _key(self, key: object) -> str | None:
        """The index key for a name given by a caller, or None if it cannot be present."""
        if not isinstance(key, str):
            return None
        lowered = key.lower()
        if self._view is None:
            return lowered
        try:
            return lowered.encode(self.encoding).decode("latin-1")
        except UnicodeError:
            return None

    def _found(self, key: object) -> list[str] | None:
        """Every value of `key`, read (the slow path), or None if it is absent."""
        index = self._indexed()
        lookup = self._key(key)
        found = None if lookup is None else index.get(lookup)
        if found is None:
            return None
        decode = self._decoder()
        return [decode(found)] if isinstance(found, str) else list(map(decode, found))

    # -- reading ----------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        """The encoding used to decode names and values.

        Detected when not set: ``"ascii"``, else ``"utf-8"`` if every name and value
        decodes as UTF-8, else ``"iso-8859-1"``. Setting it to a text codec's name
        changes how the stored bytes read; an unknown codec raises `InvalidHeader`.
        """
        if self._encoding is not None:
            return self._encoding
        names, values = self._text()
        view = self._view
        if view is None:
            return "ascii"
        if not view:
            view = self._view = detect(names, values)
        return view

    @encoding.setter
    def encoding(self, value: str) -> None:
        ascii_compatible(value)
        self._encoding = value
        self._refresh_view()

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        """The field lines as ``(name, value)`` bytes, in order, names in original casing."""
        raw = self._raw
        if raw is None:
            names, values = self._text()
            raw = self._raw = encode_raw(names, values, self._view is None)
        return raw.copy()

    def keys(self) -> KeysView[str]:
        """The distinct names, lowercased, in order of first occurrence."""
        index = self._indexed()
        if self._view is None:
            return dict.fromkeys(index).keys()
        return dict.fromkeys(map(self._decoder(), index)).keys()

    def values(self) -> ValuesView[str]:
        """One value per distinct name; repeated names have their values joined by ``", "``."""
        return self._joined().values()

    def items(self) -> ItemsView[str, str]:
        """``(name, value)`` per distinct name, lowercased; repeats joined by ``", "``."""
        return self._joined().items()

    def _joined(self) -> dict[str, str]:
        index = self._indexed()
        if self._view is None:
            if len(index) == len(self._text()[0]):
                return cast("dict[str, str]", index.copy())
            return {key: _join(found) for key, found in index.items()}
        decode = self._decoder()
        return {
            decode(key): decode(found) if isinstance(found, str) else ", ".join(map(decode, found))
            for key, found in index.items()
        }

    def multi_items(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` field, in order, names lowercased, repeats kept apart."""
        lowers = self._lowers()
        values = self._text()[1]
        if self._view is None:
            return list(zip(lowers, values, strict=False))
        decode = self._decoder()
        return list(zip(map(decode, lowers), map(decode, values), strict=True))

    @overload
    def get(self, key: str, default: None = None) -> str | None: ...

    @overload
    def get(self, key: str, default: str | _T) -> str | _T: ...

    def get(self, key: str, default: object = None) -> object:
        """The value of `key` (repeats joined by ``", "``), or `default` if absent."""
        index = self._index
        if index is None:
            index = self._indexed()
        if self._view is None and type(key) is str:
            found = index.get(key.lower())
            return default if found is None else _join(found)
        values = self._found(key)
        return default if values is None else ", ".join(values)

    def get_list(self, key: str, split_commas: bool = False) -> list[str]:
        """Every value of `key`, in order; with `split_commas`, split at each comma.

        The split is httpx's plain one (no quoting rules), each piece stripped; use
        `parse_header_list()` for lists whose elements may hold quoted commas.
        """
        index = self._index
        if index is None:
            index = self._indexed()
        if self._view is None and type(key) is str:
            found = index.get(key.lower())
            values = [] if found is None else [found] if isinstance(found, str) else found.copy()
        else:
            values = self._found(key) or []
        if not split_commas:
            return values
        return [piece.strip() for value in values for piece in value.split(",")]

    def __getitem__(self, key: str) -> str:
        """The value of `key`; repeats joined by ``", "`` (RFC 9110 section 5.3)."""
        index = self._index
        if index is None:
            index = self._indexed()
        if self._view is None and type(key) is str:
            found = index.get(key.lower())
            if found is not None:
                return _join(found)
            raise KeyError(key)
        values = self._found(key)
        if values is None:
            raise KeyError(key)
        return ", ".join(values)

    def __contains__(self, key: object) -> bool:
        """Whether any field is named `key`, in any casing."""
        index = self._index
        if index is None:
            if self._names is None and self._encoding is None and type(key) is str:
                # Still raw (a response's fields): a scan of a few names answers without
                # decoding and indexing every field. Lowering bytes is how names read
                # from raw are lowered, and ASCII reads the same in every detected codec.
                found = self._raw_has(key)
                if found is not None:
                    return found
            index = self._indexed()
        if self._view is None and type(key) is str:
            return key.lower() in index
        lookup = self._key(key)
        return lookup is not None and lookup in index

    def _raw_has(self, key: str) -> bool | None:
        """Whether a raw name matches ASCII `key`; None (index instead) if `key` is not
        ASCII or the fields are too many to scan on every lookup."""
        raw = cast("list[tuple[bytes, bytes]]", self._raw)
        if len(raw) > _SCAN_LIMIT or not key.isascii():
            return None
        needle = key.lower().encode()
        return needle in [name.lower() for name, _ in raw]

    def __iter__(self) -> Iterator[str]:
        """The distinct names, lowercased (a snapshot: changing the headers is safe)."""
        return iter(self.keys())

    def __len__(self) -> int:
        """The number of field lines (repeated names count each time), as in httpx."""
        names = self._names
        return len(cast("list[tuple[bytes, bytes]]", self._raw)) if names is None else len(names)

    # -- changing ---------------------------------------------------------------------

    def __setitem__(self, key: str, value: str) -> None:
        """Set `key` to `value`, replacing every field of that name.

        The new field takes the place of the first one replaced; a new name goes last.
        """
        index = self._index
        if index is None:
            index = self._indexed()
        if self._shared:
            self._own()
            index = cast("dict[str, _Found]", self._index)
        names, values = cast("tuple[list[str], list[str]]", (self._names, self._values))
        if (
            self._view is None
            and type(key) is str
            and type(value) is str
            and key.isascii()
            and value.isascii()
        ):
            lower = key.lower()
            refresh = False
        else:
            encoding = self._encoding
            if encoding is None:
                detected = self.encoding
                encoding = "utf-8" if detected == "ascii" else detected
            name_text = to_text(key, encoding)
            value = to_text(value, encoding, name_text)
            key = name_text
            lower = ascii_lower(name_text)
            refresh = True
        self._raw = None
        self._valid = False
        found = index.get(lower)
        if found is None:
            names.append(key)
            values.append(value)
        else:
            lowers = self._lowers()
            first = lowers.index(lower)
            names[first] = key
            values[first] = value
            if not isinstance(found, str):
                keep = [i for i, other in enumerate(lowers) if other != lower or i == first]
                self._names = [names[i] for i in keep]
                self._values = [values[i] for i in keep]
            refresh = refresh or self._view is not None
        index[lower] = value
        if refresh:
            self._refresh_view()

    def __delitem__(self, key: str) -> None:
        """Remove every field named `key`; `KeyError` if there is none."""
        self._indexed()
        if self._shared:
            self._own()
        index = cast("dict[str, _Found]", self._index)
        lookup = self._key(key)
        found = None if lookup is None else index.pop(lookup, None)
        if found is None:
            raise KeyError(key)
        self._drop({cast(str, lookup)})

    def _drop(self, lowers_gone: set[str]) -> None:
        """Remove the fields whose lowered names are in `lowers_gone` (already unindexed)."""
        names, values = self._text()
        keep = [i for i, lower in enumerate(self._lowers()) if lower not in lowers_gone]
        self._names = [names[i] for i in keep]
        self._values = [values[i] for i in keep]
        self._raw = None
        if self._view is not None:
            self._refresh_view()

    def clear(self) -> None:
        """Remove every field."""
        self._names = []
        self._values = []
        self._index = {}
        self._raw = None
        self._valid = False
        self._shared = False
        self._refresh_view()

    def update(self, headers: HeaderTypes | None = None) -> None:  # type: ignore[override]
        """Replace every name present in `headers` by all of its fields there, appended.

        As in httpx: names not in `headers` are kept; repeated names in `headers` stay
        repeated.
        """
        if headers is self:
            headers = self.copy()
        other = headers if isinstance(headers, Headers) else Headers(headers, self._encoding)
        other_index = other._indexed()
        if not other_index:
            return
        other_names, other_values = other._text()
        self._indexed()
        if self._shared:
            self._own()
        index = cast("dict[str, _Found]", self._index)
        replaced = {lower for lower in other_index if lower in index}
        if replaced:
            for lower in replaced:
                del index[lower]
            self._drop(replaced)
        names, values = self._text()
        names.extend(other_names)
        values.extend(other_values)
        for lower, found in other_index.items():
            index[lower] = found if isinstance(found, str) else found.copy()
        self._raw = None
        self._valid = self._valid and other._valid
        if self._view is not None or other._view is not None:
            self._refresh_view()

    def copy(self) -> Headers:
        """An independent copy, with the same encoding.

        The two share their fields until either changes (copy on write), so copying is
        cheap whatever the size.
        """
        new = object.__new__(Headers)
        new._encoding = self._encoding
        self._share_with(new)
        return new

    # -- checking, comparing, showing -------------------------------------------------

    def validate(self) -> None:
        """Raise `InvalidHeader` unless every name is a token and no value holds CR, LF, NUL.

        The rules are RFC 9110's (sections 5.1, 5.5 and 5.6.2); see `validate_header_name`.
        A pass is remembered until the headers change, so checking before every send
        costs nothing when nothing changed.

        >>> Headers({"X-Ok": "yes"}).validate()
        >>> Headers({"X-Bad": "a\\r\\nInjected: 1"}).validate()
        Traceback (most recent call last):
        ...
        tether_headers.InvalidHeader: header 'X-Bad' has a value with CR at index 1 (RFC 9110 section 5.5): 'a\\r\\nInjected: 1'
        """  # noqa: E501
        if not self._valid:
            names, values = self._text()
            check_fields(names, values, self._show)
            self._valid = True

    def _show(self, stored: str) -> str:
        """Stored text as the caller reads it, for messages."""
        return stored if stored.isascii() else self._decoder()(stored)

    def __eq__(self, other: object) -> bool:
        """Equal to headers (or a mapping, or pairs) with the same fields in any order.

        Names compare case-insensitively, values exactly, as in httpx.
        """
        if isinstance(other, Headers):
            theirs = other
        elif isinstance(other, Iterable) and not isinstance(other, (str, bytes)):
            try:
                theirs = Headers(cast(HeaderTypes, other))
            except (TypeError, ValueError):
                return False
        else:
            return NotImplemented
        if len(self) != len(theirs):
            return False
        mine, their_index = self._indexed(), theirs._indexed()
        if len(mine) == len(self) and len(their_index) == len(theirs):
            return mine == their_index
        return sorted(zip(self._lowers(), self._text()[1], strict=True)) == sorted(
            zip(theirs._lowers(), theirs._text()[1], strict=True)
        )

    def __repr__(self) -> str:
        """httpx's repr: a dict, or a list when a name repeats; credentials hidden."""
        encoding = self.encoding
        suffix = "" if encoding == "ascii" else f", encoding={encoding!r}"
        shown = [
            (name, "[secure]" if name in _HIDDEN_IN_REPR else value)
            for name, value in self.multi_items()
        ]
        as_dict = dict(shown)
        body = repr(as_dict) if len(as_dict) == len(shown) else repr(shown)
        return f"{type(self).__name__}({body}{suffix})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the raw fields and the chosen encoding."""
        return (type(self), (self.raw, self._encoding))
