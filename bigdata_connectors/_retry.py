"""What is retried, how long to wait, and the one tenacity object per call that does it.

The rules, and why:

- Retried: connection errors, timeouts, 408, 429, 500, 502, 503, 504. Each can pass by itself.
- Never: 400, 401, 403, 404, 409, 422 (asking again gets the same answer; 401 especially must not
  hammer the API with a bad key), a 2xx that does not fit the model, and cancellation.
- Create is not idempotent (the API has no idempotency key). It is retried only when the request
  provably never reached the server (the connection could not be opened) or the server answered 429
  (it refused the request without acting on it). After a timeout, a dropped connection or a 5xx the
  connector may exist, so a retry could create a second one.
- Waits grow exponentially (BACKOFF_INITIAL doubling up to BACKOFF_MAX, plus jitter). A Retry-After
  (seconds, HTTP-date, or retry-after-ms) replaces that wait when it is at most MAX_RETRY_AFTER;
  a longer one raises RateLimitError at once: the caller is better placed to decide. One that is
  negative, NaN, infinite, unreadable or a date already past is ignored: the normal backoff applies.
- An optional monotonic deadline stops retrying when the next sleep would end past it.
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from bigdata_connectors._config import BACKOFF_INITIAL, BACKOFF_JITTER, BACKOFF_MAX, MAX_RETRY_AFTER
from bigdata_connectors._errors import APIConnectionError, APIStatusError, TLSError

if TYPE_CHECKING:
    import tenacity

logger = logging.getLogger("bigdata_connectors")

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


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


def is_retryable(exc: BaseException, *, idempotent: bool) -> bool:
    """Whether ``exc`` may be retried, for an idempotent call or for a create."""
    if isinstance(exc, APIStatusError):
        if exc.status_code not in RETRYABLE_STATUS:
            return False
        if exc.retry_after is not None and exc.retry_after > MAX_RETRY_AFTER:
            return False
        return idempotent or exc.status_code == 429
    if isinstance(exc, TLSError):
        return False  # an untrusted certificate does not become trusted by asking again
    if isinstance(exc, APIConnectionError):
        return idempotent or not exc.request_sent
    return False


def may_have_acted(err: BaseException) -> bool:
    """Whether the server may have carried out a request that failed this way (it was sent and got no
    answer, or a 5xx/408): then a retry's 404 may be the first attempt's own work."""
    if isinstance(err, APIConnectionError):
        return err.request_sent
    return isinstance(err, APIStatusError) and (err.status_code >= 500 or err.status_code == 408)


def _wait(state: tenacity.RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, APIStatusError) and exc.retry_after is not None:
        return float(exc.retry_after)
    return _backoff(state)


def _backoff(state: tenacity.RetryCallState) -> float:
    exponential: float = BACKOFF_INITIAL * 2.0 ** (state.attempt_number - 1)
    return min(exponential + random.uniform(0, BACKOFF_JITTER), BACKOFF_MAX)


def _log_retry(state: tenacity.RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    sleep = state.next_action.sleep if state.next_action else 0.0
    logger.warning("retrying in %.2fs after attempt %d: %s", sleep, state.attempt_number, exc)


def build_retrying(
    *, max_retries: int, idempotent: bool, sleep: Sleep, deadline: float | None, clock: Clock
) -> tenacity.AsyncRetrying:
    """The retry loop for one call. Built only once a first attempt has failed retryably, so the
    common path (first attempt succeeds) pays nothing for it, not even tenacity's import."""
    import tenacity

    class StopAtDeadline(tenacity.stop.stop_base):
        """Stop when the next sleep would end at or past the deadline (seconds on ``clock``)."""

        def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
            return deadline is not None and clock() + (retry_state.upcoming_sleep or 0.0) >= deadline

    stop: tenacity.stop.stop_base = tenacity.stop_after_attempt(max_retries + 1)
    if deadline is not None:
        stop = stop | StopAtDeadline()
    return tenacity.AsyncRetrying(
        retry=tenacity.retry_if_exception(lambda exc: is_retryable(exc, idempotent=idempotent)),
        stop=stop,
        wait=_wait,
        sleep=sleep,
        before_sleep=_log_retry,
        reraise=True,
    )
