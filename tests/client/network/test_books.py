"""The pool's books: reuse, open, wait, hand over, expire, evict, cancel; and their invariants."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from tether import Limits
from tether._network.books import (
    MAX_PASSES,
    TRANSITIONS,
    BooksOutOfBalance,
    ConnectionState,
    InvalidTransition,
    Open,
    Outcome,
    PoolBooks,
    PoolClosed,
    Reuse,
    Slot,
    Ticket,
    Wait,
    transition,
)

A = ("https", "a.test", 443, "default-tls")
A_OTHER_TLS = ("https", "a.test", 443, "client-cert-2")
B = ("http", "b.test", 80, None)


class Conn:
    """A stand-in connection handle (the books only need identity)."""

    ids = itertools.count()

    def __init__(self, origin: object) -> None:
        self.origin = origin
        self.id = next(self.ids)

    def __repr__(self) -> str:
        return f"<Conn {self.id}>"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


Books = PoolBooks[Conn, str]


def make(
    max_connections: int | None = 10,
    max_keepalive: int | None = None,
    expiry: float | None = 5.0,
    clock: Clock | None = None,
) -> Books:
    limits = Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_keepalive,
        keepalive_expiry=expiry,
    )
    return PoolBooks(limits, clock=clock or Clock())


def open_one(books: Books, origin: object = A) -> Conn:
    answer = books.acquire(origin, "w")
    assert isinstance(answer, Open)
    conn = Conn(origin)
    books.opened(answer.slot, conn)
    return conn


def waits(books: Books, origin: object, waiter: str = "w") -> Ticket[Conn, str]:
    answer = books.acquire(origin, waiter)
    assert isinstance(answer, Wait)
    return answer.ticket


def grant_of(ticket: Ticket[Conn, str]) -> Reuse[Conn] | Open[Conn] | None:
    return ticket.grant  # read afresh: mypy keeps an earlier isinstance narrowing


# -- the state table ------------------------------------------------------------------


def test_every_transition_is_allowed_or_refused_by_the_table() -> None:
    allowed = {
        (ConnectionState.NEW, ConnectionState.ACTIVE),
        (ConnectionState.NEW, ConnectionState.CLOSED),
        (ConnectionState.ACTIVE, ConnectionState.IDLE),
        (ConnectionState.ACTIVE, ConnectionState.CLOSED),
        (ConnectionState.IDLE, ConnectionState.ACTIVE),
        (ConnectionState.IDLE, ConnectionState.CLOSED),
    }
    for current, target in itertools.product(ConnectionState, repeat=2):
        if (current, target) in allowed:
            assert transition(current, target) is target
            assert target in TRANSITIONS[current]
        else:
            with pytest.raises(InvalidTransition, match=f"from {current.name} to {target.name}"):
                transition(current, target)
    assert TRANSITIONS[ConnectionState.CLOSED] == frozenset()


def test_books_refuse_moves_the_table_forbids() -> None:
    books = make()
    answer = books.acquire(A, "w")
    assert isinstance(answer, Open)
    books.open_failed(answer.slot)
    with pytest.raises(InvalidTransition, match="from CLOSED to ACTIVE"):
        books.opened(answer.slot, Conn(A))
    with pytest.raises(InvalidTransition, match="from CLOSED to CLOSED"):
        books.open_failed(answer.slot)
    conn = open_one(books)
    books.release(conn, reusable=True)
    with pytest.raises(InvalidTransition, match="from IDLE to IDLE"):
        books.release(conn, reusable=True)
    with pytest.raises(InvalidTransition, match="the books do not hold it"):
        books.release(Conn(A), reusable=True)
    slot = books.acquire(A, "w")
    assert isinstance(slot, Reuse)
    other = books.acquire(A, "w")
    assert isinstance(other, Open)
    with pytest.raises(InvalidTransition, match="already in the books"):
        books.opened(other.slot, conn)
    books.invariant_check()


# -- acquiring ------------------------------------------------------------------------


def test_open_then_reuse_the_warmest_first() -> None:
    clock = Clock()
    books = make(clock=clock)
    first, second = open_one(books), open_one(books)
    assert repr(books) == (
        "<ConnectionPool [Requests: 2 active, 0 queued | Connections: 2 active, 0 idle]>"
    )
    books.release(first, reusable=True)
    clock.now += 1
    books.release(second, reusable=True)
    assert repr(books) == (
        "<ConnectionPool [Requests: 0 active, 0 queued | Connections: 0 active, 2 idle]>"
    )
    answer = books.acquire(A, "w")
    assert isinstance(answer, Reuse)
    assert answer.conn is second  # LIFO: the most recently used
    assert books.state_of(second) is ConnectionState.ACTIVE
    assert books.state_of(first) is ConnectionState.IDLE
    books.invariant_check()


def test_origins_and_tls_configurations_never_share() -> None:
    books = make()
    conn = open_one(books, A)
    books.release(conn, reusable=True)
    for origin in (A_OTHER_TLS, B):
        answer = books.acquire(origin, "w")
        assert isinstance(answer, Open), origin
        books.open_failed(answer.slot)
    assert isinstance(books.acquire(A, "w"), Reuse)


def test_full_pool_queues_and_hands_over_in_fifo_order() -> None:
    books = make(max_connections=1)
    conn = open_one(books)
    first, second = waits(books, A, "first"), waits(books, A, "second")
    assert repr(books) == (
        "<ConnectionPool [Requests: 1 active, 2 queued | Connections: 1 active, 0 idle]>"
    )
    outcome = books.release(conn, reusable=True)
    assert outcome.wake is first
    assert outcome.close == ()
    assert isinstance(first.grant, Reuse)
    assert first.grant.conn is conn
    assert books.state_of(conn) is ConnectionState.ACTIVE
    books.invariant_check()
    outcome = books.release(conn, reusable=True)
    assert outcome.wake is second
    outcome = books.release(conn, reusable=True)
    assert outcome.wake is None
    assert books.idle == 1
    books.invariant_check()


def test_unreusable_release_closes_and_lets_the_next_waiter_open() -> None:
    books = make(max_connections=1)
    conn = open_one(books)
    ticket = waits(books, B)
    outcome = books.release(conn, reusable=False)
    assert outcome.close == (conn,)
    assert outcome.wake is ticket
    assert isinstance(ticket.grant, Open)
    assert ticket.grant.slot.origin == B
    assert books.opening == 1
    assert books.state_of(conn) is ConnectionState.CLOSED
    books.invariant_check()


def test_released_connection_of_another_origin_makes_room_for_the_head() -> None:
    books = make(max_connections=1)
    conn = open_one(books, A)
    ticket = waits(books, B)
    outcome = books.release(conn, reusable=True)  # nobody wants A: close it for B
    assert outcome.close == (conn,)
    assert outcome.wake is ticket
    assert isinstance(ticket.grant, Open)
    books.invariant_check()


def test_head_of_the_queue_is_passed_over_a_bounded_number_of_times() -> None:
    books = make(max_connections=1)
    conn = open_one(books, A)
    head = waits(books, B, "head")
    for _ in range(MAX_PASSES):
        later = waits(books, A, "later")
        outcome = books.release(conn, reusable=True)
        assert outcome.wake is later  # reuse beats a reconnect...
        books.invariant_check()
    waits(books, A, "one more")
    outcome = books.release(conn, reusable=True)
    assert outcome.wake is head  # ...but not forever
    assert outcome.close == (conn,)
    assert head.passed == MAX_PASSES
    books.invariant_check()


def test_full_pool_with_idle_connections_of_another_origin_evicts_the_oldest() -> None:
    clock = Clock()
    books = make(max_connections=2, clock=clock)
    old, new = open_one(books, A), open_one(books, A)
    books.release(old, reusable=True)
    clock.now += 1
    books.release(new, reusable=True)
    answer = books.acquire(B, "w")
    assert isinstance(answer, Open)
    assert answer.evict is old
    assert books.state_of(old) is ConnectionState.CLOSED
    assert books.idle == 1
    books.invariant_check()


def test_keepalive_limit_counts_idle_connections() -> None:
    books = make(max_connections=10, max_keepalive=2)
    conns = [open_one(books) for _ in range(4)]
    outcomes = [books.release(conn, reusable=True) for conn in conns]
    assert [outcome.close for outcome in outcomes] == [(), (), (conns[2],), (conns[3],)]
    assert books.idle == 2
    # Reusing one frees a keep-alive place for the next release.
    answer = books.acquire(A, "w")
    assert isinstance(answer, Reuse)
    assert books.release(answer.conn, reusable=True).close == ()
    assert books.idle == 2
    books.invariant_check()


def test_keepalive_limit_is_capped_by_max_connections() -> None:
    books = make(max_connections=1, max_keepalive=20)
    conn = open_one(books)
    books.release(conn, reusable=True)
    assert books.idle == 1
    books.invariant_check()


@pytest.mark.parametrize(("keepalive", "expiry"), [(0, 5.0), (None, 0.0)])
def test_no_keepalive_closes_every_release(keepalive: int | None, expiry: float) -> None:
    books = make(max_keepalive=keepalive, expiry=expiry)
    conn = open_one(books)
    assert books.release(conn, reusable=True).close == (conn,)
    assert books.idle == 0


def test_unlimited_pool_never_waits() -> None:
    books = make(max_connections=None, max_keepalive=None, expiry=None)
    conns = [open_one(books) for _ in range(50)]
    for conn in conns:
        books.release(conn, reusable=True)
    assert books.idle == 50
    assert books.expire(now=1e12) == []
    assert books.next_expiry() is None
    books.invariant_check()


def test_zero_max_connections_is_refused() -> None:
    with pytest.raises(ValueError, match="max_connections must be at least 1"):
        make(max_connections=0)


# -- failures, cancellation, death ------------------------------------------------------


def test_open_failed_returns_the_slot_to_the_next_waiter() -> None:
    books = make(max_connections=1)
    answer = books.acquire(A, "opener")
    assert isinstance(answer, Open)
    ticket = waits(books, A)
    outcome = books.open_failed(answer.slot)
    assert outcome.wake is ticket
    assert isinstance(ticket.grant, Open)
    assert outcome.close == ()
    books.invariant_check()
    assert books.open_failed(ticket.grant.slot).wake is None
    assert books.opening == 0


def test_cancel_a_waiting_ticket_removes_it_once() -> None:
    books = make(max_connections=1)
    conn = open_one(books)
    gone, stays = waits(books, A, "gone"), waits(books, A, "stays")
    assert books.cancel(gone).wake is None
    assert books.cancel(gone).wake is None  # twice is harmless
    assert books.queued == 1
    assert books.release(conn, reusable=True).wake is stays
    books.invariant_check()


def test_cancel_a_ticket_granted_a_connection_passes_it_on() -> None:
    books = make(max_connections=1)
    conn = open_one(books)
    late, next_ = waits(books, A, "late"), waits(books, A, "next")
    books.release(conn, reusable=True)
    assert isinstance(late.grant, Reuse)
    outcome = books.cancel(late)  # timed out just as the connection arrived
    assert grant_of(late) is None
    assert outcome.wake is next_
    assert isinstance(next_.grant, Reuse)
    assert next_.grant.conn is conn
    books.invariant_check()


def test_cancel_a_ticket_granted_a_slot_returns_it() -> None:
    books = make(max_connections=1)
    conn = open_one(books)
    ticket = waits(books, B)
    books.release(conn, reusable=False)
    assert isinstance(ticket.grant, Open)
    books.cancel(ticket)
    assert books.opening == 0
    assert isinstance(books.acquire(A, "w"), Open)
    books.invariant_check()


def test_closed_connection_frees_its_place() -> None:
    books = make(max_connections=2)
    idle, busy = open_one(books), open_one(books)
    books.release(idle, reusable=True)
    assert books.closed(idle).wake is None
    assert books.state_of(idle) is ConnectionState.CLOSED
    ticket_answer = books.acquire(B, "w")
    assert isinstance(ticket_answer, Open)
    ticket = waits(books, B)
    outcome = books.closed(busy)
    assert outcome.wake is ticket
    assert outcome.close == ()
    assert books.closed(busy).wake is None  # already forgotten
    books.invariant_check()


# -- expiry ---------------------------------------------------------------------------


def test_expire_closes_only_connections_past_their_keepalive() -> None:
    clock = Clock()
    books = make(expiry=5.0, clock=clock)
    conns = [open_one(books) for _ in range(3)]
    for conn in conns:
        books.release(conn, reusable=True)
        clock.now += 2
    assert books.next_expiry() == 1005.0
    assert books.expire(now=1004.9) == []
    assert books.expire(now=1005.0) == [conns[0]]
    assert books.expire(now=1008.0) == [conns[1]]
    clock.now = 1100.0
    assert books.expire() == [conns[2]]
    assert books.next_expiry() is None
    assert books.expire() == []
    books.invariant_check()


def test_reused_connection_is_restamped_when_idle_again() -> None:
    clock = Clock()
    books = make(expiry=5.0, clock=clock)
    conn = open_one(books)
    books.release(conn, reusable=True)
    clock.now += 4
    assert isinstance(books.acquire(A, "w"), Reuse)
    books.release(conn, reusable=True)
    assert books.expire(now=clock.now + 4) == []
    assert books.expire(now=clock.now + 5) == [conn]


# -- shutdown and checking --------------------------------------------------------------


def test_shutdown_hands_back_everything() -> None:
    books = make(max_connections=2)
    idle, busy = open_one(books), open_one(books)
    books.release(idle, reusable=True)
    other = books.acquire(A, "w")
    assert isinstance(other, Reuse)
    books.release(other.conn, reusable=True)
    answer = books.acquire(B, "w")
    assert isinstance(answer, Open)
    ticket = waits(books, B)
    done = books.shutdown()
    assert done.idle == []
    assert done.active == [busy]
    assert done.waiters == [ticket]
    assert books.release(busy, reusable=True).close == (busy,)
    books.opened(answer.slot, Conn(B))
    with pytest.raises(PoolClosed, match="closed"):
        books.acquire(A, "w")
    books.invariant_check()


def test_shutdown_returns_idle_connections() -> None:
    books = make()
    conn = open_one(books)
    books.release(conn, reusable=True)
    assert books.shutdown().idle == [conn]
    assert books.idle == 0


def test_invariant_check_catches_bad_books() -> None:
    books = make(max_connections=1)
    conn = open_one(books)
    books._active += 1  # simulate a bookkeeping bug
    with pytest.raises(BooksOutOfBalance, match="counted"):
        books.invariant_check()
    books._active -= 1
    books.release(conn, reusable=True)
    slot = books._idle_order[conn]
    slot.state = ConnectionState.ACTIVE
    with pytest.raises(BooksOutOfBalance, match=r"over max_connections|counted"):
        books.invariant_check()


def test_invariant_check_names_each_imbalance() -> None:
    def broken(books: Books, pattern: str) -> None:
        with pytest.raises(BooksOutOfBalance, match=pattern):
            books.invariant_check()

    books = make(max_connections=2, max_keepalive=1)
    first, second = open_one(books), open_one(books)
    books.release(first, reusable=True)
    books._new = -1
    broken(books, "NEW or CLOSED")
    books._new = 0
    books._idle_by_origin[B] = books._idle_by_origin.pop(A)
    broken(books, "misfiled under")
    books._idle_by_origin[A] = books._idle_by_origin.pop(B)
    books._idle_order[first].idle_since = -1.0
    books._idle_order[second] = books._by_conn[second]
    books._idle_order[second].idle_since = -5.0
    broken(books, "not by idle-since")
    broken(books, "idle over max_keepalive_connections=1")
    broken(books, "idle by origin")
    del books._idle_order[second]
    books._idle_order[first].idle_since = 0.0
    books.invariant_check()
    ticket = Ticket[Conn, str](A, "w")
    books._queue[ticket] = None
    broken(books, "0 waiters by origin, 1 in the queue")
    ticket.passed = MAX_PASSES + 1
    broken(books, "passed over")
    books._queue_by_origin[A] = {ticket: None}  # type: ignore[assignment]
    ticket.grant = Reuse(first)
    broken(books, "misfiled")
    broken(books, "1 wait while 2 open, 1 idle")


def test_reprs_are_informative() -> None:
    books = make(max_connections=1)
    answer = books.acquire(A, "w")
    assert isinstance(answer, Open)
    assert "NEW" in repr(answer.slot)
    ticket = waits(books, A)
    assert "grant=NoneType" in repr(ticket)
    assert "Outcome(close=()" in repr(Outcome[Conn, str]())
    assert isinstance(answer.slot, Slot)


# -- random sequences ------------------------------------------------------------------


class BooksMachine(RuleBasedStateMachine):
    """Random acquire/open/fail/release/cancel/expire/close across three origins."""

    waiting = Bundle("waiting")

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.books: Books = make(max_connections=3, max_keepalive=2, clock=self.clock)
        self.holding: list[Conn] = []  # connections a request holds (ACTIVE)
        self.opening: list[Slot[Conn]] = []  # slots a request is connecting
        self.open_conns: set[int] = set()  # ids of connections not yet closed
        self.granted: list[Ticket[Conn, str]] = []

    def apply(self, outcome: Outcome[Conn, str]) -> None:
        for conn in outcome.close:
            assert conn.id in self.open_conns, f"{conn} closed twice"
            self.open_conns.discard(conn.id)
        if outcome.wake is not None:
            self.granted.append(outcome.wake)

    def take(self, answer: Reuse[Conn] | Open[Conn]) -> None:
        if isinstance(answer, Reuse):
            assert answer.conn not in self.holding, "one connection handed to two requests"
            assert answer.conn.id in self.open_conns
            self.holding.append(answer.conn)
        else:
            if answer.evict is not None:
                assert answer.evict not in self.holding
                self.open_conns.discard(answer.evict.id)
            self.opening.append(answer.slot)

    @rule(target=waiting, origin=st.sampled_from([A, A_OTHER_TLS, B]))
    def acquire(self, origin: object) -> object:
        answer = self.books.acquire(origin, "w")
        if isinstance(answer, Wait):
            return answer.ticket
        self.take(answer)
        return None

    @precondition(lambda self: self.granted)
    @rule()
    def wake_up(self) -> None:
        ticket = self.granted.pop(0)
        assert ticket.grant is not None
        self.take(ticket.grant)

    @rule(ticket=consumes(waiting))
    def cancel(self, ticket: Ticket[Conn, str] | None) -> None:
        if ticket is None or (ticket.grant is not None and ticket not in self.granted):
            return  # nothing queued, or the grant was already taken up
        if ticket in self.granted:
            self.granted.remove(ticket)
        self.apply(self.books.cancel(ticket))

    @precondition(lambda self: self.opening)
    @rule(index=st.integers(min_value=0), ok=st.booleans())
    def connect(self, index: int, ok: bool) -> None:
        slot = self.opening.pop(index % len(self.opening))
        if ok:
            conn = Conn(slot.origin)
            self.books.opened(slot, conn)
            self.open_conns.add(conn.id)
            self.holding.append(conn)
        else:
            self.apply(self.books.open_failed(slot))

    @precondition(lambda self: self.holding)
    @rule(index=st.integers(min_value=0), reusable=st.booleans())
    def release(self, index: int, reusable: bool) -> None:
        conn = self.holding.pop(index % len(self.holding))
        self.apply(self.books.release(conn, reusable))

    @precondition(lambda self: self.holding)
    @rule(index=st.integers(min_value=0))
    def dies_while_active(self, index: int) -> None:
        conn = self.holding.pop(index % len(self.holding))
        self.open_conns.discard(conn.id)
        self.apply(self.books.closed(conn))

    @rule(index=st.integers(min_value=0))
    def idle_found_dead(self, index: int) -> None:
        idle = list(self.books._idle_order)
        if idle:
            conn = idle[index % len(idle)]
            self.open_conns.discard(conn.id)
            self.apply(self.books.closed(conn))

    @rule(seconds=st.floats(min_value=0, max_value=4))
    def time_passes(self, seconds: float) -> None:
        self.clock.now += seconds
        for conn in self.books.expire():
            assert conn not in self.holding
            self.open_conns.remove(conn.id)

    @invariant()
    def balanced(self) -> None:
        books = self.books
        books.invariant_check()
        assert len(self.holding) == len(set(map(id, self.holding)))
        pending_reuse = [t.grant.conn for t in self.granted if isinstance(t.grant, Reuse)]
        pending_open = [t for t in self.granted if isinstance(t.grant, Open)]
        assert books.active == len(self.holding) + len(pending_reuse)
        assert books.opening == len(self.opening) + len(pending_open)
        assert books.active + books.idle == len(self.open_conns)
        assert not set(map(id, pending_reuse)) & set(map(id, self.holding))
        total = books.active + books.idle + books.opening
        assert total <= 3
        assert books.idle <= 2
        if books.queued:  # nobody waits while a place is free
            assert total == 3
            assert books.idle == 0


TestBooksMachine = BooksMachine.TestCase
TestBooksMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


# -- cost ------------------------------------------------------------------------------


def _reuse_cost(size: int, rounds: int = 3000) -> float:
    """Seconds per acquire (reuse) + release, with `size` idle connections of `size` origins."""
    books: Books = make(max_connections=None, max_keepalive=None, expiry=60.0)
    origins = [("http", f"h{i}.test", 80, None) for i in range(size)]
    for origin in origins:
        books.release(open_one(books, origin), reusable=True)
    hot = origins[size // 2]
    start = time.perf_counter()
    for _ in range(rounds):
        answer = books.acquire(hot, "w")
        books.release(answer.conn, reusable=True)  # type: ignore[union-attr]
    return (time.perf_counter() - start) / rounds


def _queue_cost(size: int, rounds: int = 3000) -> float:
    """Seconds per release (hand-over) + acquire (queue) + cancel, `size` busy and queued."""
    books: Books = make(max_connections=size, max_keepalive=None, expiry=60.0)
    held = [open_one(books) for _ in range(size)]
    tickets = [waits(books, A) for _ in range(size)]
    start = time.perf_counter()
    for i in range(rounds):
        books.release(held[i % size], reusable=True)  # to the head of the queue
        books.cancel(tickets[(i + size // 2) % size])  # one from the middle gives up
        tickets[i % size] = waits(books, A)
        tickets[(i + size // 2) % size] = waits(books, A)
    return (time.perf_counter() - start) / rounds


def test_acquire_release_cost_is_flat_in_pool_size() -> None:
    """O(1): 10,000 connections or waiters cost what 10 do (a scan would be ~1000x)."""
    for cost in (_reuse_cost, _queue_cost):
        small = min(cost(10) for _ in range(3))
        large = min(cost(10_000) for _ in range(3))
        assert large < 4 * small, (cost.__name__, small, large)
