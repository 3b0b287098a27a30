"""``SyncHandle`` without ``await``: a triggered sync to wait for here, or to hand over through its token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Final, Literal, overload
from uuid import UUID

from bigdata_connectors import Connector, Document, SyncProgress, SyncReport
from bigdata_connectors import SyncHandle as AsyncSyncHandle
from bigdata_connectors.blocking._documents import DocumentIterator
from bigdata_connectors.blocking._runtime import Runtime
from bigdata_connectors.blocking._types import DocumentsProgressCallback, ProgressCallback, defaults_of

__all__ = ["SyncHandle"]

_WAIT: Final = defaults_of(AsyncSyncHandle.wait)
_DOCUMENTS: Final = defaults_of(AsyncSyncHandle.documents)


class SyncHandle:
    """A sync that was triggered: enough to wait for it here, or (through ``token()``) anywhere else.

    Wraps ``bigdata_connectors.SyncHandle`` and runs it on the client's loop thread: same attributes
    (``connector_id``, ``baseline``, ``started_at``, ``deadline``), methods, results and errors. Callbacks
    (``on_progress``, ``on_documents_progress``) run in the thread that called ``wait``.
    """

    __slots__ = ("_async", "_runtime")

    def __init__(self, runtime: Runtime, handle: AsyncSyncHandle) -> None:
        self._runtime = runtime
        self._async = handle

    @property
    def connector_id(self) -> UUID:
        """The connector being synced."""
        return self._async.connector_id

    @property
    def baseline(self) -> datetime | None:
        """The connector's ``last_sync_at`` read before the trigger (None if it had never synced)."""
        return self._async.baseline

    @property
    def started_at(self) -> datetime:
        """When the sync was triggered: an aware UTC datetime, on the server's clock where it said."""
        return self._async.started_at

    @property
    def deadline(self) -> datetime | None:
        """The aware UTC wall-clock time after which waiting gives up (None: each ``wait`` sets its own)."""
        return self._async.deadline

    def __repr__(self) -> str:
        return repr(self._async)

    def token(self) -> str:
        """This handle as a compact text token (no key, no URL) for ``client.connectors.resume_sync`` in any
        process, blocking or async. Sends nothing."""
        return self._async.token()

    def poll(self) -> SyncProgress:
        """One ``GET /contents/v1/connectors/{id}``, classified: ``state`` is "running", "succeeded" or
        "failed"; ``elapsed`` is seconds since ``started_at``. Never sleeps.

        Raises ConnectorArchivedError, NotFoundError (the connector is gone), and the errors of
        ``client.connectors.get``.
        """
        return self._runtime.call(self._async.poll())

    def documents(self, *, page_size: int = _DOCUMENTS["page_size"]) -> Iterator[Document]:
        """The connector's documents created at or after ``started_at``, oldest first, across pages, as a plain
        iterator: ``for doc in handle.documents():``. Sends ``GET /contents/v1/documents?connector=<id>
        &from_date=<started_at>&sort_by=created_at&sort_order=asc&page=..&page_size=..`` page after page, as
        the iteration needs them. Raises (when iterated) ValueError (``page_size`` not 1 to 100) and the errors
        of ``client.documents.list``."""
        return DocumentIterator(self._runtime, self._async.documents(page_size=page_size))

    @overload
    def wait(
        self,
        *,
        timeout: float | None = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: ProgressCallback | None = ...,
        documents: Literal[False] = ...,
        documents_settle: float = ...,
        on_documents_progress: DocumentsProgressCallback | None = ...,
    ) -> Connector: ...
    @overload
    def wait(
        self,
        *,
        timeout: float | None = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: ProgressCallback | None = ...,
        documents: Literal[True],
        documents_settle: float = ...,
        on_documents_progress: DocumentsProgressCallback | None = ...,
    ) -> SyncReport: ...
    @overload
    def wait(
        self,
        *,
        timeout: float | None = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: ProgressCallback | None = ...,
        documents: bool,
        documents_settle: float = ...,
        on_documents_progress: DocumentsProgressCallback | None = ...,
    ) -> Connector | SyncReport: ...

    def wait(
        self,
        *,
        timeout: float | None = _WAIT["timeout"],
        poll_interval: float = _WAIT["poll_interval"],
        max_poll_interval: float = _WAIT["max_poll_interval"],
        on_progress: ProgressCallback | None = _WAIT["on_progress"],
        documents: bool = _WAIT["documents"],
        documents_settle: float = _WAIT["documents_settle"],
        on_documents_progress: DocumentsProgressCallback | None = _WAIT["on_documents_progress"],
    ) -> Connector | SyncReport:
        """Poll ``GET /contents/v1/connectors/{id}`` until the sync is over; return the connector on success.
        With ``documents=True`` go on polling ``GET /contents/v1/documents`` (same deadline) until every
        document the sync brought in is completed or failed, and return a SyncReport.

        The first poll at once, then every ``poll_interval`` seconds growing x1.5 to ``max_poll_interval``;
        ``timeout`` (seconds from now) bounds the wait, never past the handle's ``deadline`` (with neither,
        1800 s); ``documents_settle`` in seconds. ``on_progress`` gets a SyncProgress per poll and
        ``on_documents_progress`` a DocumentsSummary per documents poll, in this thread. Ctrl-C stops the
        wait (the sync goes on on the server).

        Raises SyncFailedError, SyncTimeoutError, DocumentsTimeoutError, ConnectorArchivedError,
        NotFoundError, and the errors of ``client.connectors.get`` and ``client.documents.list``.
        """
        return self._runtime.run(
            lambda relay: self._async.wait(
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                on_progress=relay(on_progress),
                documents=documents,
                documents_settle=documents_settle,
                on_documents_progress=relay(on_documents_progress),
            )
        )
