"""Name resolution on its own, for a SOCKS5 proxy that is sent addresses, not names.

``socks5://`` (unlike ``socks5h://``) resolves the target's name on the client, as curl
does; the first address that ``getaddrinfo`` gives is sent to the proxy.
"""

from __future__ import annotations

import socket

from .backends._common import resolve_error
from .backends.auto import current_async_library

__all__ = ["aresolve", "resolve"]


def _first(infos: list[tuple[object, object, object, object, tuple[object, ...]]]) -> str:
    return str(infos[0][4][0])


def resolve(host: str, port: int) -> str:
    """The first address of `host`; `ConnectError` if it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise resolve_error(host, port, exc) from exc
    return _first(infos)  # type: ignore[arg-type]


async def aresolve(host: str, port: int) -> str:
    """`resolve`, on the running asyncio loop or trio, without blocking it."""
    try:
        if current_async_library() == "trio":
            import trio

            infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        else:
            import asyncio

            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise resolve_error(host, port, exc) from exc
    return _first(infos)  # type: ignore[arg-type]
