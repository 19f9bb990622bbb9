"""Type aliases for the client's arguments, in one place.

The component packages own the unions of their own inputs; they are re-exported here
so that the client's signatures read the same as httpx's.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, Union

from tether_auth import AuthTypes as AuthTypes
from tether_content import RequestContent as RequestContent
from tether_content import RequestData as RequestData
from tether_content import RequestFiles as RequestFiles
from tether_cookies import CookieTypes as CookieTypes
from tether_headers import HeaderTypes as HeaderTypes
from tether_urls import URL, QueryParams

if TYPE_CHECKING:
    from ._config import Timeout

PrimitiveData: TypeAlias = str | int | float | bool | None
QueryParamTypes: TypeAlias = (
    QueryParams
    | Mapping[str, PrimitiveData | Sequence[PrimitiveData]]
    | list[tuple[str, PrimitiveData]]
    | tuple[tuple[str, PrimitiveData], ...]
    | str
    | bytes
)
TimeoutTypes: TypeAlias = Union[
    float,
    tuple[float | None, float | None, float | None, float | None],
    "Timeout",
    None,
]
RequestExtensions: TypeAlias = MutableMapping[str, Any]
VerifyTypes: TypeAlias = ssl.SSLContext | str | bool
CertTypes: TypeAlias = str | tuple[str, str] | tuple[str, str, str]
ProxyTypes: TypeAlias = URL | str | Any
