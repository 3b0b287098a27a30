"""``BigdataDocumentsTrigger``: event-driven scheduling on new documents (Airflow's ``AssetWatcher``).

    from airflow.sdk import DAG, Asset, AssetWatcher
    from bigdata_connectors.airflow import BigdataDocumentsTrigger

    inbox = Asset("bigdata_research_inbox", watchers=[AssetWatcher(
        name="new_research", trigger=BigdataDocumentsTrigger(connector_ids=[CONNECTOR_ID], poll_interval=60))])
    with DAG("on_new_research", schedule=[inbox]): ...

Where the cursor lives, and what a triggerer restart does: DESIGN.md, "The documents watcher".
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
CURSOR_KEY = "bigdata_documents_cursor"  # in the watched asset's state store (Airflow 3.3+)
FINISHED = ("completed", "failed")

log = logging.getLogger(__name__)


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


@dataclass
class ConnectorCursor:
    """Where one connector's watch stands, all from the documents' own ``created_at`` (server clock):
    the ids accounted for (reported, or already finished when the watch first began), the ``created_at``
    of the oldest document still processing, and when the last listing ran. ``margin`` (a timedelta)
    widens every listing backwards, for documents the eventually consistent list shows late."""

    connector_id: str
    margin: timedelta
    seen: dict[str, datetime] = field(default_factory=dict)
    oldest_unfinished: datetime | None = None
    listed_at: datetime | None = None
    # On a first watch, documents created at or after this count as new even if already finished (None: none do).
    new_since: datetime | None = None

    def since(self, now: datetime, lookback: timedelta) -> datetime:
        """The ``from_date`` of the next listing: ``lookback`` back on a first watch; then from the oldest
        document still processing, or from the last listing, less the margin."""
        if self.listed_at is None:
            return now - lookback
        return min(self.oldest_unfinished or self.listed_at, self.listed_at) - self.margin

    def take(self, documents: list[Document], since: datetime, now: datetime) -> list[Document]:
        """Account for one listing; return the documents newly ``completed`` (none on a first watch's
        first listing: what is finished then predates the watch)."""
        first = self.listed_at is None
        fresh: list[Document] = []
        unfinished: list[datetime] = []
        for doc in documents:
            status = str(doc.status)
            if status not in FINISHED:
                unfinished.append(doc.created_at)
            elif doc.id not in self.seen:
                self.seen[doc.id] = doc.created_at
                if first and (self.new_since is None or doc.created_at < self.new_since):
                    continue
                if status == "completed":
                    fresh.append(doc)
                else:
                    log.warning(
                        "Connector %s: document %s (%s) failed processing", self.connector_id, doc.id, doc.file_name
                    )
        self.listed_at = now
        self.oldest_unfinished = min(unfinished) if unfinished else None
        horizon = since - self.margin  # no listing reaches before this again: forget what lies there
        self.seen = {k: created for k, created in self.seen.items() if created >= horizon}
        return fresh

    def dump(self) -> dict[str, Any]:
        """As JSON, for the asset's state store."""
        return {
            "seen": {k: v.isoformat() for k, v in self.seen.items()},
            "oldest_unfinished": self.oldest_unfinished.isoformat() if self.oldest_unfinished else None,
            "listed_at": self.listed_at.isoformat() if self.listed_at else None,
        }

    @classmethod
    def restore(cls, connector_id: str, margin: timedelta, saved: Any) -> ConnectorCursor:
        """From ``dump()``'s JSON; a fresh cursor for anything else."""
        cursor = cls(connector_id, margin)
        if isinstance(saved, dict) and isinstance(saved.get("seen"), dict):
            cursor.seen = {k: t for k, v in saved["seen"].items() if (t := _instant(v)) is not None}
            cursor.oldest_unfinished = _instant(saved.get("oldest_unfinished"))
            cursor.listed_at = _instant(saved.get("listed_at"))
        return cursor


