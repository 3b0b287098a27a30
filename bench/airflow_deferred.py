"""1,000 deferred syncs on one triggerer: ``.venv-airflow/bin/python -m bench.airflow_deferred [--syncs N]``.

Run in the Airflow virtualenv (``make install-airflow``); not part of ``make test``. Prints one JSON object per
mode: ``shared`` (the adapter as shipped: the triggers of one connection share one client) and, with
``--compare``, ``separate`` (each trigger builds its own client, as before issue 23).

What it simulates, and how faithfully: a real triggerer with 1,000 deferred task instances does not fit on a
2-core machine (each deferral is a worker process run by the scheduler first), so the triggerer's loop is
reproduced in-process: every ``BigdataSyncTrigger`` is serialised and rebuilt through JSON as the triggerer
rebuilds it from the database, then driven as Airflow's ``TriggerRunner`` drives it (one asyncio task per
trigger, ``async for event in trigger.run()``, all on one event loop), with the connection read from
``AIRFLOW_CONN_BIGDATA_DEFAULT`` through Airflow's own lookup. The tokens come from ``start_sync`` calls made
first (what the 1,000 tasks' workers do). The emulator runs in another process with the vendor's limit (500
requests a minute per key, answering 429 past it) and syncs lasting 10 to 20 minutes (so all still run when
the 1,000 starts are done); the operator's default
intervals (15 s growing to 120 s). Time runs ``--time-scale`` times faster on both sides (bench.scale's
scaled event loop), so half an hour of traffic takes a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import json
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from bench._server import API_KEY, emulator_process, read_stats
from bench.scale import Ticker, _rss_mb, run_scaled
from bigdata_connectors import BigdataClient

VENDOR_LIMIT = 500
SYNC_SECONDS = [600.0, 1200.0]  # 10 to 20 minutes: every sync still runs when the triggers start polling


def adapter(module: str) -> Any:
    """A module of ``bigdata_connectors.airflow``, imported at run time: this script runs in the Airflow
    virtualenv, while ``make lint`` type-checks ``bench/`` in the core one, which has no Airflow."""
    return importlib.import_module(f"bigdata_connectors.airflow.{module}")


async def start_all(base_url: str, count: int, scale: float) -> list[str]:
    """The workers' part: one ``start_sync`` per connector (GET + POST), paced by the client's limiter."""
    loop = asyncio.get_running_loop()
    async with BigdataClient(API_KEY, base_url=base_url, clock=loop.time, timeout=30 * scale) as client:
        ids = [c.connector_id for c in await client.connectors.list()][:count]
        handles = await asyncio.gather(
            *(client.connectors.start_sync(cid, date_limit="2026-01-01", timeout=4 * 3600) for cid in ids)
        )
    return [handle.token() for handle in handles]


def separate_clients() -> contextlib.AbstractAsyncContextManager[Any]:
    """Patch the adapter back to one client per trigger (the behaviour before issue 23), for comparison."""
    _clients, triggers = adapter("_clients"), adapter("triggers")

    @contextlib.asynccontextmanager
    async def own_client(conn_id: str) -> AsyncIterator[BigdataClient]:
        conn = await _clients.aget_connection(conn_id)
        async with _clients.client_from_connection(conn) as client:
            yield client

    @contextlib.asynccontextmanager
    async def patched() -> AsyncIterator[None]:
        original = triggers.shared_client
        triggers.shared_client = own_client
        try:
            yield
        finally:
            triggers.shared_client = original

    return patched()


async def run(count: int, scale: float, mode: str) -> dict[str, Any]:
    _clients = adapter("_clients")
    BigdataSyncTrigger = adapter("triggers").BigdataSyncTrigger

    loop = asyncio.get_running_loop()
    build = _clients.client_from_connection
    # Every client default (the rate limiter's included); the per-attempt timeout stays 30 s of wall time.
    _clients.client_from_connection = lambda conn, **kw: build(conn, clock=loop.time, timeout=30 * scale, **kw)
    try:
        return await _measure(count, scale, mode, BigdataSyncTrigger)
    finally:
        _clients.client_from_connection = build


async def _measure(count: int, scale: float, mode: str, trigger_class: Any) -> dict[str, Any]:
    BigdataSyncTrigger = trigger_class
    loop = asyncio.get_running_loop()
    with emulator_process(
        preload=count,
        time_scale=scale,
        sync_duration=SYNC_SECONDS,
        emulator={"rate_limit": VENDOR_LIMIT},
    ) as base_url:
        os.environ["AIRFLOW_CONN_BIGDATA_DEFAULT"] = json.dumps(
            {"conn_type": "bigdata", "host": base_url, "password": API_KEY}
        )
        tokens = await start_all(base_url, count, scale)
        phase_start = len(read_stats(base_url).times)
        triggers = []
        for token in tokens:  # as the triggerer rebuilds them: class path + kwargs through JSON
            _, kwargs = BigdataSyncTrigger(token=token, poll_interval=15, max_poll_interval=120).serialize()
            triggers.append(BigdataSyncTrigger(**json.loads(json.dumps(kwargs))))
        gc.collect()
        rss_before = _rss_mb()
        ticker = Ticker(0.05, scale)
        ticker.start()

        async def drive(trigger: Any) -> dict[str, Any]:
            async for event in trigger.run():
                payload: dict[str, Any] = event.payload
                return payload
            raise RuntimeError("no event")

        wall, cpu, sim = time.perf_counter(), time.process_time(), loop.time()
        async with separate_clients() if mode == "separate" else contextlib.nullcontext():
            events = await asyncio.gather(*(loop.create_task(drive(t)) for t in triggers))
        wall, cpu, sim = time.perf_counter() - wall, time.process_time() - cpu, loop.time() - sim
        await ticker.stop()
        stats = read_stats(base_url)
    phase = sorted(stats.times)[phase_start:]
    window = type(stats)(phase, stats.statuses)
    outcomes = Counter(e["status"] for e in events)
    rate_limited = sum(1 for e in events if "RateLimitError" in (e.get("message") or ""))
    return {
        "mode": mode,
        "deferred_syncs": count,
        "outcomes": dict(outcomes),
        "rate_limit_errors": rate_limited,
        "first_error": next((e.get("message") for e in events if e["status"] != "success"), None),
        "trigger_phase_requests": len(phase),
        "answers_whole_run": stats.statuses,
        "max_requests_in_any_minute": window.max_in_window(60.0),
        "emulator_limit_per_minute": VENDOR_LIMIT,
        "simulated_minutes": round(sim / 60, 1),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "loop_lag_max_ms": round(ticker.worst * 1000, 1),
        "rss_before_triggers_mb": round(rss_before, 1),
        "rss_peak_during_mb": round(ticker.peak_rss_mb, 1),
        "kb_per_trigger": round(1024 * (ticker.peak_rss_mb - rss_before) / count, 1),
        "time_scale": scale,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--syncs", type=int, default=1000)
    parser.add_argument("--time-scale", type=float, default=20.0)
    parser.add_argument("--compare", action="store_true", help="also run one client per trigger (before issue 23)")
    args = parser.parse_args()
    # The triggerer's process has Airflow loaded: count it in the memory before the triggers.
    print(json.dumps({"airflow": importlib.import_module("airflow").__version__}))
    for mode in ("shared", "separate") if args.compare else ("shared",):
        print(json.dumps(run_scaled(run(args.syncs, args.time_scale, mode), args.time_scale)), flush=True)


if __name__ == "__main__":
    main()
