"""hypercorn in a background thread (asyncio), on a loopback port the kernel picks.

hypercorn is the TLS server that also speaks HTTP/2 (ALPN ``h2``), so the same
fixture serves the HTTP/1.1 transport now and the HTTP/2 one later. The listening
socket is bound here and its descriptor handed over (``fd://``): hypercorn then owns
and closes it. `stop()` triggers hypercorn's graceful shutdown and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from types import TracebackType
from typing import cast

from hypercorn.asyncio import serve
from hypercorn.config import Config
from hypercorn.typing import Framework

from tests._servers._base import LOOPBACK_V4, Address, bind_listener
from tests._servers.apps import ASGIApp, Message, Receive, Scope, Send, app
from tests._servers.tls import TLSFiles

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


class HypercornServer:
    """Serve an ASGI app over TLS (HTTP/1.1 and, with `http2`, HTTP/2) or plain HTTP/1.1."""

    def __init__(
        self,
        asgi_app: ASGIApp = app,
        *,
        host: str = LOOPBACK_V4,
        tls: TLSFiles | None = None,
        http2: bool = True,
        require_client_cert: bool = False,
    ) -> None:
        listener = bind_listener(host)
        port: int = listener.getsockname()[1]
        self.address = Address("https" if tls else "http", host, port)
        config = Config()
        config.bind = [f"fd://{listener.detach()}"]
        config.graceful_timeout = 1.0
        config.accesslog = None
        config.errorlog = None
        if tls is not None:
            config.certfile = str(tls.server_cert)
            config.keyfile = str(tls.server_key)
            config.alpn_protocols = ["h2", "http/1.1"] if http2 else ["http/1.1"]
            if require_client_cert:
                config.ca_certs = str(tls.ca_pem)
                config.verify_mode = ssl.VerifyMode.CERT_REQUIRED
        self._config = config
        self._app = asgi_app
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"hypercorn {self.address.netloc}")

    async def _app_signalling_ready(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_and_signal(message: Message) -> None:
            await send(message)
            if message["type"] == "lifespan.startup.complete":
                self._ready.set()

        await self._app(scope, receive, send_and_signal)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._shutdown = asyncio.Event()
        # hypercorn loads the certificates only after the app's startup, which is what
        # signals readiness: load them once first, so that a bad file fails start().
        if self._config.ssl_enabled:
            self._config.create_ssl_context()
        await serve(
            cast(Framework, self._app_signalling_ready),
            self._config,
            shutdown_trigger=self._shutdown.wait,
        )

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start() or stop(), not lost in a thread
            self._error = exc
        finally:
            self._ready.set()

    @property
    def port(self) -> int:
        """The bound port."""
        return self.address.port

    def url(self, path: str = "/") -> str:
        """An absolute URL for `path` on this server."""
        return self.address.url(path)

    def start(self) -> HypercornServer:
        """Run the server; the socket already listens, so connections queue until it serves."""
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._error is not None:
            self.stop()
            raise RuntimeError(f"hypercorn did not start on {self.address.netloc}")
        return self

    def stop(self) -> None:
        """Shut down gracefully, close every connection and join the thread."""
        loop, shutdown = self._loop, self._shutdown
        if loop is not None and shutdown is not None and not loop.is_closed():
            # RuntimeError: the loop closed in between, so the server is already down.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(shutdown.set)
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError(f"hypercorn on {self.address.netloc} did not stop in time")
        if self._error is not None:
            raise RuntimeError(f"hypercorn on {self.address.netloc} failed") from self._error

    def __enter__(self) -> HypercornServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
