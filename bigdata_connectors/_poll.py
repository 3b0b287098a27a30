"""The one poll loop: every wait of the SDK (a sync's outcome, its documents, ensure's look-up after a lost create
answer) asks the same question again on a growing schedule until it gets an answer or a deadline passes.

The rules, in one place:

- One monotonic deadline (seconds on the client's clock) covers every probe, its HTTP retries (the transport is
  handed the deadline) and the sleeps between probes: no sleep ends past it.
- The first probe runs at once; then the intervals of ``schedule`` (growing, with jitter for syncs).
- A probe answers with a value (done: returned), None (ask again), or an exception (raised as it is), except a
  transient API failure (no answer, 408, 429, 5xx; ``_transport.is_transient``) that the deadline cut short
  (``deadline_exceeded``): then the deadline, not the failure, is what happened. With ``ride_out``, any transient
  failure is outlived: logged once per outage, asked again on the schedule (after the answer's Retry-After, if
  longer), until the deadline.
- With ``final_look``, when the deadline arrives (the loop sleeps until it if the transport gave up a little
  before it) one last probe runs anyway: ``probe(None)``, which its reads
  make as one attempt each (``retry=False``), so it ends about one request after the deadline. A thing that
  finished in the last interval is then seen as finished, not as a timeout.

The loop knows nothing of connectors: ``_syncs`` and ``_as_code`` give it their probe.
"""

from __future__ import annotations

import inspect
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from bigdata_connectors._errors import APIConnectionError, APIStatusError
from bigdata_connectors._transport import is_transient
from bigdata_connectors._types import Clock, Sleep

__all__ = ["Expired", "growing", "notify", "poll"]

logger = logging.getLogger("bigdata_connectors")

T = TypeVar("T")


class Expired(Exception):
    """The deadline passed without an answer. ``failure`` is the transient API error the last probe ended with
    (None: the last probe answered "not yet"). Callers turn it into their own timeout error."""

    def __init__(self, failure: APIStatusError | APIConnectionError | None) -> None:
        super().__init__("the deadline passed")
        self.failure = failure


def growing(first: float, maximum: float, *, factor: float, jitter: float = 0.0) -> Iterator[float]:
    """Intervals in seconds: ``first``, then times ``factor`` up to ``maximum``, each spread by +/-``jitter``
    (a fraction) so that many waiters do not poll in step."""
    interval = first
    while True:
        yield interval * random.uniform(1 - jitter, 1 + jitter) if jitter else interval
        interval = min(interval * factor, maximum)


async def poll(
    probe: Callable[[float | None], Awaitable[T | None]],
    *,
    deadline: float,
    schedule: Iterator[float],
    clock: Clock,
    sleep: Sleep,
    ride_out: bool = False,
    final_look: bool = False,
    what: str = "waiting",
) -> T:
    """Call ``probe(deadline)`` until it returns a value; return it. Raises Expired when ``deadline`` passes first,
    and whatever else a probe raises (see the module docstring for transient failures)."""
    failure: APIStatusError | APIConnectionError | None = None
    outage_since: float | None = None
    while clock() < deadline:
        pause = 0.0
        try:
            answer = await probe(deadline)
        except (APIStatusError, APIConnectionError) as err:
            if not is_transient(err) or not (err.deadline_exceeded or ride_out):
                raise
            failure = err
            if err.deadline_exceeded:
                break  # the deadline, not the failure, ends the wait
            if outage_since is None:
                outage_since = clock()
                logger.warning("%s: the API is not answering (%s); asking again until the deadline", what, err)
            pause = getattr(err, "retry_after", None) or 0.0
        else:
            if outage_since is not None:
                logger.warning("%s: the API answers again after %.1fs", what, clock() - outage_since)
                outage_since, failure = None, None
            if answer is not None:
                return answer
            failure = None
        remaining = deadline - clock()
        if remaining > 0:
            await sleep(min(max(next(schedule), pause), remaining))
    if final_look:
        remaining = deadline - clock()
        if remaining > 0:  # the transport gave up early: no further retry fitted before the deadline
            await sleep(remaining)
        try:
            answer = await probe(None)
        except (APIStatusError, APIConnectionError) as err:
            if not is_transient(err):
                raise
            raise Expired(failure or err) from err  # the outage the loop saw, if it saw one, says more
        if answer is not None:
            return answer
        raise Expired(None)
    raise Expired(failure)


async def notify(callback: Callable[[T], Awaitable[None] | None] | None, value: T) -> None:
    """Call a user's progress callback, plain or async, with ``value`` (nothing when there is none)."""
    if callback is not None:
        result = callback(value)
        if inspect.isawaitable(result):
            await result
