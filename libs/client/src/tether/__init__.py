"""tether: an HTTP client for Python with the httpx API.

``import tether as httpx`` runs code written for httpx 0.28. The component packages
are re-exported, so ``tether.URL is tether_urls.URL``.
"""

from tether_cookies import CookieConflict as CookieConflict
from tether_cookies import Cookies as Cookies
from tether_headers import Headers as Headers
from tether_urls import URL as URL
from tether_urls import InvalidURL as InvalidURL
from tether_urls import QueryParams as QueryParams

from .__about__ import __version__ as __version__
from ._config import Limits as Limits
from ._config import Timeout as Timeout
from ._exceptions import CloseError as CloseError
from ._exceptions import ConnectError as ConnectError
from ._exceptions import ConnectTimeout as ConnectTimeout
from ._exceptions import DecodingError as DecodingError
from ._exceptions import HTTPError as HTTPError
from ._exceptions import HTTPStatusError as HTTPStatusError
from ._exceptions import LocalProtocolError as LocalProtocolError
from ._exceptions import NetworkError as NetworkError
from ._exceptions import PoolClosed as PoolClosed
from ._exceptions import PoolTimeout as PoolTimeout
from ._exceptions import ProtocolError as ProtocolError
from ._exceptions import ProxyError as ProxyError
from ._exceptions import ReadError as ReadError
from ._exceptions import ReadTimeout as ReadTimeout
from ._exceptions import RemoteProtocolError as RemoteProtocolError
from ._exceptions import RequestError as RequestError
from ._exceptions import RequestNotRead as RequestNotRead
from ._exceptions import ResponseNotRead as ResponseNotRead
from ._exceptions import StreamClosed as StreamClosed
from ._exceptions import StreamConsumed as StreamConsumed
from ._exceptions import StreamError as StreamError
from ._exceptions import TimeoutException as TimeoutException
from ._exceptions import TooManyRedirects as TooManyRedirects
from ._exceptions import TransportError as TransportError
from ._exceptions import UnsupportedProtocol as UnsupportedProtocol
from ._exceptions import WriteError as WriteError
from ._exceptions import WriteTimeout as WriteTimeout
from ._network.tls import create_ssl_context as create_ssl_context
from ._proxy import Proxy as Proxy
from ._status_codes import codes as codes

__title__ = "tether"
__description__ = "An HTTP client for Python with the httpx API."

_CORE = [
    "URL",
    "CloseError",
    "ConnectError",
    "ConnectTimeout",
    "CookieConflict",
    "Cookies",
    "DecodingError",
    "HTTPError",
    "HTTPStatusError",
    "Headers",
    "InvalidURL",
    "Limits",
    "LocalProtocolError",
    "NetworkError",
    "PoolClosed",
    "PoolTimeout",
    "ProtocolError",
    "Proxy",
    "ProxyError",
    "QueryParams",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "RequestError",
    "RequestNotRead",
    "ResponseNotRead",
    "StreamClosed",
    "StreamConsumed",
    "StreamError",
    "Timeout",
    "TimeoutException",
    "TooManyRedirects",
    "TransportError",
    "UnsupportedProtocol",
    "WriteError",
    "WriteTimeout",
    "__version__",
    "codes",
    "create_ssl_context",
]

# --- section: models (Request, Response, streams) ---
from tether_content import ByteStream as ByteStream  # noqa: E402

from ._request import Request as Request  # noqa: E402
from ._response import Response as Response  # noqa: E402
from ._streams import AsyncByteStream as AsyncByteStream  # noqa: E402
from ._streams import SyncByteStream as SyncByteStream  # noqa: E402

_MODELS: list[str] = ["AsyncByteStream", "ByteStream", "Request", "Response", "SyncByteStream"]
# --- end section: models ---

# --- section: transports (BaseTransport, MockTransport, WSGITransport, ASGITransport) ---
from ._transports.asgi import ASGITransport as ASGITransport  # noqa: E402
from ._transports.base import AsyncBaseTransport as AsyncBaseTransport  # noqa: E402
from ._transports.base import BaseTransport as BaseTransport  # noqa: E402
from ._transports.http import AsyncHTTPTransport as AsyncHTTPTransport  # noqa: E402
from ._transports.http import HTTPTransport as HTTPTransport  # noqa: E402
from ._transports.mock import MockTransport as MockTransport  # noqa: E402
from ._transports.wsgi import WSGITransport as WSGITransport  # noqa: E402

_TRANSPORTS: list[str] = [
    "ASGITransport",
    "AsyncBaseTransport",
    "AsyncHTTPTransport",
    "BaseTransport",
    "HTTPTransport",
    "MockTransport",
    "WSGITransport",
]
# --- end section: transports ---

# --- section: clients (Client, AsyncClient, the top-level functions) ---
from tether_auth import Auth as Auth  # noqa: E402
from tether_auth import BasicAuth as BasicAuth  # noqa: E402
from tether_auth import DigestAuth as DigestAuth  # noqa: E402
from tether_auth import FunctionAuth as FunctionAuth  # noqa: E402
from tether_auth import NetRCAuth as NetRCAuth  # noqa: E402

from ._api import delete as delete  # noqa: E402
from ._api import get as get  # noqa: E402
from ._api import head as head  # noqa: E402
from ._api import options as options  # noqa: E402
from ._api import patch as patch  # noqa: E402
from ._api import post as post  # noqa: E402
from ._api import put as put  # noqa: E402
from ._api import request as request  # noqa: E402
from ._api import stream as stream  # noqa: E402
from ._async_client import AsyncClient as AsyncClient  # noqa: E402
from ._client import Client as Client  # noqa: E402
from ._merge import USE_CLIENT_DEFAULT as USE_CLIENT_DEFAULT  # noqa: E402

_CLIENTS: list[str] = [
    "USE_CLIENT_DEFAULT",
    "AsyncClient",
    "Auth",
    "BasicAuth",
    "Client",
    "DigestAuth",
    "FunctionAuth",
    "NetRCAuth",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
    "stream",
]
# --- end section: clients ---

# --- section: command line (click and rich are imported only when it runs) ---
from ._cli import main as main  # noqa: E402

_CLI: list[str] = ["main"]
# --- end section: command line ---

__all__ = sorted([*_CORE, *_MODELS, *_TRANSPORTS, *_CLIENTS, *_CLI])

# Classes defined here belong to `tether`, not to its private modules, so pickles and
# reprs stay stable; re-exported component classes keep their own package's name.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) and _value.__module__.startswith("tether."):
        _value.__module__ = "tether"
del _name, _value
