"""``make bench``: the SDK's cost over the HTTP library beneath it, measured side by side in one run.

1. ``get()`` at concurrency 1, 16, 128: (a) the SDK, (b) raw aiohttp + json.loads + the same model
   validation, (c) raw aiohttp + json.loads, (d) httpx + json.loads. Calls/s and client CPU seconds per
   1,000 calls, ratios to (b); variants interleaved, several repetitions, medians.
2. ``list()`` with 1, 100, 1,000, 10,000 connectors: time and peak memory; validating from bytes vs via a dict.
3. Import time of ``bigdata_connectors`` against ``import aiohttp, pydantic``.
4. ``sync_and_wait`` for syncs of 1, 10 and 60 s (simulated time): polls, and detection delay.

The emulator runs in a separate process on loopback. Options: ``--calls N --reps N --quick``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import httpx
import pydantic

from bench._server import API_KEY, emulator_process
from bigdata_connectors import BigdataClient, Connector, SyncProgress, __version__
from bigdata_connectors._generated.models import ConnectorList
from bigdata_connectors.testing import Emulator

Call = Callable[[], Awaitable[Any]]


async def _drive(call: Call, calls: int, concurrency: int) -> tuple[float, float]:
    """Make ``calls`` calls with ``concurrency`` workers; return (wall seconds, CPU seconds)."""
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - wall, time.process_time() - cpu


class _Variants:
    """The four ways to GET one connector, each with its own connection pool of ``concurrency``."""

    def __init__(self, base_url: str, connector_id: str, concurrency: int) -> None:
        self.url = f"{base_url}/contents/v1/connectors/{connector_id}"
        self.cid = connector_id
        headers = {"X-API-KEY": API_KEY}
        self.sdk = BigdataClient(API_KEY, base_url=base_url, max_connections=concurrency)
        self.session = aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=concurrency))
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.httpx = httpx.AsyncClient(headers=headers, limits=limits, timeout=30)

    async def sdk_get(self) -> Any:
        return await self.sdk.connectors.get(self.cid)

    async def aiohttp_validated(self) -> Any:
        async with self.session.get(self.url) as resp:
            body = await resp.read()
            resp.raise_for_status()
        return Connector.model_validate(json.loads(body))

    async def aiohttp_raw(self) -> Any:
        async with self.session.get(self.url) as resp:
            body = await resp.read()
            resp.raise_for_status()
        return json.loads(body)

    async def httpx_raw(self) -> Any:
        resp = await self.httpx.get(self.url)
        resp.raise_for_status()
        return json.loads(resp.content)

    def table(self) -> dict[str, Call]:
        return {
            "(a) SDK get()": self.sdk_get,
            "(b) aiohttp+json+model": self.aiohttp_validated,
            "(c) aiohttp+json": self.aiohttp_raw,
            "(d) httpx+json": self.httpx_raw,
        }

    async def aclose(self) -> None:
        await self.sdk.aclose()
        await self.session.close()
        await self.httpx.aclose()


def _calls_for(variant: str, calls: int) -> int:
    # httpx is tens of times slower at high concurrency (its pool's bookkeeping is CPU-bound): a tenth of the
    # calls measures its per-call cost just as well and keeps the run within minutes.
    return max(calls // 10, 100) if variant.startswith("(d)") else calls


async def bench_get(base_url: str, calls: int, reps: int, concurrencies: list[int]) -> list[str]:
    async with BigdataClient(API_KEY, base_url=base_url) as client:
        connector_id = str((await client.connectors.list())[0].connector_id)
    lines = [
        f"### 1. `get()`: {calls:,} calls per run ((d): {_calls_for('(d)', calls):,}), {reps} interleaved runs"
        " per variant, medians",
        "",
        "| concurrency | variant | calls/s | CPU s / 1k calls | calls/s vs (b) | CPU vs (b) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for concurrency in concurrencies:
        variants = _Variants(base_url, connector_id, concurrency)
        table = variants.table()
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in table}
        try:
            for call in table.values():
                await _drive(call, 200, concurrency)  # warm the pools
            order = list(table)
            for _ in range(reps):
                random.shuffle(order)
                for name in order:
                    results[name].append(await _drive(table[name], _calls_for(name, calls), concurrency))
        finally:
            await variants.aclose()
        medians = {
            name: (n / statistics.median(w for w, _ in runs), 1000 * statistics.median(c for _, c in runs) / n)
            for name, runs in results.items()
            for n in [_calls_for(name, calls)]
        }
        ref_rate, ref_cpu = medians["(b) aiohttp+json+model"]
        for name, (rate, cpu) in medians.items():
            lines.append(
                f"| {concurrency} | {name} | {rate:,.0f} | {cpu:.3f} | {rate / ref_rate:.2f}x | {cpu / ref_cpu:.2f}x |"
            )
        rate_d = medians["(d) httpx+json"][0]
        lines.append(
            f"| {concurrency} | SDK calls/s vs (d) httpx | | | {medians['(a) SDK get()'][0] / rate_d:.2f}x | |"
        )
        print(f"  get() at concurrency {concurrency}: done", file=sys.stderr)
    return lines


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


def bench_import(reps: int) -> list[str]:
    cases = {
        "import aiohttp, pydantic": "import aiohttp, pydantic",
        "... + from pydantic import BaseModel": "import aiohttp, pydantic; from pydantic import BaseModel",
        "import bigdata_connectors": "import bigdata_connectors",
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(reps):
        for name, code in cases.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - start)
    med = {name: statistics.median(v) * 1e3 for name, v in times.items()}
    base = med["import aiohttp, pydantic"]
    lines = [
        f"### 3. Import time (fresh interpreter, median of {reps}, interleaved)",
        "",
        "| import | ms | added over `import aiohttp, pydantic` |",
        "|---|---:|---:|",
    ]
    lines += [f"| `{name}` | {ms:.0f} | {ms - base:+.0f} ms |" for name, ms in med.items()]
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


def header() -> list[str]:
    with open("/proc/cpuinfo") as info:
        cpuinfo = info.read().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    cores = sum(line.startswith("processor") for line in cpuinfo)
    return [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M UTC} on {platform.machine()}, {cpu}, "
        f"{cores} cores; Python {platform.python_version()}, "
        f"bigdata-connectors {__version__}, aiohttp {aiohttp.__version__}, httpx {httpx.__version__}, "
        f"pydantic {pydantic.VERSION}.",
        "",
    ]


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check the harness")
    args = parser.parse_args(argv)
    calls, reps = (500, 1) if args.quick else (args.calls, args.reps)
    out = header()
    with emulator_process(preload=1) as base_url:
        out += await bench_get(base_url, calls, reps, [1, 16, 128])
    out += ["", *await bench_list([1, 100, 1_000] if args.quick else [1, 100, 1_000, 10_000])]
    out += ["", *bench_import(3 if args.quick else 15)]
    out += ["", *await bench_sync([1, 10, 60])]
    print("\n".join(out))


if __name__ == "__main__":
    asyncio.run(main())
