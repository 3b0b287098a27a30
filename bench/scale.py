"""Scale from one process: ``sync_many`` over many connectors, and thousands of sync waits on one event loop.

``python -m bench.scale sync-many --connectors N`` and ``python -m bench.scale waits --count N`` each print one
JSON object; ``make bench`` runs them in fresh processes so peak memory belongs to one scenario alone.

sync-many runs the real scenario on *simulated time*: the vendor's rate limit (500 requests a minute, enforced
by the emulator when it can), the client's limiter at its default, the default poll intervals (2 s growing to
30 s) and syncs lasting 1 to 10 minutes, all on clocks running ``--time-scale`` times faster than the wall
clock. The client's event loop itself runs on the scaled clock (its ``time()`` and its selector's timeouts), so
every sleep, timeout and rate-limiter window in the client is scaled alike, and the emulator (another process)
runs on the same scale. Real work is compressed by that factor too: event-loop lag measured this way is an
upper bound of what the unscaled run would show.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import resource
import selectors
import time
import tracemalloc
from collections import Counter
from collections.abc import Coroutine
from typing import Any

from bench._server import API_KEY, emulator_process, read_stats
from bench.overhead import client_has_rate_limit
from bigdata_connectors import BigdataClient, Connector, SyncProgress
from bigdata_connectors._config import DEFAULT_TIMEOUT

VENDOR_LIMIT = 500  # requests a minute per key, as the vendor documents
SYNC_MINUTES = (1.0, 10.0)  # each sync lasts a random time in this range


class _ScaledSelector(selectors.DefaultSelector):
    """Selector whose timeouts are in scaled seconds."""

    scale = 1.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return super().select(None if timeout is None else timeout / self.scale)


class ScaledLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock runs ``scale`` times faster than the wall clock."""

    def __init__(self, scale: float) -> None:
        selector = _ScaledSelector()
        selector.scale = scale
        super().__init__(selector)
        self._scale = scale
        self._origin = time.monotonic()

    def time(self) -> float:
        return (time.monotonic() - self._origin) * self._scale


def run_scaled(coro: Coroutine[Any, Any, dict[str, Any]], scale: float) -> dict[str, Any]:
    with asyncio.Runner(loop_factory=lambda: ScaledLoop(scale)) as runner:
        return runner.run(coro)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Ticker:
    """A task that wants to run every ``period`` wall seconds; ``worst`` is its largest delay past that. Every
    ``RSS_EVERY`` ticks it also reads the process's resident memory: ``peak_rss_mb`` is the most it saw (unlike
    ``ru_maxrss``, not hidden under a peak the process reached before the run)."""

    RSS_EVERY = 10

    def __init__(self, period: float, scale: float) -> None:
        self.period, self.scale, self.worst, self.ticks = period, scale, 0.0, 0
        self.peak_rss_mb = _rss_mb()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.period * self.scale)
            self.worst = max(self.worst, time.perf_counter() - start - self.period)
            self.ticks += 1
            if self.ticks % self.RSS_EVERY == 0:
                self.peak_rss_mb = max(self.peak_rss_mb, _rss_mb())

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def sync_many_run(count: int, scale: float, seed: int) -> dict[str, Any]:
    """``sync_many`` over ``count`` connectors, all at once, paced by the client's limiter; see the module doc."""
    loop = asyncio.get_running_loop()
    emulator_options: dict[str, Any] = {}
    if "rate_limit" in inspect.signature(_emulator_class()).parameters:
        emulator_options["rate_limit"] = VENDOR_LIMIT
    low, high = SYNC_MINUTES
    with emulator_process(
        preload=count, time_scale=scale, seed=seed, sync_duration=[low * 60, high * 60], emulator=emulator_options
    ) as base_url:
        # Every default (the limiter's too), except that the per-attempt timeout stays 30 s of *wall* time: it
        # bounds real work (the loopback round trip), which the scaled clock does not shorten.
        client = BigdataClient(API_KEY, base_url=base_url, clock=loop.time, timeout=DEFAULT_TIMEOUT * scale)
        async with client:
            ids = [c.connector_id for c in await client.connectors.list()]
            gc.collect()
            rss_before = _rss_mb()
            ticker = Ticker(0.010, scale)
            ticker.start()
            wall, cpu, sim = time.perf_counter(), time.process_time(), loop.time()
            outcomes = await client.connectors.sync_many(ids, date_limit="2026-01-01", concurrency=count)
            wall, cpu, sim = time.perf_counter() - wall, time.process_time() - cpu, loop.time() - sim
            await ticker.stop()
            rss_after = _rss_mb()
        stats = read_stats(base_url)
    errors = Counter(type(o.error).__name__ for o in outcomes if o.error is not None)
    requests = len(stats.times)
    return {
        "connectors": count,
        "succeeded": sum(o.ok for o in outcomes),
        "errors": dict(errors),
        "rate_limit_errors": errors.get("RateLimitError", 0),
        "client_limiter": client_has_rate_limit(),
        "emulator_limit": emulator_options.get("rate_limit"),
        "requests": requests,
        "answers": stats.statuses,
        "max_per_minute": stats.max_in_window(60.0),
        "simulated_minutes": sim / 60,
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_ms_per_request": 1000 * cpu / max(requests, 1),
        "loop_lag_max_ms": ticker.worst * 1000,
        "ticks": ticker.ticks,
        "rss_before_mb": rss_before,
        "rss_peak_during_mb": max(ticker.peak_rss_mb, rss_after),
        "rss_after_mb": rss_after,
        "time_scale": scale,
    }


