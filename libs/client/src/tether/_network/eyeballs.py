"""Happy Eyeballs (RFC 8305): which addresses to try, in which order, and when.

Sans-I/O: this module decides, the backends connect. Every backend runs the same plan:

1. Resolve: host overrides or the caller's resolver hook first (`HostOverrides`,
   curl's ``--resolve``), an IP literal as is, else the backend's getaddrinfo.
2. Order (RFC 8305 section 4): interleave the address families, starting with the
   family of the first resolved address ("First Address Family Count" of 1).
3. Schedule (RFC 8305 section 5): start the first attempt at once, each next one when
   the previous attempt fails or `CONNECTION_ATTEMPT_DELAY` after the previous start,
   whichever comes first. The first attempt to connect wins; the others are cancelled
   and their sockets closed by the backend.

Invariants of `ConnectPlan`: each address is started at most once and in order;
``pending`` counts attempts started and not yet failed; the plan is ``exhausted`` only
when nothing is left to start and nothing is pending, so a backend that sees it
raises `ConnectError` with every attempt's error, and never before.
"""

from __future__ import annotations

import os
import socket
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeAlias

from .._exceptions import ConnectError

# RFC 8305 section 5: "A simple implementation can have a fixed delay for how long to
# wait before starting the next connection attempt [...] recommended value for a
# default delay is 250 milliseconds", never below the 10 ms floor of section 5.
CONNECTION_ATTEMPT_DELAY = 0.25
MINIMUM_ATTEMPT_DELAY = 0.01

Resolver: TypeAlias = Callable[[str, int], Sequence[tuple[str, int]] | None]
"""A resolver hook: ``(host, port) -> [(ip, port), ...]``, or None to use DNS."""
AsyncResolver: TypeAlias = Callable[[str, int], Awaitable[Sequence[tuple[str, int]] | None]]
"""The async spelling of `Resolver`, accepted by the asyncio and trio backends."""


class Address(NamedTuple):
    """One address to connect to: a socket family and the sockaddr to pass to connect()."""

    family: int
    sockaddr: tuple[Any, ...]

    def __str__(self) -> str:
        host, port = self.sockaddr[0], self.sockaddr[1]
        return f"[{host}]:{port}" if self.family == socket.AF_INET6 else f"{host}:{port}"


def literal_address(host: str, port: int) -> Address | None:
    """The address of an IP literal (``"127.0.0.1"``, ``"::1"``, ``"[::1]"``), else None."""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        if "%" in host:  # a scoped address (fe80::1%eth0): only getaddrinfo knows the scope id
            try:
                info = socket.getaddrinfo(
                    host, port, socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST
                )
            except socket.gaierror:
                return None
            return Address(socket.AF_INET6, info[0][4])
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except OSError:
            return None
        return Address(socket.AF_INET6, (host, port, 0, 0))
    try:
        socket.inet_pton(socket.AF_INET, host)
    except OSError:
        return None
    return Address(socket.AF_INET, (host, port))


def from_pairs(pairs: Iterable[tuple[str, int]], origin: str) -> list[Address]:
    """Turn a resolver's ``[(ip, port), ...]`` into addresses; refuse what is not an IP."""
    addresses = []
    for ip, port in pairs:
        address = literal_address(ip, port)
        if address is None:
            raise ConnectError(f"the resolver for {origin} returned {ip!r}, not an IP address")
        addresses.append(address)
    if not addresses:
        raise ConnectError(f"the resolver for {origin} returned no address")
    return addresses


def from_getaddrinfo(infos: Iterable[tuple[Any, ...]]) -> list[Address]:
    """The distinct stream addresses of getaddrinfo's results, in the order resolved."""
    seen: set[Address] = set()
    addresses = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = Address(int(family), tuple(sockaddr))
        if address not in seen:
            seen.add(address)
            addresses.append(address)
    return addresses


def interleave(addresses: Sequence[Address]) -> list[Address]:
    """Order addresses by RFC 8305 section 4: alternate families, the first one's first.

    >>> a, b = Address(2, ("10.0.0.1", 80)), Address(2, ("10.0.0.2", 80))
    >>> c = Address(10, ("::1", 80, 0, 0))
    >>> [str(x) for x in interleave([a, b, c])]
    ['10.0.0.1:80', '[::1]:80', '10.0.0.2:80']
    """
    if len(addresses) < 2:
        return list(addresses)
    first_family = addresses[0].family
    preferred = deque(a for a in addresses if a.family == first_family)
    others = deque(a for a in addresses if a.family != first_family)
    ordered = []
    while preferred or others:
        if preferred:
            ordered.append(preferred.popleft())
        if others:
            ordered.append(others.popleft())
    return ordered


