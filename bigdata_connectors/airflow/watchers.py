"""``BigdataDocumentsTrigger``: event-driven scheduling on new documents (Airflow's ``AssetWatcher``).

    from airflow.sdk import DAG, Asset, AssetWatcher
    from bigdata_connectors.airflow import BigdataDocumentsTrigger

    inbox = Asset("bigdata_research_inbox", watchers=[AssetWatcher(
        name="new_research", trigger=BigdataDocumentsTrigger(connector_ids=[CONNECTOR_ID], poll_interval=60))])
    with DAG("on_new_research", schedule=[inbox]): ...

Why the cursor is not in the kwargs, and what a restart does: DESIGN.md, "The documents watcher".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from bigdata_connectors import BigdataClient, Document
from bigdata_connectors.airflow._clients import shared_client
from bigdata_connectors.airflow._events import is_permanent, utcnow
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID

CLASSPATH = "bigdata_connectors.airflow.watchers.BigdataDocumentsTrigger"
FINISHED = ("completed", "failed")

log = logging.getLogger(__name__)


@dataclass
class ConnectorCursor:
    """What one connector's watch remembers, in memory only: the ids already accounted for (reported, or
    already finished when the watch began) with their ``created_at``, and the ``created_at`` of the oldest
    document still processing. ``margin`` (a timedelta) widens every listing backwards, for documents the
    eventually consistent list shows late."""

    connector_id: str
    margin: timedelta
    seen: dict[str, datetime] = field(default_factory=dict)
    oldest_unfinished: datetime | None = None
    primed: bool = False

    def since(self, now: datetime, lookback: timedelta) -> datetime:
        """The ``from_date`` of the next listing: far back (``lookback``) on the first one, then from the
        oldest document still processing, or from now, less the margin."""
        if not self.primed:
            return now - lookback
        return min(self.oldest_unfinished or now, now) - self.margin

    def take(self, documents: list[Document], since: datetime) -> list[Document]:
        """Account for one listing; return the documents newly ``completed`` (none on the first listing:
        what is finished when a watch begins was reported before, or predates the watch)."""
        fresh: list[Document] = []
        unfinished: list[datetime] = []
        for doc in documents:
            status = str(doc.status)
            if status not in FINISHED:
                unfinished.append(doc.created_at)
            elif doc.id not in self.seen:
                self.seen[doc.id] = doc.created_at
                if not self.primed:
                    continue
                if status == "completed":
                    fresh.append(doc)
                else:
                    log.warning(
                        "Connector %s: document %s (%s) failed processing", self.connector_id, doc.id, doc.file_name
                    )
        self.primed = True
        self.oldest_unfinished = min(unfinished) if unfinished else None
        horizon = since - self.margin  # listings never reach before this again: forget what lies there
        self.seen = {k: created for k, created in self.seen.items() if created >= horizon}
        return fresh


class BigdataDocumentsTrigger(BaseEventTrigger):
    """Fire one event per batch of newly completed documents of one or more connectors (any type, email
    included): ``BigdataDocumentsTrigger(connector_ids=[...], bigdata_conn_id=..., poll_interval=...)``.

    Every ``poll_interval`` seconds, for each connector, sends ``GET /contents/v1/documents?connector=<id>
    &from_date=<t>&sort_by=created_at&sort_order=asc`` (every page), through the client the triggers of the
    connection share in this process. Documents found ``completed`` that were not yet reported make one
    event for that connector: ``{"connector_id", "document_ids", "file_names", "count"}`` (ids and names in
    creation order). Failed documents are logged, not reported. The watch starts from what the API shows
    when it (re)starts: documents already finished then are never reported (so a triggerer restart
    reports nothing twice); documents still processing then are reported when they complete. ``lookback``
    (seconds) is how far back that first listing reaches for documents still processing; ``margin``
    (seconds) how far back every later listing reaches for documents the list shows late.

    A failed poll (the API down, a refused key, a deleted connector) is logged once per outage and
    retried at the next interval: a watcher never ends. A missing connection ends the trigger with
    AirflowNotFoundException (in the triggerer's log). Raises ValueError at construction for an empty
    list, an id that is not a UUID, or a non-positive duration.
    """

    def __init__(
        self,
        *,
        connector_ids: Sequence[str] | str,
        bigdata_conn_id: str = DEFAULT_CONN_ID,
        poll_interval: float = 60.0,
        lookback: float = 86_400.0,
        margin: float = 900.0,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # BaseEventTrigger.__init__ is unannotated
        ids = [connector_ids] if isinstance(connector_ids, str) else list(connector_ids)
        if not ids:
            raise ValueError("connector_ids must name at least one connector")
        for cid in ids:
            try:
                UUID(str(cid))
            except ValueError:
                raise ValueError(f"connector_ids: {cid!r} is not a connector id (a UUID)") from None
        for name, value in (("poll_interval", poll_interval), ("lookback", lookback), ("margin", margin)):
            if not float(value) > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        self.connector_ids = [str(cid) for cid in dict.fromkeys(ids)]
        self.bigdata_conn_id = bigdata_conn_id
        self.poll_interval = float(poll_interval)
        self.lookback = float(lookback)
        self.margin = float(margin)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and kwargs (ids, the connection's id, seconds): what Airflow stores and hashes to
        know the watcher; no secret and no cursor (it would change the trigger's identity)."""
        return CLASSPATH, {
            "connector_ids": list(self.connector_ids),
            "bigdata_conn_id": self.bigdata_conn_id,
            "poll_interval": self.poll_interval,
            "lookback": self.lookback,
            "margin": self.margin,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll forever; yield one event per connector per batch of newly completed documents."""
        margin = timedelta(seconds=self.margin)
        cursors = [ConnectorCursor(cid, margin) for cid in self.connector_ids]
        failing: dict[str, str] = {}  # connector id -> the error of its current outage, logged once
        async with shared_client(self.bigdata_conn_id) as client:
            while True:
                for cursor in cursors:
                    try:
                        fresh = await self._poll(client, cursor)
                    except Exception as err:
                        if cursor.connector_id not in failing:
                            kind = "cannot be fixed by waiting" if is_permanent(err) else "retrying"
                            log.warning(
                                "Connector %s: documents poll failed (%s): %s: %s",
                                cursor.connector_id,
                                kind,
                                type(err).__name__,
                                err,
                            )
                        failing[cursor.connector_id] = type(err).__name__
                        continue
                    if failing.pop(cursor.connector_id, None) is not None:
                        log.info("Connector %s: documents poll answers again", cursor.connector_id)
                    if fresh:
                        yield TriggerEvent(self._payload(cursor.connector_id, fresh))
                await asyncio.sleep(self.poll_interval)

    async def _poll(self, client: BigdataClient, cursor: ConnectorCursor) -> list[Document]:
        since = cursor.since(utcnow(), timedelta(seconds=self.lookback))
        listing = client.documents.list(
            connector=cursor.connector_id, from_date=since, sort_by="created_at", sort_order="asc"
        )
        documents = [doc async for doc in listing]
        return cursor.take(documents, since)

    @staticmethod
    def _payload(connector_id: str, documents: list[Document]) -> dict[str, Any]:
        return {
            "connector_id": connector_id,
            "document_ids": [doc.id for doc in documents],
            "file_names": [doc.file_name for doc in documents],
            "count": len(documents),
        }
