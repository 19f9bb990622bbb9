"""The proxy plan and handshake dialogs alone, without sockets."""

from __future__ import annotations

import ssl

import pytest

import tether
from tether import ProxyError
from tether._network.proxy_plan import ProxyPlan, Socks5Dialog, TunnelDialog, needs_resolving

CONTEXT = ssl.create_default_context()


def plan(url: str, **options: object) -> ProxyPlan:
    return ProxyPlan(tether.Proxy(url, **options), CONTEXT)  # type: ignore[arg-type]


def test_routes_forward_http_and_tunnel_the_rest() -> None:
    http = plan("http://user:pw@proxy.test:3128", headers={"X-Via": "t"})
    request = tether.Request("GET", "http://user:x@origin.test:8000/p?q=1#frag")
    key, target, headers = http.route(request)
    assert key == ("http", "proxy.test", 3128)
    assert target == b"http://origin.test:8000/p?q=1"
    names = [name.lower() for name, _ in headers]
    assert names[:2] == [b"proxy-authorization", b"x-via"]
    assert (b"Proxy-Authorization", b"Basic dXNlcjpwdw==") in headers
    key, target, headers = http.route(tether.Request("GET", "https://origin.test/p"))
    assert (key, target) == (("https", "origin.test", 443), b"/p")
    assert not any(name.lower() == b"proxy-authorization" for name, _ in headers)
    socks = plan("socks5://proxy.test")
    assert socks.port == 1080
    assert socks.route(request)[0] == ("http", "origin.test", 8000)
    assert needs_resolving(socks, "origin.test")
    assert not needs_resolving(socks, "::1")
    assert not needs_resolving(plan("socks5h://proxy.test"), "origin.test")
    assert plan("https://proxy.test").port == 443


def test_request_headers_win_over_proxy_headers() -> None:
    http = plan("http://proxy.test", headers={"User-Agent": "proxy-ua", "X-Only": "1"})
    request = tether.Request("GET", "http://origin.test/", headers={"User-Agent": "mine"})
    _, _, headers = http.route(request)
    assert [value for name, value in headers if name.lower() == b"user-agent"] == [b"mine"]
    assert (b"X-Only", b"1") in headers


def test_tunnel_dialog() -> None:
    dialog = TunnelDialog("::1", 443, [(b"X-A", b"1")], "http://proxy.test:3128")
    sent = dialog.start()
    assert sent.startswith(b"CONNECT [::1]:443 HTTP/1.1\r\n")
    assert b"Host: [::1]:443\r\n" in sent
    assert b"X-A: 1\r\n" in sent
    assert dialog.receive(b"HTTP/1.1 200 OK\r\n") == b""
    assert not dialog.done
    dialog.receive(b"\r\n")
    assert dialog.done


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        ([b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"], "refused CONNECT.*407"),
        ([b"HTTP/1.1 200 OK\r\n\r\nearly"], "sent data before the tunnel"),
        ([b"nonsense\r\n\r\n"], "malformed response"),
        ([b"HTTP/1.1 200 OK\r\n", b""], "closed the connection"),
    ],
)
def test_tunnel_dialog_refusals(replies: list[bytes], message: str) -> None:
    dialog = TunnelDialog("origin.test", 443, [], "http://proxy.test:3128")
    dialog.start()
    for reply in replies[:-1]:
        assert dialog.receive(reply) == b""
    with pytest.raises(ProxyError, match=message):
        dialog.receive(replies[-1])


def test_socks5_dialog_reads_replies_in_pieces() -> None:
    dialog = Socks5Dialog("origin.test", 80, (b"user", b"pw"), "socks5://proxy.test:1080")
    assert dialog.start() == b"\x05\x01\x02"
    assert dialog.receive(b"\x05") == b""
    assert dialog.receive(b"\x02") == b"\x01\x04user\x02pw"
    command = dialog.receive(b"\x01\x00")
    assert command == b"\x05\x01\x00\x03\x0borigin.test\x00\x50"
    reply = b"\x05\x00\x00\x03\x04host\x00\x50"
    for byte in reply[:-1]:
        assert dialog.receive(bytes([byte])) == b""
        assert not dialog.done
    dialog.receive(reply[-1:])
    assert dialog.done


@pytest.mark.parametrize(
    ("auth", "replies", "message"),
    [
        (None, [b"\x05\xff"], "refused the authentication offered"),
        (None, [b"\x04\x00"], "malformed reply.*version 4"),
        (None, [b"\x05\x00\x00"], "sent more than its reply"),
        (None, [b""], "closed the connection"),
        ((b"u", b"p"), [b"\x05\x02", b"\x01\x01"], "rejected the username and password"),
        (None, [b"\x05\x00", b"\x05\x05\x00\x01" + bytes(6)], "connection refused"),
    ],
)
def test_socks5_dialog_refusals(
    auth: tuple[bytes, bytes] | None, replies: list[bytes], message: str
) -> None:
    dialog = Socks5Dialog("10.0.0.1", 80, auth, "socks5://proxy.test:1080")
    dialog.start()
    for reply in replies[:-1]:
        dialog.receive(reply)
    with pytest.raises(ProxyError, match=message):
        dialog.receive(replies[-1])


def test_socks5_credentials_must_fit_rfc_1929() -> None:
    with pytest.raises(ValueError, match=r"socks5://proxy\.test: .*1 to 255 bytes") as info:
        plan("socks5://proxy.test", auth=("user", "p" * 256))
    assert "ppp" not in str(info.value)
    with pytest.raises(ValueError, match="RFC 1929"):
        plan("socks5h://proxy.test", auth=("", "pw"))
    assert plan("socks5://proxy.test", auth=("u" * 255, "p")).auth == (b"u" * 255, b"p")
