"""A throwaway certificate authority for loopback TLS (trustme), and contexts built on it.

One CA per test session signs a server certificate valid for ``localhost``,
``127.0.0.1`` and ``::1``, and a client certificate for mutual TLS. Every PEM is
written once to a directory, since servers (uvicorn, hypercorn, nginx) and
`ssl.SSLContext.load_verify_locations` take paths.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

SERVER_NAMES = ("localhost", "127.0.0.1", "::1")
CLIENT_NAME = "client.tether.test"


@dataclass(frozen=True)
class TLSFiles:
    """The PEM files of one CA, its server certificate and its client certificate."""

    ca_pem: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    def client_context(self, *, with_client_cert: bool = False) -> ssl.SSLContext:
        """A client context that trusts only this CA, optionally presenting the client cert."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_pem))
        if with_client_cert:
            context.load_cert_chain(str(self.client_cert), str(self.client_key))
        return context

    def server_context(self, *, require_client_cert: bool = False) -> ssl.SSLContext:
        """A server context for the raw server; with `require_client_cert`, mutual TLS."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.server_cert), str(self.server_key))
        if require_client_cert:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=str(self.ca_pem))
        return context


def make_tls_files(directory: Path) -> TLSFiles:
    """Create a CA, a server and a client certificate, and write their PEMs in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="tether test CA")
    server = ca.issue_cert(*SERVER_NAMES)
    client = ca.issue_cert(CLIENT_NAME)
    files = TLSFiles(
        ca_pem=directory / "ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
    )
    ca.cert_pem.write_to_path(str(files.ca_pem))
    # The chain: the leaf first, then any intermediates (trustme issues none by default).
    server.cert_chain_pems[0].write_to_path(str(files.server_cert))
    for pem in server.cert_chain_pems[1:]:
        pem.write_to_path(str(files.server_cert), append=True)
    server.private_key_pem.write_to_path(str(files.server_key))
    client.cert_chain_pems[0].write_to_path(str(files.client_cert))
    client.private_key_pem.write_to_path(str(files.client_key))
    return files
