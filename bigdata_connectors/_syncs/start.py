"""Starting a sync, resuming one from its token, attaching to one started elsewhere, and the waits built on them.

``start_sync`` reads the connector (type rules, baseline), triggers once and returns a ``SyncHandle``;
``resume_sync`` rebuilds one from ``handle.token()``; ``attach_sync`` builds one for a sync someone else started;
``sync_and_wait`` is ``start_sync`` + the handle's wait under one deadline; ``wait_for_sync`` is ``attach_sync`` +
the wait. The public entries (``ConnectorsService``) check every argument first: nothing here checks again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from uuid import UUID

from bigdata_connectors._checks import connector_path
from bigdata_connectors._errors import (
    APIConnectionError,
    APIStatusError,
    ConnectorArchivedError,
    SyncNotSupportedError,
    SyncTimeoutError,
)
from bigdata_connectors._generated.models import Connector, ConnectorSyncResponse
from bigdata_connectors._generated.request_models import ConnectorSyncRequest
from bigdata_connectors._syncs.documents import DocumentsProgressCallback, SyncReport
from bigdata_connectors._syncs.handle import SyncHandle, utcnow
from bigdata_connectors._syncs.progress import ProgressCallback
from bigdata_connectors._syncs.token import decode_token
from bigdata_connectors._transport import HTTPTransport

__all__ = ["attach_sync", "resume_sync", "start_sync", "sync_and_wait", "wait_for_sync"]


def resume_sync(http: HTTPTransport, token: str) -> SyncHandle:
    """The handle a token stands for, bound to this client; raises ValueError for a damaged, altered or
    newer-format token. Sends nothing."""
    data = decode_token(token)
    return SyncHandle(
        http, data.connector_id, baseline=data.baseline, started_at=data.started_at, deadline=data.deadline
    )


def attach_sync(
    http: HTTPTransport,
    connector_id: UUID,
    *,
    after: datetime | None,
    started_at: datetime | None,
    deadline: datetime | None,
) -> SyncHandle:
    """A handle on a sync started elsewhere; see ``ConnectorsService.attach_sync``. Sends nothing."""
    since = started_at or after or utcnow()
    return SyncHandle(http, connector_id, baseline=after, started_at=since, deadline=deadline)


def _server_date(headers: Mapping[str, str]) -> datetime | None:
    value = headers.get("Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else None


def _started_at(server: datetime | None, sent: datetime) -> datetime:
    """When the sync started, on the server's clock: its ``Date`` (whole seconds), refined by the local
    time the trigger was sent when that falls inside the same second (the clocks agree), so that documents
    of a sync that ended moments earlier are not taken for this one's. Without a ``Date``, the local time."""
    if server is None:
        return sent
    return sent if server <= sent < server + timedelta(seconds=1) else server


async def start_sync(
    http: HTTPTransport,
    connector_id: UUID,
    date_limit: date | None,
    *,
    timeout: float | None,
    lenient_date: bool = False,
) -> SyncHandle:
    """See ``ConnectorsService.start_sync``. ``lenient_date`` drops a date_limit a sharepoint connector
    does not take (``sync_many``) instead of refusing it."""
    path = connector_path(connector_id)
    mono_start = http.clock()
    mono_deadline = None if timeout is None else mono_start + timeout
    wall_deadline = None if timeout is None else utcnow() + timedelta(seconds=timeout)

    def expired(step: str, err: BaseException | None) -> SyncTimeoutError:
        cause = f": {err}" if err is not None else ""
        return SyncTimeoutError(
            f"the timeout ({timeout:g}s) ran out {step} of connector {connector_id}{cause}",
            None,
            http.clock() - mono_start,
        )

    try:
        before = await http.request("GET", path, Connector, deadline=mono_deadline)
    except (APIStatusError, APIConnectionError) as err:
        if err.deadline_exceeded:
            raise expired("reading the connector before its sync (nothing was triggered)", err) from err
        raise
    if before.type == "email":
        raise SyncNotSupportedError(
            f"connector {before.connector_id} is an email connector: it ingests forwarded mail and cannot be synced"
        )
    if before.archived:
        raise ConnectorArchivedError(
            f"connector {before.connector_id} is archived: it accepts no new content and cannot be synced "
            "(nothing was triggered)",
            before,
        )
    limit = date_limit
    if before.type == "investment_research" and limit is None:
        raise ValueError("investment_research connectors need date_limit (a date or 'YYYY-MM-DD') to sync")
    if before.type == "sharepoint" and limit is not None:
        if not lenient_date:
            raise ValueError("sharepoint connectors sync with an empty body: do not pass date_limit")
        limit = None
    body = ConnectorSyncRequest() if limit is None else ConnectorSyncRequest(date_limit=limit)
    answered: list[datetime | None] = []
    if mono_deadline is not None and http.clock() >= mono_deadline:
        raise expired("before the trigger was sent (nothing was triggered)", None)
    sent_at = utcnow()
    try:
        await http.request(
            "POST",
            path + "/sync",
            ConnectorSyncResponse,
            body=body,
            deadline=mono_deadline,
            on_headers=lambda headers: answered.append(_server_date(headers)),
        )
    except (APIStatusError, APIConnectionError) as err:
        if err.deadline_exceeded:
            raise expired("triggering the sync (it may or may not have been queued)", err) from err
        raise
    return SyncHandle(
        http,
        connector_id,
        baseline=before.last_sync_at,
        started_at=_started_at(answered[-1] if answered else None, sent_at),
        deadline=wall_deadline,
        mono_start=mono_start,
        mono_deadline=mono_deadline,
    )


async def sync_and_wait(
    http: HTTPTransport,
    connector_id: UUID,
    date_limit: date | None,
    *,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
    lenient_date: bool = False,
    documents: bool = False,
    on_documents_progress: DocumentsProgressCallback | None = None,
) -> Connector | SyncReport:
    """``start_sync`` + the handle's wait under one deadline of ``timeout`` seconds; see ``ConnectorsService``."""
    handle = await start_sync(http, connector_id, date_limit, timeout=timeout, lenient_date=lenient_date)
    return await handle._wait(
        timeout=None,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        on_progress=on_progress,
        documents=documents,
        on_documents_progress=on_documents_progress,
    )


async def wait_for_sync(
    http: HTTPTransport,
    connector_id: UUID,
    after: datetime | None,
    *,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
) -> Connector:
    """See ``ConnectorsService.wait_for_sync``: ``attach_sync`` + its wait for ``timeout`` seconds."""
    handle = attach_sync(http, connector_id, after=after, started_at=None, deadline=None)
    connector = await handle._wait(
        timeout=timeout,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        on_progress=on_progress,
        documents=False,
    )
    assert isinstance(connector, Connector)  # documents=False: the connector, never a SyncReport
    return connector
