"""``get()`` against the HTTP library beneath it, side by side, at concurrency 1, 16 and 128.

Variants, each with its own connection pool of exactly ``concurrency`` connections:

- (a) the SDK's ``get()``, client-side rate limiter off;
- (a+) the same with the limiter on, at a rate it never has to wait for: the limiter's own cost;
- (b) the fair baseline: raw aiohttp, the status check, then ``Connector.model_validate_json(body)``:
  the same bytes validated the same way as the SDK does;
- (b-dict) the earlier baseline, kept for comparison: ``Connector.model_validate(json.loads(body))``,
  a slower way to validate (it builds a dict first), which flattered the SDK;
- (c) raw aiohttp + ``json.loads``, no model: what validation costs;
- (d) httpx + ``json.loads``: the other async HTTP library.

The emulator runs in another process, so ``time.process_time()`` here is the client's CPU alone. Runs of
the variants are interleaved, in blocks of a fraction of a second, in a new random order each block, so a slow
patch of a shared machine affects every variant alike; ratios are over every call of the run (total CPU per
call, total calls per second), with the per-repetition ratios' median and middle half beside them.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx

from bench._server import API_KEY
from bigdata_connectors import BigdataClient, Connector

Call = Callable[[], Awaitable[Any]]

SDK = "(a) SDK get()"
SDK_LIMITED = "(a+) SDK get(), rate limiter on"
FAIR = "(b) aiohttp + model_validate_json"
VIA_DICT = "(b-dict) aiohttp + json.loads + model_validate"
NO_MODEL = "(c) aiohttp + json.loads"
HTTPX = "(d) httpx + json.loads"
# A limit the limiter never has to wait for (requests per minute): what is measured is its bookkeeping.
NEVER_WAITING_LIMIT = 1e9
BLOCKS = 8  # rounds per repetition (see measure)


def client_has_rate_limit() -> bool:
    return "rate_limit" in inspect.signature(BigdataClient).parameters


def sdk_client(base_url: str, concurrency: int, *, rate_limit: float | None = None, **kwargs: Any) -> BigdataClient:
    """The SDK client the benchmarks use: ``rate_limit`` None means off (when the client has a limiter)."""
    if client_has_rate_limit():
        kwargs["rate_limit"] = rate_limit
    return BigdataClient(API_KEY, base_url=base_url, max_connections=concurrency, **kwargs)


async def drive(call: Call, calls: int, concurrency: int) -> tuple[float, float]:
    """Make ``calls`` calls with ``concurrency`` workers; return (wall seconds, client CPU seconds)."""
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


class Variants:
    """The ways to GET one connector; see the module docstring."""

    def __init__(self, base_url: str, connector_id: str, concurrency: int) -> None:
        self.url = f"{base_url}/contents/v1/connectors/{connector_id}"
        self.cid = connector_id
        headers = {"X-API-KEY": API_KEY}
        self.sdk = sdk_client(base_url, concurrency)
        self.limited = sdk_client(base_url, concurrency, rate_limit=NEVER_WAITING_LIMIT)
        self.session = aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=concurrency))
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.httpx = httpx.AsyncClient(headers=headers, limits=limits, timeout=30)

    async def sdk_get(self) -> Connector:
        return await self.sdk.connectors.get(self.cid)

    async def sdk_limited_get(self) -> Connector:
        return await self.limited.connectors.get(self.cid)

    async def fair(self) -> Connector:
        async with self.session.get(self.url) as resp:
            body = await resp.read()
            resp.raise_for_status()
        return Connector.model_validate_json(body)

    async def via_dict(self) -> Connector:
        async with self.session.get(self.url) as resp:
            body = await resp.read()
            resp.raise_for_status()
        return Connector.model_validate(json.loads(body))

    async def no_model(self) -> Any:
        async with self.session.get(self.url) as resp:
            body = await resp.read()
            resp.raise_for_status()
        return json.loads(body)

    async def httpx_get(self) -> Any:
        resp = await self.httpx.get(self.url)
        resp.raise_for_status()
        return json.loads(resp.content)

    def table(self, *, with_httpx: bool) -> dict[str, Call]:
        table: dict[str, Call] = {SDK: self.sdk_get}
        if client_has_rate_limit():
            table[SDK_LIMITED] = self.sdk_limited_get
        table |= {FAIR: self.fair, VIA_DICT: self.via_dict, NO_MODEL: self.no_model}
        if with_httpx:
            table[HTTPX] = self.httpx_get
        return table

    async def aclose(self) -> None:
        await self.sdk.aclose()
        await self.limited.aclose()
        await self.session.close()
        await self.httpx.aclose()


def calls_for(variant: str, calls: int) -> int:
    # httpx is tens of times slower at high concurrency (its pool's bookkeeping is CPU-bound): a twentieth of the
    # calls measures its per-call cost just as well and keeps the run within minutes.
    return max(calls // 20, 100) if variant == HTTPX else calls


@dataclass(frozen=True)
class Row:
    concurrency: int
    variant: str
    rate: float  # calls per second over the whole run (all repetitions)
    cpu_ms: float  # client CPU milliseconds per call over the whole run
    rate_ratio: float  # rate / rate of (b), both over the whole run
    cpu_ratio: float  # cpu_ms / cpu_ms of (b): what the targets are judged on
    cpu_median: float  # the median over repetitions of the CPU ratio within a repetition ...
    cpu_spread: tuple[float, float]  # ... and the middle half of those (first and third quartile)


async def measure(
    base_url: str, connector_id: str, concurrency: int, calls: int, reps: int, *, with_httpx: bool = True
) -> list[Row]:
    """Every variant at one concurrency: ``reps`` repetitions of ``calls`` calls each, every repetition made of
    ``BLOCKS`` rounds in which each variant runs its share of the calls, in a new random order each round. A
    slow patch of the machine (another tenant of the host) lasts seconds: blocks a fraction of a second long,
    interleaved, let it fall on every variant of a repetition alike instead of on one."""
    variants = Variants(base_url, connector_id, concurrency)
    table = variants.table(with_httpx=with_httpx)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in table}
    whole = {name: [0.0, 0.0, 0.0] for name in table}  # calls, wall seconds, CPU seconds over every repetition
    try:
        for call in table.values():
            await drive(call, max(200, 2 * concurrency), concurrency)  # warm the pools and the validators
        order = list(table)
        for _ in range(reps):
            totals = {name: [0.0, 0.0, 0.0] for name in table}  # calls, wall seconds, CPU seconds
            for _ in range(BLOCKS):
                random.shuffle(order)
                for name in order:
                    n = max(calls_for(name, calls) // BLOCKS, 1)
                    wall, cpu = await drive(table[name], n, concurrency)
                    total = totals[name]
                    total[0], total[1], total[2] = total[0] + n, total[1] + wall, total[2] + cpu
            for name, (done, wall, cpu) in totals.items():
                runs[name].append((done / wall, 1000 * cpu / done))
                whole[name] = [whole[name][0] + done, whole[name][1] + wall, whole[name][2] + cpu]
    finally:
        await variants.aclose()
    rows = []
    fair_calls, fair_wall, fair_cpu = whole[FAIR]
    for name, results in runs.items():
        calls_made, wall, cpu = whole[name]
        cpu_ratios = [c / ref_c for (_, c), (_, ref_c) in zip(results, runs[FAIR], strict=True)]
        rows.append(
            Row(
                concurrency,
                name,
                calls_made / wall,
                1000 * cpu / calls_made,
                (calls_made / wall) / (fair_calls / fair_wall),
                (cpu / calls_made) / (fair_cpu / fair_calls),
                statistics.median(cpu_ratios),
                _middle_half(cpu_ratios),
            )
        )
    return rows


def _middle_half(values: list[float]) -> tuple[float, float]:
    if len(values) < 4:
        return min(values), max(values)
    quartiles = statistics.quantiles(values, n=4)
    return quartiles[0], quartiles[2]


async def bench_overhead(
    base_url: str, calls: int, reps: int, concurrencies: list[int], *, with_httpx: bool = True
) -> tuple[list[str], list[Row]]:
    """Section 1 of ``make bench``: the table, and the rows for the summary."""
    async with sdk_client(base_url, 1) as client:
        connector_id = str((await client.connectors.list())[0].connector_id)
    limiter = (
        f"(a+) runs with `rate_limit={NEVER_WAITING_LIMIT:g}` per minute, which it never waits for"
        if client_has_rate_limit()
        else "(a+) absent: this BigdataClient has no rate limiter"
    )
    lines = [
        f"### 1. `get()`: {reps} repetitions of {calls:,} calls per variant ((d): {calls_for(HTTPX, calls):,}), each"
        f" repetition in {BLOCKS} interleaved blocks; figures over the whole run, ratios to the fair baseline (b)",
        "",
        f"(a) runs with the client's rate limiter off; {limiter}. Connection pools are all `concurrency` wide.",
        "",
        "The emulator has a CPU to itself and the client the other(s) where the machine has two or more. calls/s and"
        " CPU are over every call of the run, the variants' blocks interleaved, so a slow patch of the machine falls"
        " on all of them; the last column is the CPU ratio within each repetition: its median, and its middle half"
        " (first to third quartile) in brackets, to show how much the machine moved it.",
        "",
        "| concurrency | variant | calls/s | CPU ms / call | calls/s vs (b) | CPU vs (b) | per repetition |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    rows: list[Row] = []
    for concurrency in concurrencies:
        found = await measure(base_url, connector_id, concurrency, calls, reps, with_httpx=with_httpx)
        rows += found
        for row in found:
            lines.append(
                f"| {concurrency} | {row.variant} | {row.rate:,.0f} | {row.cpu_ms:.3f} |"
                f" {row.rate_ratio:.2f}x | {row.cpu_ratio:.2f}x | {row.cpu_median:.2f}x"
                f" ({row.cpu_spread[0]:.2f}-{row.cpu_spread[1]:.2f}) |"
            )
        by_name = {row.variant: row for row in found}
        if SDK_LIMITED in by_name:
            limited, plain = by_name[SDK_LIMITED], by_name[SDK]
            lines.append(
                f"| {concurrency} | limiter's own cost: (a+) vs (a) | | {limited.cpu_ms - plain.cpu_ms:+.3f} |"
                f" {limited.rate_ratio / plain.rate_ratio:.2f}x | {limited.cpu_ratio / plain.cpu_ratio:.2f}x | |"
            )
        print(f"  get() at concurrency {concurrency}: done", file=sys.stderr)
    return lines, rows
