"""The client-side rate limit: one ``aiolimiter.AsyncLimiter`` per client, shared by every request.

``rate_limit`` is a ceiling: at most that many requests in any 60 seconds (every attempt counts: calls,
polls, retries). aiolimiter's leaky bucket lets a full bucket through at once and then drains it at
its rate, so a bucket of ``N`` draining ``N`` a minute would allow ``2N`` in the first minute. The
bucket here holds a 10-second share (``N/6``, at least one request) and drains the rest
(``N - N/6``) over the minute: a burst, then an even pace, never more than ``N`` in any minute, about
``5N/6`` a minute sustained. The limiter runs on the event loop's clock.

Taking a request from the budget is on every attempt's path, so ``Budget.try_take`` does it without a coroutine
when the bucket has room and nobody is waiting: what ``AsyncLimiter.acquire`` does in that case (add one to the
bucket's level), minus the coroutine, the loop look-ups and the waker bookkeeping it has no use for then. That is
about 8,000 of the 11,000 CPU instructions the limiter cost per ``get()`` (docs/benchmarks.md). It reads
aiolimiter's level and waiters (1.2 and 1.3 keep them as ``_level`` and ``_waiters``); a release without them
takes every request through ``acquire``, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

__all__ = ["MINUTE", "Budget", "build_limiter", "limiter_shape"]

MINUTE = 60.0  # seconds


def limiter_shape(rate_limit: float) -> tuple[float, float]:
    """(bucket size in requests, seconds to drain it) for at most ``rate_limit`` requests in any minute."""
    burst = max(1.0, rate_limit / 6.0)
    drained_per_minute = rate_limit - burst
    if drained_per_minute <= 0:  # below 2 a minute: one request, then one per 60/rate_limit seconds
        return 1.0, MINUTE / rate_limit
    return burst, burst * MINUTE / drained_per_minute


def build_limiter(rate_limit: float | None) -> AsyncLimiter | None:
    """The limiter for ``rate_limit`` requests a minute, or None when it is disabled (then nothing is paid)."""
    if rate_limit is None:
        return None
    from aiolimiter import AsyncLimiter

    burst, period = limiter_shape(rate_limit)
    return AsyncLimiter(burst, period)


class Budget:
    """The client's request budget (one per client, shared by its views): ``try_take`` then, if it said no,
    ``await take()``. ``limiter`` is the aiolimiter bucket itself."""

    __slots__ = ("_fast", "limiter")

    def __init__(self, limiter: AsyncLimiter) -> None:
        self.limiter = limiter
        self._fast = hasattr(limiter, "_level") and isinstance(getattr(limiter, "_waiters", None), list)

    def try_take(self) -> bool:
        """Take one request from the budget if that needs no waiting (room in the bucket, nobody in line)."""
        limiter = self.limiter
        if self._fast and not limiter._waiters and limiter.has_capacity():
            limiter._level += 1
            return True
        return False

    async def take(self) -> None:
        """Take one request from the budget, waiting in line for room as long as it takes."""
        await self.limiter.acquire()
