"""Input type unions accepted by tether-urls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from ._query import QueryParams
    from ._url import URL

# A value that QueryParams coerces to text: None -> "", True -> "true", 1 -> "1".
PrimitiveData: TypeAlias = "str | int | float | bool | None"

URLTypes: TypeAlias = "URL | str"

# Pairs are accepted as a list or tuple of (name, value) tuples.
QueryParamTypes: TypeAlias = (
    "QueryParams | Mapping[str, PrimitiveData | Sequence[PrimitiveData]]"
    " | list[tuple[str, PrimitiveData]] | tuple[tuple[str, PrimitiveData], ...] | str | bytes"
)
