"""TLS over any async stream, with `ssl.SSLObject` and two memory BIOs.

The asyncio and trio backends both speak TLS through this one class, and a TLS stream
can carry another (TLS to the origin inside TLS to an HTTPS proxy). The inner stream
moves ciphertext; this stream encrypts what is written and decrypts what is read.

Invariants: all ciphertext the TLS object produced is written to the inner stream
before a write or a handshake returns (``_outgoing`` is empty between calls); an error
of the inner stream has already closed it (the backend contract), and marks this
stream closed too; a timeout spans the whole call, however many inner reads it takes.
"""

from __future__ import annotations

import ssl
import time
from typing import Any

from ..._exceptions import (
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)
from ._common import READ_SIZE, SMALL_READ, tls_error, tls_where
from .base import AsyncNetworkStream

# Encrypt and send at most this much at a time, so a large body never sits whole in
# the outgoing BIO (four TLS records of 16 KiB, RFC 8446 section 5.1).
_WRITE_CHUNK = 65536


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    return max(0.0, deadline - time.monotonic())


class AsyncTLSStream:
    """A TLS session over an inner async stream; build one with `handshake`."""

    __slots__ = ("_closed", "_incoming", "_inner", "_outgoing", "_tls", "_where")

    def __init__(
        self,
        inner: AsyncNetworkStream,
        tls: ssl.SSLObject,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        where: str,
    ) -> None:
        self._inner = inner
        self._tls = tls
        self._incoming = incoming
        self._outgoing = outgoing
        self._where = where
        self._closed = False

    @classmethod
    async def handshake(
        cls,
        inner: AsyncNetworkStream,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None,
        timeout: float | None,
        where: str,
    ) -> AsyncTLSStream:
        """Run the client handshake over `inner`; on any failure `inner` is closed."""
        where = tls_where(where, server_hostname)
        deadline = None if timeout is None else time.monotonic() + timeout
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        try:
            tls = ssl_context.wrap_bio(
                incoming, outgoing, server_side=False, server_hostname=server_hostname
            )
            stream = cls(inner, tls, incoming, outgoing, where)
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    await stream._flush(_remaining(deadline))
                    await stream._fill(_remaining(deadline))
            await stream._flush(_remaining(deadline))
        except (ReadTimeout, WriteTimeout):
            await inner.aclose()
            raise ConnectTimeout(
                f"timed out in the TLS handshake with {where} after {timeout} s"
            ) from None
        except (ReadError, WriteError) as exc:
            await inner.aclose()
            raise ConnectError(f"TLS handshake with {where} failed: {exc}") from exc
        except (ssl.SSLError, ssl.CertificateError, ValueError) as exc:
            await inner.aclose()
            raise tls_error(exc, where) from exc
        except BaseException:
            await inner.aclose()
            raise
        return stream

    async def _flush(self, timeout: float | None) -> None:
        if self._outgoing.pending:
            await self._inner.write(self._outgoing.read(), timeout)

    async def _fill(self, timeout: float | None) -> None:
        data = await self._inner.read(READ_SIZE, timeout)
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()

    async def read(self, max_bytes: int = READ_SIZE, timeout: float | None = None) -> bytes:
        """Up to `max_bytes` decrypted bytes, b"" at EOF (an unannounced EOF included)."""
        if self._closed:
            raise ReadError(f"cannot read from {self._where}: the connection is closed")
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                try:
                    # A record holds at most 16 KiB: a larger size only costs a buffer.
                    return self._tls.read(min(max_bytes, SMALL_READ))
                except ssl.SSLWantReadError:
                    await self._flush(_remaining(deadline))
                    await self._fill(_remaining(deadline))
        except ReadTimeout:
            await self.aclose()
            raise ReadTimeout(f"timed out reading from {self._where} after {timeout} s") from None
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            # A close_notify, or an EOF without one: like SSLSocket's suppress_ragged_eofs,
            # EOF is b"" and HTTP framing decides whether the body was complete.
            return b""
        except ssl.SSLError as exc:
            await self.aclose()
            raise ReadError(f"reading from {self._where} failed: {exc.reason or exc}") from exc
        except BaseException:
            await self.aclose()
            raise

    async def write(self, data: bytes, timeout: float | None = None) -> None:
        """Encrypt and send all of `data`."""
        if self._closed:
            raise WriteError(f"cannot write to {self._where}: the connection is closed")
        deadline = None if timeout is None else time.monotonic() + timeout
        view = memoryview(data)
        try:
            while True:
                chunk, view = view[:_WRITE_CHUNK], view[_WRITE_CHUNK:]
                self._tls.write(chunk)
                await self._flush(_remaining(deadline))
                if not view:
                    return
        except WriteTimeout:
            await self.aclose()
            raise WriteTimeout(f"timed out writing to {self._where} after {timeout} s") from None
        except ssl.SSLError as exc:
            await self.aclose()
            raise WriteError(f"writing to {self._where} failed: {exc.reason or exc}") from exc
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Close the inner stream (no close_notify: a pooled connection closes abruptly)."""
        if not self._closed:
            self._closed = True
            await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncTLSStream:
        """TLS inside this TLS session (to an origin through an HTTPS proxy)."""
        if self._closed:
            raise ConnectError(f"cannot start TLS with {self._where}: the connection is closed")
        return await AsyncTLSStream.handshake(
            self, ssl_context, server_hostname, timeout, self._where
        )

    async def wait_readable(self, timeout: float | None) -> bool:
        """Wait until data or EOF can be read; False if `timeout` passed first."""
        if self._closed or self._tls.pending() > 0 or self._incoming.pending:
            return True
        return await self._inner.wait_readable(timeout)

    def get_extra_info(self, name: str) -> Any:
        """``ssl_object`` is this session's; ``is_readable`` counts decrypted bytes too."""
        if name == "ssl_object":
            return self._tls
        if name == "is_readable":
            return self._closed or self._tls.pending() > 0 or self._inner.get_extra_info(name)
        return self._inner.get_extra_info(name)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<{type(self).__name__} {self._where} [{state}]>"
