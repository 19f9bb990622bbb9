"""The connection pool's books: which connection serves which request. No I/O, no locks.

The pool shells hold a lock around every call and act on the answers: open, close or
hand over a connection, wake a waiter. Connections are opaque handles, compared by
identity; an *origin* is a hashable key ``(scheme, host, port, tls_key)``, where
``tls_key`` names the TLS configuration, so that a connection made with one set of
certificates is never reused for a request that asked for another (the class of
requests' CVE-2024-35195).

Theory of operation:

* `acquire(origin, waiter)` answers `Reuse` (the warmest idle connection of the
  origin), `Open` (a slot is reserved: connect, then `opened()` or `open_failed()`),
  or `Wait` (the pool is full: a `Ticket` joins the queue).
* `release(conn, reusable)` gives a reusable connection to the first waiter of its
  origin, else keeps it idle, else closes it; whenever a connection closes, the first
  waiter of any origin is granted a slot to open one. Granted tickets come back in
  `Outcome.wake`; the shell wakes them, each reads `ticket.grant`.
* `cancel(ticket)` withdraws a waiter, or undoes its grant if it had one.
* `expire(now)` closes idle connections older than `keepalive_expiry`.

Invariants (`invariant_check()` asserts them; every operation is O(1) in the number
of connections and waiters, `expire` O(1) per connection it closes):

1. Each connection is in one state of `ConnectionState`, moved only along
   `TRANSITIONS`: NEW (slot reserved, connecting), ACTIVE (serving exactly one
   request), IDLE (kept for reuse), CLOSED (forgotten).
2. ``new + active + idle <= max_connections`` and ``idle <= max_keepalive_connections``.
3. Somebody waits only while the pool is full and nothing is idle, so no waiter
   starves while a slot is free, and a newcomer cannot overtake the queue.
4. Idle connections: a LIFO per origin (warmest reused first, as urllib3) and one
   global order by idle-since (oldest expired or evicted first). Waiters: a FIFO per
   origin and a global FIFO, both linked (`OrderedDict`), so removal is O(1).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Final, Generic, TypeVar

from .._config import DEFAULT_LIMITS, Limits
from .._exceptions import PoolClosed
from .states import (
    ACTIVE,
    CLOSED,
    IDLE,
    NEW,
    TRANSITIONS,
    ConnectionState,
    InvalidTransition,
    transition,
)

__all__ = [
    "MAX_PASSES",
    "TRANSITIONS",
    "BooksOutOfBalance",
    "ConnectionState",
    "InvalidTransition",
    "Open",
    "Outcome",
    "PoolBooks",
    "PoolClosed",
    "Reuse",
    "Shutdown",
    "Slot",
    "Ticket",
    "Wait",
    "transition",
]

C = TypeVar("C")  # a connection handle (hashable by identity)
W = TypeVar("W")  # whatever the shell needs to wake a waiter


# How many times the head of the queue may be passed over by a later waiter that can
# reuse a released connection of its own origin, before the head is served by closing
# that connection (a bounded unfairness that keeps reuse cheap and nobody starving).
MAX_PASSES: Final = 4


class BooksOutOfBalance(RuntimeError):
    """`invariant_check()` found the books inconsistent."""


class Slot(Generic[C]):
    """The books' record of one connection, from the reserved slot to its close."""

    __slots__ = ("conn", "idle_since", "origin", "state")

    def __init__(self, origin: Hashable) -> None:
        self.origin = origin
        self.state = NEW
        self.conn: C | None = None
        self.idle_since = 0.0

    def __repr__(self) -> str:
        return f"<Slot {self.origin!r} {self.state.name}>"


class Reuse(Generic[C]):
    """Answer: use this connection (now ACTIVE, yours alone)."""

    __slots__ = ("conn",)

    def __init__(self, conn: C) -> None:
        self.conn = conn


class Open(Generic[C]):
    """Answer: open a connection for this slot; close `evict` first if it is set."""

    __slots__ = ("evict", "slot")

    def __init__(self, slot: Slot[C], evict: C | None = None) -> None:
        self.slot = slot
        self.evict = evict


class Ticket(Generic[C, W]):
    """A queued request. `grant` is set (Reuse or Open) when its turn comes."""

    __slots__ = ("grant", "origin", "passed", "waiter")

    def __init__(self, origin: Hashable, waiter: W) -> None:
        self.origin = origin
        self.waiter = waiter
        self.passed = 0  # how often a later waiter of another origin was served first
        self.grant: Reuse[C] | Open[C] | None = None

    def __repr__(self) -> str:
        return f"<Ticket {self.origin!r} grant={type(self.grant).__name__}>"


