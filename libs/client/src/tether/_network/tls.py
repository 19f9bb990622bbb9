"""TLS contexts: one per distinct configuration, built once, cached, never modified.

Building a context means parsing a CA bundle (tens of milliseconds for certifi's), so
the transport asks `ssl_context_for`, which builds each configuration once. The key
holds everything that changes the context: ``verify`` (True, False, a CA file or
directory path), ``cert``, the ``http2`` flag (ALPN), and, when ``trust_env``, the
values of ``SSL_CERT_FILE``, ``SSL_CERT_DIR`` and ``SSLKEYLOGFILE``. Files are keyed
with their modification time and size, so a rotated CA bundle or client certificate
is picked up by the next client.

Invariants:

- A cached context is only ever used to wrap sockets; nothing mutates it after it is
  built, so sharing it between clients and threads is safe.
- A caller's own ``ssl.SSLContext`` is used as given: never modified and never copied
  (a copy would silently lose its client certificate and ``capath`` trust). For
  HTTP/2 the caller sets ALPN on it (``ctx.set_alpn_protocols(["h2", "http/1.1"])``);
  without ALPN the server speaks HTTP/1.1. ``cert=`` with such a context is refused
  (load the chain into your context instead).
- `create_ssl_context` is httpx's public function: it returns a new context each call,
  since the caller may change it.

The system trust store: pass ``verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)``
(the optional ``truststore`` package); it is a caller's context like any other, so it
needs no spelling of its own.
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any

from .._deprecation import warn_deprecated
from .._types import CertTypes

# The oldest protocol version accepted: TLS 1.0 and 1.1 are deprecated by RFC 8996.
MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2
# ALPN identifiers (RFC 7301; "h2" is RFC 9113 section 3.2, "http/1.1" RFC 9112).
ALPN_HTTP11 = ["http/1.1"]
ALPN_HTTP2 = ["h2", "http/1.1"]
# Distinct configurations kept; a process rarely has more than a few.
CACHE_SIZE = 32

_cache: dict[tuple[Any, ...], ssl.SSLContext] = {}
_lock = threading.Lock()


def _certifi_where() -> str:
    import certifi  # imported when the first verifying context is built, not before

    return str(certifi.where())


def _stat_key(option: str, path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{option}: no such file or directory: {path!r}") from None
    return (path, st.st_mtime_ns, st.st_size)


def _trust(verify: str | bool, trust_env: bool) -> tuple[str, str] | None:
    """Where the CA certificates come from: ("cafile"|"capath", path), None if unverified."""
    if verify is False:
        return None
    if isinstance(verify, str):
        return ("capath" if os.path.isdir(verify) else "cafile", verify)
    if trust_env:
        if os.environ.get("SSL_CERT_FILE"):
            return ("cafile", os.environ["SSL_CERT_FILE"])
        if os.environ.get("SSL_CERT_DIR"):
            return ("capath", os.environ["SSL_CERT_DIR"])
    return ("cafile", _certifi_where())


def _cert_files(cert: CertTypes | None) -> tuple[str, str | None, str | None] | None:
    if cert is None:
        return None
    if isinstance(cert, str):
        return (cert, None, None)
    if len(cert) == 2:
        return (cert[0], cert[1], None)
    return (cert[0], cert[1], cert[2])


def _build(
    trust: tuple[str, str] | None,
    cert: tuple[str, str | None, str | None] | None,
    keylog: str | None,
    alpn: list[str] | None,
) -> ssl.SSLContext:
    """A new client context: verified against `trust` (unverified if None)."""
    if trust is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        kind, path = trust
        _stat_key(f"{kind} {'directory' if kind == 'capath' else 'file'}", path)
        # create_default_context: hostname checking, CERT_REQUIRED, and the verify
        # flags of the running Python (VERIFY_X509_STRICT on 3.13).
        if kind == "capath":
            context = ssl.create_default_context(capath=path)
        else:
            context = ssl.create_default_context(cafile=path)
    context.minimum_version = MINIMUM_VERSION
    if cert is not None:
        certfile, keyfile, password = cert
        context.load_cert_chain(certfile, keyfile, password)
    if keylog:
        context.keylog_filename = keylog
    if alpn is not None:
        context.set_alpn_protocols(alpn)
    return context


def ssl_context_for(
    verify: ssl.SSLContext | str | bool = True,
    cert: CertTypes | None = None,
    trust_env: bool = True,
    http2: bool = False,
) -> ssl.SSLContext:
    """The shared context of this configuration, built on first use (see module doc)."""
    if isinstance(verify, ssl.SSLContext):
        if cert is not None:
            raise ValueError(
                "cert= cannot be combined with verify=<ssl.SSLContext>: tether never modifies "
                "your context; call its load_cert_chain() instead"
            )
        return verify
    trust = _trust(verify, trust_env)
    files = _cert_files(cert)
    keylog = (os.environ.get("SSLKEYLOGFILE") or None) if trust_env else None
    key = (
        None if trust is None else (trust[0], *_stat_key("verify", trust[1])),
        None if files is None else (*_stat_key("cert", files[0]), files[1:]),
        keylog,
        http2,
    )
    context = _cache.get(key)
    if context is not None:
        return context
    with _lock:
        context = _cache.get(key)
        if context is None:
            context = _build(trust, files, keylog, ALPN_HTTP2 if http2 else ALPN_HTTP11)
            if len(_cache) >= CACHE_SIZE:
                del _cache[next(iter(_cache))]
            _cache[key] = context
    return context


def clear_cache() -> None:
    """Forget every cached context (tests; or to drop contexts of stale configurations)."""
    with _lock:
        _cache.clear()


def create_ssl_context(
    verify: ssl.SSLContext | str | bool = True,
    cert: CertTypes | None = None,
    trust_env: bool = True,
) -> ssl.SSLContext:
    """A new SSL context, as httpx's ``create_ssl_context`` builds it.

    ``verify=<path>`` and ``cert=`` are deprecated (httpx 0.28) and warn. With
    ``verify=<ssl.SSLContext>`` the context itself is returned, with ``cert`` loaded
    into it, as httpx does.
    """
    if isinstance(verify, str):
        warn_deprecated(
            "verify=<path>",
            since="httpx 0.28",
            instead="verify=ssl.create_default_context(cafile=...) (or capath=...)",
        )
    if cert is not None:
        warn_deprecated(
            "cert=",
            since="httpx 0.28",
            instead="verify=<ssl.SSLContext> with .load_cert_chain()",
        )
    files = _cert_files(cert)
    if isinstance(verify, ssl.SSLContext):
        if files is not None:
            verify.load_cert_chain(*files)
        return verify
    keylog = (os.environ.get("SSLKEYLOGFILE") or None) if trust_env else None
    return _build(_trust(verify, trust_env), files, keylog, None)
