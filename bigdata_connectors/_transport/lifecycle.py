"""What a client and every view of it (sharing its session) share about that session's life.

- **Loop binding**: the session, its connections and the pool gate belong to the event loop of the first
  request; a call from another loop raises ``EventLoopError`` before touching any of them.
- **The pool gate** (``Gate``): at most ``max_connections`` attempts on the wire at once. The others queue here,
  before aiohttp and outside the attempt's ``timeout``, for at most ``pool_timeout`` seconds and never past
  the caller's deadline; giving up raises ``APITimeoutError(request_sent=False)``: nothing was sent. Why not
  ``asyncio.Semaphore``: on the hot path it costs a scan of its waiters in ``locked()`` (called twice), a
  coroutine for ``acquire`` and another scan on ``release``; here a free place is taken with two attribute reads
  and a decrement (``try_acquire``), and a released place goes straight to the longest waiter (measured by
  ``python -m bench.profile``, docs/benchmarks.md).
- **Closing**: once closed, queued calls and calls sleeping before a retry end with ``ClientClosedError``
  at once (the sleep is cut short), and no new attempt starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque

from bigdata_connectors._errors import APITimeoutError, ClientClosedError, EventLoopError
from bigdata_connectors._types import Clock, Sleep

__all__ = ["CLOSED", "Gate", "Lifecycle"]

CLOSED = "this BigdataClient is closed; create a new one"


class Lifecycle:
    """See the module docstring. One per client; its views hold the same one."""

    def __init__(self, *, max_connections: int, pool_timeout: float | None, sleep: Sleep, clock: Clock) -> None:
        self._max_connections = max_connections
        self._pool_timeout = pool_timeout
        self._sleep = sleep
        self._clock = clock
        self.closed = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self._gate: Gate | None = None
        self._closing: asyncio.Event | None = None

    def bind(self, pool_limit: int | None = None) -> None:
        """Tie to the running loop on first use (``pool_limit``: a borrowed session's own connector limit);
        refuse any other loop afterwards. Raises EventLoopError, ClientClosedError."""
        if self.closed:
            raise ClientClosedError(CLOSED)
        loop = asyncio.get_running_loop()
        if self.loop is loop:
            return
        if self.loop is not None:
            raise EventLoopError(
                "this BigdataClient was first used on another event loop and belongs to it (its connections "
                "live there); create one client per event loop, e.g. inside the coroutine asyncio.run() runs"
            )
        self.loop = loop
        self._gate = Gate(min(self._max_connections, pool_limit or self._max_connections))
        self._closing = asyncio.Event()

    def close(self) -> None:
        """Mark closed and wake every queued or sleeping call (they raise ClientClosedError)."""
        self.closed = True
        if self._closing is not None:
            self._closing.set()

    def try_enter(self) -> bool:
        """Take a free place on the wire if there is one, without suspending (pair with ``leave``);
        False when the caller must wait in line with ``enter``."""
        assert self._gate is not None, "bind() first"
        return self._gate.try_acquire()

    async def enter(self, deadline: float | None, *, method: str, path: str) -> None:
        """Take a place on the wire (pair with ``leave``). Raises APITimeoutError(request_sent=False) when the
        wait exceeds ``pool_timeout`` (seconds) or the deadline (seconds on the clock), ClientClosedError."""
        gate = self._gate
        assert gate is not None, "bind() first"
        if not gate.locked():
            await gate.acquire()  # a free place: returns without suspending
            return
        limit = self._pool_timeout if self._pool_timeout is not None else math.inf
        if deadline is not None:
            limit = min(limit, deadline - self._clock())
        gave_up = False
        try:
            async with asyncio.timeout(None if math.isinf(limit) else max(limit, 0.0)):
                await gate.acquire()
        except TimeoutError:
            gave_up = True
        if gave_up:  # raised here, outside the except block: no TimeoutError as __context__
            raise APITimeoutError(
                f"no free connection within {limit:.3g}s (all max_connections={self._max_connections} in use); "
                "the request was never sent",
                method=method,
                path=path,
                request_sent=False,
            )
        if self.closed:
            gate.release()
            raise ClientClosedError(CLOSED)

    def leave(self) -> None:
        assert self._gate is not None
        self._gate.release()

    async def sleep(self, seconds: float) -> None:
        """The retry sleep (the injected ``sleep``), cut short with ClientClosedError when closing."""
        if self.closed or self._closing is None:
            raise ClientClosedError(CLOSED)
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait((sleeper, closing), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, closing):
                task.cancel()
            await asyncio.gather(sleeper, closing, return_exceptions=True)
        if self.closed:
            raise ClientClosedError(CLOSED)
        sleeper.result()


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
