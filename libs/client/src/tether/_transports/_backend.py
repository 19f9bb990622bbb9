"""The little of asyncio and trio that the ASGI transport needs, picked at run time.

The transport runs an app in a background task and hands messages to and fro through
a bounded queue; this module hides which event loop runs them. Trio is detected
without sniffio: ``trio`` must already be imported and a trio task must be running
(trio is never imported here otherwise). Everything else is asyncio.

Invariants:

- A background task never raises into the event loop: the function it runs catches
  what it must, and `Task.wait()` returns once the task is over, however it ended
  (finished, failed or cancelled, even before it started).
- `BoundedQueue.put` waits while the queue holds `capacity` items, so a producer can
  never run more than `capacity` items ahead of its consumer.
"""

from __future__ import annotations

import contextvars
import sys
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


class Event(Protocol):
    """What asyncio's and trio's events have in common."""

    def set(self) -> None: ...

    def is_set(self) -> bool: ...

    async def wait(self) -> object: ...


class Task(Protocol):
    """A background task: cancel it, or wait until it is over."""

    def cancel(self) -> None: ...

    @property
    def done(self) -> bool: ...

    async def wait(self) -> None: ...


class Backend(Protocol):
    """The primitives of one event loop library."""

    name: str

    def create_event(self) -> Event: ...

    def start_task(self, function: Callable[[], Awaitable[None]], *, name: str) -> Task: ...

    async def checkpoint(self) -> None: ...

    def shield(self) -> AbstractContextManager[object]: ...


class _AsyncioTask:
    def __init__(self, function: Callable[[], Awaitable[None]], name: str) -> None:
        import asyncio

        self._done = asyncio.Event()
        self._task: asyncio.Task[None] = asyncio.get_running_loop().create_task(
            self._run(function), name=name
        )
        # A done callback also fires for a task cancelled before its first step, when
        # no code of `_run` ever ran.
        self._task.add_done_callback(self._finished)

    @staticmethod
    async def _run(function: Callable[[], Awaitable[None]]) -> None:
        await function()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._done.set()

    def cancel(self) -> None:
        self._task.cancel()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    async def wait(self) -> None:
        await self._done.wait()


class _AsyncioBackend:
    name = "asyncio"

    def create_event(self) -> Event:
        import asyncio

        return asyncio.Event()

    def start_task(self, function: Callable[[], Awaitable[None]], *, name: str) -> Task:
        return _AsyncioTask(function, name)

    async def checkpoint(self) -> None:
        import asyncio

        await asyncio.sleep(0)

    def shield(self) -> AbstractContextManager[object]:
        # An asyncio task is cancelled once per cancel() call: the await that follows
        # the CancelledError in a cleanup block runs normally.
        return nullcontext()


class _TrioTask:
    def __init__(self, function: Callable[[], Awaitable[None]], name: str) -> None:
        import trio

        self._scope = trio.CancelScope()
        self._done = trio.Event()
        # A system task outlives the call that starts it, as the response body does; it
        # gets a copy of the caller's context variables, as an asyncio task does.
        trio.lowlevel.spawn_system_task(
            self._run, function, name=name, context=contextvars.copy_context()
        )

    async def _run(self, function: Callable[[], Awaitable[None]]) -> None:
        try:
            with self._scope:
                await function()
        finally:
            self._done.set()

    def cancel(self) -> None:
        self._scope.cancel()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    async def wait(self) -> None:
        await self._done.wait()


class _TrioBackend:
    # trio is in sys.modules whenever this backend is chosen: importing it is a lookup.
    name = "trio"

    def create_event(self) -> Event:
        import trio

        return trio.Event()

    def start_task(self, function: Callable[[], Awaitable[None]], *, name: str) -> Task:
        return _TrioTask(function, name)

    async def checkpoint(self) -> None:
        import trio

        await trio.lowlevel.checkpoint()

    def shield(self) -> AbstractContextManager[object]:
        import trio

        return trio.CancelScope(shield=True)


_ASYNCIO = _AsyncioBackend()
_TRIO = _TrioBackend()


def current_backend() -> Backend:
    """The backend of the event loop running this task; RuntimeError outside of one."""
    trio_module = sys.modules.get("trio")
    if trio_module is not None:
        try:
            trio_module.lowlevel.current_task()
        except RuntimeError:
            pass
        else:
            return _TRIO
    asyncio_module = sys.modules.get("asyncio")
    if asyncio_module is not None:
        try:
            asyncio_module.get_running_loop()
        except RuntimeError:
            pass
        else:
            return _ASYNCIO
    raise RuntimeError(
        "ASGITransport needs a running asyncio or trio event loop: call it from async "
        "code run by asyncio.run() or trio.run()."
    )


class QueueClosed(Exception):
    """The queue was closed: its consumer is gone."""


class BoundedQueue(Generic[T]):
    """A FIFO of at most `capacity` items from producer tasks to one consumer task.

    `put` waits while the queue is full and `get` while it is empty; `close` wakes
    every waiter, and from then on `put` raises `QueueClosed`.
    """

    def __init__(self, backend: Backend, capacity: int) -> None:
        self._backend = backend
        self._capacity = capacity
        self._items: deque[T] = deque()
        self._closed = False
        # Every change sets this event and replaces it, so each waiter wakes and
        # checks its condition again (trio's events cannot be cleared).
        self._changed = backend.create_event()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = self._backend.create_event()

    @property
    def closed(self) -> bool:
        return self._closed

    async def put(self, item: T) -> None:
        while not self._closed and len(self._items) >= self._capacity:
            await self._changed.wait()
        if self._closed:
            raise QueueClosed
        self._items.append(item)
        self._notify()

    async def get(self) -> T:
        waited = False
        while not self._items:
            if self._closed:
                raise QueueClosed
            await self._changed.wait()
            waited = True
        if waited:
            # A task woken by an event resumes from a future that is already done, and
            # anyio's cancel scopes (on asyncio) only cancel a task that is not in that
            # state: one plain checkpoint, taken before an item leaves the queue, lets a
            # pending cancellation land without losing the item.
            await self._backend.checkpoint()
            if not self._items:  # closed meanwhile: close() empties the queue
                raise QueueClosed
        item = self._items.popleft()
        self._notify()
        return item

    def close(self) -> None:
        self._closed = True
        self._items.clear()
        self._notify()
