"""The backend a pool connects with: set at construction (blocking), or per event loop.

Kept apart so that `proxy.py` and `proxy_async.py` stay line-for-line twins.
"""

from __future__ import annotations

from .backends.auto import current_async_backend
from .backends.base import AsyncNetworkBackend, NetworkBackend
from .pool import ConnectionPool
from .pool_async import AsyncConnectionPool

__all__ = ["async_backend_of", "backend_of"]


def backend_of(pool: ConnectionPool) -> NetworkBackend:
    """The blocking pool's backend."""
    return pool._backend


def async_backend_of(pool: AsyncConnectionPool) -> AsyncNetworkBackend:
    """The async pool's backend, chosen for the running event loop on first use."""
    backend = pool._backend
    if backend is None:
        backend = pool._backend = current_async_backend()
    return backend
