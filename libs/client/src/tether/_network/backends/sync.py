"""The blocking backend: plain sockets, timeouts by ``settimeout``, TLS by ``SSLSocket``.

Happy Eyeballs runs without threads: every attempt is a non-blocking ``connect_ex``,
and one ``selectors`` selector waits on all pending sockets at once, woken by the
first to connect or fail, or by the next attempt's start time (see `eyeballs`).

A host name is resolved in a daemon thread when there is a connect timeout, so that
the timeout bounds ``getaddrinfo`` too (it has no timeout of its own); an IP address
or a resolver hook's answer needs no thread.

Invariants: a stream's socket is blocking with the timeout last set (`_timeout`
mirrors it, so ``settimeout`` runs only when the timeout changes); a connect that
returns owns exactly one socket, every other attempt's socket is closed before it
returns or raises.
"""

from __future__ import annotations

import errno
import io
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ..._exceptions import (
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)
from ..eyeballs import (
    CONNECTION_ATTEMPT_DELAY,
    Address,
    ConnectPlan,
    Resolver,
    check_delay,
    for_local_address,
    from_getaddrinfo,
    os_reason,
)
from ._common import (
    READ_SIZE,
    SMALL_READ,
    fd_readable,
    no_address,
    origin,
    preresolved,
    resolve_error,
    tcp_socket,
    tls_error,
    tls_where,
    unix_socket,
)
from ._tls_stream_sync import TLSStream
from .base import SocketOption

_IN_PROGRESS = frozenset({errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN})


class SyncStream:
    """A connected blocking socket (an `ssl.SSLSocket` after `start_tls`)."""

    __slots__ = ("_big_reads", "_closed", "_sock", "_timeout", "_where")

    def __init__(self, sock: socket.socket, where: str) -> None:
        self._sock = sock
        self._where = where
        self._timeout = sock.gettimeout()
        self._closed = False
        self._big_reads = False  # see SMALL_READ

    def read(self, max_bytes: int = READ_SIZE, timeout: float | None = None) -> bytes:
        """Up to `max_bytes` bytes, b"" at EOF (see `base` for the error contract)."""
        if self._closed:
            raise ReadError(f"cannot read from {self._where}: the connection is closed")
        try:
            if timeout != self._timeout:
                self._sock.settimeout(timeout)
                self._timeout = timeout
            data = self._sock.recv(
                max_bytes if self._big_reads or max_bytes < SMALL_READ else SMALL_READ
            )
            self._big_reads = len(data) > SMALL_READ // 2
            return data
        except TimeoutError:
            self.close()
            raise ReadTimeout(f"timed out reading from {self._where} after {timeout} s") from None
        except OSError as exc:
            self.close()
            raise ReadError(f"reading from {self._where} failed: {os_reason(exc)}") from exc

    def read_exact(self, size: int, timeout: float | None = None, first: bytes = b"") -> bytes:
        """`first`, then `size` bytes more (fewer only at EOF), as one bytes object.

        The bytes object is allocated once and each ``recv_into`` fills it in place
        (``io.BufferedReader.read`` does this with a raw reader whose buffer is smaller
        than any read), so the body is copied once, by the kernel, where `read` and a
        join copy it twice. Each ``recv_into`` waits at most `timeout`. Errors as `read`.
        """
        if self._closed:
            raise ReadError(f"cannot read from {self._where}: the connection is closed")
        try:
            if timeout != self._timeout:
                self._sock.settimeout(timeout)
                self._timeout = timeout
            reader = io.BufferedReader(_InPlace(self._sock, first), buffer_size=1)
            data = reader.read(len(first) + size)
        except TimeoutError:
            self.close()
            raise ReadTimeout(f"timed out reading from {self._where} after {timeout} s") from None
        except OSError as exc:
            self.close()
            raise ReadError(f"reading from {self._where} failed: {os_reason(exc)}") from exc
        return data

    def write(self, data: bytes, timeout: float | None = None) -> None:
        """Send all of `data`."""
        if self._closed:
            raise WriteError(f"cannot write to {self._where}: the connection is closed")
        try:
            if timeout != self._timeout:
                self._sock.settimeout(timeout)
                self._timeout = timeout
            self._sock.sendall(data)
        except TimeoutError:
            self.close()
            raise WriteTimeout(f"timed out writing to {self._where} after {timeout} s") from None
        except OSError as exc:
            self.close()
            raise WriteError(f"writing to {self._where} failed: {os_reason(exc)}") from exc

    def close(self) -> None:
        """Close the socket; closing twice is fine."""
        if not self._closed:
            self._closed = True
            self._sock.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> SyncStream | TLSStream:
        """Handshake TLS over this stream; the returned stream owns the socket."""
        where = tls_where(self._where, server_hostname)
        if self._closed:
            raise ConnectError(f"cannot start TLS with {where}: the connection is closed")
        if isinstance(self._sock, ssl.SSLSocket):  # TLS inside TLS: through an HTTPS proxy
            return TLSStream.handshake(self, ssl_context, server_hostname, timeout, self._where)
        try:
            _check_server_hostname(ssl_context, server_hostname)
            self._sock.settimeout(timeout)
            tls = ssl_context.wrap_socket(
                self._sock, server_hostname=server_hostname, do_handshake_on_connect=False
            )
        except (OSError, ValueError) as exc:
            self.close()
            raise tls_error(exc, where) from exc
        # wrap_socket took the file descriptor over: the SSLSocket owns it now.
        self._closed = True
        try:
            tls.do_handshake()
        except TimeoutError:
            tls.close()
            raise ConnectTimeout(
                f"timed out in the TLS handshake with {where} after {timeout} s"
            ) from None
        except (OSError, ValueError) as exc:
            tls.close()
            raise tls_error(exc, where) from exc
        except BaseException:
            tls.close()
            raise
        return SyncStream(tls, self._where)

    def wait_readable(self, timeout: float | None) -> bool:
        """Wait until data or EOF can be read; False if `timeout` passed first."""
        sock = self._sock
        if self._closed or (isinstance(sock, ssl.SSLSocket) and sock.pending()):
            return True
        return fd_readable(sock.fileno(), timeout)

    def get_extra_info(self, name: str) -> Any:
        """``ssl_object``, ``client_addr``, ``server_addr``, ``socket`` or ``is_readable``."""
        sock = self._sock
        if name == "is_readable":
            if self._closed:
                return True
            if isinstance(sock, ssl.SSLSocket) and sock.pending():
                return True
            return fd_readable(sock.fileno())
        if name == "ssl_object":
            return sock if isinstance(sock, ssl.SSLSocket) else None
        if name == "socket":
            return sock
        if self._closed:
            return None
        if name == "client_addr":
            return sock.getsockname()
        if name == "server_addr":
            return sock.getpeername()
        return None

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<SyncStream {self._where} [{state}]>"


