"""What is retried and how long to wait before the next attempt: the retry policy, built on tenacity's strategies.

The rules, and why:

- Retried: connection errors, timeouts, 408, 429, 500, 502, 503, 504. Each can pass by itself.
- Never: 400, 401, 403, 404, 409, 422 (asking again gets the same answer; 401 especially must not
  hammer the API with a bad key), a 2xx that does not fit the model, a TLS failure, and cancellation.
- Create is not idempotent (the API has no idempotency key). It is retried only when the request
  provably never reached the server (the connection could not be opened) or the server answered 429
  (it refused the request without acting on it). After a timeout, a dropped connection or a 5xx the
  connector may exist, so a retry could create a second one.
- Waits grow exponentially: BACKOFF_INITIAL doubling, plus up to BACKOFF_JITTER of jitter, at most BACKOFF_MAX
  (``_backoff``, a tenacity wait strategy; tenacity's own ``wait_exponential_jitter`` says the same from 9.2 on,
  under a parameter name older 9.x releases lack). A Retry-After (seconds, HTTP-date, or retry-after-ms) replaces that
  wait when it is at most MAX_RETRY_AFTER; a longer one is not waited for: the error is raised at once, and the
  caller is better placed to decide. One that is negative, NaN, infinite, unreadable or a date already past is
  ignored: the normal backoff applies.
- At most ``max_retries`` retries (tenacity's ``stop_after_attempt``).
- The deadline rule: a caller's monotonic deadline (a sync wait's ``timeout``) stops retrying when the next wait
  would end at or past it. The error is then marked ``deadline_exceeded``: the deadline, not the failure, ended
  the call, and callers (the sync waits) report their own timeout. This is the one place that decides it.

The loop that applies the policy is ``HTTPTransport.request`` (``_transport/http.py``): a plain loop, read top to
bottom, that consults ``RetryPolicy.delay`` only after a failure. tenacity's own ``AsyncRetrying`` loop would cost
about 37 us per call on the happy path, ten times the SDK's whole own cost of a call (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bigdata_connectors._config import BACKOFF_INITIAL, BACKOFF_JITTER, BACKOFF_MAX, MAX_RETRY_AFTER
from bigdata_connectors._errors import APIConnectionError, APIStatusError, TLSError
from bigdata_connectors._types import Clock

if TYPE_CHECKING:
    import tenacity

__all__ = ["RETRYABLE_STATUS", "RetryPolicy", "is_retryable", "is_transient", "may_have_acted", "parse_retry_after"]

logger = logging.getLogger("bigdata_connectors")

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class RetryPolicy:
    """Whether a failed attempt is tried again, and after how many seconds. One per client (and view).

    tenacity (about 10 ms to import) is loaded by the first failure that may be retried: a program whose calls
    succeed never loads it.
    """

    __slots__ = ("_clock", "_strategies", "max_retries")

    def __init__(self, *, max_retries: int, clock: Clock) -> None:
        self.max_retries = max_retries
        self._clock = clock
        self._strategies: tenacity.AsyncRetrying | None = None

    def delay(
        self, err: APIStatusError | APIConnectionError, *, attempt: int, idempotent: bool, deadline: float | None
    ) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` after ``err`` ended attempt ``attempt``, or None: raise
        ``err``. A transient failure that the ``deadline`` (seconds on the clock) leaves no time to retry (or to
        wait out its Retry-After) is marked ``err.deadline_exceeded``."""
        seconds = self._wait(err, attempt) if is_retryable(err, idempotent=idempotent) else None
        if deadline is not None and is_transient(err):
            due = seconds if seconds is not None else getattr(err, "retry_after", None) or 0.0
            if self._clock() + due >= deadline:
                err.deadline_exceeded = True
                return None
        if seconds is not None:
            logger.warning("retrying in %.2fs after attempt %d: %s", seconds, attempt, err)
        return seconds

    def _wait(self, err: APIStatusError | APIConnectionError, attempt: int) -> float | None:
        """The Retry-After or the backoff before the next attempt; None once ``max_retries`` retries were made."""
        import tenacity

        strategies = self._strategies or self._build()
        state = tenacity.RetryCallState(strategies, None, (), {})
        state.attempt_number = attempt
        state.set_exception((type(err), err, err.__traceback__))
        if strategies.stop(state):
            return None
        retry_after = err.retry_after if isinstance(err, APIStatusError) else None
        return float(retry_after) if retry_after is not None else float(strategies.wait(state))

    def _build(self) -> tenacity.AsyncRetrying:
        """tenacity's stop and wait strategies, held by the retrying object their state refers to (its own loop is
        never run)."""
        import tenacity

        self._strategies = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=_backoff,
            reraise=True,
        )
        return self._strategies


def _backoff(state: tenacity.RetryCallState) -> float:
    exponential: float = BACKOFF_INITIAL * 2.0 ** (state.attempt_number - 1)
    return min(exponential + random.uniform(0, BACKOFF_JITTER), BACKOFF_MAX)


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure that may pass by itself: no answer (a TLS failure excepted: an untrusted
    certificate does not become trusted by asking again), or 408, 429, 500, 502, 503, 504."""
    if isinstance(exc, APIStatusError):
        return exc.status_code in RETRYABLE_STATUS
    return isinstance(exc, APIConnectionError) and not isinstance(exc, TLSError)


def is_retryable(exc: BaseException, *, idempotent: bool) -> bool:
    """Whether ``exc`` may be retried now, for an idempotent call or for a create."""
    if not is_transient(exc):
        return False
    if isinstance(exc, APIStatusError):
        if exc.retry_after is not None and exc.retry_after > MAX_RETRY_AFTER:
            return False
        return idempotent or exc.status_code == 429
    return idempotent or not getattr(exc, "request_sent", True)


def may_have_acted(err: BaseException) -> bool:
    """Whether the server may have carried out a request that failed this way (it was sent and got no
    answer, or a 5xx/408): then a retry's 404 may be the first attempt's own work."""
    if isinstance(err, APIConnectionError):
        return err.request_sent
    return isinstance(err, APIStatusError) and (err.status_code >= 500 or err.status_code == 408)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the answer asks us to wait, from ``retry-after-ms`` or ``Retry-After``; None if absent or unreadable."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        ms = _seconds(raw_ms)
        if ms is not None:
            return ms / 1000.0
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    seconds = _seconds(raw)
    if seconds is not None or _NUMBER.fullmatch(raw.strip()):
        return seconds  # a number, or a negative / NaN / infinite one: unusable, so the normal backoff
    from email.utils import parsedate_to_datetime  # rare: only an HTTP-date Retry-After needs it

    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    wait = when.timestamp() - (time.time() if now is None else now)
    # A date already past is a clock disagreement or a stale answer, not "retry at once".
    return wait if wait > 0 else None


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+|nan|inf|infinity)(?:e[+-]?\d+)?", re.IGNORECASE)


def _seconds(raw: str) -> float | None:
    """A finite, non-negative number, or None."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