class BigdataDocumentsTrigger(BaseEventTrigger):
    """Fire one event per batch of newly completed documents of one or more connectors (any type, email
    included): ``BigdataDocumentsTrigger(connector_ids=[...], bigdata_conn_id=..., poll_interval=...)``.

    Every ``poll_interval`` seconds, for each connector, sends ``GET /contents/v1/documents?connector=<id>
    &from_date=<t>&sort_by=created_at&sort_order=asc`` (every page), through the client the triggers of the
    connection share in this process. Documents found ``completed`` that were not reported yet make one
    event for that connector: ``{"connector_id", "document_ids", "file_names", "count"}`` (in creation
    order). Failed documents are logged, not reported. ``lookback`` (seconds) is how far back a first
    watch looks for documents still processing; ``margin`` (seconds) how far back every later listing
    reaches for documents the list shows late.

    A new watch reports what completes from then on; on Airflow 3.3+ also what was created in the ``margin``
    before it started (a batch landing while the DAG is being deployed is not lost; the cursor saved from then
    on keeps restarts from repeating it). Restarts: on Airflow 3.3+ the cursor is saved in the watched asset's
    state store (key ``bigdata_documents_cursor``) before each event is yielded, so a restarted triggerer reports what
    completed while it was down and nothing twice. Without that store (Airflow 3.1-3.2) the cursor lives in
    memory: a restarted watch reports nothing twice (documents already finished when it starts count as
    seen), but documents that completed entirely while no triggerer ran are not reported.

    A failed poll (the API down, a refused key, a deleted connector) is logged once per outage and retried
    at the next interval: a watcher never ends on its own. A missing connection ends it with
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
        self.connector_ids = [str(cid).lower() for cid in dict.fromkeys(ids)]
        self.bigdata_conn_id = bigdata_conn_id
        self.poll_interval = float(poll_interval)
        self.lookback = float(lookback)
        self.margin = float(margin)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and kwargs (ids, the connection's id, seconds): what Airflow stores and hashes to know
        the watcher. No secret, and no cursor: Airflow re-creates a watcher from the kwargs the DAG file
        gives, and a changed kwarg would make it another trigger."""
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
        saved = await self._load()
        cursors = [ConnectorCursor.restore(cid, margin, saved.get(cid)) for cid in self.connector_ids]
        if self._store() is not None:
            # A first watch with a store to remember it (3.3+): what completed in the last ``margin`` counts as
            # new, so a batch that lands while the watcher is being set up is not lost. Restarts read the cursor.
            for cursor in cursors:
                if cursor.listed_at is None:
                    cursor.new_since = utcnow() - margin
        failing: dict[str, str] = {}  # connector id -> the error of its current outage, logged once
        async with shared_client(self.bigdata_conn_id) as client:
            while True:
                for cursor in cursors:
                    first = cursor.listed_at is None
                    try:
                        fresh = await self._poll(client, cursor)
                    except Exception as err:
                        if cursor.connector_id not in failing:
                            kind = "no retry fixes this by itself" if is_permanent(err) else "retrying"
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
                    if fresh or first:
                        await self._save(cursors)  # before the event: a crash may lose one, never repeat it
                    if fresh:
                        yield TriggerEvent(self._payload(cursor.connector_id, fresh))
                await asyncio.sleep(self.poll_interval)

    async def _poll(self, client: BigdataClient, cursor: ConnectorCursor) -> list[Document]:
        now = utcnow()
        since = cursor.since(now, timedelta(seconds=self.lookback))
        listing = client.documents.list(
            connector=cursor.connector_id, from_date=since, sort_by="created_at", sort_order="asc"
        )
        documents = [doc async for doc in listing]
        return cursor.take(documents, since, now)

    # ------------------------------------------------------------------ the asset's state store (3.3+)

    def _store(self) -> Any:
        """The watched asset's state store accessor, or None (Airflow 3.1-3.2; a trigger run outside a
        triggerer; a trigger watching several assets, which have no single store)."""
        accessors = getattr(self, "asset_state_store", None)
        if accessors is None:
            return None
        try:
            return accessors._single_accessor()
        except (ValueError, AttributeError):
            return None

    async def _load(self) -> dict[str, Any]:
        store = self._store()
        if store is None:
            return {}
        try:
            saved = await store.aget(CURSOR_KEY)
        except Exception as err:
            log.warning("Documents watcher: cannot read its cursor (%s); starting from what the API shows now", err)
            return {}
        return saved if isinstance(saved, dict) else {}

    async def _save(self, cursors: list[ConnectorCursor]) -> None:
        store = self._store()
        if store is None:
            return
        try:
            await store.aset(CURSOR_KEY, {c.connector_id: c.dump() for c in cursors})
        except Exception as err:
            log.warning("Documents watcher: cannot save its cursor (%s)", err)

    @staticmethod
    def _payload(connector_id: str, documents: list[Document]) -> dict[str, Any]:
        return {
            "connector_id": connector_id,
            "document_ids": [doc.id for doc in documents],
            "file_names": [doc.file_name for doc in documents],
            "count": len(documents),
        }
