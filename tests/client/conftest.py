"""Fixtures of every client test: an environment without the machine's proxies."""

from __future__ import annotations

import pytest

# httpx's clean_environ idea: the machine's proxies and CA settings must not leak in
# (a client without transport= reads them, and would send a test's requests elsewhere).
ENVIRONMENT_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "SSLKEYLOGFILE",
)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove proxy and TLS variables for the duration of each test."""
    for name in ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