class _InPlace(io.RawIOBase):
    """The raw side of `SyncStream.read_exact`: `first`, then ``recv_into`` the socket."""

    def __init__(self, sock: socket.socket, first: bytes) -> None:
        self._sock = sock
        self._first = first

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # `buffer` views the bytes object being built: released here, so that a
        # traceback that keeps this frame cannot reach it after an error frees it.
        try:
            first = self._first
            if first:
                size = min(len(first), len(buffer))
                buffer[:size] = first[:size]
                self._first = first[size:]
                return size
            return self._sock.recv_into(buffer)
        finally:
            buffer.release()


class SyncBackend:
    """Connects blocking streams; `connect_attempt_delay` is RFC 8305's Happy Eyeballs delay."""

    def __init__(self, connect_attempt_delay: float = CONNECTION_ATTEMPT_DELAY) -> None:
        self.connect_attempt_delay = check_delay(connect_attempt_delay)

    def connect_tcp(
        self,
        host: str,
        port: int,
        *,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] = (),
        resolver: Resolver | None = None,
    ) -> SyncStream:
        """Resolve `host` and connect to the first of its addresses to answer."""
        where = origin(host, port)
        deadline = None if timeout is None else time.monotonic() + timeout
        addresses = preresolved(host, port, None if resolver is None else resolver(host, port))
        if addresses is None:
            addresses = from_getaddrinfo(_resolve(host, port, timeout))
        addresses = for_local_address(addresses, local_address)
        if not addresses:
            raise no_address(host, port, local_address)
        options = list(socket_options)
        sock = self._race(addresses, where, deadline, timeout, local_address, options)
        sock.setblocking(True)
        return SyncStream(sock, where)

    def _race(
        self,
        addresses: Sequence[Address],
        where: str,
        deadline: float | None,
        timeout: float | None,
        local_address: str | None,
        options: Sequence[SocketOption],
    ) -> socket.socket:
        plan = ConnectPlan(addresses, self.connect_attempt_delay)
        selector = selectors.DefaultSelector()
        try:
            while True:
                now = time.monotonic()
                address = plan.start(now)
                while address is not None:
                    attempt = _start_attempt(plan, address, local_address, options)
                    if attempt is not None:
                        sock, connected = attempt
                        if connected:
                            return sock
                        selector.register(sock, selectors.EVENT_WRITE, address)
                    address = plan.start(now)
                if plan.exhausted:
                    raise plan.failure(where)
                if deadline is not None and now >= deadline:
                    raise ConnectTimeout(f"timed out connecting to {where} after {timeout} s")
                for key, _ in selector.select(plan.wait_time(now, deadline)):
                    sock = key.fileobj  # type: ignore[assignment]
                    selector.unregister(sock)
                    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if error == 0:
                        return sock
                    sock.close()
                    plan.failed(key.data, OSError(error, os.strerror(error)))
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.close()  # type: ignore[union-attr]
            selector.close()

    def connect_unix(
        self,
        path: str,
        *,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] = (),
    ) -> SyncStream:
        """Connect to the Unix socket at `path`."""
        sock = unix_socket(list(socket_options))
        try:
            sock.settimeout(timeout)
            sock.connect(path)
        except TimeoutError:
            sock.close()
            raise ConnectTimeout(f"timed out connecting to {path} after {timeout} s") from None
        except OSError as exc:
            sock.close()
            raise ConnectError(f"could not connect to {path}: {os_reason(exc)}") from exc
        except BaseException:
            sock.close()
            raise
        return SyncStream(sock, path)


