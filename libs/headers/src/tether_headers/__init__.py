"""HTTP headers for tether: a case-insensitive multi-dict and header-value parsing.

`Headers` has the API of ``httpx.Headers``. The functions read and write the values
that headers carry: parameters (``text/html; charset=utf-8``), comma lists, Link headers
and HTTP dates, and check names and values before they go on the wire. Every bad input
raises `InvalidHeader` (a `ValueError`), or `TypeError` for a wrong type.
"""

from .__about__ import __version__ as __version__
from ._dates import format_http_date as format_http_date
from ._dates import parse_http_date as parse_http_date
from ._exceptions import InvalidHeader as InvalidHeader
from ._headers import Headers as Headers
from ._links import parse_link_header as parse_link_header
from ._links import parse_links as parse_links
from ._lists import parse_header_list as parse_header_list
from ._params import content_type_charset as content_type_charset
from ._params import format_header_params as format_header_params
from ._params import parse_header_params as parse_header_params
from ._types import HeaderTypes as HeaderTypes
from ._validation import validate_header_name as validate_header_name
from ._validation import validate_header_value as validate_header_value

__all__ = [
    "HeaderTypes",
    "Headers",
    "InvalidHeader",
    "__version__",
    "content_type_charset",
    "format_header_params",
    "format_http_date",
    "parse_header_list",
    "parse_header_params",
    "parse_http_date",
    "parse_link_header",
    "parse_links",
    "validate_header_name",
    "validate_header_value",
]

# Public classes and functions belong to the package, not to its private modules, so
# that pickles, reprs and docs never name a private path.
for _public in (Headers, InvalidHeader):
    _public.__module__ = __name__
for _function in (
    content_type_charset,
    format_header_params,
    format_http_date,
    parse_header_list,
    parse_header_params,
    parse_http_date,
    parse_link_header,
    parse_links,
    validate_header_name,
    validate_header_value,
):
    _function.__module__ = __name__
del _public, _function
