"""Happy Eyeballs (RFC 8305): the sans-I/O plan, then the race run by every backend."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tether
from tether._network.eyeballs import (
    Address,
    ConnectPlan,
    HostOverrides,
    check_delay,
    from_getaddrinfo,
    from_pairs,
    interleave,
    literal_address,
)

from ._backend_kit import (
    MODES,
    Net,
    closed_port,
    echo,
    hanging_listener,
    open_fds,
    serve,
    wait_for_fds,
)

V4 = socket.AF_INET
V6 = socket.AF_INET6


def v4(n: int) -> Address:
    return Address(V4, (f"10.0.0.{n}", 80))


def v6(n: int) -> Address:
    return Address(V6, (f"fd00::{n}", 80, 0, 0))


# -- ordering (RFC 8305 section 4) ------------------------------------------------------


def test_interleave_starts_with_the_first_family() -> None:
    assert interleave([v6(1), v6(2), v6(3), v4(1)]) == [v6(1), v4(1), v6(2), v6(3)]
    assert interleave([v4(1), v4(2), v6(1), v6(2)]) == [v4(1), v6(1), v4(2), v6(2)]
    assert interleave([v4(1)]) == [v4(1)]
    assert interleave([]) == []


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 250)), unique=True, max_size=12))
def test_interleave_properties(spec: list[tuple[bool, int]]) -> None:
    addresses = [v6(n) if six else v4(n) for six, n in spec]
    ordered = interleave(addresses)
    assert sorted(ordered) == sorted(addresses)
    if addresses:
        assert ordered[0] == addresses[0]
    for family in (V4, V6):  # each family keeps its resolved order
        assert [a for a in ordered if a.family == family] == [
            a for a in addresses if a.family == family
        ]
    # families alternate while both remain
    both = min(sum(a.family == V4 for a in addresses), sum(a.family == V6 for a in addresses))
    for i in range(1, 2 * both):
        assert ordered[i].family != ordered[i - 1].family


def test_addresses_print_like_urls() -> None:
    assert str(v4(1)) == "10.0.0.1:80"
    assert str(v6(1)) == "[fd00::1]:80"


def test_literal_addresses() -> None:
    assert literal_address("127.0.0.1", 5) == Address(V4, ("127.0.0.1", 5))
    assert literal_address("::1", 5) == Address(V6, ("::1", 5, 0, 0))
    assert literal_address("[::1]", 5) == Address(V6, ("::1", 5, 0, 0))
    assert literal_address("example.com", 5) is None
    assert literal_address("1:2:zz::", 5) is None
    scoped = literal_address("fe80::1%1", 5)
    assert scoped is not None
    assert scoped.family == V6
    assert scoped.sockaddr[3] == 1
    assert literal_address("fe80::1%no-such-interface", 5) is None


def test_getaddrinfo_results_are_deduplicated_in_order() -> None:
    infos = [
        (V6, socket.SOCK_STREAM, 6, "", ("::1", 80, 0, 0)),
        (V4, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80)),
        (V6, socket.SOCK_STREAM, 6, "", ("::1", 80, 0, 0)),
        (socket.AF_UNIX, socket.SOCK_STREAM, 0, "", ("/x", 0)),
    ]
    assert from_getaddrinfo(infos) == [
        Address(V6, ("::1", 80, 0, 0)),
        Address(V4, ("127.0.0.1", 80)),
    ]


def test_resolver_answers_are_checked() -> None:
    assert from_pairs([("127.0.0.1", 1)], "x:1") == [Address(V4, ("127.0.0.1", 1))]
    with pytest.raises(tether.ConnectError, match="resolver for x:1 returned 'x', not an IP"):
        from_pairs([("x", 1)], "x:1")
    with pytest.raises(tether.ConnectError, match="resolver for x:1 returned no address"):
        from_pairs([], "x:1")


def test_host_overrides() -> None:
    overrides = HostOverrides(
        {"Example.com:443": ["127.0.0.1", "::1"], "[::1]:*": "127.0.0.1"},
        fallback=lambda host, port: [("127.0.0.2", port)] if host == "other" else None,
    )
    assert overrides("EXAMPLE.com", 443) == [("127.0.0.1", 443), ("::1", 443)]
    assert overrides("::1", 8080) == [("127.0.0.1", 8080)]
    assert overrides("other", 1) == [("127.0.0.2", 1)]
    assert overrides("example.com", 80) is None
    assert repr(overrides) == "HostOverrides(2 entries)"
    with pytest.raises(ValueError, match=r"'example\.com' is not 'host:port'"):
        HostOverrides({"example.com": ["127.0.0.1"]})
    with pytest.raises(ValueError, match="'localhost' is not an IP address"):
        HostOverrides({"a:1": ["localhost"]})


def test_delay_floor() -> None:
    assert check_delay(0.25) == 0.25
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="RFC 8305"):
            check_delay(bad)


# -- scheduling (RFC 8305 section 5) ----------------------------------------------------


def test_plan_waits_the_delay_between_attempts() -> None:
    plan = ConnectPlan([v4(1), v6(1), v4(2)], delay=0.25)
    assert plan.next_start() == float("-inf")
    assert plan.start(10.0) == v4(1)
    assert plan.start(10.0) is None  # not due yet
    assert plan.next_start() == 10.25
    assert plan.wait_time(10.0, None) == 0.25
    assert plan.wait_time(10.0, 10.1) == pytest.approx(0.1)  # the deadline comes first
    assert plan.start(10.25) == v6(1)
    assert plan.pending == 2
    assert not plan.exhausted


def test_plan_starts_the_next_attempt_when_one_fails() -> None:
    plan = ConnectPlan([v4(1), v4(2)], delay=0.25)
    assert plan.start(0.0) == v4(1)
    plan.failed(v4(1), ConnectionRefusedError(111, "refused"))
    assert plan.start(0.01) == v4(2)
    assert plan.next_start() is None
    assert plan.wait_time(0.01, None) is None
    assert plan.wait_time(0.01, 3.0) == pytest.approx(2.99)
    plan.failed(v4(2), OSError("odd"))
    assert plan.exhausted
    error = plan.failure("example.com:80")
    assert str(error) == (
        "could not connect to example.com:80: 10.0.0.1:80: Connection refused; 10.0.0.2:80: odd"
    )


# -- the race, run by each backend, on loopback only ------------------------------------


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode == "trio" else "asyncio"


def resolve_to(*pairs: tuple[str, int]) -> object:
    def resolver(host: str, port: int) -> Sequence[tuple[str, int]]:
        return list(pairs)

    return resolver


@pytest.mark.anyio
async def test_a_refused_address_moves_on_at_once(mode: str) -> None:
    net = Net(mode, delay=2.0)
    refused = closed_port()
    with serve(echo) as server:
        started = time.monotonic()
        stream = await net.connect_tcp(
            "example.test",
            server.port,
            resolver=resolve_to(("127.0.0.1", refused), ("127.0.0.1", server.port)),
        )
        assert time.monotonic() - started < 1.0  # well before the 2 s delay
        assert stream.info("server_addr")[1] == server.port
        await stream.close()


@pytest.mark.anyio
async def test_a_hanging_address_is_raced_after_the_delay(mode: str) -> None:
    net = Net(mode, delay=0.1)
    with hanging_listener() as hanging, serve(echo) as server:
        before = open_fds()
        started = time.monotonic()
        stream = await net.connect_tcp(
            "example.test",
            server.port,
            timeout=5.0,
            resolver=resolve_to(("127.0.0.1", hanging), ("::1", 9), ("127.0.0.1", server.port)),
        )
        elapsed = time.monotonic() - started
        assert 0.09 <= elapsed < 2.5  # the third attempt waited for 2 delays, not for 5 s
        assert stream.info("server_addr")[1] == server.port
        await stream.write(b"won")
        assert await stream.read() == b"won"
        await stream.close()
        assert wait_for_fds(before) == before  # the losing attempts' sockets are closed


@pytest.mark.anyio
async def test_every_address_hangs_until_the_timeout(mode: str) -> None:
    net = Net(mode, delay=0.05)
    with hanging_listener() as hanging:
        before = open_fds()
        started = time.monotonic()
        with pytest.raises(tether.ConnectTimeout, match=r"example\.test:\d+ after 0\.3 s"):
            await net.connect_tcp(
                "example.test",
                hanging,
                timeout=0.3,
                resolver=resolve_to(("127.0.0.1", hanging), ("127.0.0.1", hanging)),
            )
        assert 0.25 < time.monotonic() - started < 2.5
        assert open_fds() <= before


@pytest.mark.anyio
async def test_every_address_refuses(mode: str) -> None:
    net = Net(mode)
    one, two = closed_port(), closed_port()
    with pytest.raises(tether.ConnectError) as caught:
        await net.connect_tcp(
            "example.test", 80, resolver=resolve_to(("127.0.0.1", one), ("::1", two))
        )
    message = str(caught.value)
    assert message.startswith("could not connect to example.test:80: ")
    assert f"127.0.0.1:{one}: Connection refused" in message
    assert f"[::1]:{two}: Connection refused" in message


@pytest.mark.anyio
async def test_host_overrides_skip_dns(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> object:
        raise AssertionError("DNS was asked")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    net = Net(mode)
    with serve(echo) as server:
        overrides = HostOverrides({f"api.example.test:{server.port}": ["127.0.0.1"]})
        stream = await net.connect_tcp("api.example.test", server.port, resolver=overrides)
        await stream.write(b"pinned")
        assert await stream.read() == b"pinned"
        await stream.close()


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["asyncio", "trio"])
async def test_async_resolvers(mode: str) -> None:
    net = Net(mode)
    with serve(echo) as server:

        async def resolver(host: str, port: int) -> list[tuple[str, int]]:
            return [("127.0.0.1", port)]

        stream = await net.connect_tcp("anything.test", server.port, resolver=resolver)
        await stream.close()
