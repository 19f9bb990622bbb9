"""The I/O backends: blocking sockets, asyncio and trio (imported lazily).

The only code of the network transport that touches sockets. `base` holds the
interface the connection layer relies on; `auto` picks the async backend of the
running event loop.
"""

from .asyncio_backend import AsyncioBackend, AsyncioStream
from .auto import current_async_backend, current_async_library
from .base import (
    AsyncNetworkBackend,
    AsyncNetworkStream,
    NetworkBackend,
    NetworkStream,
    SocketOption,
)
from .sync import SyncBackend, SyncStream

__all__ = [
    "AsyncNetworkBackend",
    "AsyncNetworkStream",
    "AsyncioBackend",
    "AsyncioStream",
    "NetworkBackend",
    "NetworkStream",
    "SocketOption",
    "SyncBackend",
    "SyncStream",
    "current_async_backend",
    "current_async_library",
]
