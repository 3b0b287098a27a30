"""The completion rule: what one polled state of a connector says about its sync.

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

The waiting itself (deadline, intervals) is the one poll loop, ``_poll``; ``handle`` gives it this rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bigdata_connectors._errors import ConnectorArchivedError, NotFoundError
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._poll import growing

__all__ = ["ProgressCallback", "SyncProgress", "SyncState", "classify", "intervals", "mark_gone", "progress"]

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


def intervals(poll_interval: float, max_poll_interval: float) -> Iterator[float]:
    """The sync waits' schedule: ``poll_interval`` seconds growing x1.5 (+/-10% jitter) to ``max_poll_interval``."""
    return growing(poll_interval, max_poll_interval, factor=1.5, jitter=0.1)