def _emulator_class() -> type:
    from bigdata_connectors.testing import Emulator

    return Emulator


async def waits_run(count: int, *, traced: bool = True) -> dict[str, Any]:
    """``count`` syncs started, then ``count`` concurrent waits, all asleep between polls: memory per wait.

    ``traced``: count Python allocations with tracemalloc (exact, but its bookkeeping inflates RSS); without
    it only the RSS figures mean anything."""
    kind = "SyncHandle.wait"
    with emulator_process(preload=count, sync_duration=3600.0) as base_url:
        client = BigdataClient(API_KEY, base_url=base_url, max_connections=100, **_limiter_off())
        async with client:
            ids = [c.connector_id for c in await client.connectors.list()]
            gate = asyncio.Semaphore(200)
            if traced:
                tracemalloc.start()
            gc.collect()
            mem0, rss0 = tracemalloc.get_traced_memory()[0], _rss_mb()
            connectors = client.connectors
            if hasattr(connectors, "start_sync"):

                async def start(cid: Any) -> Any:
                    async with gate:
                        return await connectors.start_sync(cid, date_limit="2026-01-01")

                handles = await asyncio.gather(*(start(i) for i in ids))
            else:  # before SyncHandle existed: the same polling machinery through wait_for_sync
                kind = "wait_for_sync (this build has no SyncHandle)"

                async def trigger(cid: Any) -> Any:
                    async with gate:
                        return await connectors.trigger_sync(cid, date_limit="2026-01-01")

                await asyncio.gather(*(trigger(i) for i in ids))
                handles = list(ids)
            gc.collect()
            mem1, rss1 = tracemalloc.get_traced_memory()[0], _rss_mb()
            polled, all_polled = 0, asyncio.Event()

            def seen(progress: SyncProgress) -> None:
                nonlocal polled
                polled += progress.polls == 1
                if polled == count:
                    all_polled.set()

            def waiting(handle: Any) -> Coroutine[Any, Any, Connector]:
                options: dict[str, Any] = {"timeout": 7200, "poll_interval": 600, "max_poll_interval": 600}
                if hasattr(handle, "wait"):
                    return handle.wait(on_progress=seen, **options)  # type: ignore[no-any-return]
                return connectors.wait_for_sync(handle, on_progress=seen, **options)

            tasks = [asyncio.create_task(waiting(h)) for h in handles]
            await all_polled.wait()
            await asyncio.sleep(0.1)
            gc.collect()
            mem2, rss2 = tracemalloc.get_traced_memory()[0], _rss_mb()
            tracemalloc.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    return {
        "count": count,
        "kind": kind,
        "handle_bytes": (mem1 - mem0) / count,
        "wait_bytes": (mem2 - mem1) / count,
        "wait_rss_bytes": (rss2 - rss1) * 1024 * 1024 / count,
        "rss_total_mb": rss2,
        "rss_before_mb": rss0,
        "pending_after_cancel": len(pending),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _limiter_off() -> dict[str, Any]:
    return {"rate_limit": None} if client_has_rate_limit() else {}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="scenario", required=True)
    many = sub.add_parser("sync-many")
    many.add_argument("--connectors", type=int, default=1000)
    many.add_argument("--time-scale", type=float, default=30.0)
    many.add_argument("--seed", type=int, default=1)
    waits = sub.add_parser("waits")
    waits.add_argument("--count", type=int, default=10_000)
    waits.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    if args.scenario == "sync-many":
        result = run_scaled(sync_many_run(args.connectors, args.time_scale, args.seed), args.time_scale)
    else:
        result = asyncio.run(waits_run(args.count, traced=not args.no_tracemalloc))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
