"""The benchmark harness's own logic (fast; no measurement is asserted) and the emulator options it relies on."""

from __future__ import annotations

import asyncio
import inspect
import os
import subprocess
import sys
import threading
import time
from collections import Counter

from bench._server import ServerStats
from bench.overhead import FAIR, SDK, SDK_LIMITED, Variants, client_has_rate_limit
from bench.scale import ScaledLoop
from bench.soak import SoakReport
from bench.startup import forbidden_imports
from bigdata_connectors import BigdataClient
from bigdata_connectors.testing import Emulator


def test_importing_the_package_loads_no_adapter() -> None:
    assert forbidden_imports() == []


def test_max_in_window_counts_the_busiest_window() -> None:
    stats = ServerStats(times=[0.0, 10.0, 59.9, 60.0, 61.0, 200.0], statuses={})
    assert stats.max_in_window(60.0) == 4  # 10.0, 59.9, 60.0, 61.0
    assert ServerStats(times=[], statuses={}).max_in_window(60.0) == 0


def test_scaled_loop_runs_sleeps_faster() -> None:
    async def nap() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(2.0)  # scaled seconds
        return loop.time() - start

    with asyncio.Runner(loop_factory=lambda: ScaledLoop(100.0)) as runner:
        wall = time.perf_counter()
        slept = runner.run(nap())
        wall = time.perf_counter() - wall
    assert slept >= 2.0
    assert wall < 1.0  # 2 scaled seconds are 20 ms of wall time


def test_idempotent_lines_set_the_share_beside_the_chance() -> None:
    report = SoakReport(operations=200, fault_rate=0.3, max_retries=3)
    report.by_op.update({"get": 100, "update": 100})
    report.succeeded_by_op.update({"get": 99, "update": 97})
    report.failed_by_op.update({("get", "APITimeoutError"): 1, ("update", "NotFoundError"): 3})
    text = "\n".join(report.idempotent_lines())
    assert "0.3^4 = 0.81%" in text
    assert "get               100     99.00%       1.00%    0.81%" in text
    assert "update            100     97.00%       0.00%    1.61%  3" in text


async def test_emulator_draws_each_sync_length_from_a_range() -> None:
    now = [0.0]
    async with Emulator(sync_duration=(10.0, 20.0), seed=3, clock=lambda: now[0]) as emu:
        ids = emu.preload(5)
        async with BigdataClient(emu.api_key, base_url=emu.base_url) as client:
            for cid in ids:
                await client.connectors.trigger_sync(cid, date_limit="2026-01-01")
            now[0] = 9.9
            assert {c.last_sync_status for c in await client.connectors.list()} == {"RUNNING"}
            now[0] = 20.0
            finished = await client.connectors.list()
    assert {c.last_sync_status for c in finished} == {"SUCCESS"}
    lengths = Counter(round((c.last_sync_at - c.created_at).total_seconds()) for c in finished if c.last_sync_at)
    assert len(lengths) > 1  # not all alike


def test_connectors_as_code_is_imported_only_when_used() -> None:
    code = (
        "import sys; from bigdata_connectors import BigdataClient, Connector; "
        "print(sorted(m for m in sys.modules if m.rsplit('.', 1)[-1] in "
        "('_apply', '_plan', '_ensure', '_desired', '_connectors_file')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_the_harness_measures_the_limiter_and_the_emulators_limit() -> None:
    # The harness detects the client's limiter and the emulator's limit; if either stops being found, the figures
    # quietly become "not measured". Now that both exist, they must be found.
    assert client_has_rate_limit()
    assert "rate_limit" in inspect.signature(Emulator).parameters
    variants = Variants("http://127.0.0.1:9", "c", 4)
    try:
        assert {SDK, SDK_LIMITED, FAIR} <= set(variants.table(with_httpx=False))
    finally:
        await variants.aclose()


def test_pinning_gives_the_emulator_a_cpu_of_its_own() -> None:
    from bench._server import _pin_apart, _unpin

    mine = os.sched_getaffinity(0)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        restore = _pin_apart(child.pid)
        if len(mine) < 2:  # nothing to share out: nothing is pinned
            assert restore is None
            assert os.sched_getaffinity(child.pid) == mine
        else:
            assert restore == mine
            assert os.sched_getaffinity(child.pid) == {max(mine)}
            assert os.sched_getaffinity(0) == mine - {max(mine)}
            worker = threading.Thread(target=time.sleep, args=(0.5,))
            worker.start()  # started while pinned: pinned too
            assert worker.native_id is not None
            assert os.sched_getaffinity(worker.native_id) == mine - {max(mine)}
            _unpin(restore)
            assert os.sched_getaffinity(0) == mine
            assert os.sched_getaffinity(worker.native_id) == mine
            worker.join()
    finally:
        os.sched_setaffinity(0, mine)
        child.kill()
        child.wait()


def test_the_spread_is_the_middle_half_of_the_ratios() -> None:
    from bench.overhead import _middle_half

    assert _middle_half([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 9.0]) == (1.1, 1.5)  # one wild repetition stays outside
    assert _middle_half([1.0, 2.0]) == (1.0, 2.0)


def test_the_ticker_sees_memory_taken_during_the_run() -> None:
    from bench.scale import Ticker

    async def run() -> tuple[float, float]:
        ticker = Ticker(0.002, 1.0)
        before = ticker.peak_rss_mb
        ticker.start()
        ballast = bytearray(64 * 1024 * 1024)  # touched below, so it is resident
        ballast[::4096] = b"x" * len(range(0, len(ballast), 4096))
        await asyncio.sleep(0.3)  # room for 150 ticks; a read every RSS_EVERY of them
        await ticker.stop()
        assert ticker.ticks >= Ticker.RSS_EVERY
        del ballast
        return before, ticker.peak_rss_mb

    before, peak = asyncio.run(run())
    assert peak - before >= 60  # MB


def test_the_stub_answers_both_sides_without_io() -> None:
    """bench/own_cost.py: the SDK's get() and the fair baseline both parse the canned answer, no network used."""
    from bench.own_cost import own_cost

    sdk_us, fair_us = asyncio.run(own_cost(50, 1))  # 127.0.0.1:9 (discard) is never connected to
    assert sdk_us > 0
    assert fair_us > 0
