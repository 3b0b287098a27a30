"""``make bench`` section 7: the blocking client (``bigdata_connectors.blocking``) against the async client it runs.

- One thread: ``get()`` one call after another, the blocking client against the async one awaited by one
  coroutine: what the loop thread adds to each call in client CPU, the cost judged as in section 1 (target: under
  60 us per call added), with wall time beside it. On a shared virtual machine the wall time of one call at a
  time is mostly the scheduler's and the hypervisor's (waking an idle CPU), so it is shown, not judged.
- Sixteen threads sharing one blocking client against the async client at concurrency 16: calls per second
  (target: at least 0.8x).
- Connections: how many TCP connections each client opened over the whole run (counted by an aiohttp trace), to
  show that one session's pool serves every call and every thread.

The emulator runs in another process, so ``time.process_time()`` is the client's CPU alone (both the calling
threads and the loop thread). Runs are interleaved in blocks, in a new random order each block, as in section 1.
Synchronous on purpose: ``bench.bench`` runs it in a worker thread (``asyncio.to_thread``), and the async variants
run on an event loop of their own there.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench._server import API_KEY
from bigdata_connectors import BigdataClient as AsyncBigdataClient
from bigdata_connectors.blocking import BigdataClient

ADDED_TARGET_US = 60.0  # the blocking get()'s added client CPU per call on one thread, at most
THREADS_TARGET = 0.8  # calls/s of 16 threads sharing one blocking client, at least this times the async client's
THREADS = 16
BLOCKS = 8  # rounds per repetition

ASYNC_1 = "async get(), one coroutine"
BLOCKING_1 = "blocking get(), one thread"
ASYNC_16 = f"async get(), concurrency {THREADS}"
BLOCKING_16 = f"blocking get(), {THREADS} threads, one client"

Run = Callable[[int], tuple[float, float]]  # calls -> (wall seconds, client CPU seconds)


@dataclass(frozen=True)
class BlockingFigures:
    """What the summary judges: the added CPU microseconds per call on one thread (wall beside it), the 16-thread
    ratio of calls per second; and the connections each variant opened."""

    added_wall_us: float
    added_cpu_us: float
    threads_ratio: float
    connections: dict[str, int]


def _counting_trace(counts: dict[str, int], name: str) -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()

    async def opened(session: Any, context: Any, params: Any) -> None:
        counts[name] += 1

    trace.on_connection_create_end.append(opened)
    return trace


def _timed(work: Callable[[], Any]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


class _Variants:
    """The four ways to make ``get()`` calls, each with its own client and connection pool."""

    def __init__(self, base_url: str, connector_id: str) -> None:
        self.cid = connector_id
        self.connections = {name: 0 for name in (ASYNC_1, BLOCKING_1, ASYNC_16, BLOCKING_16)}
        self.loop = asyncio.new_event_loop()

        def options(name: str, width: int) -> dict[str, Any]:
            trace = _counting_trace(self.connections, name)
            return {"base_url": base_url, "rate_limit": None, "max_connections": width, "trace_configs": [trace]}

        self.async_1 = AsyncBigdataClient(API_KEY, **options(ASYNC_1, 1))
        self.async_16 = AsyncBigdataClient(API_KEY, **options(ASYNC_16, THREADS))
        self.blocking_1 = BigdataClient(API_KEY, **options(BLOCKING_1, 1))
        self.blocking_16 = BigdataClient(API_KEY, **options(BLOCKING_16, THREADS))
        self.pool = ThreadPoolExecutor(THREADS, thread_name_prefix="bench-caller")

    def table(self) -> dict[str, Run]:
        return {
            ASYNC_1: self.run_async_1,
            BLOCKING_1: self.run_blocking_1,
            ASYNC_16: self.run_async_16,
            BLOCKING_16: self.run_blocking_16,
        }

    def run_async_1(self, calls: int) -> tuple[float, float]:
        async def drive() -> None:
            for _ in range(calls):
                await self.async_1.connectors.get(self.cid)

        return _timed(lambda: self.loop.run_until_complete(drive()))

    def run_blocking_1(self, calls: int) -> tuple[float, float]:
        def drive() -> None:
            for _ in range(calls):
                self.blocking_1.connectors.get(self.cid)

        return _timed(drive)

    def run_async_16(self, calls: int) -> tuple[float, float]:
        remaining = calls

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await self.async_16.connectors.get(self.cid)

        async def drive() -> None:
            await asyncio.gather(*(worker() for _ in range(THREADS)))

        return _timed(lambda: self.loop.run_until_complete(drive()))

    def run_blocking_16(self, calls: int) -> tuple[float, float]:
        remaining = calls
        lock = threading.Lock()

        def worker() -> None:
            nonlocal remaining
            while True:
                with lock:
                    if remaining <= 0:
                        return
                    remaining -= 1
                self.blocking_16.connectors.get(self.cid)

        def drive() -> None:
            for future in [self.pool.submit(worker) for _ in range(THREADS)]:
                future.result()

        return _timed(drive)

    def close(self) -> None:
        self.pool.shutdown()
        self.blocking_1.close()
        self.blocking_16.close()
        self.loop.run_until_complete(self.async_1.aclose())
        self.loop.run_until_complete(self.async_16.aclose())
        self.loop.close()


def measure(base_url: str, calls: int, reps: int) -> tuple[dict[str, list[tuple[float, float, float]]], _Variants]:
    """Per variant, per repetition: (calls, wall seconds, CPU seconds), from interleaved blocks."""
    with BigdataClient(API_KEY, base_url=base_url, rate_limit=None) as client:
        connector_id = str(client.connectors.list()[0].connector_id)
    variants = _Variants(base_url, connector_id)
    table = variants.table()
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in table}
    try:
        for run in table.values():
            run(max(200, 2 * THREADS))  # warm the pools, the threads and the validators
        order = list(table)
        for _ in range(reps):
            totals = {name: [0.0, 0.0, 0.0] for name in table}
            for _ in range(BLOCKS):
                random.shuffle(order)
                for name in order:
                    n = max(calls // BLOCKS, 1)
                    wall, cpu = table[name](n)
                    total = totals[name]
                    total[0], total[1], total[2] = total[0] + n, total[1] + wall, total[2] + cpu
            for name, (done, wall, cpu) in totals.items():
                runs[name].append((done, wall, cpu))
    finally:
        variants.close()
    return runs, variants


def bench_blocking(base_url: str, calls: int, reps: int) -> tuple[list[str], BlockingFigures]:
    """Section 7 of ``make bench``: the table, and the figures for the summary."""
    runs, variants = measure(base_url, calls, reps)
    whole = {name: [sum(r[i] for r in results) for i in range(3)] for name, results in runs.items()}

    def per_call_us(name: str) -> tuple[float, float]:
        done, wall, cpu = whole[name]
        return 1e6 * wall / done, 1e6 * cpu / done

    def rate(name: str) -> float:
        done, wall, _ = whole[name]
        return done / wall

    (async_wall, async_cpu), (blocking_wall, blocking_cpu) = per_call_us(ASYNC_1), per_call_us(BLOCKING_1)
    added_per_rep = [1e6 * (b[1] / b[0] - a[1] / a[0]) for a, b in zip(runs[ASYNC_1], runs[BLOCKING_1], strict=True)]
    threads_per_rep = [(b[0] / b[1]) / (a[0] / a[1]) for a, b in zip(runs[ASYNC_16], runs[BLOCKING_16], strict=True)]
    figures = BlockingFigures(
        added_wall_us=blocking_wall - async_wall,
        added_cpu_us=blocking_cpu - async_cpu,
        threads_ratio=rate(BLOCKING_16) / rate(ASYNC_16),
        connections=dict(variants.connections),
    )
    lines = [
        f"### 7. Blocking client: `get()` through `bigdata_connectors.blocking` against the async client it runs;"
        f" {reps} repetitions of {calls:,} calls per variant, each in {BLOCKS} interleaved blocks",
        "",
        "The blocking client runs the async client on an event loop thread of its own; each call crosses to that"
        " thread and back. CPU is the client process's (calling threads and loop thread); connections are the TCP"
        " connections each client opened over the whole run (an aiohttp trace), pools 1 wide for one thread and"
        f" {THREADS} wide for {THREADS}.",
        "",
        "| variant | calls/s | wall us / call | CPU us / call | connections opened |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in runs:
        wall_us, cpu_us = per_call_us(name)
        lines.append(f"| {name} | {rate(name):,.0f} | {wall_us:,.1f} | {cpu_us:,.1f} | {variants.connections[name]} |")
    lines += [
        "",
        f"- One thread, added per call: {figures.added_cpu_us:+.1f} us of client CPU (median per repetition"
        f" {statistics.median(added_per_rep):+.1f} us; target: under {ADDED_TARGET_US:g} us), and"
        f" {figures.added_wall_us:+.1f} us of wall time.",
        f"- {THREADS} threads sharing one blocking client: {figures.threads_ratio:.2f}x the async client's calls/s"
        f" at concurrency {THREADS} (median per repetition {statistics.median(threads_per_rep):.2f}x;"
        f" target: at least {THREADS_TARGET:g}x).",
    ]
    print("  blocking client: done", file=sys.stderr)
    return lines, figures


def summary_lines(figures: BlockingFigures) -> list[str]:
    """The two rows of the summary table the targets are judged on."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    return [
        f"| blocking get(), one thread: added client CPU per call < {ADDED_TARGET_US:g} us |"
        f" {figures.added_cpu_us:+.1f} us (wall time {figures.added_wall_us:+.1f} us) |"
        f" {verdict(figures.added_cpu_us < ADDED_TARGET_US)} |",
        f"| blocking get(), {THREADS} threads: calls/s >= {THREADS_TARGET:g}x async at concurrency {THREADS} |"
        f" {figures.threads_ratio:.2f}x | {verdict(figures.threads_ratio >= THREADS_TARGET)} |",
    ]
