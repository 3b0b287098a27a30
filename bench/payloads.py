"""Two smaller sections of ``make bench``: ``list()`` at growing sizes, and how ``sync_and_wait`` polls.

``list()`` runs against an in-process emulator (its rendering is part of the time) and compares validating the
same bytes directly (``model_validate_json``, what the SDK does) with going through ``json.loads`` and a dict.
``sync_and_wait`` runs over real loopback HTTP on a simulated clock shared by client and emulator.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable

import aiohttp

from bench._server import API_KEY
from bigdata_connectors import BigdataClient, SyncProgress
from bigdata_connectors._generated.models import ConnectorList
from bigdata_connectors.testing import Emulator


async def bench_list(sizes: list[int]) -> list[str]:
    lines = [
        "### 2. `list()`: one call over loopback (median of 5), and parsing the same bytes two ways",
        "",
        "| connectors | body | list() time | list() peak mem | parse from bytes | peak | via json.loads + dict | peak |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        async with Emulator(api_key=API_KEY) as emu:
            emu.preload(size)
            async with BigdataClient(API_KEY, base_url=emu.base_url) as client, aiohttp.ClientSession() as raw:
                async with raw.get(f"{emu.base_url}/contents/v1/connectors", headers={"X-API-KEY": API_KEY}) as r:
                    body = await r.read()
                times, peaks = [], []
                for _ in range(5):
                    gc.collect()
                    tracemalloc.start()
                    start = time.perf_counter()
                    result = await client.connectors.list()
                    times.append(time.perf_counter() - start)
                    peaks.append(tracemalloc.get_traced_memory()[1])
                    tracemalloc.stop()
                    assert len(result) == size
                    del result

        def measure(parse: Callable[[], object]) -> tuple[float, int]:
            runs, peak = [], 0
            for _ in range(5):
                gc.collect()
                tracemalloc.start()
                start = time.perf_counter()
                parse()
                runs.append(time.perf_counter() - start)
                peak = max(peak, tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
            return statistics.median(runs), peak

        direct = measure(lambda body=body: ConnectorList.model_validate_json(body))  # type: ignore[misc]
        via_dict = measure(lambda body=body: ConnectorList.model_validate(json.loads(body)))  # type: ignore[misc]
        lines.append(
            f"| {size:,} | {len(body) / 1e6:.2f} MB | {statistics.median(times) * 1e3:.1f} ms | {max(peaks) / 1e6:.1f} MB"
            f" | {direct[0] * 1e3:.1f} ms | {direct[1] / 1e6:.1f} MB | {via_dict[0] * 1e3:.1f} ms | {via_dict[1] / 1e6:.1f} MB |"
        )
    lines.append("")
    lines.append("(Peak memory is what tracemalloc sees allocated by Python during the call, in MB.)")
    return lines


async def bench_sync(durations: list[float]) -> list[str]:
    """Real HTTP to an in-process emulator, on a simulated clock shared by client and emulator."""
    lines = [
        "### 4. `sync_and_wait` with the default intervals (2 s growing x1.5 to 30 s), simulated time",
        "",
        "| sync lasts | polls | detected after | delay after the sync finished | interval in force then |",
        "|---:|---:|---:|---:|---:|",
    ]
    for duration in durations:
        now = [0.0]
        polls: list[SyncProgress] = []

        async def fake_sleep(seconds: float, now: list[float] = now) -> None:
            now[0] += seconds
            await asyncio.sleep(0)

        def clock(now: list[float] = now) -> float:
            return now[0]

        async with Emulator(api_key=API_KEY, sync_duration=duration, clock=clock) as emu:
            (cid,) = emu.preload(1)
            async with BigdataClient(API_KEY, base_url=emu.base_url, sleep=fake_sleep, clock=clock) as client:
                start = clock()
                await client.connectors.sync_and_wait(cid, date_limit="2026-01-01", on_progress=polls.append)
                took = clock() - start
        gaps = [b.elapsed - a.elapsed for a, b in itertools.pairwise(polls)]
        lines.append(
            f"| {duration:g} s | {len(polls)} | {took:.1f} s | {took - duration:.1f} s | {gaps[-1] if gaps else 0:.1f} s |"
        )
    return lines
