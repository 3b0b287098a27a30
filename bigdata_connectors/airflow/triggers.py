"""``BigdataSyncTrigger``: waits for a connector sync in Airflow's triggerer, on its event loop.

The task starts nothing here: it hands over, through ``serialize()``, only what the wait needs, and
the triggerer (another process, maybe another machine, maybe after a restart) rebuilds the trigger
from it. See DESIGN.md, "Airflow: what crosses the process boundary". ``BigdataDocumentsTrigger`` (the
documents watcher) lives in ``watchers`` and is importable from here too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from bigdata_connectors import BigdataClient, Connector, SyncFailedError, SyncHandle, SyncTimeoutError, SyncToken
from bigdata_connectors.airflow._clients import shared_client
from bigdata_connectors.airflow._events import (
    documents_summary,
    error_payload,
    event_payload,
    parse_instant,
    sync_summary,
    utcnow,
)
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID
from bigdata_connectors.airflow.watchers import BigdataDocumentsTrigger

CLASSPATH = "bigdata_connectors.airflow.triggers.BigdataSyncTrigger"

__all__ = ["BigdataDocumentsTrigger", "BigdataSyncTrigger"]


class BigdataSyncTrigger(BaseTrigger):
    """Wait for one sync of one connector; yield exactly one TriggerEvent.

    Two ways to say which sync:

    - ``token``, from ``SyncHandle.token()`` (what ``BigdataSyncOperator`` hands over): the sync that
      task started. The token carries the connector id, the baseline ``last_sync_at`` read before the
      trigger, ``started_at`` and the wall-clock deadline. ``deadline`` (ISO 8601 with offset), when given
      beside it, replaces the token's (a sensor waiting on someone else's token sets its own).
    - ``connector_id`` with ``after``, ``deadline`` and ``started_at`` (ISO 8601 with a UTC offset): a sync
      someone else started, counted only if it finishes after ``after``.

    Deadlines are wall-clock instants: a monotonic clock means nothing in another process. Polls start
    at once, then every ``poll_interval`` seconds growing x1.5 to ``max_poll_interval``. A trigger
    rebuilt after its deadline (the triggerer was down) still reads the connector once, so a sync that
    finished meanwhile is reported as it ended, not as a timeout.

    With ``wait_for_documents`` the wait goes on past the sync's success, within the same deadline, until
    every document the sync brought in is ``completed`` or ``failed`` (the SDK's ``wait(documents=True)``);
    the summary then carries ``documents``.

    Sends ``GET /contents/v1/connectors/{id}`` polls (and ``GET /contents/v1/documents`` pages when waiting
    for documents), through the client every trigger of the same connection shares in this process.
    The event's payload is ``{"status", "connector_id", "message", "summary", "retryable", "token"}`` with
    status ``success`` (summary filled), ``failed`` (message: the server's error), ``timeout`` (the sync
    may still be running) or ``error`` (anything else; ``retryable`` False when no retry can fix it: the
    connector deleted or archived, the key refused, a damaged token, a missing connection). The shared
    client is released before the event is yielded, and on cancellation by the triggerer.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        connector_id: str | None = None,
        after: str | None = None,
        deadline: str | None = None,
        started_at: str | None = None,
        bigdata_conn_id: str = DEFAULT_CONN_ID,
        poll_interval: float = 10.0,
        max_poll_interval: float = 60.0,
        wait_for_documents: bool = False,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # BaseTrigger.__init__ is unannotated
        if token is not None:
            if any(v is not None for v in (connector_id, after, started_at)):
                raise ValueError("a token carries its connector, baseline and start: give it alone (or with deadline)")
        elif connector_id is None or after is None or deadline is None or started_at is None:
            raise ValueError("give a token, or connector_id with after, deadline and started_at")
        if not 0 < poll_interval <= max_poll_interval:
            raise ValueError("need 0 < poll_interval <= max_poll_interval (seconds)")
        self._after = parse_instant(after, "after") if after is not None else None
        self._deadline = parse_instant(deadline, "deadline") if deadline is not None else None
        self._started_at = parse_instant(started_at, "started_at") if started_at is not None else None
        self.token, self.connector_id = token, connector_id
        self.after, self.deadline, self.started_at = after, deadline, started_at
        self.bigdata_conn_id = bigdata_conn_id
        self.poll_interval, self.max_poll_interval = float(poll_interval), float(max_poll_interval)
        self.wait_for_documents = bool(wait_for_documents)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the keyword arguments that rebuild this trigger: plain JSON values (a
        token of ids and timestamps, or the same given separately; intervals; the connection's id),
        never a secret: the API key stays in the connection."""
        return CLASSPATH, {
            "token": self.token,
            "connector_id": self.connector_id,
            "after": self.after,
            "deadline": self.deadline,
            "started_at": self.started_at,
            "bigdata_conn_id": self.bigdata_conn_id,
            "poll_interval": self.poll_interval,
            "max_poll_interval": self.max_poll_interval,
            "wait_for_documents": self.wait_for_documents,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the sync ends or the deadline passes; then yield the one event and return."""
        try:
            async with shared_client(self.bigdata_conn_id) as client:
                payload = await self.wait_with(client)
        except Exception as err:  # the connection lookup: the task must learn of it, not only the triggerer's log
            payload = error_payload(err, self.connector_id or _connector_of(self.token), self.token)
        yield TriggerEvent(payload)

    # ------------------------------------------------------------------ the wait

    def handle(self, client: BigdataClient) -> SyncHandle:
        """The sync this trigger waits on, bound to ``client``. Sends nothing; raises ValueError for a
        damaged token."""
        if self.token is not None:
            handle = client.connectors.resume_sync(self.token)
            if self._deadline is None:
                return handle
            return client.connectors.attach_sync(
                handle.connector_id, after=handle.baseline, started_at=handle.started_at, deadline=self._deadline
            )
        if self.connector_id is None:  # checked in __init__
            raise ValueError("give a token, or connector_id with after, deadline and started_at")
        return client.connectors.attach_sync(
            self.connector_id, after=self._after, started_at=self._started_at, deadline=self._deadline
        )

    async def wait_with(self, client: BigdataClient) -> dict[str, Any]:
        """The whole wait on ``client`` (the triggerer's shared one, or a worker's own), as an event payload.
        Never raises, except CancelledError."""
        target: str | None = self.connector_id
        token = self.token
        try:
            handle = self.handle(client)
            target, token = str(handle.connector_id), handle.token()
            return await self._wait_for_handle(handle)
        except SyncFailedError as err:
            message = self._failure(err.status, err.error_message)
            return event_payload("failed", target, message, token=token)
        except SyncTimeoutError as err:
            return event_payload("timeout", target, _timeout_message(str(err)), token=token)
        except Exception as err:  # the task must learn of anything; a triggerer would only log it
            return error_payload(err, target, token)

    async def _wait_for_handle(self, handle: SyncHandle) -> dict[str, Any]:
        token = handle.token()
        if handle.deadline is not None and handle.deadline <= utcnow():
            # Rebuilt after the deadline: one last look, so a sync that ended meanwhile is told as it ended.
            seen = await handle.poll()
            if seen.state == "succeeded" and not self.wait_for_documents:
                return self._success(seen.connector, handle.started_at, token)
            if seen.state == "failed":
                message = self._failure(seen.connector.last_sync_status, seen.connector.last_sync_error_msg)
                return event_payload("failed", str(handle.connector_id), message, token=token)
            still = (
                "succeeded but its documents were not seen processed"
                if seen.state == "succeeded"
                else f"still {seen.connector.last_sync_status or 'pending'}"
            )
            raise SyncTimeoutError(
                f"the deadline {handle.deadline.isoformat()} passed with the sync {still}",
                seen.connector,
                seen.elapsed,
            )
        if self.wait_for_documents:
            report = await handle.wait(
                documents=True, poll_interval=self.poll_interval, max_poll_interval=self.max_poll_interval
            )
            documents = documents_summary(report.documents)
            return self._success(report.connector, handle.started_at, token, documents)
        connector = await handle.wait(poll_interval=self.poll_interval, max_poll_interval=self.max_poll_interval)
        return self._success(connector, handle.started_at, token)

    # ------------------------------------------------------------------ shaping the event

    @staticmethod
    def _success(
        connector: Connector, since: datetime, token: str, documents: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        elapsed = max(0.0, (utcnow() - since).total_seconds())
        summary = sync_summary(connector, elapsed=elapsed, documents=documents)
        return event_payload("success", summary["connector_id"], "sync succeeded", summary, token=token)

    @staticmethod
    def _failure(status: str | None, error_message: str | None) -> str:
        return error_message or f"sync ended with status {status!r}"


def _timeout_message(detail: str) -> str:
    return (
        f"no outcome before the deadline; the sync may still be running on the server (nothing was cancelled): {detail}"
    )


def _connector_of(token: str | None) -> str | None:
    """The connector a token names, read without a client (none could be built), or None."""
    if token is None:
        return None
    try:
        return str(SyncToken.parse(token).connector_id)
    except (TypeError, ValueError):
        return None
