"""uvicorn in a background thread, on a loopback port the kernel picks.

The listening socket is bound here (port 0) and handed to uvicorn, so the port is known
before the server runs and nothing races for it. `stop()` asks uvicorn to exit, which
closes idle keep-alive connections and the listening socket, and joins the thread.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from types import TracebackType

import uvicorn

from tests._servers._base import LOOPBACK_V4, Address, bind_listener
from tests._servers.apps import ASGIApp, app

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


class UvicornServer:
    """Serve an ASGI app (by default `apps.app`) over HTTP/1.1 with uvicorn's h11 protocol."""

    def __init__(
        self,
        asgi_app: ASGIApp = app,
        *,
        host: str = LOOPBACK_V4,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._listener = bind_listener(host)
        port: int = self._listener.getsockname()[1]
        self.address = Address("https" if ssl_context else "http", host, port)
        factory: Callable[[uvicorn.Config, Callable[[], ssl.SSLContext]], ssl.SSLContext] | None
        factory = None if ssl_context is None else (lambda _config, _default: ssl_context)
        config = uvicorn.Config(
            asgi_app,
            http="h11",
            ws="none",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            # Any non-empty path turns TLS on; the factory supplies the real context.
            ssl_certfile="(from ssl_context_factory)" if ssl_context else None,
            ssl_context_factory=factory,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"uvicorn {self.address.netloc}")
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._listener])
        except BaseException as exc:  # reported by start() or stop(), not lost in a thread
            self._error = exc

    @property
    def port(self) -> int:
        """The bound port."""
        return self.address.port

    def url(self, path: str = "/") -> str:
        """An absolute URL for `path` on this server."""
        return self.address.url(path)

    def start(self) -> UvicornServer:
        """Run the server and wait until it accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        if not self._server.started:
            self._server.should_exit = True
            self._thread.join(STOP_TIMEOUT)
            self._listener.close()
            raise RuntimeError(f"uvicorn did not start on {self.address.netloc}") from self._error
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join the thread."""
        self._server.should_exit = True
        self._thread.join(STOP_TIMEOUT)
        self._listener.close()
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(STOP_TIMEOUT)
            raise RuntimeError(f"uvicorn on {self.address.netloc} did not stop in time")
        if self._error is not None:
            raise RuntimeError(f"uvicorn on {self.address.netloc} failed") from self._error

    def __enter__(self) -> UvicornServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
