"""TLS contexts (cached per configuration) and TLS over every backend, with trustme certificates."""

from __future__ import annotations

import inspect
import os
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

import tether
from tether._network import tls
from tether._network.tls import clear_cache, create_ssl_context, ssl_context_for

from ._backend_kit import MODES, Net, Stream, echo, idle, serve


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="module")
def client_cert(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("client") / "client.pem"
    ca.issue_cert("client@example.test").private_key_and_cert_chain_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE"):
        monkeypatch.delenv(name, raising=False)
    clear_cache()
    yield
    clear_cache()


def server_context(
    ca: trustme.CA, *, alpn: bool = False, require_client_cert: bool = False
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    if alpn:
        context.set_alpn_protocols(["h2", "http/1.1"])
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        ca.configure_trust(context)
    return context


def trusting(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


# -- contexts ----------------------------------------------------------------------------


def test_contexts_are_cached_per_configuration(ca_file: str) -> None:
    default = ssl_context_for()
    assert ssl_context_for(True, None, True, False) is default
    assert ssl_context_for(http2=True) is not default
    assert ssl_context_for(verify=ca_file) is ssl_context_for(verify=ca_file)
    assert ssl_context_for(verify=ca_file) is not default
    assert default.verify_mode == ssl.CERT_REQUIRED
    assert default.check_hostname is True
    assert default.minimum_version == ssl.TLSVersion.TLSv1_2
    unverified = ssl_context_for(verify=False)
    assert unverified.verify_mode == ssl.CERT_NONE
    assert unverified.check_hostname is False
    assert unverified.minimum_version == ssl.TLSVersion.TLSv1_2


def test_a_cached_context_is_fast(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    ssl_context_for()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(100):
        ssl_context_for()
    warm = (time.perf_counter() - started) / 100
    assert warm * 20 < cold
    with capsys.disabled():
        print(f"\nssl_context_for: cold {cold * 1e3:.1f} ms, cached {warm * 1e6:.1f} us")


def test_a_changed_file_is_a_new_configuration(ca_file: str, tmp_path: Path) -> None:
    path = tmp_path / "ca.pem"
    path.write_bytes(Path(ca_file).read_bytes())
    first = ssl_context_for(verify=str(path))
    path.write_bytes(Path(ca_file).read_bytes() + b"\n")
    assert ssl_context_for(verify=str(path)) is not first


def test_the_cache_is_bounded(
    ca_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tls, "CACHE_SIZE", 2)
    first = ssl_context_for(verify=False)
    ssl_context_for(verify=False, http2=True)
    ssl_context_for(verify=ca_file)
    assert ssl_context_for(verify=False) is not first


def test_missing_files_are_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(
        FileNotFoundError, match=r"verify: no such file or directory: '.*nope\.pem'"
    ):
        ssl_context_for(verify=missing)
    with pytest.raises(FileNotFoundError, match=r"cert: no such file"):
        ssl_context_for(cert=missing)
    os.environ["SSL_CERT_FILE"] = missing
    with pytest.raises(FileNotFoundError, match=r"nope\.pem"):
        create_ssl_context()


def test_a_callers_context_is_used_as_is(ca_file: str) -> None:
    mine = trusting(ca_file)
    assert ssl_context_for(mine, http2=True) is mine
    with pytest.raises(ValueError, match="never modifies your context"):
        ssl_context_for(mine, cert="client.pem")


def test_ca_directories(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", ca_file],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (tmp_path / f"{subject_hash}.0").write_bytes(Path(ca_file).read_bytes())
    by_dir = ssl_context_for(verify=str(tmp_path))
    assert by_dir.verify_mode == ssl.CERT_REQUIRED
    os.environ["SSL_CERT_DIR"] = str(tmp_path)
    assert ssl_context_for() is by_dir  # the same trust, the same context
    assert ssl_context_for(trust_env=False) is not by_dir
    with serve(echo, tls=server_context(ca)) as server:
        raw = socket.create_connection(("127.0.0.1", server.port))
        with by_dir.wrap_socket(raw, server_hostname="localhost") as sock:
            assert sock.version() is not None


def test_create_ssl_context_is_httpxs() -> None:
    assert inspect.signature(create_ssl_context) == inspect.signature(httpx.create_ssl_context)
    first, second = create_ssl_context(), create_ssl_context()
    assert first is not second  # the caller may change it
    assert first.verify_mode == ssl.CERT_REQUIRED
    assert create_ssl_context(verify=False).verify_mode == ssl.CERT_NONE


def test_create_ssl_context_deprecations(ca_file: str, client_cert: str) -> None:
    with pytest.warns(DeprecationWarning, match=r"verify=<path> is deprecated since httpx 0\.28"):
        create_ssl_context(verify=ca_file)
    mine = trusting(ca_file)
    with pytest.warns(DeprecationWarning, match=r"cert= is deprecated since httpx 0\.28"):
        assert create_ssl_context(verify=mine, cert=(client_cert, client_cert)) is mine


# -- TLS over each backend --------------------------------------------------------------


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode == "trio" else "asyncio"


@pytest.mark.anyio
async def test_verified_round_trip_with_sni_and_alpn(
    mode: str, ca: trustme.CA, ca_file: str
) -> None:
    seen: list[str | None] = []
    context = server_context(ca, alpn=True)
    context.sni_callback = lambda sock, name, ctx: seen.append(name)
    os.environ["SSL_CERT_FILE"] = ca_file
    with serve(echo, tls=context) as server:
        net = Net(mode)
        for http2, protocol in ((False, "http/1.1"), (True, "h2")):
            stream = await net.connect_tcp("127.0.0.1", server.port)
            stream = await stream.start_tls(ssl_context_for(http2=http2), "localhost")
            ssl_object = stream.info("ssl_object")
            assert ssl_object.selected_alpn_protocol() == protocol
            assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")
            assert stream.info("server_addr")[1] == server.port
            await stream.write(b"secret" * 30000)
            received = b""
            while len(received) < 180000:
                received += await stream.read()
            assert received == b"secret" * 30000
            # TLS 1.3 session tickets were read with the data: nothing is waiting now.
            assert stream.info("is_readable") is False
            assert await stream.wait_readable(0.02) is False
            await stream.write(b"again")
            assert await stream.wait_readable(5) is True
            assert await stream.read() == b"again"
            await stream.close()
            await stream.close()
            with pytest.raises(tether.ReadError, match="closed"):
                await stream.read()
            with pytest.raises(tether.WriteError, match="closed"):
                await stream.write(b"x")
    assert seen == ["localhost", "localhost"]  # SNI names the host, not the address


@pytest.mark.anyio
async def test_unknown_ca_fails_with_the_reason(mode: str, ca: trustme.CA) -> None:
    with serve(echo, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        with pytest.raises(tether.ConnectError) as caught:
            await stream.start_tls(ssl_context_for(trust_env=False), "localhost")
    message = str(caught.value)
    assert f"TLS handshake with localhost (at 127.0.0.1:{server.port}) failed" in message
    assert "certificate verify failed: unable to get local issuer certificate" in message


@pytest.mark.anyio
async def test_wrong_hostname_fails_with_the_reason(
    mode: str, ca: trustme.CA, ca_file: str
) -> None:
    with serve(echo, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        with pytest.raises(tether.ConnectError, match=r"wrong\.example.*Hostname mismatch"):
            await stream.start_tls(trusting(ca_file), "wrong.example")


@pytest.mark.anyio
async def test_unverified_context_accepts_any_certificate(mode: str, ca: trustme.CA) -> None:
    with serve(echo, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        stream = await stream.start_tls(ssl_context_for(verify=False), "wrong.example")
        await stream.write(b"ok")
        assert await stream.read() == b"ok"
        await stream.close()


async def handshake_and_read(stream: Stream, context: ssl.SSLContext) -> bytes:
    stream = await stream.start_tls(context, "localhost")
    return await stream.read()


@pytest.mark.anyio
async def test_client_certificates(
    mode: str, ca: trustme.CA, ca_file: str, client_cert: str
) -> None:
    peers: list[object] = []

    def who(conn: socket.socket) -> None:
        assert isinstance(conn, ssl.SSLSocket)
        peers.append(conn.getpeercert())
        conn.sendall(b"hi")

    with serve(who, tls=server_context(ca, require_client_cert=True)) as server:
        net = Net(mode)
        stream = await net.connect_tcp("127.0.0.1", server.port)
        stream = await stream.start_tls(ssl_context_for(ca_file, cert=client_cert), "localhost")
        assert await stream.read() == b"hi"
        await stream.close()
        # Without a certificate the server refuses (during or right after the handshake).
        stream = await net.connect_tcp("127.0.0.1", server.port)
        with pytest.raises((tether.ConnectError, tether.ReadError)):
            await handshake_and_read(stream, ssl_context_for(ca_file))
    assert "client@example.test" in str(peers[0])


@pytest.mark.anyio
async def test_handshake_timeout(mode: str, ca_file: str) -> None:
    with serve(idle) as server:  # accepts, never answers the ClientHello
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        with pytest.raises(
            tether.ConnectTimeout, match=r"TLS handshake with localhost .* after 0\.05 s"
        ):
            await stream.start_tls(trusting(ca_file), "localhost", timeout=0.05)


@pytest.mark.anyio
async def test_handshake_with_a_peer_that_hangs_up(mode: str, ca_file: str) -> None:
    def hang_up(conn: socket.socket) -> None:
        conn.recv(10)

    with serve(hang_up) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        with pytest.raises(tether.ConnectError, match=r"TLS handshake with localhost"):
            await stream.start_tls(trusting(ca_file), "localhost")


@pytest.mark.anyio
async def test_keylog_file(mode: str, ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    keylog = tmp_path / "keys.log"
    os.environ["SSLKEYLOGFILE"] = str(keylog)
    with serve(echo, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        stream = await stream.start_tls(ssl_context_for(ca_file), "localhost")
        await stream.close()
    assert "CLIENT_" in keylog.read_text()
    assert ssl_context_for(ca_file, trust_env=False) is not ssl_context_for(ca_file)


@pytest.mark.anyio
async def test_truststore_context_passes_through(mode: str, ca: trustme.CA) -> None:
    import truststore

    system = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    assert ssl_context_for(system) is system
    with serve(echo, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        # The trustme CA is not in the system store, so verification fails, cleanly.
        with pytest.raises(tether.ConnectError, match="certificate verify failed"):
            await stream.start_tls(system, "localhost")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio", "trio"])
async def test_tls_inside_tls(mode: str, ca: trustme.CA, ca_file: str) -> None:
    """An HTTPS proxy's tunnel: TLS to the origin inside TLS to the proxy."""

    def double(conn: socket.socket) -> None:
        inner = server_context(ca)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls_object = inner.wrap_bio(incoming, outgoing, server_side=True)

        def pump() -> None:
            if outgoing.pending:
                conn.sendall(outgoing.read())

        while True:
            try:
                tls_object.do_handshake()
                break
            except ssl.SSLWantReadError:
                pump()
                incoming.write(conn.recv(65536))
        pump()
        while True:
            try:
                data = tls_object.read(65536)
            except ssl.SSLWantReadError:
                pump()
                chunk = conn.recv(65536)
                if not chunk:
                    return
                incoming.write(chunk)
                continue
            except ssl.SSLZeroReturnError:
                return
            tls_object.write(data)
            pump()

    with serve(double, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        proxy = await stream.start_tls(trusting(ca_file), "localhost")
        origin = await proxy.start_tls(trusting(ca_file), "localhost")
        assert origin.info("ssl_object") is not proxy.info("ssl_object")
        assert origin.info("server_addr")[1] == server.port
        await origin.write(b"tunnelled")
        assert await origin.read() == b"tunnelled"
        await origin.close()
        with pytest.raises(tether.ConnectError, match="closed"):
            await origin.start_tls(trusting(ca_file), "localhost")


@pytest.mark.anyio
async def test_tls_to_a_plain_http_server(mode: str, ca_file: str) -> None:
    def plain_http(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        time.sleep(0.2)

    with serve(plain_http) as server:
        stream = await Net(mode).connect_tcp("localhost", server.port)
        with pytest.raises(
            tether.ConnectError, match=rf"TLS handshake with localhost:{server.port}"
        ):
            await stream.start_tls(trusting(ca_file), "localhost")


@pytest.mark.anyio
async def test_bad_server_hostname(mode: str, ca_file: str) -> None:
    with serve(idle) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        with pytest.raises(tether.ConnectError, match=r"TLS handshake with .* failed"):
            await stream.start_tls(trusting(ca_file), ".bad")


@pytest.mark.anyio
async def test_tls_read_timeout_and_write_errors(mode: str, ca: trustme.CA, ca_file: str) -> None:
    def reset(conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with serve(idle, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        stream = await stream.start_tls(trusting(ca_file), "localhost")
        assert "open" in repr(stream.raw)
        with pytest.raises(tether.ReadTimeout, match=r"after 0\.05 s"):
            await stream.read(timeout=0.05)
        assert "closed" in repr(stream.raw)
    with serve(reset, tls=server_context(ca)) as server:
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        stream = await stream.start_tls(trusting(ca_file), "localhost")
        time.sleep(0.05)  # the server resets the connection right after the handshake
        with pytest.raises((tether.WriteError, tether.ReadError)):
            await write_and_read_until_it_fails(stream)


async def write_and_read_until_it_fails(stream: Stream) -> None:
    for _ in range(200):
        await stream.write(b"x" * 65536, timeout=2)
        if not await stream.read(timeout=2):
            await stream.write(b"x", timeout=2)
        time.sleep(0.001)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio"])
async def test_cancelled_handshake_closes_the_socket(mode: str, ca_file: str) -> None:
    import asyncio

    from ._backend_kit import open_fds, wait_for_fds

    with serve(idle) as server:
        before = open_fds()
        stream = await Net(mode).connect_tcp("127.0.0.1", server.port)
        task = asyncio.ensure_future(stream.start_tls(trusting(ca_file), "localhost", None))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert wait_for_fds(before) == before
