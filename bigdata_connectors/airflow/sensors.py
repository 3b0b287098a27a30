"""``BigdataSyncSensor``: wait for a sync started elsewhere (a schedule, a colleague, another DAG, or a
``BigdataSyncOperator(wait_for_completion=False)`` whose token it is given)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import BaseSensorOperator, Context

from bigdata_connectors.airflow._compat import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    default_deferrable,
)
from bigdata_connectors.airflow._events import (
    DEFERRAL_GRACE,
    is_permanent,
    outcome,
    parse_instant,
    resume_hint,
    utcnow,
)
from bigdata_connectors.airflow._params import flag, identifier, is_template, seconds
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID, client_from_connection, get_connection
from bigdata_connectors.airflow.links import CONNECTOR_ATTR, BigdataConnectorLink
from bigdata_connectors.airflow.triggers import BigdataSyncTrigger


class BigdataSyncSensor(BaseSensorOperator):
    """Wait until a sync ends: the one a token names, or the next of ``connector_id`` to end after ``after``.

    - ``token`` (templated): what ``BigdataSyncOperator(wait_for_completion=False)`` returned (its
      ``"token"``; the whole ``{"connector_id", "token"}`` dict is accepted too). The token carries the
      connector, its baseline and start, so the sync is recognised even if it ended before the sensor ran.
    - ``connector_id`` with ``after`` (both templated; ``after`` an aware datetime or an ISO 8601 string with
      offset, e.g. ``"{{ data_interval_end }}"``): a sync the server reports as finished at or before
      ``after`` does not count, so yesterday's SUCCESS is never taken for today's.

    ``timeout`` (templated) and ``poke_interval`` (or ``poll_interval``) are the sensor's usual seconds (the
    wait's wall-clock deadline is ``timeout`` from when the sensor starts); polls grow x1.5 from ``poke_interval`` up to
    ``max_poll_interval`` (templated). ``wait_for_documents`` (templated) goes on until the documents the
    sync brought in are processed, as for the operator. Deferrable by default when ``[operators]
    default_deferrable`` says so; otherwise the wait runs in the worker. ``mode="reschedule"`` is not
    offered: deferral frees the worker better.

    Sends only ``GET /contents/v1/connectors/{id}`` (and ``GET /contents/v1/documents`` pages when waiting for
    documents): it never triggers a sync. Returns the summary (as ``BigdataSyncOperator``); fails with the
    server's message if that sync failed; fails without retries (AirflowFailException) when no retry can
    help (a deleted or archived connector, a refused key, a damaged token, a missing connection); raises
    AirflowSensorTimeout when ``timeout`` passes (``soft_fail`` turns failures and timeouts into a skip).
    """

    template_fields: Sequence[str] = (
        "connector_id",
        "after",
        "token",
        "timeout",
        "max_poll_interval",
        "wait_for_documents",
        "bigdata_conn_id",
    )
    valid_modes: Sequence[str] = ("poke",)
    operator_extra_links = (BigdataConnectorLink(),)

    def __init__(
        self,
        *,
        connector_id: str | None = None,
        after: datetime | str | None = None,
        token: str | dict[str, Any] | None = None,
        max_poll_interval: float | str = 120.0,
        wait_for_documents: bool | str = False,
        deferrable: bool | None = None,
        bigdata_conn_id: str = DEFAULT_CONN_ID,
        poll_interval: float | None = None,
        **kwargs: Any,
    ) -> None:
        if poll_interval is not None:  # the operator's name for it, accepted here too
            kwargs["poke_interval"] = poll_interval
        kwargs.setdefault("poke_interval", 15.0)
        templated_timeout = kwargs.get("timeout") if is_template(kwargs.get("timeout")) else None
        if templated_timeout is not None:
            kwargs.pop("timeout")  # BaseSensorOperator wants a number now; the rendered one is checked in execute
        super().__init__(**kwargs)
        if templated_timeout is not None:
            self.timeout = templated_timeout
        if token is None and (connector_id is None or after is None):
            raise ValueError("BigdataSyncSensor needs token=..., or connector_id=... with after=...")
        if token is not None and (connector_id is not None or after is not None):
            raise ValueError("give BigdataSyncSensor a token, or connector_id with after, not both")
        if isinstance(after, datetime):
            if after.tzinfo is None:
                raise ValueError("after must be timezone-aware (the API's timestamps are)")
            after = after.isoformat()
        self.connector_id = connector_id
        self.after = after
        self.token = token
        self.max_poll_interval = max_poll_interval
        self.wait_for_documents = wait_for_documents
        self.deferrable = default_deferrable() if deferrable is None else bool(deferrable)
        self.bigdata_conn_id = bigdata_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        try:
            trigger = self._trigger()
        except ValueError as err:
            raise AirflowFailException(f"BigdataSyncSensor cannot wait: {err}") from err
        if self.deferrable:
            self.log.info("Deferring to the triggerer until %s", trigger.deadline)
            self.defer(
                trigger=trigger,
                method_name="execute_complete",
                timeout=timedelta(seconds=self.timeout) + DEFERRAL_GRACE,
            )
        try:
            return self.execute_complete(context, asyncio.run(self._wait_in_worker(trigger)))
        except AirflowException as err:  # as BaseSensorOperator does for a deferred wait
            if self.soft_fail or self.never_fail:
                raise AirflowSkipException(
                    f"skipped ({'soft_fail' if self.soft_fail else 'never_fail'}): {err}"
                ) from err
            raise

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Where the task resumes with the trigger's event."""
        connector_id = event.get("connector_id") or str(self.connector_id or "")
        setattr(self, CONNECTOR_ATTR, connector_id)
        if event.get("status") == "timeout":
            raise AirflowSensorTimeout(
                f"connector {connector_id}: {event.get('message')}.{resume_hint(event.get('token'))}"
            )
        return outcome(event, connector_id)

    def poke(self, context: Context) -> bool:
        raise AirflowException("BigdataSyncSensor waits in execute(); it is never poked")

    # ------------------------------------------------------------------ the wait

    def _trigger(self) -> BigdataSyncTrigger:
        """The trigger for the rendered parameters; ValueError for a bad one."""
        self.timeout = seconds(self.timeout, "timeout")
        started = utcnow()
        deadline = (started + timedelta(seconds=self.timeout)).isoformat()
        poll = max(self.poke_interval, 0.01)
        common: dict[str, Any] = {
            "bigdata_conn_id": identifier(self.bigdata_conn_id, "bigdata_conn_id"),
            "poll_interval": poll,
            "max_poll_interval": max(seconds(self.max_poll_interval, "max_poll_interval"), poll),
            "wait_for_documents": flag(self.wait_for_documents, "wait_for_documents"),
        }
        if self.token is not None:
            token = self.token.get("token") if isinstance(self.token, dict) else self.token
            return BigdataSyncTrigger(token=identifier(token, "token"), deadline=deadline, **common)
        connector_id = identifier(self.connector_id, "connector_id")
        setattr(self, CONNECTOR_ATTR, connector_id)
        return BigdataSyncTrigger(
            connector_id=connector_id,
            after=_as_iso(str(self.after)),
            deadline=deadline,
            started_at=started.isoformat(),
            **common,
        )

    async def _wait_in_worker(self, trigger: BigdataSyncTrigger) -> dict[str, Any]:
        """The trigger's wait in the worker, on a client from a synchronous connection lookup."""
        try:
            client = client_from_connection(get_connection(trigger.bigdata_conn_id))
        except Exception as err:
            if not is_permanent(err):
                raise
            raise AirflowFailException(f"connection {trigger.bigdata_conn_id!r} cannot be used: {err}") from err
        async with client:
            return await trigger.wait_with(client)


def _as_iso(after: str) -> str:
    """Templated values arrive as text (``str(datetime)`` has a space, not a ``T``): normalise."""
    return parse_instant(after.strip(), "after").isoformat()
