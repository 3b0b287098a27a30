"""``BigdataSyncOperator``: start a connector sync from an Airflow task and wait for its outcome.

Deferrable (the default): the task starts the sync, hands the handle's token to
``BigdataSyncTrigger`` and frees its worker slot; the triggerer waits. Not deferrable: the same wait
runs in the worker. Either way the task returns (XCom) the sync summary, or fails with a message that
says what happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from airflow.sdk import BaseOperator, Context
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from bigdata_connectors import (
    AuthenticationError,
    BigdataError,
    ConfigurationError,
    ConnectorArchivedError,
    NotFoundError,
    PermissionDeniedError,
    SyncNotSupportedError,
)
from bigdata_connectors.airflow._events import DEFERRAL_GRACE, first_event, outcome
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID, BigdataHook
from bigdata_connectors.airflow.triggers import BigdataSyncTrigger

T = TypeVar("T")

# Retrying the task cannot fix these: fail without using up retries.
_PERMANENT = (
    SyncNotSupportedError,
    ConnectorArchivedError,
    ValueError,
    ConfigurationError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
)


class BigdataSyncOperator(BaseOperator):
    """Start a sync of ``connector_id`` and wait until it succeeds, fails or ``timeout`` runs out.

    ``date_limit`` (a date or "YYYY-MM-DD"; templated) is required for investment_research
    connectors and refused for sharepoint. ``timeout`` (seconds) covers starting and waiting, and is a
    wall-clock deadline handed to the triggerer. ``poll_interval`` (seconds) grows x1.5 to
    ``max_poll_interval``.

    Sends ``GET /contents/v1/connectors/{id}`` (the baseline), ``POST .../sync`` once, then ``GET``
    polls. Returns ``{"connector_id", "status", "items", "files", "last_sync_at", "elapsed"}``
    (``elapsed``: seconds since the server accepted the trigger). With ``wait_for_documents`` the wait
    goes on, within the same ``timeout``, until every document the sync brought in is processed, and
    the summary adds ``documents``: ``{"completed", "failed", "processing", "expected", "failed_names"}``
    (failed documents are reported there and logged; they do not fail the task). Fails the task with the server's message on a failed sync, with a
    "may still be running" message on timeout (the API cannot cancel a sync), and without retries
    when retrying cannot help (email connector, bad date_limit, refused key, unknown connector).
    """

    template_fields: Sequence[str] = ("connector_id", "date_limit")
    ui_color = "#e8f0fe"

    def __init__(
        self,
        *,
        connector_id: str,
        date_limit: date | str | None = None,
        timeout: float = 3600.0,
        poll_interval: float = 15.0,
        max_poll_interval: float = 120.0,
        wait_for_documents: bool = False,
        deferrable: bool = True,
        bigdata_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds")
        if not 0 < poll_interval <= max_poll_interval:
            raise ValueError("need 0 < poll_interval <= max_poll_interval (seconds)")
        self.connector_id = connector_id
        self.date_limit = date_limit
        self.timeout = float(timeout)
        self.poll_interval = float(poll_interval)
        self.max_poll_interval = float(max_poll_interval)
        self.wait_for_documents = wait_for_documents
        self.deferrable = deferrable
        self.bigdata_conn_id = bigdata_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        token = self._run(self._start())
        trigger = BigdataSyncTrigger(
            token=token,
            bigdata_conn_id=self.bigdata_conn_id,
            poll_interval=self.poll_interval,
            max_poll_interval=self.max_poll_interval,
            wait_for_documents=self.wait_for_documents,
        )
        if self.deferrable:
            self.log.info("Sync of connector %s started; deferring to the triggerer", self.connector_id)
            self.defer(
                trigger=trigger,
                method_name="execute_complete",
                timeout=timedelta(seconds=self.timeout) + DEFERRAL_GRACE,
            )
        self.log.info("Sync of connector %s started; waiting in the worker", self.connector_id)
        return self.execute_complete(context, self._run(first_event(trigger.run())))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Where the task resumes with the trigger's event: the summary, or a failed task."""
        summary = outcome(event, self.connector_id)
        failed = (summary.get("documents") or {}).get("failed_names")
        if failed:
            self.log.warning("Sync of connector %s: %d documents failed: %s", self.connector_id, len(failed), failed)
        return summary

    async def _start(self) -> str:
        """Start the sync; its token (connector, baseline, started_at, wall-clock deadline) is the hand-over."""
        async with await BigdataHook(self.bigdata_conn_id).aget_conn() as client:
            handle = await client.connectors.start_sync(
                self.connector_id, date_limit=self.date_limit or None, timeout=self.timeout
            )
            return handle.token()

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        try:
            return asyncio.run(work)
        except _PERMANENT as err:
            raise AirflowFailException(f"cannot sync connector {self.connector_id}: {err}") from err
        except BigdataError as err:
            raise AirflowException(f"cannot sync connector {self.connector_id}: {err}") from err
