"""The blocking section of ``make bench`` (``bench.blocking``) runs and reports what it should; no figure is judged
here (performance is measured by ``make bench``, not asserted in tests)."""

from __future__ import annotations

from bench import blocking
from bench._server import API_KEY
from tests.blocking.support import ThreadedEmulator


def test_the_blocking_bench_section_reports_every_variant_and_the_connections_opened() -> None:
    served = ThreadedEmulator(api_key=API_KEY)
    served.start()
    try:
        served.call(served.emulator.preload, 1)
        lines, figures = blocking.bench_blocking(served.base_url, 64, 1)
    finally:
        served.stop()
    table = [line for line in lines if line.startswith("| ") and "get()" in line]
    assert [row.split(" | ")[0][2:] for row in table] == [
        blocking.ASYNC_1,
        blocking.BLOCKING_1,
        blocking.ASYNC_16,
        blocking.BLOCKING_16,
    ]
    # One connection for one call at a time, however many calls; at most the pool's width for sixteen.
    assert figures.connections[blocking.ASYNC_1] == figures.connections[blocking.BLOCKING_1] == 1
    assert 1 <= figures.connections[blocking.BLOCKING_16] <= blocking.THREADS
    summary = blocking.summary_lines(figures)
    assert len(summary) == 2
    assert all(row.endswith(("| met |", "| **missed** |")) for row in summary)
