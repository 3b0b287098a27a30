"""Syncs that can be handed over: ``start_sync`` -> ``SyncHandle`` -> ``token()`` -> ``resume_sync``.

What must survive between the process that triggers a sync and the one that waits for it is small and
exact: the connector, the baseline ``last_sync_at`` read *before* the trigger (never recomputed by the
waiter: a short sync may already be over), when the sync started, and a wall-clock deadline (never a
monotonic one: it means nothing in another process). ``SyncHandle`` holds exactly that, and its token
carries it as text. ``sync_and_wait`` is ``start_sync`` + ``wait`` under one deadline.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from uuid import UUID

from bigdata_connectors._errors import (
    APIConnectionError,
    APIStatusError,
    ConnectorArchivedError,
    NotFoundError,
    SyncNotSupportedError,
    SyncTimeoutError,
)
from bigdata_connectors._generated.models import Connector, ConnectorSyncRequest, ConnectorSyncResponse
from bigdata_connectors._ids import ConnectorId, connector_path, connector_uuid, parse_date_limit
from bigdata_connectors._polling import (
    ProgressCallback,
    SyncProgress,
    check_wait_args,
    mark_gone,
    progress,
    wait_until_synced,
)
from bigdata_connectors._sync_token import SyncToken, decode_token, encode_token

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bigdata_connectors._http import HTTPTransport

__all__ = [
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_SYNC_TIMEOUT",
    "SyncHandle",
    "SyncOutcome",
    "resume_sync",
    "start_sync",
    "sync_and_wait",
    "sync_many",
]

DEFAULT_SYNC_TIMEOUT = 1800.0  # seconds
DEFAULT_POLL_INTERVAL = 2.0  # seconds
DEFAULT_MAX_POLL_INTERVAL = 30.0  # seconds


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SyncHandle:
    """A sync that was triggered: enough to wait for it here, or (through ``token()``) anywhere else.

    ``connector_id`` (UUID); ``baseline``: the connector's ``last_sync_at`` read before the trigger (None if
    it had never synced); only a later ``last_sync_at`` can be this sync's outcome. ``started_at``: when the
    sync was triggered, an aware UTC datetime from the server's clock (the trigger answer's ``Date`` header,
    whole seconds; the local clock only when the answer had no usable ``Date``). ``deadline``: the aware UTC
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
            mark_gone(err)
            raise
        self._polls += 1
        elapsed = max(0.0, (_utcnow() - self.started_at).total_seconds())
        return progress(connector, self.baseline, elapsed, self._polls)

    def _budget(self, timeout: float | None) -> tuple[float, float]:
        """(start, timeout) on the transport's monotonic clock for this wait."""
        now = self._http.clock()
        if self._mono_deadline is not None:
            start, deadline = self._mono_start if self._mono_start is not None else now, self._mono_deadline
        elif self.deadline is not None:
            start, deadline = now, now + (self.deadline - _utcnow()).total_seconds()
        else:
            start, deadline = now, now + (DEFAULT_SYNC_TIMEOUT if timeout is None else timeout)
        if timeout is not None:
            deadline = min(deadline, now + timeout)
        return start, deadline - start

    async def wait(
        self,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> Connector:
        """Poll ``GET /contents/v1/connectors/{id}`` until the sync is over; return the connector on success.

        The first poll runs at once, then every ``poll_interval`` seconds growing x1.5 to
        ``max_poll_interval``. ``timeout`` (seconds from now) bounds the wait; it never extends the handle's
        ``deadline``; with neither, 1800 s. ``on_progress`` (plain or async) gets a SyncProgress per poll.
        Cancelling the awaiting task stops at once; the sync goes on on the server.

        Raises SyncFailedError, SyncTimeoutError (at once if the deadline has already passed; the sync
        keeps running on the server), ConnectorArchivedError, NotFoundError (connector deleted), and the
        errors of ``client.connectors.get``.
        """
        check_wait_args(DEFAULT_SYNC_TIMEOUT if timeout is None else timeout, poll_interval, max_poll_interval)
        start, budget = self._budget(timeout)
        if self._http.clock() - start >= budget:
            raise SyncTimeoutError(
                f"the deadline of this sync of connector {self.connector_id} ({self.deadline}) has passed; "
                "the sync may still be running on the server",
                None,
                max(0.0, self._http.clock() - start),
            )

        async def fetch(deadline: float) -> Connector:
            return await self._http.request("GET", self._path, Connector, deadline=deadline)

        return await wait_until_synced(
            fetch,
            baseline=self.baseline,
            timeout=budget,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
            clock=self._http.clock,
            sleep=self._http.sleep,
            started=start,
        )


def resume_sync(http: HTTPTransport, token: str) -> SyncHandle:
    """The handle a token stands for, bound to this client; raises ValueError for a damaged, altered or
    newer-format token. Sends nothing."""
    data = decode_token(token)
    return SyncHandle(
        http, data.connector_id, baseline=data.baseline, started_at=data.started_at, deadline=data.deadline
    )


def _server_date(headers: Mapping[str, str]) -> datetime | None:
    value = headers.get("Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else None


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
    wall_deadline = None if timeout is None else _utcnow() + timedelta(seconds=timeout)

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
    started_at = (answered[-1] if answered else None) or _utcnow()
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
) -> Connector:
    """``start_sync`` + ``wait`` under one deadline of ``timeout`` seconds; see ``ConnectorsService``."""
    check_wait_args(timeout, poll_interval, max_poll_interval)
    handle = await start_sync(http, connector_id, date_limit, timeout=timeout, lenient_date=lenient_date)
    return await handle.wait(poll_interval=poll_interval, max_poll_interval=max_poll_interval, on_progress=on_progress)


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """The result of one connector in ``sync_many``: ``connector`` on success, else ``error``."""

    connector_id: str
    connector: Connector | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def sync_many(
    http: HTTPTransport,
    connector_ids: Iterable[ConnectorId],
    date_limit: date | datetime | str | None,
    *,
    concurrency: int,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
) -> Sequence[SyncOutcome]:
    """See ``ConnectorsService.sync_many``."""
    if isinstance(connector_ids, str | bytes | UUID):
        raise TypeError(
            "connector_ids must be an iterable of connector ids (e.g. a list), not a single "
            f"{type(connector_ids).__name__}: for one connector use sync_and_wait, or pass [connector_id]"
        )
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    check_wait_args(timeout, poll_interval, max_poll_interval)
    if date_limit is not None:
        parse_date_limit(date_limit)  # a bad date fails here, before anything is sent
    given = [str(i) for i in connector_ids]
    keys: list[str] = []  # one sync per connector however often it is listed: keyed by canonical UUID
    for raw in given:
        try:
            keys.append(str(connector_uuid(raw)))
        except ValueError:
            keys.append(raw)
    gate = asyncio.Semaphore(concurrency)

    async def one(connector_id: str) -> Connector | Exception:
        async with gate:
            try:
                return await sync_and_wait(
                    http,
                    connector_id,
                    date_limit,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    max_poll_interval=max_poll_interval,
                    on_progress=on_progress,
                    lenient_date=True,
                )
            except Exception as err:
                return err

    async with asyncio.TaskGroup() as group:
        tasks = {key: group.create_task(one(key)) for key in dict.fromkeys(keys)}
    outcomes: list[SyncOutcome] = []
    for raw, key in zip(given, keys, strict=True):
        result = tasks[key].result()
        if isinstance(result, Exception):
            outcomes.append(SyncOutcome(raw, error=result))
        else:
            outcomes.append(SyncOutcome(raw, connector=result))
    return outcomes
