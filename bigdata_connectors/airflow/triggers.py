"""``BigdataSyncTrigger``: waits for a connector sync in Airflow's triggerer, on its event loop.

The task starts nothing here: it hands over, through ``serialize()``, only what the wait needs, and
the triggerer (another process, maybe another machine, maybe after a restart) rebuilds the trigger
from it. See DESIGN.md, "Airflow: what crosses the process boundary".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from bigdata_connectors import BigdataClient, Connector, SyncFailedError, SyncHandle, SyncTimeoutError
from bigdata_connectors.airflow._events import (
    documents_summary,
    event_payload,
    parse_instant,
    sync_summary,
    utcnow,
)
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID, BigdataHook

CLASSPATH = "bigdata_connectors.airflow.triggers.BigdataSyncTrigger"


class BigdataSyncTrigger(BaseTrigger):
    """Wait for one sync of one connector; yield exactly one TriggerEvent.

    Two ways to say which sync:

    - ``token``, from ``SyncHandle.token()`` (what ``BigdataSyncOperator`` hands over): the sync that
      task started. The token carries the connector id, the baseline ``last_sync_at`` read before the
      trigger, ``started_at`` and the wall-clock deadline; nothing else is needed.
    - ``connector_id`` with ``after``, ``deadline`` and ``started_at`` (ISO 8601 with a UTC offset; what
      ``BigdataSyncSensor`` hands over): a sync someone else started, counted only if it finishes after
      ``after``.

    Deadlines are wall-clock instants: a monotonic clock means nothing in another process. Polls start
    at once, then every ``poll_interval`` seconds growing x1.5 to ``max_poll_interval``. A trigger
    rebuilt after its deadline (the triggerer was down) still reads the connector once, so a sync that
    finished meanwhile is reported as it ended, not as a timeout.

    With ``wait_for_documents`` (token form only) the wait goes on past the sync's success, within the
    same deadline, until every document the sync brought in is ``completed`` or ``failed`` (the SDK's
    ``wait(documents=True)``); the summary then carries ``documents``.

    The event's payload is ``{"status", "connector_id", "message", "summary"}`` with status
    ``success`` (summary filled), ``failed`` (message: the server's error), ``timeout`` (the sync may
    still be running) or ``error`` (anything else: the connector deleted or archived, the key refused,
    a damaged token, an unusable connection). The client is closed before the event is yielded, and on
    cancellation by the triggerer.
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
            if any(v is not None for v in (connector_id, after, deadline, started_at)):
                raise ValueError("a token carries its connector, baseline and deadline: give it alone")
        elif connector_id is None or after is None or deadline is None or started_at is None:
            raise ValueError("give a token, or connector_id with after, deadline and started_at")
        if not 0 < poll_interval <= max_poll_interval:
            raise ValueError("need 0 < poll_interval <= max_poll_interval (seconds)")
        if wait_for_documents and token is None:
            # Which documents a sync brought in is known from its start time, which only a token carries.
            raise ValueError("wait_for_documents needs a token (from start_sync): a sync started elsewhere has none")
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
        payload = await self._outcome()
        yield TriggerEvent(payload)

    # ------------------------------------------------------------------ the wait

    async def _outcome(self) -> dict[str, Any]:
        target: list[str | None] = [self.connector_id]  # filled from the token once it is read
        client: BigdataClient | None = None
        try:
            client = await self._client()
            if self.token is not None:
                handle = client.connectors.resume_sync(self.token)
                target[0] = str(handle.connector_id)
                return await self._wait_for_handle(handle)
            return await self._wait_for_other(client)
        except SyncFailedError as err:
            return event_payload("failed", target[0], self._failure(err.status, err.error_message))
        except SyncTimeoutError as err:
            return event_payload("timeout", target[0], _timeout_message(str(err)))
        except Exception as err:  # the task must learn of anything; a triggerer would only log it
            return event_payload("error", target[0], f"{type(err).__name__}: {err}")
        finally:
            if client is not None:
                await client.aclose()

    async def _client(self) -> BigdataClient:
        """A new client from the connection, looked up without blocking the triggerer's loop."""
        return await BigdataHook(self.bigdata_conn_id).aget_conn()

    async def _wait_for_handle(self, handle: SyncHandle) -> dict[str, Any]:
        if handle.deadline is not None and handle.deadline <= utcnow():
            # Rebuilt after the deadline: one last look, so a sync that ended meanwhile is told as it ended.
            seen = await handle.poll()
            if seen.state == "succeeded" and not self.wait_for_documents:
                return self._success(seen.connector, handle.started_at)
            if seen.state == "failed":
                return event_payload(
                    "failed",
                    str(handle.connector_id),
                    self._failure(seen.connector.last_sync_status, seen.connector.last_sync_error_msg),
                )
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
            return self._success(report.connector, handle.started_at, documents_summary(report.documents))
        connector = await handle.wait(poll_interval=self.poll_interval, max_poll_interval=self.max_poll_interval)
        return self._success(connector, handle.started_at)

    async def _wait_for_other(self, client: BigdataClient) -> dict[str, Any]:
        if self.connector_id is None or self._deadline is None or self._started_at is None:
            raise ValueError("give a token, or connector_id with after, deadline and started_at")  # checked in __init__
        remaining = (self._deadline - utcnow()).total_seconds()
        if remaining <= 0:
            raise SyncTimeoutError(f"the deadline {self.deadline} passed before the wait began", None, 0.0)
        connector = await client.connectors.wait_for_sync(
            self.connector_id,
            after=self._after,
            timeout=remaining,
            poll_interval=min(self.poll_interval, remaining),
            max_poll_interval=self.max_poll_interval,
        )
        return self._success(connector, self._started_at)

    # ------------------------------------------------------------------ shaping the event

    @staticmethod
    def _success(connector: Connector, since: datetime, documents: dict[str, Any] | None = None) -> dict[str, Any]:
        elapsed = max(0.0, (utcnow() - since).total_seconds())
        summary = sync_summary(connector, elapsed=elapsed, documents=documents)
        return event_payload("success", summary["connector_id"], "sync succeeded", summary)

    @staticmethod
    def _failure(status: str | None, error_message: str | None) -> str:
        return error_message or f"sync ended with status {status!r}"


def _timeout_message(detail: str) -> str:
    return (
        f"no outcome before the deadline; the sync may still be running on the server (nothing was cancelled): {detail}"
    )
