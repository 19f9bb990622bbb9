"""Pick the async backend of the running event loop, without anyio or sniffio.

Trio is checked first, and only if it is already imported: a trio task is running
when ``trio.lowlevel.in_trio_task()`` says so (this also holds for trio in guest mode
on top of an asyncio loop). Otherwise an asyncio loop must be running (uvloop
included). One backend instance per library is kept: backends hold no state but
their Happy Eyeballs delay.
"""

from __future__ import annotations

import asyncio
import sys

from .asyncio_backend import AsyncioBackend
from .base import AsyncNetworkBackend

_backends: dict[str, AsyncNetworkBackend] = {}


def current_async_library() -> str:
    """``"trio"`` or ``"asyncio"``: the library running the current task."""
    trio = sys.modules.get("trio")
    if trio is not None and trio.lowlevel.in_trio_task():
        return "trio"
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "tether's async API needs a running asyncio or trio event loop, and none is running"
        ) from None
    return "asyncio"


def current_async_backend() -> AsyncNetworkBackend:
    """The shared backend for the event loop running the current task."""
    library = current_async_library()
    backend = _backends.get(library)
    if backend is None:
        if library == "trio":
            from .trio_backend import TrioBackend

            backend = _backends[library] = TrioBackend()
        else:
            backend = _backends[library] = AsyncioBackend()
    return backend
