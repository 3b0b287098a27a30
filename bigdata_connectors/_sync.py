"""Starting a sync, resuming one from its token, and the waits built on them.

``start_sync`` reads the connector (type rules, baseline), triggers once and returns a ``SyncHandle``
(``_sync_handle``); ``resume_sync`` rebuilds one from ``handle.token()``; ``sync_and_wait`` is
``start_sync`` + ``wait`` under one deadline; ``wait_for_sync`` waits for a sync started elsewhere.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from bigdata_connectors._errors import (
    APIConnectionError,
    APIStatusError,
    ConnectorArchivedError,
    SyncNotSupportedError,
    SyncTimeoutError,
)
from bigdata_connectors._generated.models import Connector, ConnectorSyncResponse
from bigdata_connectors._generated.request_models import ConnectorSyncRequest
from bigdata_connectors._ids import ConnectorId, connector_path, connector_uuid, parse_date_limit
from bigdata_connectors._polling import ProgressCallback, check_wait_args, wait_until_synced
from bigdata_connectors._sync_documents import DocumentsProgressCallback, SyncReport
from bigdata_connectors._sync_handle import SyncHandle, utcnow
from bigdata_connectors._sync_token import decode_token

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bigdata_connectors._http import HTTPTransport

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
    connector_id: ConnectorId,
    *,
    after: datetime | None,
    started_at: datetime | None,
    deadline: datetime | None,
) -> SyncHandle:
    """A handle on a sync started elsewhere; see ``ConnectorsService.attach_sync``. Sends nothing."""
    for name, value in (("after", after), ("started_at", started_at), ("deadline", deadline)):
        if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
            raise ValueError(f"{name} must be a timezone-aware datetime (the API's timestamps are), got {value!r}")
    since = started_at or after or utcnow()
    return SyncHandle(http, connector_uuid(connector_id), baseline=after, started_at=since, deadline=deadline)


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


def _timed_out(err: APIStatusError | APIConnectionError, clock: float, deadline: float) -> bool:
    retry_after = err.retry_after if isinstance(err, APIStatusError) else None
    return err.deadline_exceeded or clock + (retry_after or 0.0) >= deadline


async def start_sync(
    http: HTTPTransport,
    connector_id: ConnectorId,
    date_limit: date | datetime | str | None,
    *,
    timeout: float | None,
    lenient_date: bool = False,
) -> SyncHandle:
    """See ``ConnectorsService.start_sync``. ``lenient_date`` drops a date_limit a sharepoint connector
    does not take (``sync_many``) instead of refusing it."""
    if timeout is not None and not (timeout > 0 and math.isfinite(timeout)):
        raise ValueError(f"timeout must be a finite number of seconds > 0, got {timeout!r}")
    cid = connector_uuid(connector_id)
    limit = None if date_limit is None else parse_date_limit(date_limit)
    path = connector_path(cid)
    mono_start = http.clock()
    mono_deadline = None if timeout is None else mono_start + timeout
    wall_deadline = None if timeout is None else utcnow() + timedelta(seconds=timeout)

    def expired(step: str, err: BaseException | None) -> SyncTimeoutError:
        cause = f": {err}" if err is not None else ""
        return SyncTimeoutError(
            f"the timeout ({timeout:g}s) ran out {step} of connector {cid}{cause}", None, http.clock() - mono_start
        )

    try:
        before = await http.request("GET", path, Connector, deadline=mono_deadline)
    except (APIStatusError, APIConnectionError) as err:
        if mono_deadline is not None and _timed_out(err, http.clock(), mono_deadline):
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
        if mono_deadline is not None and _timed_out(err, http.clock(), mono_deadline):
            raise expired("triggering the sync (it may or may not have been queued)", err) from err
        raise
    started_at = _started_at(answered[-1] if answered else None, sent_at)
    return SyncHandle(
        http,
        cid,
        baseline=before.last_sync_at,
        started_at=started_at,
        deadline=wall_deadline,
        mono_start=mono_start,
        mono_deadline=mono_deadline,
    )


async def sync_and_wait(
    http: HTTPTransport,
    connector_id: ConnectorId,
    date_limit: date | datetime | str | None,
    *,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
    lenient_date: bool = False,
    documents: bool = False,
    on_documents_progress: DocumentsProgressCallback | None = None,
) -> Connector | SyncReport:
    """``start_sync`` + ``wait`` under one deadline of ``timeout`` seconds; see ``ConnectorsService``."""
    check_wait_args(timeout, poll_interval, max_poll_interval)
    handle = await start_sync(http, connector_id, date_limit, timeout=timeout, lenient_date=lenient_date)
    return await handle.wait(
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        on_progress=on_progress,
        documents=documents,
        on_documents_progress=on_documents_progress,
    )


async def wait_for_sync(
    http: HTTPTransport,
    connector_id: ConnectorId,
    after: datetime | None,
    *,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
) -> Connector:
    """See ``ConnectorsService.wait_for_sync``."""
    if after is not None and after.tzinfo is None:
        raise ValueError("after must be timezone-aware (the API's timestamps are)")
    path = connector_path(connector_id)
    check_wait_args(timeout, poll_interval, max_poll_interval)

    async def fetch(deadline: float) -> Connector:
        return await http.request("GET", path, Connector, deadline=deadline)

    return await wait_until_synced(
        fetch,
        baseline=after,
        timeout=timeout,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        on_progress=on_progress,
        clock=http.clock,
        sleep=http.sleep,
    )
