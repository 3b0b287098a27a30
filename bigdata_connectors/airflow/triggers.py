"""``BigdataSyncTrigger``: waits for a connector sync in Airflow's triggerer, on its event loop.

The operator (or sensor) starts nothing here: it hands over, through ``serialize()``, only what the
wait needs, and the triggerer (another process, maybe another machine, maybe after a restart)
rebuilds the trigger from it. See DESIGN.md, "Airflow: what crosses the process boundary".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from bigdata_connectors import BigdataClient, Connector, SyncFailedError, SyncTimeoutError
from bigdata_connectors.airflow._events import event_payload, parse_instant, sync_summary, utcnow
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID, BigdataHook

CLASSPATH = "bigdata_connectors.airflow.triggers.BigdataSyncTrigger"


class BigdataSyncTrigger(BaseTrigger):
    """Wait for one sync of one connector; yield exactly one TriggerEvent.

    ``connector_id`` with ``after``: a sync someone else started, counted only if it finishes after
    that ISO 8601 instant. ``deadline`` is an ISO 8601 wall-clock instant with a UTC offset: monotonic
    clocks mean nothing in another process. ``started_at`` (same form) is when the task began, for the
    summary's ``elapsed``. ``poll_interval`` grows x1.5 up to ``max_poll_interval`` (seconds).

    The event's payload is ``{"status", "connector_id", "message", "summary"}`` with status
    ``success`` (summary filled), ``failed`` (message: the server's error), ``timeout`` (the deadline
    passed; the sync may still be running) or ``error`` (anything else, e.g. the connector was deleted,
    the key refused, the connection unusable). The client is closed before the event is yielded, and
    on cancellation by the triggerer.
    """

    def __init__(
        self,
        *,
        connector_id: str,
        after: str,
        deadline: str,
        started_at: str,
        bigdata_conn_id: str = DEFAULT_CONN_ID,
        poll_interval: float = 10.0,
        max_poll_interval: float = 60.0,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # BaseTrigger.__init__ is unannotated
        if not 0 < poll_interval <= max_poll_interval:
            raise ValueError("need 0 < poll_interval <= max_poll_interval (seconds)")
        self._deadline = parse_instant(deadline, "deadline")
        self._started_at = parse_instant(started_at, "started_at")
        self._after = parse_instant(after, "after")
        self.deadline, self.started_at, self.after = deadline, started_at, after
        self.connector_id = connector_id
        self.bigdata_conn_id = bigdata_conn_id
        self.poll_interval, self.max_poll_interval = float(poll_interval), float(max_poll_interval)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the keyword arguments that rebuild this trigger: plain JSON values (ids,
        timestamps, intervals, the connection's id), never a secret: the API key stays in the connection."""
        return CLASSPATH, {
            "deadline": self.deadline,
            "started_at": self.started_at,
            "connector_id": self.connector_id,
            "after": self.after,
            "bigdata_conn_id": self.bigdata_conn_id,
            "poll_interval": self.poll_interval,
            "max_poll_interval": self.max_poll_interval,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the sync ends or the deadline passes; then yield the one event and return."""
        payload = await self._outcome()
        yield TriggerEvent(payload)

    # ------------------------------------------------------------------ the wait

    async def _outcome(self) -> dict[str, Any]:
        target = self.connector_id
        client: BigdataClient | None = None
        try:
            client = await self._client()
            return await self._wait(client)
        except SyncFailedError as err:
            return event_payload("failed", str(err.connector.connector_id), self._failure(err))
        except SyncTimeoutError as err:
            return event_payload("timeout", target, self._timeout_message(str(err)))
        except Exception as err:  # the task must learn of anything; the triggerer would only log it
            return event_payload("error", target, f"{type(err).__name__}: {err}")
        finally:
            if client is not None:
                await client.aclose()

    async def _client(self) -> BigdataClient:
        """A new client from the connection, looked up without blocking the triggerer's loop."""
        return await BigdataHook(self.bigdata_conn_id).aget_conn()

    async def _wait(self, client: BigdataClient) -> dict[str, Any]:
        remaining = (self._deadline - utcnow()).total_seconds()
        connector = await self._wait_for_other(client, self.connector_id, remaining)
        return self._success(connector, None)

    async def _wait_for_other(self, client: BigdataClient, connector_id: str, remaining: float) -> Connector:
        if remaining <= 0:
            raise SyncTimeoutError(f"the deadline {self.deadline} passed before the wait began", None, 0.0)
        return await client.connectors.wait_for_sync(
            connector_id,
            after=self._after,
            timeout=remaining,
            poll_interval=min(self.poll_interval, remaining),
            max_poll_interval=self.max_poll_interval,
        )

    # ------------------------------------------------------------------ shaping the event

    def _success(self, connector: Connector, documents: dict[str, Any] | None) -> dict[str, Any]:
        elapsed = (utcnow() - self._started_at).total_seconds()
        summary = sync_summary(connector, elapsed=elapsed, documents=documents)
        return event_payload("success", summary["connector_id"], "sync succeeded", summary)

    @staticmethod
    def _failure(err: SyncFailedError) -> str:
        return err.error_message or f"sync ended with status {err.status!r}"

    def _timeout_message(self, detail: str) -> str:
        return (
            f"no outcome by the deadline {self.deadline}; the sync may still be running on the server "
            f"(nothing was cancelled). {detail}"
        )
