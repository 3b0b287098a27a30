"""The sync methods of ``client.connectors``: the wing's front door.

``ConnectorsService`` inherits ``SyncEntries``. Each method checks every argument here, once, before anything is
sent, then hands over to the wing's machinery, which its package (``_syncs``) loads on the first call. This module
is loaded with the client; it imports nothing of the machinery itself, and the wing's types in its signatures
are read through the package (``_syncs.SyncHandle``), so ``typing.get_type_hints`` resolves them on demand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Literal, overload
from uuid import UUID

from bigdata_connectors import _checks, _syncs
from bigdata_connectors._checks import connector_uuid, parse_date_limit
from bigdata_connectors._config import DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_INTERVAL, DEFAULT_SYNC_TIMEOUT
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._transport import HTTPTransport
from bigdata_connectors._types import ConnectorId

__all__ = ["SyncEntries"]


def _connector_ids(connector_ids: Iterable[ConnectorId]) -> list[str]:
    if isinstance(connector_ids, str | bytes | UUID):
        raise TypeError(
            "connector_ids must be an iterable of connector ids (e.g. a list), not a single "
            f"{type(connector_ids).__name__}: for one connector use sync_and_wait, or pass [connector_id]"
        )
    return [str(i) for i in connector_ids]


class SyncEntries:
    """``start_sync``, ``resume_sync``, ``attach_sync``, ``sync_and_wait``, ``wait_for_sync``, ``sync_many``."""

    _http: HTTPTransport

    async def start_sync(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = None,
        timeout: float | None = None,
    ) -> _syncs.SyncHandle:
        """Trigger one sync and return its SyncHandle at once (wait with ``handle.wait()``, or hand
        ``handle.token()`` to another process).

        Sends ``GET /contents/v1/connectors/{id}`` (type, and the baseline ``last_sync_at`` read before
        the trigger), then one ``POST .../sync``. ``date_limit`` (a date, exactly "YYYY-MM-DD", or an aware
        datetime standing for its UTC date) is required for investment_research and refused for
        sharepoint; a malformed one fails before anything is sent. ``timeout`` (seconds) sets the handle's
        wall-clock ``deadline`` (it travels in the token) and bounds the GET and the trigger too.

        Raises ValueError or TypeError (bad id, date_limit, or a ``timeout`` not finite or over 100 years;
        nothing sent; a missing or unexpected
        date_limit: nothing triggered), SyncNotSupportedError (email connector; nothing triggered),
        ConnectorArchivedError (archived connector; nothing triggered), SyncTimeoutError (``timeout`` ran
        out before the trigger was answered), and the errors of ``get``/``trigger_sync``.
        """
        _checks.optional_timeout(timeout)
        cid, limit = connector_uuid(connector_id), None if date_limit is None else parse_date_limit(date_limit)
        return await _syncs.start_sync(self._http, cid, limit, timeout=timeout)

    def resume_sync(self, token: str) -> _syncs.SyncHandle:
        """The SyncHandle a ``handle.token()`` stands for, bound to this client (any process, any event
        loop). Sends nothing; ``handle.wait()`` then polls, and a sync that finished before the resume is
        recognised by its baseline. Raises ValueError (not a sync token, damaged or altered, or from a
        newer SDK's format) or TypeError (not a str)."""
        return _syncs.resume_sync(self._http, token)

    def attach_sync(
        self,
        connector_id: ConnectorId,
        *,
        after: datetime | None = None,
        started_at: datetime | None = None,
        deadline: datetime | None = None,
    ) -> _syncs.SyncHandle:
        """A SyncHandle on a sync started elsewhere (the web app, a schedule, another tool), to ``wait``,
        ``poll`` or hand over (``token()``) like one from ``start_sync``. Sends nothing.

        ``after`` (aware datetime) is the baseline: only a sync finishing after it (the server's
        ``last_sync_at``) counts; None accepts any finished sync. ``started_at`` (aware; default ``after``,
        else now) is where ``documents()`` and ``wait(documents=True)`` start counting. ``deadline`` (aware,
        wall clock) bounds every ``wait``; None lets each ``wait`` set its own ``timeout``.

        Raises ValueError (a connector id that is not a UUID, or a naive datetime).
        """
        cid = connector_uuid(connector_id)
        for name, value in (("after", after), ("started_at", started_at), ("deadline", deadline)):
            _checks.aware(name, value)
        return _syncs.attach_sync(self._http, cid, after=after, started_at=started_at, deadline=deadline)

    @overload
    async def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = ...,
        timeout: float = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: _syncs.ProgressCallback | None = ...,
        wait_for_documents: Literal[False] = ...,
        on_documents_progress: _syncs.DocumentsProgressCallback | None = ...,
    ) -> Connector: ...
    @overload
    async def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = ...,
        timeout: float = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: _syncs.ProgressCallback | None = ...,
        wait_for_documents: Literal[True],
        on_documents_progress: _syncs.DocumentsProgressCallback | None = ...,
    ) -> _syncs.SyncReport: ...

    async def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = None,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: _syncs.ProgressCallback | None = None,
        wait_for_documents: bool = False,
        on_documents_progress: _syncs.DocumentsProgressCallback | None = None,
    ) -> Connector | _syncs.SyncReport:
        """Trigger one sync and wait until it finishes (``start_sync`` + ``handle.wait()``); returns the
        connector after a successful sync. With ``wait_for_documents=True``, waits on (same deadline) until
        every document the sync brought in is completed or failed, and returns a SyncReport
        (``.connector``, ``.documents``); see ``SyncHandle.wait(documents=True)``. ``on_documents_progress``
        (plain or async) then gets a DocumentsSummary per documents poll.

        Sends ``GET /contents/v1/connectors/{id}`` (baseline ``last_sync_at`` and type), one
        ``POST .../sync``, then ``GET`` polls: the first at once, then every ``poll_interval``
        seconds growing x1.5 to ``max_poll_interval``. ``timeout`` (seconds) is the whole wait,
        first read and trigger included: wherever it runs out, the error is SyncTimeoutError.
        ``date_limit`` as for ``start_sync``. ``on_progress`` (plain or async) gets a SyncProgress per
        poll. Cancelling the awaiting task stops at once.

        Raises SyncNotSupportedError (email connector; nothing triggered), ConnectorArchivedError
        (archived before or during the sync), ValueError/TypeError (bad, missing or unexpected
        date_limit; a duration not finite or over 100 years, checked before anything is sent), SyncFailedError, SyncTimeoutError (the sync keeps running on the server;
        ``.connector`` is the last state seen), NotFoundError (also if the connector disappears
        mid-wait), DocumentsTimeoutError (a SyncTimeoutError: the sync succeeded, its documents were not
        all processed in time), and the errors of ``get``/``trigger_sync`` (and ``client.documents.list``).
        """
        _checks.wait_args(timeout, poll_interval, max_poll_interval)
        cid, limit = connector_uuid(connector_id), None if date_limit is None else parse_date_limit(date_limit)
        return await _syncs.sync_and_wait(
            self._http,
            cid,
            limit,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
            documents=wait_for_documents,
            on_documents_progress=on_documents_progress,
        )

    async def wait_for_sync(
        self,
        connector_id: ConnectorId,
        *,
        after: datetime | None = None,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: _syncs.ProgressCallback | None = None,
    ) -> Connector:
        """Wait for a sync started elsewhere; returns the connector once it has succeeded.

        Polls ``GET /contents/v1/connectors/{id}`` as ``sync_and_wait`` does, never triggering.
        A sync that finished at or before ``after`` (an aware datetime, compared with the server's
        ``last_sync_at``) does not count; with ``after=None`` any finished sync does.
        ``timeout`` and the intervals are in seconds. To hand a sync over, prefer ``start_sync`` and
        its token (it carries the baseline read before the trigger), or ``attach_sync``.

        Raises ValueError (bad id, naive ``after``, bad durations; nothing sent), SyncFailedError,
        SyncTimeoutError, ConnectorArchivedError, NotFoundError, and the errors of ``get``.
        """
        cid = connector_uuid(connector_id)
        _checks.aware("after", after)
        _checks.wait_args(timeout, poll_interval, max_poll_interval)
        return await _syncs.wait_for_sync(
            self._http,
            cid,
            after,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )

    async def sync_many(
        self,
        connector_ids: Iterable[ConnectorId],
        *,
        date_limit: date | datetime | str | None = None,
        concurrency: int = 10,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: _syncs.ProgressCallback | None = None,
    ) -> Sequence[_syncs.SyncOutcome]:
        """``sync_and_wait`` for many connectors, at most ``concurrency`` at once.

        Returns one SyncOutcome per position of ``connector_ids``, in input order: the connector, or the
        exception that one ended with (an id that is not a UUID included); one failure does not stop the
        others. An id listed several times (in any spelling of the same UUID) is synced once and its outcome
        repeated at each position. ``date_limit`` goes to the connectors that take one (investment_research)
        and is left out for sharepoint. ``timeout`` (seconds) applies to each connector's sync from when it
        starts. Cancelling cancels every sync wait.

        Raises TypeError (a single str or UUID instead of an iterable of them), ValueError (bad
        ``concurrency``, wait arguments or ``date_limit``); all before anything is sent.
        """
        ids = _connector_ids(connector_ids)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
        _checks.wait_args(timeout, poll_interval, max_poll_interval)
        limit = None if date_limit is None else parse_date_limit(date_limit)
        return await _syncs.sync_many(
            self._http,
            ids,
            limit,
            concurrency=concurrency,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )
