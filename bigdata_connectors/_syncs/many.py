"""``sync_many``: many syncs at once, each connector once, an outcome per position."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bigdata_connectors._checks import connector_uuid
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._syncs.progress import ProgressCallback
from bigdata_connectors._syncs.start import sync_and_wait
from bigdata_connectors._transport import HTTPTransport

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
    connector_ids: Sequence[str],
    date_limit: date | None,
    *,
    concurrency: int,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    on_progress: ProgressCallback | None,
) -> Sequence[SyncOutcome]:
    """See ``ConnectorsService.sync_many`` (which checked every argument). An id that is not a UUID is that
    position's error, not the whole call's."""
    keys: list[str] = []  # one sync per connector however often it is listed: keyed by canonical UUID
    for raw in connector_ids:
        try:
            keys.append(str(connector_uuid(raw)))
        except ValueError:
            keys.append(raw)
    gate = asyncio.Semaphore(concurrency)

    async def one(key: str) -> Connector | Exception:
        async with gate:
            try:
                connector = await sync_and_wait(
                    http,
                    connector_uuid(key),
                    date_limit,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    max_poll_interval=max_poll_interval,
                    on_progress=on_progress,
                    lenient_date=True,
                )
            except Exception as err:
                return err
            assert isinstance(connector, Connector)  # no documents asked: the connector, never a SyncReport
            return connector

    async with asyncio.TaskGroup() as group:
        tasks = {key: group.create_task(one(key)) for key in dict.fromkeys(keys)}
    outcomes: list[SyncOutcome] = []
    for raw, key in zip(connector_ids, keys, strict=True):
        result = tasks[key].result()
        if isinstance(result, Exception):
            outcomes.append(SyncOutcome(raw, error=result))
        else:
            outcomes.append(SyncOutcome(raw, connector=result))
    return outcomes
