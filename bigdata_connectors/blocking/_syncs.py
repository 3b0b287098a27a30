"""The sync methods of the blocking ``client.connectors`` (start, resume, attach, wait, many)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Final, Literal, overload
from uuid import UUID

from bigdata_connectors import Connector, SyncOutcome, SyncReport
from bigdata_connectors import ConnectorsService as AsyncConnectorsService
from bigdata_connectors.blocking._handle import SyncHandle
from bigdata_connectors.blocking._runtime import Runtime
from bigdata_connectors.blocking._types import ConnectorId, DocumentsProgressCallback, ProgressCallback, defaults_of

__all__ = ["SyncMethods"]

_START: Final = defaults_of(AsyncConnectorsService.start_sync)
_ATTACH: Final = defaults_of(AsyncConnectorsService.attach_sync)
_SYNC: Final = defaults_of(AsyncConnectorsService.sync_and_wait)
_WAIT: Final = defaults_of(AsyncConnectorsService.wait_for_sync)
_MANY: Final = defaults_of(AsyncConnectorsService.sync_many)


class SyncMethods:
    """``start_sync``, ``resume_sync``, ``attach_sync``, ``sync_and_wait``, ``wait_for_sync``, ``sync_many``.
    Plain callbacks (``on_progress``, ``on_documents_progress``) run in the thread that made the call."""

    _runtime: Runtime
    _async: AsyncConnectorsService

    def start_sync(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = _START["date_limit"],
        timeout: float | None = _START["timeout"],
    ) -> SyncHandle:
        """Trigger one sync and return its SyncHandle at once (``handle.wait()``, or ``handle.token()`` for
        another process). Sends ``GET /contents/v1/connectors/{id}`` (type, baseline), then one
        ``POST .../sync``. ``date_limit`` is required for investment_research and refused for sharepoint;
        ``timeout`` (seconds) sets the handle's wall-clock ``deadline`` and bounds the GET and the trigger.

        Raises ValueError or TypeError (bad id or date_limit), SyncNotSupportedError (email connector),
        ConnectorArchivedError, SyncTimeoutError, and the errors of ``get``/``trigger_sync``.
        """
        handle = self._runtime.call(self._async.start_sync(connector_id, date_limit=date_limit, timeout=timeout))
        return SyncHandle(self._runtime, handle)

    def resume_sync(self, token: str) -> SyncHandle:
        """The SyncHandle a ``handle.token()`` stands for (from any process, blocking or async), bound to this
        client. Sends nothing. Raises ValueError (not a sync token, damaged, altered, or from a newer SDK's
        format) or TypeError (not a str)."""
        return SyncHandle(self._runtime, self._async.resume_sync(token))

    def attach_sync(
        self,
        connector_id: ConnectorId,
        *,
        after: datetime | None = _ATTACH["after"],
        started_at: datetime | None = _ATTACH["started_at"],
        deadline: datetime | None = _ATTACH["deadline"],
    ) -> SyncHandle:
        """A SyncHandle on a sync started elsewhere, to ``wait``, ``poll`` or hand over. Sends nothing.

        ``after`` (aware) is the baseline: only a sync finishing after it counts (None: any finished sync);
        ``started_at`` (aware; default ``after``, else now) is where ``documents()`` starts counting;
        ``deadline`` (aware, wall clock) bounds every ``wait``. Raises ValueError (an id that is not a UUID,
        or a naive datetime).
        """
        handle = self._async.attach_sync(connector_id, after=after, started_at=started_at, deadline=deadline)
        return SyncHandle(self._runtime, handle)

    @overload
    def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = ...,
        timeout: float = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: ProgressCallback | None = ...,
        wait_for_documents: Literal[False] = ...,
        on_documents_progress: DocumentsProgressCallback | None = ...,
    ) -> Connector: ...
    @overload
    def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = ...,
        timeout: float = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: ProgressCallback | None = ...,
        wait_for_documents: Literal[True],
        on_documents_progress: DocumentsProgressCallback | None = ...,
    ) -> SyncReport: ...
    @overload
    def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = ...,
        timeout: float = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: ProgressCallback | None = ...,
        wait_for_documents: bool,
        on_documents_progress: DocumentsProgressCallback | None = ...,
    ) -> Connector | SyncReport: ...

    def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = _SYNC["date_limit"],
        timeout: float = _SYNC["timeout"],
        poll_interval: float = _SYNC["poll_interval"],
        max_poll_interval: float = _SYNC["max_poll_interval"],
        on_progress: ProgressCallback | None = _SYNC["on_progress"],
        wait_for_documents: bool = _SYNC["wait_for_documents"],
        on_documents_progress: DocumentsProgressCallback | None = _SYNC["on_documents_progress"],
    ) -> Connector | SyncReport:
        """Trigger one sync and wait until it finishes; return the connector after a successful sync (with
        ``wait_for_documents=True``, a SyncReport once every document it brought in is processed).

        Sends ``GET /contents/v1/connectors/{id}``, one ``POST .../sync``, then ``GET`` polls: the first at
        once, then every ``poll_interval`` seconds growing x1.5 to ``max_poll_interval``. ``timeout``
        (seconds) is the whole wait. ``on_progress`` gets a SyncProgress per poll, ``on_documents_progress``
        a DocumentsSummary per documents poll, in this thread. Ctrl-C stops the wait at once (KeyboardInterrupt;
        the sync goes on on the server) and leaves the client usable.

        Raises SyncNotSupportedError, ConnectorArchivedError, ValueError/TypeError (bad, missing or
        unexpected date_limit), SyncFailedError, SyncTimeoutError, NotFoundError, DocumentsTimeoutError,
        and the errors of ``get``/``trigger_sync`` (and ``client.documents.list``).
        """
        service = self._async
        if wait_for_documents:
            return self._runtime.run(
                lambda relay: service.sync_and_wait(
                    connector_id,
                    date_limit=date_limit,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    max_poll_interval=max_poll_interval,
                    on_progress=relay(on_progress),
                    wait_for_documents=True,
                    on_documents_progress=relay(on_documents_progress),
                )
            )
        return self._runtime.run(
            lambda relay: service.sync_and_wait(
                connector_id,
                date_limit=date_limit,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                on_progress=relay(on_progress),
                wait_for_documents=False,
                on_documents_progress=relay(on_documents_progress),
            )
        )

    def wait_for_sync(
        self,
        connector_id: ConnectorId,
        *,
        after: datetime | None = _WAIT["after"],
        timeout: float = _WAIT["timeout"],
        poll_interval: float = _WAIT["poll_interval"],
        max_poll_interval: float = _WAIT["max_poll_interval"],
        on_progress: ProgressCallback | None = _WAIT["on_progress"],
    ) -> Connector:
        """Wait for a sync started elsewhere; return the connector once it has succeeded. Polls
        ``GET /contents/v1/connectors/{id}`` as ``sync_and_wait`` does, never triggering; a sync finished at
        or before ``after`` (aware) does not count. ``timeout`` and the intervals in seconds; ``on_progress``
        runs in this thread.

        Raises SyncFailedError, SyncTimeoutError, ConnectorArchivedError, NotFoundError, and the errors of
        ``get``.
        """
        service = self._async
        return self._runtime.run(
            lambda relay: service.wait_for_sync(
                connector_id,
                after=after,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                on_progress=relay(on_progress),
            )
        )

    def sync_many(
        self,
        connector_ids: Iterable[ConnectorId],
        *,
        date_limit: date | datetime | str | None = _MANY["date_limit"],
        concurrency: int = _MANY["concurrency"],
        timeout: float = _MANY["timeout"],
        poll_interval: float = _MANY["poll_interval"],
        max_poll_interval: float = _MANY["max_poll_interval"],
        on_progress: ProgressCallback | None = _MANY["on_progress"],
    ) -> Sequence[SyncOutcome]:
        """``sync_and_wait`` for many connectors, at most ``concurrency`` at once (all on the loop thread);
        returns one SyncOutcome per position of ``connector_ids``, in input order (the connector, or the
        exception that one ended with). ``timeout`` (seconds) applies to each connector's sync from when it
        starts; ``on_progress`` runs in this thread, one call at a time.

        Raises TypeError (a single str or UUID instead of an iterable), ValueError (bad ``concurrency``, wait
        arguments or ``date_limit``); all before anything is sent.
        """
        service = self._async
        # Read here, in the caller's thread (a generator of ids is the caller's code); a lone id is left to
        # the async client to refuse.
        ids = connector_ids if isinstance(connector_ids, str | UUID) else list(connector_ids)
        return self._runtime.run(
            lambda relay: service.sync_many(
                ids,
                date_limit=date_limit,
                concurrency=concurrency,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                on_progress=relay(on_progress),
            )
        )
