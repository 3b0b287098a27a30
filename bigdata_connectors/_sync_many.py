"""``sync_many``: many syncs at once, each connector once, an outcome per position."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from bigdata_connectors import _sync
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._ids import ConnectorId, connector_uuid, parse_date_limit
from bigdata_connectors._polling import ProgressCallback, check_wait_args
from bigdata_connectors._sync_documents import SyncReport

if TYPE_CHECKING:
    from bigdata_connectors._http import HTTPTransport

__all__ = ["SyncOutcome", "sync_many"]


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

    async def one(connector_id: str) -> Connector | SyncReport | Exception:
        async with gate:
            try:
                return await _sync.sync_and_wait(
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
            connector = result if isinstance(result, Connector) else result.connector
            outcomes.append(SyncOutcome(raw, connector=connector))
    return outcomes
