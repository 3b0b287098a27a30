"""The client's rate limiter against the emulator enforcing the vendor's per-key limit, on a scaled clock.

Everything runs on one event loop whose clock goes ``SCALE`` times faster than the wall clock: the
client's limiter (aiolimiter reads the loop's clock), its sleeps and timeouts, and the emulator's
clock, its rate limit and its syncs. Simulated minutes take a fraction of a wall second each; what is
counted is requests on the emulator's clock, never timings. Scenarios without I/O (the limiter alone) run
on ``VirtualLoop`` instead, whose clock moves only from timer to timer, so their release times are exact.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from bench.scale import ScaledLoop
from bigdata_connectors import BigdataClient, RateLimitError
from bigdata_connectors._transport.ratelimit import Budget, build_limiter, limiter_shape
from bigdata_connectors.testing import Emulator
from bigdata_connectors.testing._ratelimit import KeyRateLimit
from tests.conftest import API_KEY

T = TypeVar("T")
SCALE = 120.0
VENDOR_LIMIT = 500  # requests a minute per key, as the vendor documents
TICK = 1e-6  # virtual seconds one turn of VirtualLoop costs


def run_scaled(coro: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=lambda: ScaledLoop(SCALE)) as runner:
        return runner.run(coro)


class _VirtualSelector(selectors.DefaultSelector):
    """Never waits: a wait for a timer moves the virtual clock to it instead, and every turn of the loop costs
    a microsecond, as on a real clock (a limiter that rounds a wake-up a hair early must see time pass)."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = super().select(0)
        waited = timeout or 0.0 if not events else 0.0  # woken by I/O: no timer was reached
        self.now += TICK + waited
        return events


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop on virtual time, for scenarios without I/O: timers fire in order, the wall clock never
    enters, so release times are exact however loaded the machine is."""

    def __init__(self) -> None:
        self._virtual = _VirtualSelector()
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now


def run_virtual(coro: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=VirtualLoop) as runner:
        return runner.run(coro)


@pytest.mark.parametrize("rate_limit", [1.0, 1.5, 2.0, 7.0, 300.0, 500.0, 10_000.0])
def test_limiter_shape_allows_at_most_the_limit_in_any_minute(rate_limit: float) -> None:
    burst, period = limiter_shape(rate_limit)
    assert burst >= 1
    if rate_limit >= 2:
        assert burst + 60.0 * burst / period == pytest.approx(rate_limit)


async def _sync_many(client_limit: float | None, *, connectors: int) -> tuple[Emulator, Counter[str]]:
    loop = asyncio.get_running_loop()
    emulator = Emulator(api_key=API_KEY, rate_limit=VENDOR_LIMIT, clock=loop.time, sync_duration=(1.0, 6.0), seed=1)
    async with emulator:
        ids = emulator.preload(connectors)
        client = BigdataClient(
            API_KEY,
            base_url=emulator.base_url,
            clock=loop.time,
            timeout=30.0 * SCALE,  # 30 s of wall time per attempt: real work is not scaled
            rate_limit=client_limit,
        )
        async with client:
            outcomes = await client.connectors.sync_many(ids, date_limit="2026-01-01", concurrency=connectors)
    return emulator, Counter(type(o.error).__name__ for o in outcomes if o.error is not None)


def test_sync_many_over_300_connectors_stays_under_the_limit() -> None:
    emulator, errors = run_scaled(_sync_many(300.0, connectors=300))
    assert errors == Counter(), errors  # no RateLimitError, nor anything else
    assert emulator.rate_limit is not None
    arrivals = emulator.rate_limit.arrivals
    assert len(arrivals) >= 300 * 3  # a read, a trigger and at least one poll each
    assert emulator.rate_limit.refused == 0  # never a 429
    # On the emulator's clock, never more than allowed in any minute, and the budget was used. (Arrivals can
    # exceed the client's 300 here: event-loop lag at the start, multiplied by SCALE, bunches requests the
    # limiter released on time; test_limiter_releases_at_most_the_limit_in_any_minute checks the release times.)
    assert 100 < emulator.rate_limit.max_in_window(60.0) <= VENDOR_LIMIT


def test_the_budget_fast_path_keeps_the_limit_and_the_line() -> None:
    """``Budget.try_take`` (no coroutine when there is room and nobody waits) then ``take``: still never more than
    the limit in any minute, and nobody jumps the line of those already waiting."""

    async def releases() -> tuple[list[float], int]:
        loop = asyncio.get_running_loop()
        limiter = build_limiter(300.0)
        assert limiter is not None
        budget = Budget(limiter)
        times: list[float] = []
        fast = 0

        async def one() -> None:
            nonlocal fast
            if budget.try_take():
                fast += 1
            else:
                await budget.take()
            times.append(loop.time())

        await asyncio.gather(*(one() for _ in range(700)))
        return times, fast

    times, fast = run_virtual(releases())
    counter = KeyRateLimit(10**9, 60.0, time.monotonic)
    counter.arrivals = times
    assert counter.max_in_window(60.0) <= 300
    assert fast == 50  # the first bucketful (300/6) went through without waiting; every other waited in line
    assert times == sorted(times)


def test_the_budget_without_aiolimiters_internals_always_waits_its_turn() -> None:
    class Opaque:  # an aiolimiter that keeps its level elsewhere: no fast path, every request acquires
        def __init__(self) -> None:
            self.acquired = 0

        def has_capacity(self, amount: float = 1) -> bool:
            return True

        async def acquire(self, amount: float = 1) -> None:
            self.acquired += 1

    limiter = Opaque()
    budget = Budget(limiter)  # type: ignore[arg-type]
    assert not budget.try_take()
    asyncio.run(budget.take())
    assert limiter.acquired == 1


def test_limiter_releases_at_most_the_limit_in_any_minute() -> None:
    async def releases() -> list[float]:
        loop = asyncio.get_running_loop()
        limiter = build_limiter(300.0)
        assert limiter is not None
        times: list[float] = []

        async def one() -> None:
            await limiter.acquire()
            times.append(loop.time())

        await asyncio.gather(*(one() for _ in range(700)))
        return times

    times = run_virtual(releases())
    counter = KeyRateLimit(10**9, 60.0, time.monotonic)
    counter.arrivals = times
    assert counter.max_in_window(60.0) <= 300
    # A bucketful at once, then one every period/burst seconds (5/6 of 300 a minute sustained): 650 more in 156 s.
    burst, period = limiter_shape(300.0)
    assert sum(1 for t in times if t == times[0]) == burst
    assert times[-1] - times[0] == pytest.approx((700 - burst) * period / burst, abs=0.01)


async def test_the_emulator_enforces_the_limit_without_a_client_limiter() -> None:
    async with Emulator(api_key=API_KEY, rate_limit=VENDOR_LIMIT) as emulator:
        (cid,) = emulator.preload(1)
        async with BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None, max_retries=0) as client:
            results = await asyncio.gather(
                *(client.connectors.get(cid) for _ in range(VENDOR_LIMIT + 50)), return_exceptions=True
            )
    assert emulator.rate_limit is not None
    limited = [r for r in results if isinstance(r, RateLimitError)]
    assert len(limited) == emulator.rate_limit.refused == 50
    assert all(r.retry_after is not None and 1 <= r.retry_after <= 60 for r in limited)
    assert emulator.rate_limit.max_in_window() == VENDOR_LIMIT + 50  # arrivals count refused requests too


def test_one_limiter_for_calls_polls_and_retries_of_every_view() -> None:
    async def scenario() -> tuple[int, float]:
        loop = asyncio.get_running_loop()
        async with Emulator(api_key=API_KEY, rate_limit=10_000, clock=loop.time) as emulator:
            (cid,) = emulator.preload(1)
            emulator.script("get", ["503"] * 20)
            client = BigdataClient(
                API_KEY, base_url=emulator.base_url, rate_limit=60.0, clock=loop.time, timeout=30.0 * SCALE
            )
            started = loop.time()
            async with client:
                view = client.with_options(max_retries=5)
                await asyncio.gather(*(view.connectors.get(cid) for _ in range(4)), client.connectors.list())
                await asyncio.gather(*(client.connectors.get(cid) for _ in range(10)))
            assert emulator.rate_limit is not None
            return len(emulator.rate_limit.arrivals), emulator.rate_limit.arrivals[-1] - started

    sent, took = run_scaled(scenario())
    assert sent == 20 + 4 + 1 + 10  # every retry went through the limiter too ...
    # ... and the client and its view share one budget: one bucketful, then one request every period/burst
    # seconds, so the last cannot arrive sooner (loop lag only makes it later). Two budgets took about 18 s.
    burst, period = limiter_shape(60.0)
    assert took >= (sent - burst) * period / burst - 1e-6
