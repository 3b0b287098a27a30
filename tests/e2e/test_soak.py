"""A 500-operation soak with a fixed seed: counts, never timings."""

from __future__ import annotations

from bench.soak import run_soak

EXPECTED_FAILURES = {
    "APIConnectionError",
    "APITimeoutError",
    "InternalServerError",
    "RateLimitError",
    "BadRequestError",  # a sync of a connector another operation archived (trigger_sync)
    "ConnectorArchivedError",  # the same, seen by sync_and_wait before its trigger or while waiting
    "SyncTimeoutError",
    "NotFoundError",
}


async def test_soak_500_operations_with_30_percent_faults() -> None:
    report = await run_soak(500, concurrency=64, fault_rate=0.3, seed=1)
    assert report.untyped == []
    assert report.duplicates == 0
    assert report.outlived_deadline == 0
    assert report.pending_tasks == 0
    assert report.unclosed == 0
    assert report.successes + sum(report.failures.values()) == 500
    assert report.successes > 400  # retries ride out most faults (about 95% here)
    assert set(report.failures) <= EXPECTED_FAILURES, report.failures
    assert sum(report.faults_injected.values()) > 100
    # Every create the caller saw succeed made exactly one connector; the others are answers lost after a create.
    assert report.connectors_created >= report.creates_succeeded > 0
    # Seen by the server, which may still hold a connection the client already dropped after a timeout.
    assert 0 < report.peak_connections <= 2 * 64


async def test_soak_ensure_mix_no_duplicate_no_orphan() -> None:
    report = await run_soak(400, concurrency=64, fault_rate=0.3, seed=2, mix="ensure")
    assert report.untyped == []
    assert report.faults_injected["500"] + report.faults_injected["drop"] + report.faults_injected["stall"] > 30
    # Every connector ensure made is one a caller got back, once per label, despite lost answers and a lagging list.
    assert report.ensure_duplicates == 0
    assert report.ensure_orphans == 0
    assert 50 < report.ensure_connectors <= report.ensures_succeeded
    # Deadlines are the default mix's test (they are wall-clock figures, and this one is about counts).
    assert report.pending_tasks == report.unclosed == 0
    assert set(report.failures) <= EXPECTED_FAILURES | {"CreateOutcomeUnknownError"}, report.failures
