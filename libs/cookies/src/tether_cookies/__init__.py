"""HTTP cookies for tether: an RFC 6265 cookie store with persistence.

`Cookies` is httpx's cookie mapping; its `jar` is an `RFC6265CookieJar`, a real
`http.cookiejar.CookieJar` whose parsing, storing and sending follow RFC 6265.
Requests and responses are taken by shape (`.url` and `.headers`), so httpx's,
Starlette's and tether's objects all work.
"""

from .__about__ import __version__ as __version__
from ._cookies import Cookies as Cookies
from ._dates import parse_cookie_date as parse_cookie_date
from ._exceptions import CookieConflict as CookieConflict
from ._exceptions import CookieError as CookieError
from ._exceptions import CookieFileError as CookieFileError
from ._exceptions import InvalidCookie as InvalidCookie
from ._jar import RFC6265CookieJar as RFC6265CookieJar
from ._parser import SetCookie as SetCookie
from ._parser import parse_set_cookie as parse_set_cookie
from ._psl import is_public_suffix as is_public_suffix
from ._types import CookieTypes as CookieTypes
from ._types import RequestLike as RequestLike
from ._types import ResponseLike as ResponseLike

__all__ = [
    "CookieConflict",
    "CookieError",
    "CookieFileError",
    "CookieTypes",
    "Cookies",
    "InvalidCookie",
    "RFC6265CookieJar",
    "RequestLike",
    "ResponseLike",
    "SetCookie",
    "__version__",
    "is_public_suffix",
    "parse_cookie_date",
    "parse_set_cookie",
]

# Public classes belong to the package, not to its private modules, so pickles and
# reprs never depend on the internal layout.
for _public in (
    CookieConflict,
    CookieError,
    CookieFileError,
    Cookies,
    InvalidCookie,
    RFC6265CookieJar,
    RequestLike,
    ResponseLike,
    SetCookie,
):
    _public.__module__ = __name__
del _public