class Wait(Generic[C, W]):
    """Answer: the pool is full; wait until `ticket.grant` is set (or `cancel` it)."""

    __slots__ = ("ticket",)

    def __init__(self, ticket: Ticket[C, W]) -> None:
        self.ticket = ticket


class Outcome(Generic[C, W]):
    """What the shell must do after a release: close `close`, then wake `wake`."""

    __slots__ = ("close", "wake")

    def __init__(self, close: tuple[C, ...] = (), wake: Ticket[C, W] | None = None) -> None:
        self.close = close
        self.wake = wake

    def __repr__(self) -> str:
        return f"Outcome(close={self.close!r}, wake={self.wake!r})"


class Shutdown(Generic[C, W]):
    """What `shutdown()` leaves to do: close `idle` now, fail `waiters`; `active`
    connections close when released."""

    __slots__ = ("active", "idle", "waiters")

    def __init__(self, idle: list[C], active: list[C], waiters: list[Ticket[C, W]]) -> None:
        self.idle = idle
        self.active = active
        self.waiters = waiters


class PoolBooks(Generic[C, W]):
    """The pool's bookkeeping; see the module docstring for its rules and invariants."""

    __slots__ = (
        "_active",
        "_by_conn",
        "_clock",
        "_closed",
        "_expiry",
        "_idle_by_origin",
        "_idle_order",
        "_max_connections",
        "_max_idle",
        "_new",
        "_nothing",
        "_queue",
        "_queue_by_origin",
    )

    def __init__(
        self, limits: Limits = DEFAULT_LIMITS, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """`clock` stamps idle connections (a monotonic clock; tests pass a fake one)."""
        if limits.max_connections == 0:
            raise ValueError("Limits max_connections must be at least 1 (or None: unlimited)")
        self._max_connections = limits.max_connections
        idle = limits.max_keepalive_connections
        if idle is not None and self._max_connections is not None:
            idle = min(idle, self._max_connections)
        self._max_idle = idle
        self._expiry = limits.keepalive_expiry
        self._clock = clock
        self._new = 0
        self._active = 0
        self._by_conn: dict[C, Slot[C]] = {}
        self._idle_by_origin: dict[Hashable, OrderedDict[C, Slot[C]]] = {}
        self._idle_order: OrderedDict[C, Slot[C]] = OrderedDict()
        self._queue: OrderedDict[Ticket[C, W], None] = OrderedDict()
        self._queue_by_origin: dict[Hashable, OrderedDict[Ticket[C, W], None]] = {}
        self._closed = False
        self._nothing: Outcome[C, W] = Outcome()  # shared "nothing to do"; never mutated

    # -- counts ----------------------------------------------------------------------------

    @property
    def opening(self) -> int:
        """Connections being opened (NEW)."""
        return self._new

    @property
    def active(self) -> int:
        """Connections serving a request (ACTIVE)."""
        return self._active

    @property
    def idle(self) -> int:
        """Connections kept for reuse (IDLE)."""
        return len(self._idle_order)

    @property
    def queued(self) -> int:
        """Requests waiting for a connection."""
        return len(self._queue)

    def state_of(self, conn: C) -> ConnectionState:
        """The state of a connection; CLOSED for one the books do not hold."""
        slot = self._by_conn.get(conn)
        return CLOSED if slot is None else slot.state

    def __repr__(self) -> str:
        busy = self._new + self._active
        return (
            f"<ConnectionPool [Requests: {busy} active, {len(self._queue)} queued | "
            f"Connections: {busy} active, {len(self._idle_order)} idle]>"
        )

    # -- acquiring -------------------------------------------------------------------------

    def acquire(self, origin: Hashable, waiter: W) -> Reuse[C] | Open[C] | Wait[C, W]:
        """Reuse an idle connection of `origin`, reserve a slot to open one, or queue."""
        if self._closed:
            raise PoolClosed("the connection pool was closed; no request can be sent through it")
        idle = self._idle_by_origin.get(origin)
        if idle:
            conn, slot = idle.popitem()  # LIFO: the warmest
            if not idle:
                del self._idle_by_origin[origin]
            del self._idle_order[conn]
            slot.state = transition(slot.state, ACTIVE)
            self._active += 1
            return Reuse(conn)
        limit = self._max_connections
        if limit is None or self._new + self._active + len(self._idle_order) < limit:
            return Open(self._reserve(origin))
        if self._idle_order:
            # Full, but idle connections of other origins hold places: evict the oldest.
            conn, slot = self._idle_order.popitem(last=False)
            self._forget_idle(conn, slot)
            return Open(self._reserve(origin), evict=conn)
        ticket: Ticket[C, W] = Ticket(origin, waiter)
        self._queue[ticket] = None
        per_origin = self._queue_by_origin.get(origin)
        if per_origin is None:
            per_origin = self._queue_by_origin[origin] = OrderedDict()
        per_origin[ticket] = None
        return Wait(ticket)

    def opened(self, slot: Slot[C], conn: C) -> None:
        """The slot's connection is established; it serves the request that opened it."""
        if conn in self._by_conn:
            raise InvalidTransition(f"connection {conn!r} is already in the books")
        slot.state = transition(slot.state, ACTIVE)
        slot.conn = conn
        self._by_conn[conn] = slot
        self._new -= 1
        self._active += 1

    def open_failed(self, slot: Slot[C]) -> Outcome[C, W]:
        """Connecting failed or was cancelled: the slot returns, a waiter may open."""
        slot.state = transition(slot.state, CLOSED)
        self._new -= 1
        return self._hand_free_place()

    # -- releasing -------------------------------------------------------------------------

    def release(self, conn: C, reusable: bool) -> Outcome[C, W]:
        """The request is done with `conn`: hand it over, keep it idle, or close it."""
        slot = self._slot_of(conn, "released")
        if reusable and not self._closed:
            if self._queue:
                ticket = self._next_for(slot.origin)
                if ticket is not None:
                    ticket.grant = Reuse(conn)  # stays ACTIVE, now the waiter's
                    return Outcome(wake=ticket)
            elif self._keep_idle():
                slot.state = transition(slot.state, IDLE)
                slot.idle_since = self._clock()
                self._active -= 1
                self._idle_order[conn] = slot
                per_origin = self._idle_by_origin.get(slot.origin)
                if per_origin is None:
                    per_origin = self._idle_by_origin[slot.origin] = OrderedDict()
                per_origin[conn] = slot
                return self._nothing
            # Over the keep-alive limit, or the queue's head wants another origin: close.
        self._close_active(conn, slot)
        outcome: Outcome[C, W] = self._hand_free_place()
        outcome.close = (conn,)
        return outcome

    def _next_for(self, origin: Hashable) -> Ticket[C, W] | None:
        """The waiter a released connection of `origin` goes to, if any.

        The head of the queue if it wants this origin; else the first waiter of this
        origin, since reuse beats a reconnect, but only `MAX_PASSES` times in a row
        before the head is served (its place freed by closing), so nobody starves.
        """
        head = next(iter(self._queue))
        if head.origin == origin:
            return self._dequeue(head)
        waiters = self._queue_by_origin.get(origin)
        if waiters and head.passed < MAX_PASSES:
            head.passed += 1
            return self._dequeue(next(iter(waiters)))
        return None

    def closed(self, conn: C) -> Outcome[C, W]:
        """`conn` was found dead (or closed by the shell): forget it, free its place."""
        slot = self._by_conn.get(conn)
        if slot is None:
            return self._nothing  # already forgotten: closing twice is harmless
        if slot.state is IDLE:
            del self._idle_order[conn]
            self._forget_idle(conn, slot)
        else:
            self._close_active(conn, slot)
        return self._hand_free_place()

    def cancel(self, ticket: Ticket[C, W]) -> Outcome[C, W]:
        """A waiter gives up: leave the queue, or give back what it was granted.

        Call it only when the waiter will not use its grant (timeout, cancellation).
        """
        grant = ticket.grant
        if grant is None:
            if ticket in self._queue:
                self._dequeue(ticket)
            return self._nothing
        ticket.grant = None
        if isinstance(grant, Reuse):
            return self.release(grant.conn, reusable=True)
        return self.open_failed(grant.slot)

    # -- expiry and shutdown ---------------------------------------------------------------

    def expire(self, now: float | None = None) -> list[C]:
        """Forget idle connections idle for `keepalive_expiry` or longer; close them."""
        if self._expiry is None or not self._idle_order:
            return []
        deadline = (self._clock() if now is None else now) - self._expiry
        expired: list[C] = []
        order = self._idle_order
        while order:
            conn, slot = next(iter(order.items()))  # the oldest: O(1) on an OrderedDict
            if slot.idle_since > deadline:
                break
            del order[conn]
            self._forget_idle(conn, slot)
            expired.append(conn)
        return expired

    def next_expiry(self) -> float | None:
        """When the oldest idle connection expires (clock time), or None."""
        if self._expiry is None or not self._idle_order:
            return None
        return next(iter(self._idle_order.values())).idle_since + self._expiry

    def shutdown(self) -> Shutdown[C, W]:
        """Close the books: idle connections and waiters are handed back, and each
        active connection closes on release; `acquire` raises `PoolClosed` from now on."""
        self._closed = True
        idle = list(self._idle_order)
        for conn, slot in list(self._idle_order.items()):
            del self._idle_order[conn]
            self._forget_idle(conn, slot)
        waiters = list(self._queue)
        self._queue.clear()
        self._queue_by_origin.clear()
        active = [conn for conn, slot in self._by_conn.items() if slot.state is ACTIVE]
        return Shutdown(idle, active, waiters)

    # -- internals -------------------------------------------------------------------------

    def _slot_of(self, conn: C, action: str) -> Slot[C]:
        slot = self._by_conn.get(conn)
        if slot is None:
            raise InvalidTransition(f"connection {conn!r} {action}, but the books do not hold it")
        return slot

    def _keep_idle(self) -> bool:
        if self._expiry is not None and self._expiry <= 0:
            return False
        return self._max_idle is None or len(self._idle_order) < self._max_idle

    def _reserve(self, origin: Hashable) -> Slot[C]:
        self._new += 1
        return Slot(origin)

    def _forget_idle(self, conn: C, slot: Slot[C]) -> None:
        """Drop an idle connection already taken out of the global idle order."""
        per_origin = self._idle_by_origin[slot.origin]
        del per_origin[conn]
        if not per_origin:
            del self._idle_by_origin[slot.origin]
        slot.state = transition(slot.state, CLOSED)
        del self._by_conn[conn]

    def _close_active(self, conn: C, slot: Slot[C]) -> None:
        slot.state = transition(slot.state, CLOSED)
        del self._by_conn[conn]
        self._active -= 1

    def _dequeue(self, ticket: Ticket[C, W]) -> Ticket[C, W]:
        del self._queue[ticket]
        per_origin = self._queue_by_origin[ticket.origin]
        del per_origin[ticket]
        if not per_origin:
            del self._queue_by_origin[ticket.origin]
        return ticket

    def _hand_free_place(self) -> Outcome[C, W]:
        """A place was freed: the first waiter of any origin may open a connection."""
        if not self._queue:
            return Outcome()
        ticket = self._dequeue(next(iter(self._queue)))
        ticket.grant = Open(self._reserve(ticket.origin))
        return Outcome(wake=ticket)

    # -- checking --------------------------------------------------------------------------

    def invariant_check(self) -> None:
        """Raise `BooksOutOfBalance` unless every invariant of the module docstring holds.

        O(n): for tests and stress runs, not for the hot path.
        """
        problems: list[str] = []
        states = [slot.state for slot in self._by_conn.values()]
        idle = len(self._idle_order)
        if states.count(ACTIVE) != self._active or states.count(IDLE) != idle:
            problems.append(f"counted {states} against active={self._active}, idle={idle}")
        if CLOSED in states or NEW in states or self._new < 0:
            problems.append(f"the books hold a NEW or CLOSED connection ({self._new} new)")
        by_origin = sum(len(group) for group in self._idle_by_origin.values())
        if by_origin != idle or not all(self._idle_by_origin.values()):
            problems.append(f"{by_origin} idle by origin, {idle} in the idle order")
        for origin, group in self._idle_by_origin.items():
            for conn, slot in group.items():
                if slot.origin != origin or self._idle_order.get(conn) is not slot:
                    problems.append(f"idle {conn!r} misfiled under {origin!r}")
        stamps = [slot.idle_since for slot in self._idle_order.values()]
        if stamps != sorted(stamps):
            problems.append("the idle order is not by idle-since")
        total = self._new + self._active + idle
        if self._max_connections is not None and total > self._max_connections:
            problems.append(f"{total} connections over max_connections={self._max_connections}")
        if self._max_idle is not None and idle > self._max_idle:
            problems.append(f"{idle} idle over max_keepalive_connections={self._max_idle}")
        queued = sum(len(group) for group in self._queue_by_origin.values())
        if queued != len(self._queue) or not all(self._queue_by_origin.values()):
            problems.append(f"{queued} waiters by origin, {len(self._queue)} in the queue")
        for ticket in self._queue:
            if ticket.passed > MAX_PASSES:
                problems.append(f"waiter {ticket!r} passed over {ticket.passed} times")
            if ticket.grant is not None or ticket not in self._queue_by_origin.get(
                ticket.origin, ()
            ):
                problems.append(f"waiter {ticket!r} misfiled")
        if self._queue and (idle or total != self._max_connections):
            problems.append(f"{len(self._queue)} wait while {total} open, {idle} idle")
        if problems:
            raise BooksOutOfBalance(f"{self!r}: " + "; ".join(problems))
