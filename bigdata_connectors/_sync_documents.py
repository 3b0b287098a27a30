"""Waiting past a sync's success for the documents it brought in (``wait(documents=True)``).

The API has no record of which documents one sync created: they are the connector's documents created at
or after the sync started (``started_at``, the server's clock). The list is eventually consistent (a new
document may appear seconds late), so when is the set complete? DESIGN.md, "What a sync brought in":

- every document seen is terminal (``completed`` or ``failed``; any other status, known or not, is still
  processing), **and**
- either the set has reached the connector's ``last_sync_count`` (the items that sync processed), or it
  has not changed (no document added) over ``settle`` seconds of polls: the rule when the count is unknown,
  or when some counted items never become documents.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bigdata_connectors._errors import APIConnectionError, APIStatusError, DocumentsTimeoutError
from bigdata_connectors._generated.models import Connector, Document
from bigdata_connectors._polling import GROWTH, JITTER
from bigdata_connectors._retry import Clock, Sleep

__all__ = [
    "DEFAULT_DOCUMENTS_SETTLE",
    "DocumentsProgressCallback",
    "DocumentsSummary",
    "SyncReport",
    "wait_for_documents",
]

DEFAULT_DOCUMENTS_SETTLE = 10.0  # seconds: twice the 3-5 s the vendor gives for a new document to be listed
TERMINAL = frozenset({"completed", "failed"})


@dataclass(frozen=True, slots=True)
class DocumentsSummary:
    """The documents a sync brought in, by outcome: ``completed`` (indexed and searchable), ``failed``,
    ``processing`` (pending, processing, or a status this SDK does not know). ``expected`` is the
    connector's ``last_sync_count`` (None if the API did not say)."""

    completed: tuple[Document, ...]
    failed: tuple[Document, ...]
    processing: tuple[Document, ...]
    expected: int | None

    @classmethod
    def of(cls, documents: list[Document], expected: int | None) -> DocumentsSummary:
        by_status: dict[str, list[Document]] = {"completed": [], "failed": []}
        processing: list[Document] = []
        for document in documents:
            by_status.get(str(document.status), processing).append(document)
        return cls(tuple(by_status["completed"]), tuple(by_status["failed"]), tuple(processing), expected)

    @property
    def total(self) -> int:
        return len(self.completed) + len(self.failed) + len(self.processing)

    @property
    def failed_names(self) -> list[str]:
        """The failed documents' file names (their id when a name is missing)."""
        return [d.file_name or d.id for d in self.failed]

    def __str__(self) -> str:
        text = f"{len(self.completed)} completed, {len(self.failed)} failed, {len(self.processing)} still processing"
        if self.failed:
            names = self.failed_names
            text += f" (failed: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''})"
        return text


DocumentsProgressCallback = Callable[[DocumentsSummary], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What ``wait(documents=True)`` returns: the connector after its successful sync, and the summary of
    the documents that sync brought in (all of them completed or failed)."""

    connector: Connector
    documents: DocumentsSummary


async def wait_for_documents(
    listing: Callable[[float], AsyncIterator[Document]],
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
    """Poll ``listing(deadline)`` (the connector's documents) until the set is complete by the rule in the
    module docstring; raise DocumentsTimeoutError (with the last summary) if ``deadline`` (on ``clock``)
    passes first. ``start`` is when the whole wait began (for the error's ``elapsed``). Times in seconds.
    ``on_progress`` (plain or async) gets the DocumentsSummary of every poll, the last one included."""
    expected = connector.last_sync_count
    interval = poll_interval
    previous: frozenset[str] | None = None
    changed_at = clock()
    summary = DocumentsSummary.of([], expected)

    def expired() -> DocumentsTimeoutError:
        return DocumentsTimeoutError(
            f"the sync of connector {connector.connector_id} succeeded, but its documents were not all "
            f"processed in time: {summary}",
            connector,
            clock() - start,
            summary,
        )

    while True:
        if clock() >= deadline:
            raise expired()
        try:
            documents = [d async for d in listing(deadline) if d.created_at >= started_at]
        except (APIStatusError, APIConnectionError) as err:
            retry_after = err.retry_after if isinstance(err, APIStatusError) else None
            if err.deadline_exceeded or clock() + (retry_after or 0.0) >= deadline:
                raise expired() from err
            raise
        summary = DocumentsSummary.of(documents, expected)
        if on_progress is not None:
            result = on_progress(summary)
            if inspect.isawaitable(result):
                await result
        ids = frozenset(d.id for d in documents)
        if ids != previous:
            previous, changed_at = ids, clock()
        if not summary.processing:
            if expected is not None and summary.total >= expected:
                return SyncReport(connector, summary)
            if clock() - changed_at >= settle:
                return SyncReport(connector, summary)
        remaining = deadline - clock()
        if remaining <= 0:
            continue
        await sleep(min(interval * random.uniform(1 - JITTER, 1 + JITTER), remaining))
        interval = min(interval * GROWTH, max_poll_interval)
