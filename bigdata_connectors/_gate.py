"""``Gate``: at most N holders at once, the others waiting first come, first served.

What ``asyncio.Semaphore`` does, for the one place the SDK needs it: the ``max_connections`` places on the
wire that every request attempt takes (``_http``). Why not the semaphore: on the hot path it costs a
generator scan of its waiters in ``locked()`` (called twice), a coroutine for ``acquire`` and another scan on
``release``; here a free place is taken with two attribute reads and a decrement (``try_acquire``), and a
released place goes straight to the longest waiter. Measured by ``python -m bench.profile`` (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

__all__ = ["Gate"]


class Gate:
    """``size`` places; ``try_acquire`` takes a free one without waiting, ``acquire`` waits in line."""

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        """True when a new comer would have to wait (no free place, or others already waiting)."""
        return self._free <= 0 or bool(self._waiters)

    def try_acquire(self) -> bool:
        """Take a free place if there is one and nobody is waiting for it; never suspends."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def acquire(self) -> None:
        """Take a place, waiting behind those already waiting. Cancellation (or a timeout around this
        call) while waiting leaves the line; a place handed over just before is passed on, never lost."""
        if self.try_acquire():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a place, but leaving anyway: give it to the next in line
            else:
                with contextlib.suppress(ValueError):  # release() may already have dropped it
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Give a place back: to the longest waiter still waiting, else to the free pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
