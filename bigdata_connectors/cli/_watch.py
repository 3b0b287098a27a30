"""Watching the SDK's retries: what was tried, how often, for how long, and telling the person at once.

The SDK logs each retry as a WARNING on the ``bigdata_connectors`` logger, the error it retries among the
record's arguments (an ``APIError`` with ``method`` and ``path``). ``RetryWatch`` is a logging handler that keeps,
per request path, the current run of failed attempts (a ``Streak``), so that the final error can say "4 attempts
over 3.6s", and calls its listener on every retry (the live display shows "API unreachable"; without one, the
first retry of a run prints one line on stderr instead of leaving the terminal silent for seconds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RetryWatch", "Streak"]

LOGGER = "bigdata_connectors"


@dataclass
class Streak:
    """Consecutive failed attempts of one request (``method``/``path``): ``failed`` so far, the first seen
    ``started`` and the latest ``last`` (``time.monotonic()`` seconds), the ``error`` of the latest, and the
    ``sleep`` (seconds) before the next attempt."""

    method: str
    path: str
    failed: int
    started: float
    last: float
    error: BaseException
    sleep: float = 0.0

    @property
    def seconds(self) -> float:
        """From the first failure seen to now."""
        return time.monotonic() - self.started


class RetryWatch(logging.Handler):
    """``with RetryWatch(listener) as watch:``: installed on the SDK's logger for the duration."""

    def __init__(self, listener: Callable[[Streak], None] | None = None) -> None:
        super().__init__(logging.WARNING)
        self.listener = listener
        self.streaks: dict[str, Streak] = {}

    def __enter__(self) -> RetryWatch:
        logging.getLogger(LOGGER).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(LOGGER).removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        error = next((a for a in args if isinstance(a, BaseException)), None)
        path = getattr(error, "path", None)
        if error is None or not isinstance(path, str):
            return
        attempt = next((a for a in args if type(a) is int), None)  # the attempt that failed, counted from 1
        sleep = next((a for a in args if type(a) is float), 0.0)
        now = time.monotonic()
        streak = self.streaks.get(path)
        if streak is None or attempt == 1:
            streak = Streak(str(getattr(error, "method", "")), path, 0, now, now, error)
            self.streaks[path] = streak
        streak.failed = attempt if attempt is not None else streak.failed + 1
        streak.last, streak.error, streak.sleep = now, error, sleep
        if self.listener is not None:
            self.listener(streak)

    def attempts(self, path: str) -> tuple[int, float] | None:
        """(attempts made, seconds since the first failed) for a request that has now failed for good, or None
        if it was not retried. The last attempt is not logged (nothing follows it): hence the + 1."""
        streak = self.streaks.get(path)
        return None if streak is None else (streak.failed + 1, streak.seconds)

    def forget(self, path: str) -> None:
        """A request on ``path`` succeeded: its next failure starts a new streak."""
        self.streaks.pop(path, None)
