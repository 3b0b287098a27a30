"""Waiting for a sync to finish, by polling the connector.

The API has no sync-job resource: a sync's outcome shows up only on the connector (``last_sync_at``,
``last_sync_status``, ``last_sync_error_msg``). The completion rule (``classify``):

- Nothing counts until ``last_sync_at`` is newer than the baseline (the value read before the
  trigger, or the caller's ``after``). This is what keeps the previous sync's SUCCESS from being
  taken for the new one. A null baseline accepts any non-null value.
- Then a non-empty ``last_sync_error_msg`` or a failure-like status (FAIL, ERROR, ... in any case)
  is a failure; ``SUCCESS`` is success; any other status, including one nobody has seen yet, means
  still running. An unknown status is never success: a wrong "done" silently loses data downstream,
  a wrong "running" costs at most a timeout.
- A connector that is ``archived`` while its sync has not finished accepts no new content: the wait
  ends at once with ConnectorArchivedError (a force delete archives first). One that disappears (404)
  ends it at once with NotFoundError.

One monotonic deadline covers all polls, their HTTP retries and the sleeps between them: no sleep
ends past it. The first poll runs at once; then the interval grows x1.5 (+/-10% jitter) from
``poll_interval`` to ``max_poll_interval`` (seconds).
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bigdata_connectors._errors import (
    APIConnectionError,
    APIStatusError,
    ConnectorArchivedError,
    NotFoundError,
    SyncFailedError,
    SyncTimeoutError,
)
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._retry import Clock, Sleep

GROWTH = 1.5
JITTER = 0.1
SUCCESS_STATUSES = frozenset({"SUCCESS"})
FAILURE_MARKERS = ("FAIL", "ERROR", "CANCEL", "ABORT", "REJECT", "DENIED", "INVALID")


Outcome = Literal["running", "success", "failure"]
SyncState = Literal["running", "succeeded", "failed"]
_STATES: dict[Outcome, SyncState] = {"running": "running", "success": "succeeded", "failure": "failed"}


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """One polled state of a sync: the connector's status, seconds since the wait began, how many
    polls so far, the connector as it was read, and ``state`` by the completion rule ("running",
    "succeeded" or "failed")."""

    status: str | None
    elapsed: float
    polls: int
    connector: Connector
    state: SyncState = "running"


ProgressCallback = Callable[[SyncProgress], Awaitable[None] | None]


def check_wait_args(timeout: float, poll_interval: float, max_poll_interval: float) -> None:
    """Raise ValueError unless timeout > 0 and 0 < poll_interval <= max_poll_interval (seconds)."""
    if not (timeout > 0 and 0 < poll_interval <= max_poll_interval):
        raise ValueError("need timeout > 0 and 0 < poll_interval <= max_poll_interval (seconds)")


def classify(connector: Connector, baseline: datetime | None) -> Outcome:
    """Apply the completion rule (module docstring) to one polled connector state."""
    finished_at = connector.last_sync_at
    if finished_at is None or (baseline is not None and finished_at <= baseline):
        return "running"
    status = (connector.last_sync_status or "").strip().upper()
    if (connector.last_sync_error_msg or "").strip() or any(marker in status for marker in FAILURE_MARKERS):
        return "failure"
    return "success" if status in SUCCESS_STATUSES else "running"


def progress(connector: Connector, baseline: datetime | None, elapsed: float, polls: int) -> SyncProgress:
    """One polled state, classified; raises ConnectorArchivedError for an archived connector whose sync
    has not finished."""
    outcome = classify(connector, baseline)
    if outcome == "running" and connector.archived:
        raise ConnectorArchivedError(
            f"connector {connector.connector_id} was archived (or is being deleted) before its sync finished: "
            "an archived connector accepts no new content",
            connector,
        )
    return SyncProgress(connector.last_sync_status, elapsed, polls, connector, _STATES[outcome])


def mark_gone(err: NotFoundError) -> NotFoundError:
    """Say in a 404's message that the connector disappeared while its sync was awaited."""
    err.message += " (the connector was deleted while its sync was awaited)"
    err.args = (err.message, *err.args[1:])
    return err


async def wait_until_synced(
    fetch: Callable[[float], Awaitable[Connector]],
    *,
    baseline: datetime | None,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
    clock: Clock,
    sleep: Sleep,
    started: float | None = None,
) -> Connector:
    """Poll ``fetch(deadline)`` until the sync is done; return the connector on success.

    ``started`` (on ``clock``) lets the caller count time already spent (the trigger) against
    ``timeout`` (seconds). Raises SyncFailedError, SyncTimeoutError (with the last state seen), and
    any API error a poll ends with after the HTTP layer's own retries (NotFoundError if the connector
    disappears).
    """
    check_wait_args(timeout, poll_interval, max_poll_interval)
    start = clock() if started is None else started
    deadline = start + timeout
    interval = poll_interval
    polls = 0
    last: Connector | None = None

    def expired(cause: str) -> SyncTimeoutError:
        elapsed = clock() - start
        return SyncTimeoutError(
            f"sync not finished after {elapsed:.1f}s (timeout {timeout:g}s, {polls} polls, {cause}); "
            "it keeps running on the server",
            last,
            elapsed,
        )

    while True:
        if clock() >= deadline:
            raise expired(f"last status {last.last_sync_status if last else None!r}")
        try:
            connector = await fetch(deadline)
        except NotFoundError as err:
            mark_gone(err)
            raise
        except (APIStatusError, APIConnectionError) as err:
            # A poll that failed because the deadline cut its retries short is our timeout, not its error.
            retry_after = err.retry_after if isinstance(err, APIStatusError) else None
            if err.deadline_exceeded or clock() + (retry_after or 0.0) >= deadline:
                raise expired(f"last poll failed: {err}") from err
            raise
        polls += 1
        last = connector
        state = progress(connector, baseline, clock() - start, polls)
        if on_progress is not None:
            result = on_progress(state)
            if inspect.isawaitable(result):
                await result
        if state.state == "succeeded":
            return connector
        if state.state == "failed":
            raise SyncFailedError(connector, connector.last_sync_status, connector.last_sync_error_msg)
        remaining = deadline - clock()
        if remaining <= 0:
            continue  # the check at the top raises
        await sleep(min(interval * random.uniform(1 - JITTER, 1 + JITTER), remaining))
        interval = min(interval * GROWTH, max_poll_interval)
