"""``BigdataSyncSensor``: wait for a sync someone else started (a schedule, a colleague, another DAG)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import BaseSensorOperator, Context
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout, AirflowSkipException

from bigdata_connectors.airflow._events import DEFERRAL_GRACE, first_event, outcome, parse_instant, utcnow
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID
from bigdata_connectors.airflow.triggers import BigdataSyncTrigger


class BigdataSyncSensor(BaseSensorOperator):
    """Wait until connector ``connector_id`` finishes a sync that ends after ``after``.

    ``after`` (templated; an aware datetime or an ISO 8601 string with offset, e.g.
    ``"{{ data_interval_end }}"``) is the baseline: a sync the server reports as finished at or before
    it does not count, so yesterday's SUCCESS is never taken for today's. ``timeout`` and
    ``poke_interval`` are the sensor's usual seconds; polls grow x1.5 from ``poke_interval`` up to
    ``max_poll_interval``. Deferrable by default (the triggerer waits); otherwise the wait runs in the
    worker. ``mode="reschedule"`` is not offered: deferral frees the worker better.

    Sends only ``GET /contents/v1/connectors/{id}``: it never triggers a sync. Returns the summary
    (as ``BigdataSyncOperator``); fails with the server's message if that sync failed, raises
    AirflowSensorTimeout when ``timeout`` passes (``soft_fail`` turns both into a skip).
    """

    template_fields: Sequence[str] = ("connector_id", "after")
    valid_modes: Sequence[str] = ("poke",)

    def __init__(
        self,
        *,
        connector_id: str,
        after: datetime | str,
        max_poll_interval: float = 120.0,
        deferrable: bool = True,
        bigdata_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("poke_interval", 15.0)
        super().__init__(**kwargs)
        if isinstance(after, datetime):
            if after.tzinfo is None:
                raise ValueError("after must be timezone-aware (the API's timestamps are)")
            after = after.isoformat()
        self.connector_id = connector_id
        self.after = after
        self.max_poll_interval = max(float(max_poll_interval), self.poke_interval)
        self.deferrable = deferrable
        self.bigdata_conn_id = bigdata_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        started = utcnow()
        trigger = BigdataSyncTrigger(
            connector_id=self.connector_id,
            after=_as_iso(self.after),
            deadline=(started + timedelta(seconds=self.timeout)).isoformat(),
            started_at=started.isoformat(),
            bigdata_conn_id=self.bigdata_conn_id,
            poll_interval=max(self.poke_interval, 0.01),
            max_poll_interval=self.max_poll_interval,
        )
        if self.deferrable:
            self.defer(
                trigger=trigger,
                method_name="execute_complete",
                timeout=timedelta(seconds=self.timeout) + DEFERRAL_GRACE,
            )
        try:
            return self.execute_complete(context, asyncio.run(first_event(trigger.run())))
        except AirflowException as err:  # as BaseSensorOperator does for a deferred wait
            if self.soft_fail or self.never_fail:
                raise AirflowSkipException(
                    f"skipped ({'soft_fail' if self.soft_fail else 'never_fail'}): {err}"
                ) from err
            raise

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Where the task resumes with the trigger's event."""
        if event.get("status") == "timeout":
            raise AirflowSensorTimeout(f"connector {self.connector_id}: {event.get('message')}")
        return outcome(event, self.connector_id)

    def poke(self, context: Context) -> bool:
        raise AirflowException("BigdataSyncSensor waits in execute(); it is never poked")


def _as_iso(after: str) -> str:
    """Templated values arrive as text (``str(datetime)`` has a space, not a ``T``): normalise."""
    return parse_instant(after.strip(), "after").isoformat()