class _Lookup:
    """One ``getaddrinfo`` call in a daemon thread, so that its caller may stop waiting."""

    __slots__ = ("done", "error", "host", "infos", "port")

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.done = threading.Event()
        self.infos: list[Any] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # handed over to the waiting caller
            self.error = exc
        finally:
            self.done.set()


def _resolve(host: str, port: int, timeout: float | None) -> list[Any]:
    """``getaddrinfo`` bounded by `timeout`: `ConnectTimeout` when it takes longer.

    ``getaddrinfo`` itself cannot be bounded, so with a timeout it runs in a daemon
    thread, which is left to finish on its own if the caller stops waiting.
    """
    lookup = _Lookup(host, port)
    if timeout is None:
        lookup.run()
    else:
        threading.Thread(target=lookup.run, name=f"resolve {host}", daemon=True).start()
        if not lookup.done.wait(timeout):
            raise ConnectTimeout(f"timed out resolving {origin(host, port)} after {timeout} s")
    error = lookup.error
    if isinstance(error, OSError):
        raise resolve_error(host, port, error) from error
    if error is not None:
        raise error
    return lookup.infos


def _check_server_hostname(context: ssl.SSLContext, server_hostname: str | None) -> None:
    """Refuse what ``wrap_socket`` would refuse only after taking the socket over."""
    if server_hostname is None:
        if context.check_hostname:
            raise ValueError("check_hostname requires server_hostname")
    elif not server_hostname or server_hostname.startswith("."):
        raise ValueError(f"server_hostname {server_hostname!r} is not a host name")


def _start_attempt(
    plan: ConnectPlan, address: Address, local_address: str | None, options: Sequence[SocketOption]
) -> tuple[socket.socket, bool] | None:
    """Start one non-blocking connect: (socket, connected already), or None if it failed."""
    try:
        sock = tcp_socket(address, local_address, options)
    except OSError as exc:
        plan.failed(address, exc)
        return None
    try:
        error = sock.connect_ex(address.sockaddr)
    except OSError as exc:
        error = exc.errno or errno.EINVAL
    if error == 0 or error in _IN_PROGRESS:
        return sock, error == 0
    sock.close()
    plan.failed(address, OSError(error, os.strerror(error)))
    return None
