"""Run the emulator in a separate process on loopback, for measurements.

The child (``python -m bench._serve``) builds an ``Emulator`` from the options given here, optionally on a
clock running ``time_scale`` times faster than the wall clock, and counts every request it receives. The
counts are read back over HTTP (``GET /_bench/stats``), so the client process measures only itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

API_KEY = "bench-key"
STATS_PATH = "/_bench/stats"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServerStats:
    """What the emulator process saw: request arrival times (seconds on its clock) and answers by status."""

    times: list[float]
    statuses: dict[str, int]

    def max_in_window(self, window: float) -> int:
        """The most requests that arrived within any ``window`` seconds (on the emulator's clock)."""
        times, best, start = sorted(self.times), 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best


def read_stats(base_url: str) -> ServerStats:
    with urllib.request.urlopen(base_url + STATS_PATH, timeout=30) as answer:
        data = json.loads(answer.read())
    return ServerStats(data["times"], data["statuses"])


@contextlib.contextmanager
def emulator_process(preload: int = 1, *, pin: bool = False, **options: Any) -> Iterator[str]:
    """Start the emulator in a child process and yield its base URL.

    ``options``: ``preload_type``, ``sync_duration`` (seconds, or a [low, high] range), ``time_scale``,
    ``seed``, and ``emulator`` (extra keyword arguments for ``Emulator``). ``pin``: on a machine with two or
    more CPUs, the emulator gets one to itself and this process the others, until the block ends, so the
    two do not take turns on one core in the middle of a measurement.
    """
    port = _free_port()
    spec = json.dumps({"port": port, "api_key": API_KEY, "preload": preload, **options})
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench._serve", spec], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    restore: set[int] | None = None
    try:
        restore = _pin_apart(proc.pid) if pin else None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                output = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"the emulator exited: {output}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the emulator did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        if restore is not None:
            _unpin(restore)
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def _pin_apart(child: int) -> set[int] | None:
    """Pin ``child`` to the last CPU this process may use and this process to the rest; return this process's
    CPUs as they were (None, and nothing pinned, with fewer than two or where the OS has no affinity)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    mine = os.sched_getaffinity(0)
    if len(mine) < 2:
        return None
    last = max(mine)
    os.sched_setaffinity(child, {last})
    os.sched_setaffinity(0, mine - {last})
    return mine


def _unpin(cpus: set[int]) -> None:
    """Every thread of this process back on ``cpus``: threads started while pinned (an executor's, for DNS) were
    pinned too, and Linux sets affinity per thread."""
    for task in os.listdir("/proc/self/task"):
        with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(task), cpus)
