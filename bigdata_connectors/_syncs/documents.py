"""Waiting past a sync's success for the documents it brought in (``wait(documents=True)``).

The API has no record of which documents one sync created: they are the connector's documents created at
or after the sync started (``started_at``, the server's clock). The list is eventually consistent (a new
document may appear seconds late), so when is the set complete? DESIGN.md, "What a sync brought in":

- every document seen is terminal (``completed`` or ``failed``; any other status, known or not, is still
  processing), **and**
- either the set has reached the connector's ``last_sync_count`` (the items that sync processed), or it
  has not changed (no document added) over ``settle`` seconds of polls: the rule when the count is unknown,
  or when some counted items never become documents.

The waiting is the one poll loop (``_poll``); this module is its probe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bigdata_connectors._errors import DocumentsTimeoutError
from bigdata_connectors._generated.models import Connector, Document
from bigdata_connectors._poll import Expired, notify, poll
from bigdata_connectors._syncs.progress import intervals
from bigdata_connectors._types import Clock, DocumentsSummary, Sleep

__all__ = ["DEFAULT_DOCUMENTS_SETTLE", "DocumentsProgressCallback", "SyncReport", "wait_for_documents"]

DEFAULT_DOCUMENTS_SETTLE = 10.0  # seconds: twice the 3-5 s the vendor gives for a new document to be listed

DocumentsProgressCallback = Callable[[DocumentsSummary], Awaitable[None] | None]
Listing = Callable[[float | None], AsyncIterator[Document]]


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What ``wait(documents=True)`` returns: the connector after its successful sync, and the summary of
    the documents that sync brought in (all of them completed or failed)."""

    connector: Connector
    documents: DocumentsSummary


class _Completeness:
    """The probe: one read of the documents, judged by the rule in the module docstring."""

    def __init__(
        self,
        listing: Listing,
        connector: Connector,
        started_at: datetime,
        settle: float,
        clock: Clock,
        on_progress: DocumentsProgressCallback | None,
    ) -> None:
        self._listing, self._connector, self._started_at = listing, connector, started_at
        self._settle, self._clock, self._on_progress = settle, clock, on_progress
        self._seen: frozenset[str] | None = None
        self._changed_at = clock()
        self.summary = DocumentsSummary.of([], connector.last_sync_count)

    async def __call__(self, deadline: float | None) -> SyncReport | None:
        documents = [d async for d in self._listing(deadline) if d.created_at >= self._started_at]
        self.summary = summary = DocumentsSummary.of(documents, self._connector.last_sync_count)
        await notify(self._on_progress, summary)
        ids = frozenset(d.id for d in documents)
        if ids != self._seen:
            self._seen, self._changed_at = ids, self._clock()
        if summary.processing:
            return None
        if summary.expected is not None and summary.total >= summary.expected:
            return SyncReport(self._connector, summary)
        if self._clock() - self._changed_at >= self._settle:
            return SyncReport(self._connector, summary)
        return None


async def wait_for_documents(
    listing: Listing,
    *,
    connector: Connector,
    started_at: datetime,
    start: float,
    deadline: float,
    poll_interval: float,
    max_poll_interval: float,
    settle: float,
    clock: Clock,
    sleep: Sleep,
    on_progress: DocumentsProgressCallback | None = None,
) -> SyncReport:
    """Read ``listing(deadline)`` (the connector's documents) until the set is complete by the rule in the module
    docstring; raise DocumentsTimeoutError (with the last summary) if ``deadline`` (on ``clock``) passes first.
    ``start`` is when the whole wait began (for the error's ``elapsed``). Times in seconds. ``on_progress`` (plain
    or async) gets the DocumentsSummary of every read, the last one included."""
    probe = _Completeness(listing, connector, started_at, settle, clock, on_progress)
    try:
        return await poll(
            probe,
            deadline=deadline,
            schedule=intervals(poll_interval, max_poll_interval),
            clock=clock,
            sleep=sleep,
            ride_out=True,
            final_look=True,
            what=f"documents of connector {connector.connector_id}",
        )
    except Expired as gone:
        raise DocumentsTimeoutError(
            f"the sync of connector {connector.connector_id} succeeded, but its documents were not all "
            f"processed in time: {probe.summary}",
            connector,
            clock() - start,
            probe.summary,
        ) from gone.failure
