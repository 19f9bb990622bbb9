"""URLs and query parameters for tether: parsing, normalisation, IDNA, joining.

The API is httpx 0.28's `URL`, `QueryParams` and `InvalidURL`, plus the
percent-encoding helpers `quote` and `unquote`. It depends only on `idna`.
"""

from .__about__ import __version__ as __version__
from ._exceptions import InvalidURL as InvalidURL
from ._query import QueryParams as QueryParams
from ._quoting import quote as quote
from ._quoting import unquote as unquote
from ._url import URL as URL

# Plain sorted order (what tests/conftest.py checks), not ruff's constants-first order.
__all__ = ["InvalidURL", "QueryParams", "URL", "__version__", "quote", "unquote"]  # noqa: RUF022

# Public classes belong to the package, not to private modules, so pickles stay stable.
for _public in (URL, InvalidURL, QueryParams):
    _public.__module__ = __name__
del _public
