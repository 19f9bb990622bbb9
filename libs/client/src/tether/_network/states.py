"""Connection states and the table of allowed moves between them.

A connection is NEW while its slot is reserved and it connects, ACTIVE while it serves
one request, IDLE while kept for reuse, CLOSED once forgotten. Every move goes through
`transition()`, which refuses anything `TRANSITIONS` does not list.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

__all__ = [
    "ACTIVE",
    "CLOSED",
    "IDLE",
    "NEW",
    "TRANSITIONS",
    "ConnectionState",
    "InvalidTransition",
    "transition",
]


class ConnectionState(enum.Enum):
    """Where a connection is in its life (see `TRANSITIONS`)."""

    NEW = "new"
    ACTIVE = "active"
    IDLE = "idle"
    CLOSED = "closed"

    # Members are singletons compared by identity; Enum's own hash is a Python-level
    # call, and `transition` hashes twice on every acquire and release.
    __hash__ = object.__hash__


NEW: Final = ConnectionState.NEW
ACTIVE: Final = ConnectionState.ACTIVE
IDLE: Final = ConnectionState.IDLE
CLOSED: Final = ConnectionState.CLOSED

TRANSITIONS: Final[Mapping[ConnectionState, frozenset[ConnectionState]]] = {
    NEW: frozenset({ACTIVE, CLOSED}),  # connected / failed or cancelled while connecting
    ACTIVE: frozenset({IDLE, CLOSED}),  # released for reuse / released unusable or died
    IDLE: frozenset({ACTIVE, CLOSED}),  # reused / expired, evicted or found dead
    CLOSED: frozenset(),
}


class InvalidTransition(RuntimeError):
    """A shell asked for a move the state table forbids (a bug in the shell)."""


def transition(current: ConnectionState, target: ConnectionState) -> ConnectionState:
    """Return `target` if the table allows ``current -> target``, else raise."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(
            f"a connection cannot go from {current.name} to {target.name}; "
            f"from {current.name} it may go to "
            f"{', '.join(sorted(s.name for s in TRANSITIONS[current])) or 'nothing'}"
        )
    return target
