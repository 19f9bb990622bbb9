"""Timeout and pool-limit settings: small immutable value objects.

Defaults follow httpx 0.28 so code that relies on them behaves the same: five
seconds for each of connect, read, write and pool, and a pool of at most 100
connections of which 20 are kept alive for 5 seconds. tether adds `total`, a
deadline for a whole request (connecting, sending, waiting and reading the body),
which stops a server that drips one byte at a time from outliving every
per-operation timeout. It is off unless asked for.
"""

from __future__ import annotations

import math
from typing import Any, Final

from ._types import TimeoutTypes

_PHASES: Final = ("connect", "read", "write", "pool")


class _Unset:
    """The marker for an argument that was not passed (`None` means "no timeout")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def _seconds(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"Timeout {name} must be a number of seconds or None, not {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"Timeout {name} must be zero or more seconds, not {value!r}")
    return value


class Timeout:
    """Timeouts in seconds for each phase of a request; `None` disables one.

    `Timeout(5.0)` sets all four phases; `Timeout(5.0, connect=1.0)` overrides one;
    `Timeout(connect=1, read=2, write=3, pool=4)` needs all four when there is no
    default; `Timeout((1, 2, 3, 4))` and `Timeout(other_timeout)` are accepted too.
    `total` bounds the whole request, from acquiring a connection to the body's end.
    """

    __slots__ = ("connect", "pool", "read", "total", "write")

    connect: float | None
    read: float | None
    write: float | None
    pool: float | None
    total: float | None

    def __init__(
        self,
        timeout: TimeoutTypes | _Unset = UNSET,
        *,
        connect: float | _Unset | None = UNSET,
        read: float | _Unset | None = UNSET,
        write: float | _Unset | None = UNSET,
        pool: float | _Unset | None = UNSET,
        total: float | None = None,
    ) -> None:
        given = {"connect": connect, "read": read, "write": write, "pool": pool}
        if isinstance(timeout, Timeout):
            if any(value is not UNSET for value in given.values()):
                raise ValueError("Timeout(timeout=<Timeout>) takes no per-phase arguments")
            values: dict[str, object] = dict(timeout.as_dict())
            total = timeout.total if total is None else total
        elif isinstance(timeout, tuple):
            if len(timeout) != 4:
                raise ValueError(
                    f"a timeout tuple needs four values (connect, read, write, pool), "
                    f"not {len(timeout)}"
                )
            values = dict(zip(_PHASES, timeout, strict=True))
        elif isinstance(timeout, _Unset):
            missing = [name for name, value in given.items() if value is UNSET]
            if missing:
                raise ValueError(
                    "Timeout must either include a default, or set all four parameters "
                    f"explicitly (missing: {', '.join(missing)})"
                )
            values = dict(given)
        else:
            values = {name: timeout if value is UNSET else value for name, value in given.items()}
        for name in _PHASES:
            object.__setattr__(self, name, _seconds(name, values[name]))
        object.__setattr__(self, "total", _seconds("total", total))

    def as_dict(self) -> dict[str, float | None]:
        """The per-phase timeouts, as the `timeout` request extension carries them."""
        result = {name: getattr(self, name) for name in _PHASES}
        if self.total is not None:
            result["total"] = self.total
        return result

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Timeout is immutable; use Timeout(...) to make another ({name})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeout):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[float | None, ...]:
        return (self.connect, self.read, self.write, self.pool, self.total)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_timeout, self._key())

    def __repr__(self) -> str:
        extra = "" if self.total is None else f", total={self.total}"
        if len({self.connect, self.read, self.write, self.pool}) == 1:
            return f"Timeout(timeout={self.connect}{extra})"
        phases = ", ".join(f"{name}={getattr(self, name)}" for name in _PHASES)
        return f"Timeout({phases}{extra})"


def _limit(name: str, value: object, kind: type[int] | tuple[type, ...]) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"Limits {name} must be a number or None, not {value!r}")
    if value < 0:  # type: ignore[operator]
        raise ValueError(f"Limits {name} must be zero or more, not {value!r}")
    return value


class Limits:
    """Connection-pool limits; `None` means unlimited.

    `max_connections` bounds open connections, `max_keepalive_connections` bounds the
    idle ones kept for reuse, `keepalive_expiry` is how long an idle one is kept.
    """

    __slots__ = ("keepalive_expiry", "max_connections", "max_keepalive_connections")

    max_connections: int | None
    max_keepalive_connections: int | None
    keepalive_expiry: float | None

    def __init__(
        self,
        *,
        max_connections: int | None = None,
        max_keepalive_connections: int | None = None,
        keepalive_expiry: float | None = 5.0,
    ) -> None:
        object.__setattr__(self, "max_connections", _limit("max_connections", max_connections, int))
        object.__setattr__(
            self,
            "max_keepalive_connections",
            _limit("max_keepalive_connections", max_keepalive_connections, int),
        )
        object.__setattr__(
            self, "keepalive_expiry", _limit("keepalive_expiry", keepalive_expiry, (int, float))
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Limits is immutable; use Limits(...) to make another ({name})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Limits):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[float | None, ...]:
        return (self.max_connections, self.max_keepalive_connections, self.keepalive_expiry)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_limits, self._key())

    def __repr__(self) -> str:
        return (
            f"Limits(max_connections={self.max_connections}, "
            f"max_keepalive_connections={self.max_keepalive_connections}, "
            f"keepalive_expiry={self.keepalive_expiry})"
        )


def _rebuild_timeout(
    connect: float | None,
    read: float | None,
    write: float | None,
    pool: float | None,
    total: float | None,
) -> Timeout:
    return Timeout((connect, read, write, pool), total=total)


def _rebuild_limits(
    max_connections: int | None, max_keepalive_connections: int | None, expiry: float | None
) -> Limits:
    return Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_keepalive_connections,
        keepalive_expiry=expiry,
    )


DEFAULT_TIMEOUT_CONFIG: Final = Timeout(timeout=5.0)
DEFAULT_LIMITS: Final = Limits(max_connections=100, max_keepalive_connections=20)
DEFAULT_MAX_REDIRECTS: Final = 20
