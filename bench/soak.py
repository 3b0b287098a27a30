"""``make soak``: many mixed operations from one client against an emulator injecting transient faults.

Reports what a production user needs to trust the SDK on a flaky network: successes, typed failures by class,
connectors created against creates the caller saw succeed (duplicates must be 0), calls that outlived their
deadline (0), sessions left unclosed and tasks left pending at exit (0), peak open connections, peak memory.
``tests/e2e/test_soak.py`` runs a 500-operation version with a fixed seed and asserts those counts.

Two mixes, each on its own emulator: the default one, and the ensure mix (half ``ensure`` calls on 200 labels,
with the list lagging every new connector): every connector ensure made must be one a caller got back (0 orphans),
and one per label (0 duplicates).

Retry and poll sleeps are scaled down (``time_scale``): what is soaked is the logic, not the wall clock.
Client timeouts and the emulator's stalls are real.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bigdata_connectors import BigdataClient, BigdataError
from bigdata_connectors.testing import Emulator, Fault

TIMEOUT = 0.5  # seconds per attempt
MAX_RETRIES = 3
SYNC_TIMEOUT = 20.0  # seconds for one sync_and_wait
WEIGHTS = {"create": 15, "get": 25, "list": 5, "update": 15, "trigger": 10, "sync_and_wait": 10, "delete": 10}
# The ensure mix: half ensures, on a bounded account. Every ensure lists the whole account (the API has no filter),
# so ensures in the default mix, whose creates grow the account to thousands, would soak the emulator's CPU instead.
ENSURE_WEIGHTS = {"ensure": 50, "get": 20, "list": 5, "update": 15, "trigger": 10}  # no delete: syncs need live targets
MIXES = {"default": WEIGHTS, "ensure": ENSURE_WEIGHTS}
# Seconds a new connector stays out of the emulator's list (eventual consistency): ensure must wait it out. Real
# seconds, while ensure's 5 s re-lookup window is scaled by time_scale (to 0.05 s at the default 0.01).
LIST_LAG = 0.02
# ensure works on this many labels (each ensure lists the whole account, so the mix must not grow it without bound);
# later calls for a label adopt or update its connector, earlier ones create it, some after a lost answer.
ENSURE_LABELS = 200
# Idempotent operations (retried on every transient fault) and how many API calls each makes at least.
IDEMPOTENT_CALLS = {"get": 1, "list": 1, "trigger": 1, "delete": 1, "update": 2, "sync_and_wait": 3}
# Failures that are answers about the state of the account, not faults the retries could ride out.
STATE_FAILURES = frozenset(
    {"BadRequestError", "ConnectorArchivedError", "NotFoundError", "SyncFailedError", "SyncNotSupportedError"}
)


@dataclass
class SoakReport:
    operations: int = 0
    successes: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    untyped: list[str] = field(default_factory=list)
    creates_succeeded: int = 0
    connectors_created: int = 0
    duplicates: int = 0
    outlived_deadline: int = 0
    pending_tasks: int = 0
    unclosed: int = 0
    peak_connections: int = 0
    peak_memory_mb: float = 0.0
    faults_injected: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    mix: str = "default"
    ensures_succeeded: int = 0
    ensure_connectors: int = 0
    ensure_duplicates: int = 0
    ensure_orphans: int = 0
    create_orphans: int = 0
    fault_rate: float = 0.0
    max_retries: int = MAX_RETRIES
    by_op: Counter[str] = field(default_factory=Counter)
    succeeded_by_op: Counter[str] = field(default_factory=Counter)
    failed_by_op: Counter[tuple[str, str]] = field(default_factory=Counter)

    def idempotent_lines(self) -> list[str]:
        """Per idempotent operation: the share that succeeded, beside the chance that every attempt of one
        call draws a fault (``fault_rate ** (max_retries + 1)``; an operation of k calls: 1 - (1 - that) ** k)."""
        one_call = self.fault_rate ** (self.max_retries + 1)
        lines = [
            f"idempotent operations under {self.fault_rate:.0%} faults; one call fails only if all"
            f" {self.max_retries + 1} attempts draw a fault: {self.fault_rate:g}^{self.max_retries + 1} = {one_call:.2%}",
            f"  {'operation':<14} {'ran':>6} {'succeeded':>10} {'faults won':>11} {'expected':>9}  state answers",
        ]
        total = won = ran = 0
        for op, calls in IDEMPOTENT_CALLS.items():
            count = self.by_op[op]
            if not count:
                continue
            ok = self.succeeded_by_op[op]
            state = sum(n for (o, kind), n in self.failed_by_op.items() if o == op and kind in STATE_FAILURES)
            lost = count - ok - state
            expected = 1 - (1 - one_call) ** calls
            at_least = "" if op != "sync_and_wait" else "+"
            lines.append(
                f"  {op:<14} {count:>6,} {ok / count:>10.2%} {lost / count:>11.2%} {expected:>8.2%}{at_least}"
                f"  {state} (archived or gone)"
            )
            total, won, ran = total + ok, won + lost, ran + count
        if ran:
            lines.append(f"  {'all':<14} {ran:>6,} {total / ran:>10.2%} {won / ran:>11.2%}")
        return lines

    def ensure_lines(self) -> list[str]:
        if self.mix != "ensure":
            return []
        return [
            f"ensure: succeeded          {self.ensures_succeeded:,} on {ENSURE_LABELS} labels, "
            f"connectors created {self.ensure_connectors:,}",
            f"ensure: duplicates         {self.ensure_duplicates}",
            f"ensure: orphans            {self.ensure_orphans}  (created, never returned to the caller)",
        ]

    def lines(self) -> list[str]:
        failures = ", ".join(f"{name} {count}" for name, count in self.failures.most_common()) or "none"
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults_injected.items()))
        return [
            f"operations                 {self.operations:,} in {self.elapsed:.1f}s",
            f"successes                  {self.successes:,}",
            f"typed failures             {failures}",
            f"untyped failures           {len(self.untyped)}",
            f"faults injected            {faults}",
            f"creates the caller saw OK  {self.creates_succeeded:,}",
            f"connectors created         {self.connectors_created:,}  (the rest: answer lost after the create)",
            f"duplicate connectors       {self.duplicates}",
            f"orphans of create          {self.create_orphans:,}  (created, but the caller was told it failed)",
            *self.ensure_lines(),
            f"calls past their deadline  {self.outlived_deadline}",
            f"pending tasks at exit      {self.pending_tasks}",
            f"unclosed sessions at exit  {self.unclosed}",
            f"peak open connections      {self.peak_connections}",
            f"peak memory (RSS)          {self.peak_memory_mb:.0f} MB",
            *self.idempotent_lines(),
        ]


class _Unclosed(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "Unclosed" in record.getMessage()


def _budget(op: str) -> float:
    """The longest a call may take: every attempt timing out plus every backoff, scaled, plus slack."""
    one = (MAX_RETRIES + 1) * TIMEOUT + 1.0
    # ensure: a list, then up to 3 creates, each followed (when its answer is lost) by up to 6 lookups.
    return {"update": 2 * one, "sync_and_wait": SYNC_TIMEOUT + one, "ensure": 22 * one}.get(op, one)


async def run_soak(
    operations: int,
    *,
    concurrency: int = 64,
    fault_rate: float = 0.3,
    seed: int = 0,
    time_scale: float = 0.01,
    mix: str = "default",
) -> SoakReport:
    rng = random.Random(seed)
    report = SoakReport(operations=operations, fault_rate=fault_rate, mix=mix)
    unclosed = _Unclosed()
    logging.getLogger("asyncio").addHandler(unclosed)

    async def scaled_sleep(seconds: float) -> None:
        await asyncio.sleep(seconds * time_scale)

    started = time.monotonic()
    async with Emulator(seed=seed, sync_duration=0.1, force_delete_delay=0.05) as emu:
        pool = [str(i) for i in emu.preload(50)]
        ensured: set[str] = set()
        emu.list_lag = LIST_LAG
        kinds = [Fault("429", retry_after=1.0), *(Fault(k) for k in ("500", "502", "503", "504", "drop"))]
        emu.inject(fault_rate, [*kinds, Fault("stall", stall=TIMEOUT * 3)])
        weights = MIXES[mix]
        ops = rng.choices(list(weights), weights=list(weights.values()), k=operations)
        client = BigdataClient(
            emu.api_key,
            base_url=emu.base_url,
            timeout=TIMEOUT,
            max_retries=MAX_RETRIES,
            max_connections=concurrency,
            sleep=scaled_sleep,
            rate_limit=None,  # the soak measures retries under faults, not pacing
        )
        done = asyncio.Event()

        async def sample() -> None:
            runner = emu._runner
            while not done.is_set():
                if runner is not None and runner.server is not None:
                    report.peak_connections = max(report.peak_connections, len(runner.server.connections))
                await asyncio.sleep(0.01)

        async def one(index: int, op: str) -> None:
            target = rng.choice(pool)
            begin = time.monotonic()
            report.by_op[op] += 1
            try:
                result = await _call(client, op, index, target, pool)
                if op == "ensure":
                    ensured.add(str(result.connector_id))
                    report.ensures_succeeded += 1
                report.successes += 1
                report.succeeded_by_op[op] += 1
                report.creates_succeeded += op == "create"
            except BigdataError as err:
                report.failures[type(err).__name__] += 1
                report.failed_by_op[op, type(err).__name__] += 1
            except Exception as err:
                report.untyped.append(f"{op}: {type(err).__name__}: {err}")
            if time.monotonic() - begin > _budget(op):
                report.outlived_deadline += 1

        gate = asyncio.Semaphore(concurrency)

        async def gated(index: int, op: str) -> None:
            async with gate:
                await one(index, op)

        sampler = asyncio.create_task(sample())
        try:
            async with client:
                await asyncio.gather(*(gated(i, op) for i, op in enumerate(ops)))
        finally:
            done.set()
            await sampler
        report.faults_injected = emu.state.faults_injected
        report.connectors_created = emu.created
        labels = Counter(c.label for c in emu.state.connectors.values() if c.label.startswith("soak-"))
        report.duplicates = sum(n - 1 for n in labels.values() if n > 1)
        by_ensure = [c for c in emu.state.connectors.values() if c.label.startswith("ens-")]
        report.ensure_connectors = len(by_ensure)
        report.ensure_duplicates = len(by_ensure) - len({c.label for c in by_ensure})
        report.ensure_orphans = sum(str(c.connector_id) not in ensured for c in by_ensure)
        report.create_orphans = emu.created - report.ensure_connectors - report.creates_succeeded
    gc.collect()
    await asyncio.sleep(0)
    report.pending_tasks = len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])
    logging.getLogger("asyncio").removeHandler(unclosed)
    report.unclosed = unclosed.count
    report.peak_memory_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.elapsed = time.monotonic() - started
    return report


async def _call(client: BigdataClient, op: str, index: int, target: str, pool: list[str]) -> Any:
    c = client.connectors
    if op == "create":
        created = await c.create(
            type="investment_research",
            label=f"soak-{index}",
            config={"user_id": f"u{index}@broker.example", "user_password": "soak-password"},
        )
        pool.append(str(created.connector_id))
        return created
    if op == "ensure":  # not added to the pool: its connectors keep their labels, so they can be counted
        key = index % ENSURE_LABELS
        return await c.ensure(
            type="investment_research",
            label=f"ens-{key}",
            config={"user_id": f"u{key}@broker.example", "user_password": "soak-password"},
            description=f"revision {index % 3}",  # so some calls update
        )
    if op == "get":
        return await c.get(target)
    if op == "list":
        return await c.list()
    if op == "update":
        return await c.update(target, label=f"updated-{index}")
    if op == "trigger":
        return await c.trigger_sync(target, date_limit="2026-01-01")
    if op == "sync_and_wait":
        return await c.sync_and_wait(target, date_limit="2026-01-01", timeout=SYNC_TIMEOUT)
    if len(pool) > 10 and target in pool:
        pool.remove(target)  # archived connectors refuse syncs: keep later operations on live ones
    return await c.delete(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", choices=[*MIXES, "both"], default="both")
    args = parser.parse_args()
    ok = True
    for mix in MIXES if args.mix == "both" else [args.mix]:
        weights = ", ".join(f"{op} {share}%" for op, share in MIXES[mix].items())
        print(f"== {mix} mix ({weights})")
        report = asyncio.run(
            run_soak(args.ops, concurrency=args.concurrency, fault_rate=args.fault_rate, seed=args.seed, mix=mix)
        )
        print("\n".join(report.lines()), end="\n\n")
        ok = ok and report.duplicates == report.outlived_deadline == report.pending_tasks == report.unclosed == 0
        ok = ok and report.ensure_duplicates == report.ensure_orphans == 0 and not report.untyped
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
