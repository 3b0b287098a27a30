"""``SyncHandle``: a triggered sync you can wait for here, or hand over through its token.

What must survive between the process that triggers a sync and the one that waits for it is small and
exact: the connector, the baseline ``last_sync_at`` read *before* the trigger (never recomputed by the
waiter: a short sync may already be over), when the sync started, and a wall-clock deadline (never a
monotonic one: it means nothing in another process). The handle holds exactly that; ``token()`` carries
it as text (``token``). Created by ``start.start_sync``, ``start.resume_sync`` or ``start.attach_sync``.

``wait`` (and ``poll``) are public entries: they check their arguments, then run ``_wait``, which
``sync_and_wait`` calls directly with arguments already checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Literal, overload
from uuid import UUID

from bigdata_connectors import _checks
from bigdata_connectors._checks import connector_path
from bigdata_connectors._config import DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_INTERVAL, DEFAULT_SYNC_TIMEOUT
from bigdata_connectors._errors import NotFoundError, SyncFailedError, SyncTimeoutError
from bigdata_connectors._generated.models import Connector, Document
from bigdata_connectors._poll import Expired, notify, poll
from bigdata_connectors._syncs.documents import (
    DEFAULT_DOCUMENTS_SETTLE,
    DocumentsProgressCallback,
    SyncReport,
    wait_for_documents,
)
from bigdata_connectors._syncs.progress import ProgressCallback, SyncProgress, intervals, mark_gone, progress
from bigdata_connectors._syncs.token import SyncToken, encode_token
from bigdata_connectors._transport import HTTPTransport, iterate_documents

__all__ = ["SyncHandle", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class SyncHandle:
    """A sync that was triggered: enough to wait for it here, or (through ``token()``) anywhere else.

    ``connector_id`` (UUID); ``baseline``: the connector's ``last_sync_at`` read before the trigger (None if
    it had never synced); only a later ``last_sync_at`` can be this sync's outcome. ``started_at``: when the
    sync was triggered, an aware UTC datetime on the server's clock (the trigger answer's ``Date`` header,
    refined to the local send time when that falls in the same second; the local clock only when the answer
    had no usable ``Date``). ``deadline``: the aware UTC
    wall-clock time after which waiting gives up (None: each ``wait`` sets its own ``timeout``).
    """

    __slots__ = (
        "_http",
        "_mono_deadline",
        "_mono_start",
        "_polls",
        "baseline",
        "connector_id",
        "deadline",
        "started_at",
    )

    def __init__(
        self,
        http: HTTPTransport,
        connector_id: UUID,
        *,
        baseline: datetime | None,
        started_at: datetime,
        deadline: datetime | None,
        mono_start: float | None = None,
        mono_deadline: float | None = None,
    ) -> None:
        self._http = http
        self.connector_id = connector_id
        self.baseline = baseline
        self.started_at = started_at
        self.deadline = deadline
        self._mono_start = mono_start  # set in the process that started it: the trigger counts against timeout
        self._mono_deadline = mono_deadline
        self._polls = 0

    def __repr__(self) -> str:
        return (
            f"SyncHandle(connector_id={str(self.connector_id)!r}, baseline={self.baseline!r}, "
            f"started_at={self.started_at!r}, deadline={self.deadline!r})"
        )

    @property
    def _path(self) -> str:
        return connector_path(self.connector_id)

    def token(self) -> str:
        """This handle as a compact, versioned text token (connector id, baseline, started_at, deadline;
        no key and no URL) for ``client.connectors.resume_sync`` in any process. Sends nothing."""
        return encode_token(SyncToken(self.connector_id, self.baseline, self.started_at, self.deadline))

    async def poll(self) -> SyncProgress:
        """One ``GET /contents/v1/connectors/{id}``, classified by the completion rule: ``state`` is
        "running", "succeeded" or "failed"; ``elapsed`` is seconds since ``started_at``. Never sleeps.

        Raises ConnectorArchivedError (archived before the sync finished), NotFoundError (the connector
        is gone), and the errors of ``client.connectors.get``.
        """
        try:
            connector = await self._http.request("GET", self._path, Connector)
        except NotFoundError as err:
            raise mark_gone(err) from None
        self._polls += 1
        elapsed = max(0.0, (utcnow() - self.started_at).total_seconds())
        return progress(connector, self.baseline, elapsed, self._polls)

    def _budget(self, timeout: float | None) -> tuple[float, float]:
        """(start, timeout) on the transport's monotonic clock for this wait."""
        now = self._http.clock()
        if self._mono_deadline is not None:
            start, deadline = self._mono_start if self._mono_start is not None else now, self._mono_deadline
        elif self.deadline is not None:
            start, deadline = now, now + (self.deadline - utcnow()).total_seconds()
        else:
            start, deadline = now, now + (DEFAULT_SYNC_TIMEOUT if timeout is None else timeout)
        if timeout is not None:
            deadline = min(deadline, now + timeout)
        return start, deadline - start

    def _documents_query(self) -> list[tuple[str, str]]:
        since = self.started_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return [
            ("connector", str(self.connector_id)),
            ("from_date", since),
            ("sort_by", "created_at"),
            ("sort_order", "asc"),  # new documents land on the last page, not shifting the ones read
        ]

    async def documents(self, *, page_size: int = _checks.MAX_PAGE_SIZE) -> AsyncIterator[Document]:
        """The connector's documents created at or after ``started_at`` (what this sync, or a later one,
        brought in), oldest first, across pages: ``async for doc in handle.documents():``.

        Sends ``GET /contents/v1/documents?connector=<id>&from_date=<started_at>&sort_by=created_at
        &sort_order=asc&page=..&page_size=..``, page after page until a short one. The list is eventually
        consistent: a document created seconds ago may be missing (``wait(documents=True)`` waits for the
        set to be complete). Raises the errors of ``client.documents.list``.
        """
        _checks.page_size(page_size)
        async for document in iterate_documents(self._http, self._documents_query(), page_size=page_size):
            if document.created_at >= self.started_at:
                yield document

    @overload
    async def wait(
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
    async def wait(
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
    async def wait(
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

    async def wait(
        self,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
        documents: bool = False,
        documents_settle: float = DEFAULT_DOCUMENTS_SETTLE,
        on_documents_progress: DocumentsProgressCallback | None = None,
    ) -> Connector | SyncReport:
        """Poll ``GET /contents/v1/connectors/{id}`` until the sync is over; return the connector on success.

        With ``documents=True``, go on past the sync's success, polling ``GET /contents/v1/documents``
        (this connector, created at or after ``started_at``, every page) within the same deadline until
        the set is complete (``last_sync_count`` documents seen, or no new one for ``documents_settle``
        seconds) and every document is ``completed`` or ``failed``; then return a SyncReport
        (``report.connector``, ``report.documents``: completed, failed with ``failed_names``). A failed
        document does not raise: the report says which. ``on_documents_progress`` (plain or async) gets the
        DocumentsSummary of every documents poll (completed, failed, still processing so far).

        The first poll runs at once, then every ``poll_interval`` seconds growing x1.5 to
        ``max_poll_interval``. ``timeout`` (seconds from now) bounds the wait; it never extends the handle's
        ``deadline``; with neither, 1800 s. ``on_progress`` (plain or async) gets a SyncProgress per poll.
        Cancelling the awaiting task stops at once; the sync goes on on the server.

        Raises ValueError/TypeError (a duration not finite, not positive or over 100 years; nothing sent),
        SyncFailedError, SyncTimeoutError (at once if the deadline has already passed; the sync
        keeps running on the server), DocumentsTimeoutError (a SyncTimeoutError: the sync succeeded but
        its documents were not all processed in time; ``.documents`` is the last summary),
        ConnectorArchivedError, NotFoundError (connector deleted), and the errors of
        ``client.connectors.get`` and ``client.documents.list``.
        """
        _checks.wait_args(DEFAULT_SYNC_TIMEOUT if timeout is None else timeout, poll_interval, max_poll_interval)
        _checks.settle(documents_settle)
        return await self._wait(
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
            documents=documents,
            documents_settle=documents_settle,
            on_documents_progress=on_documents_progress,
        )

    async def _wait(
        self,
        *,
        timeout: float | None,
        poll_interval: float,
        max_poll_interval: float,
        on_progress: ProgressCallback | None,
        documents: bool,
        documents_settle: float = DEFAULT_DOCUMENTS_SETTLE,
        on_documents_progress: DocumentsProgressCallback | None = None,
    ) -> Connector | SyncReport:
        """``wait`` with its arguments already checked."""
        clock = self._http.clock
        start, budget = self._budget(timeout)
        if clock() - start >= budget:
            raise SyncTimeoutError(
                f"the deadline of this sync of connector {self.connector_id} ({self.deadline}) has passed; "
                "the sync may still be running on the server",
                None,
                max(0.0, clock() - start),
            )
        connector = await self._until_synced(start, budget, poll_interval, max_poll_interval, on_progress)
        if not documents:
            return connector
        query = self._documents_query()

        def listing(deadline: float | None) -> AsyncIterator[Document]:
            http, size = self._http, _checks.MAX_PAGE_SIZE
            return iterate_documents(http, query, page_size=size, deadline=deadline, retry=deadline is not None)

        return await wait_for_documents(
            listing,
            connector=connector,
            started_at=self.started_at,
            start=start,
            deadline=start + budget,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            settle=documents_settle,
            clock=clock,
            sleep=self._http.sleep,
            on_progress=on_documents_progress,
        )

    async def _until_synced(
        self,
        start: float,
        budget: float,
        poll_interval: float,
        max_poll_interval: float,
        on_progress: ProgressCallback | None,
    ) -> Connector:
        """Poll the connector until its sync is over, by the completion rule (``progress``), within ``budget``
        seconds from ``start`` (the transport's clock). Returns the connector on success; raises SyncFailedError,
        SyncTimeoutError (with the last state seen), ConnectorArchivedError, NotFoundError, and what a poll raises."""
        clock = self._http.clock
        polls = 0
        last: Connector | None = None

        async def probe(deadline: float | None) -> Connector | None:
            nonlocal polls, last
            try:
                # deadline None: the last look after the deadline, one attempt (see _poll)
                connector = await self._http.request(
                    "GET", self._path, Connector, deadline=deadline, retry=deadline is not None
                )
            except NotFoundError as err:
                raise mark_gone(err) from None
            polls += 1
            last = connector
            state = progress(connector, self.baseline, clock() - start, polls)
            await notify(on_progress, state)
            if state.state == "failed":
                raise SyncFailedError(connector, connector.last_sync_status, connector.last_sync_error_msg)
            return connector if state.state == "succeeded" else None

        try:
            return await poll(
                probe,
                deadline=start + budget,
                schedule=intervals(poll_interval, max_poll_interval),
                clock=clock,
                sleep=self._http.sleep,
                ride_out=True,
                final_look=True,
                what=f"sync of connector {self.connector_id}",
            )
        except Expired as gone:
            elapsed = clock() - start
            cause = (
                f"last poll failed: {gone.failure}"
                if gone.failure
                else f"last status {last.last_sync_status if last else None!r}"
            )
            raise SyncTimeoutError(
                f"sync not finished after {elapsed:.1f}s (timeout {budget:g}s, {polls} polls, {cause}); "
                "it keeps running on the server",
                last,
                elapsed,
            ) from gone.failure
