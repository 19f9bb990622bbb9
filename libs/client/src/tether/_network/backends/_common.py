"""What every backend shares: socket setup, peer names in messages, TLS error reasons."""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable, Sequence

from ..._exceptions import ConnectError
from ..eyeballs import Address, from_pairs, literal_address
from .base import SocketOption

# The size of one read when the caller does not say. h11 and httpcore read 64 KiB; 256
# KiB (as the benchmark's bare h11 loop) takes a quarter of the calls on a large body.
READ_SIZE = 262144
# But a read of 256 KiB costs CPython a fresh buffer of that size: above glibc's mmap
# threshold (128 KiB), so mmap, mremap and munmap for every read, 12 us on a small
# response. Streams read at most this much until a read brings more than half of it
# (a large body is flowing), and go back to it after a read that brings less.
SMALL_READ = 65536
# A Content-Length body whose rest is at least IN_PLACE_MIN and, in all, at most
# IN_PLACE_MAX bytes is read into one bytes object of its declared length, allocated
# before it arrives (`SyncStream.read_exact`). The cap bounds what a server's word can
# make the client allocate up front; a larger body is read piece by piece.
IN_PLACE_MIN = SMALL_READ
IN_PLACE_MAX = 32 * 1024 * 1024


def origin(host: str, port: int) -> str:
    """``host:port`` as it appears in messages, IPv6 literals bracketed."""
    if ":" in host and not host.startswith("["):
        return f"[{host}]:{port}"
    return f"{host}:{port}"


def apply_options(sock: socket.socket, options: Iterable[SocketOption]) -> None:
    """Apply httpx-style ``socket_options`` (setsockopt argument tuples)."""
    for option in options:
        if len(option) == 4:
            sock.setsockopt(option[0], option[1], None, option[3])
        else:
            sock.setsockopt(option[0], option[1], option[2])


def tcp_socket(
    address: Address, local_address: str | None, options: Sequence[SocketOption]
) -> socket.socket:
    """A non-blocking TCP socket for `address`: TCP_NODELAY on, options set, bound if asked."""
    sock = socket.socket(address.family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        # Requests are small and written whole: never wait for Nagle's algorithm (RFC 896).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        apply_options(sock, options)
        if local_address is not None:
            sock.bind(
                (local_address, 0, 0, 0)
                if address.family == socket.AF_INET6
                else (local_address, 0)
            )
    except BaseException:
        sock.close()
        raise
    return sock


def unix_socket(options: Sequence[SocketOption]) -> socket.socket:
    """A non-blocking Unix stream socket with `options` set."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        apply_options(sock, options)
    except BaseException:
        sock.close()
        raise
    return sock


def preresolved(
    host: str, port: int, answer: Sequence[tuple[str, int]] | None
) -> list[Address] | None:
    """The addresses of a resolver hook's answer, or of an IP literal; None: ask DNS."""
    if answer is not None:
        return from_pairs(answer, origin(host, port))
    address = literal_address(host, port)
    return None if address is None else [address]


def resolve_error(host: str, port: int, error: OSError) -> ConnectError:
    """The error for a name that did not resolve."""
    reason = error.strerror or str(error)
    return ConnectError(f"could not resolve {origin(host, port)}: {reason}")


def no_address(host: str, port: int, local_address: str | None) -> ConnectError:
    """The error for a name with no address usable from `local_address`."""
    return ConnectError(
        f"could not connect to {origin(host, port)}: no address of the family of "
        f"local_address={local_address!r}"
    )


def tls_error(error: Exception, where: str) -> ConnectError:
    """A TLS handshake failure, with the verification reason when there is one."""
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = f"certificate verify failed: {error.verify_message}"
    elif isinstance(error, ssl.SSLError):
        reason = error.reason or str(error)
    else:
        reason = str(error) or type(error).__name__
    return ConnectError(f"TLS handshake with {where} failed: {reason}")


def tls_where(where: str, server_hostname: str | None) -> str:
    """Name the TLS peer: the hostname checked, and the address when they differ."""
    if server_hostname is None or where.startswith(f"{server_hostname}:"):
        return where
    return f"{server_hostname} (at {where})"


if hasattr(select, "poll"):

    def fd_readable(fd: int, timeout: float | None = 0) -> bool:
        """Whether `fd` has data or EOF waiting, after waiting up to `timeout` seconds."""
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(None if timeout is None else max(0, int(timeout * 1000))))

else:  # pragma: no cover - Windows

    def fd_readable(fd: int, timeout: float | None = 0) -> bool:
        """Whether `fd` has data or EOF waiting, after waiting up to `timeout` seconds."""
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable)