def for_local_address(addresses: list[Address], local_address: str | None) -> list[Address]:
    """Keep the addresses a socket bound to `local_address` can reach (same family)."""
    if local_address is None:
        return addresses
    family = socket.AF_INET6 if ":" in local_address else socket.AF_INET
    return [a for a in addresses if a.family == family]


class HostOverrides:
    """A `Resolver` that answers from a fixed table, like curl's ``--resolve``.

    Keys are ``"host:port"`` (or ``"host:*"`` for any port), values IP addresses;
    other hosts return None, so the backend resolves them with DNS.

    >>> overrides = HostOverrides({"example.com:443": ["127.0.0.1", "::1"]})
    >>> overrides("example.com", 443)
    [('127.0.0.1', 443), ('::1', 443)]
    >>> overrides("example.com", 80) is None
    True
    """

    def __init__(
        self, table: Mapping[str, Sequence[str]], fallback: Resolver | None = None
    ) -> None:
        self._table: dict[tuple[str, str], tuple[str, ...]] = {}
        for key, ips in table.items():
            host, sep, port = key.rpartition(":")
            if not sep or not host or not (port == "*" or port.isdigit()):
                raise ValueError(f"host override {key!r} is not 'host:port' or 'host:*'")
            if isinstance(ips, str):
                ips = [ips]
            for ip in ips:
                if literal_address(ip, 0) is None:
                    raise ValueError(f"host override {key!r}: {ip!r} is not an IP address")
            self._table[(host.strip("[]").lower(), port)] = tuple(ips)
        self._fallback = fallback

    def __call__(self, host: str, port: int) -> Sequence[tuple[str, int]] | None:
        """The overriding addresses of ``host:port``, or the fallback's answer."""
        host = host.lower()
        ips = self._table.get((host, str(port))) or self._table.get((host, "*"))
        if ips is not None:
            return [(ip, port) for ip in ips]
        return None if self._fallback is None else self._fallback(host, port)

    def __repr__(self) -> str:
        return f"HostOverrides({len(self._table)} entries)"


def check_delay(delay: float) -> float:
    """Validate a connection attempt delay (RFC 8305 section 5: at least 10 ms)."""
    if not delay >= MINIMUM_ATTEMPT_DELAY:
        raise ValueError(
            f"connection attempt delay must be at least {MINIMUM_ATTEMPT_DELAY} s "
            f"(RFC 8305 section 5), got {delay!r}"
        )
    return float(delay)


class ConnectPlan:
    """The attempt schedule for one connect: what to start, and when (see module doc)."""

    __slots__ = ("_delay", "_next_at", "_queue", "errors", "pending")

    def __init__(
        self, addresses: Sequence[Address], delay: float = CONNECTION_ATTEMPT_DELAY
    ) -> None:
        self._queue = deque(interleave(addresses))
        self._delay = delay
        self._next_at = float("-inf")
        self.pending = 0
        self.errors: list[tuple[Address, OSError]] = []

    def start(self, now: float) -> Address | None:
        """The next address to try if an attempt is due at `now`, else None."""
        if not self._queue or now < self._next_at:
            return None
        self.pending += 1
        self._next_at = now + self._delay
        return self._queue.popleft()

    def next_start(self) -> float | None:
        """When the next attempt is due (-inf: now), or None if none is left to start."""
        return self._next_at if self._queue else None

    def failed(self, address: Address, error: OSError) -> None:
        """Record a failed attempt; the next attempt is due at once (RFC 8305 section 5)."""
        self.pending -= 1
        self.errors.append((address, error))
        self._next_at = float("-inf")

    def wait_time(self, now: float, deadline: float | None) -> float | None:
        """How long to wait for a pending attempt before the next start or the deadline."""
        until = self.next_start()
        if deadline is not None and (until is None or deadline < until):
            until = deadline
        return None if until is None else max(0.0, until - now)

    @property
    def exhausted(self) -> bool:
        """True when every address was tried and every attempt failed."""
        return not self._queue and self.pending == 0

    def failure(self, origin: str) -> ConnectError:
        """The error to raise when the plan is exhausted: every attempt's reason."""
        if len(self.errors) == 1 and str(self.errors[0][0]) == origin:
            return ConnectError(f"could not connect to {origin}: {os_reason(self.errors[0][1])}")
        reasons = "; ".join(f"{address}: {os_reason(error)}" for address, error in self.errors)
        return ConnectError(f"could not connect to {origin}: {reasons}")


def os_reason(error: OSError) -> str:
    """An OS error's reason: the system's text for its errno, else its message."""
    if error.errno:
        try:
            return os.strerror(error.errno)
        except ValueError:  # pragma: no cover - an errno the platform does not know
            pass
    return str(error) or type(error).__name__
