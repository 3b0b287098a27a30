"""The emulator's per-key rate limit: at most ``limit`` requests in any ``window`` seconds, else 429.

A sliding log on the emulator's clock, the strictest reading of "N requests a minute": a request is
refused when ``limit`` requests of the same key arrived in the last ``window`` seconds, with a
``Retry-After`` of the seconds until the oldest of them leaves the window (rounded up, as the header
takes whole seconds). Refused requests do not count against the limit; every arrival is logged in
``arrivals`` so a test can check what a client sent, refused or not.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable

__all__ = ["KeyRateLimit"]


class KeyRateLimit:
    """Admission per API key; ``arrivals`` holds every request's arrival time (emulator clock, seconds)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        if limit < 1 or not window > 0:
            raise ValueError("rate_limit must be >= 1 request and rate_window > 0 seconds")
        self.limit, self.window, self._clock = limit, window, clock
        self._admitted: dict[str, deque[float]] = {}
        self.arrivals: list[float] = []
        self.refused = 0

    def admit(self, key: str) -> float | None:
        """None if the request may proceed, else the seconds to put in Retry-After."""
        now = self._clock()
        self.arrivals.append(now)
        log = self._admitted.setdefault(key, deque())
        while log and log[0] <= now - self.window:
            log.popleft()
        if len(log) < self.limit:
            log.append(now)
            return None
        self.refused += 1
        return max(1.0, math.ceil(log[0] + self.window - now))

    def max_in_window(self, window: float | None = None) -> int:
        """The most arrivals within any ``window`` seconds (default: the limit's window), refused ones included."""
        span = self.window if window is None else window
        times = sorted(self.arrivals)
        best = 0
        for end, moment in enumerate(times):
            best = max(best, end - bisect_right(times, moment - span, 0, end) + 1)
        return best
