"""``BigdataSyncOperator``: start a connector sync from an Airflow task and wait for its outcome.

Deferrable (``[operators] default_deferrable`` by default): the task starts the sync, keeps its token in
the task's state store, hands the token to ``BigdataSyncTrigger`` and frees its worker slot; the
triggerer waits. Not deferrable: the same wait runs in the worker. A retried or restarted task reattaches
to the sync it started instead of starting another (``_resume``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn, TypeVar

from airflow.sdk import BaseOperator, Connection, Context

from bigdata_connectors import BigdataError, SyncHandle
from bigdata_connectors.airflow._compat import (
    AirflowException,
    AirflowFailException,
    TaskDeferralError,
    TaskDeferralTimeout,
    default_deferrable,
)
from bigdata_connectors.airflow._events import DEFERRAL_GRACE, is_permanent, outcome, resume_hint, utcnow
from bigdata_connectors.airflow._params import check_execution_timeout, flag, identifier, is_template, seconds
from bigdata_connectors.airflow._resume import token_store
from bigdata_connectors.airflow.hooks import DEFAULT_CONN_ID, client_from_connection, get_connection
from bigdata_connectors.airflow.links import CONNECTOR_ATTR, BigdataConnectorLink
from bigdata_connectors.airflow.triggers import BigdataSyncTrigger

T = TypeVar("T")


@dataclass(frozen=True)
class _Settings:
    """The rendered parameters, checked."""

    connector_id: str
    date_limit: str | date | None
    timeout: float
    poll_interval: float
    max_poll_interval: float
    wait_for_documents: bool


@dataclass(frozen=True)
class _Sync:
    """The sync this try waits on: its token and what the log says about it."""

    token: str
    connector_id: str
    started_at: datetime
    deadline: datetime | None
    how: str  # "started" or "reattached to"


class BigdataSyncOperator(BaseOperator):
    """Start a sync of ``connector_id`` and wait until it succeeds, fails or ``timeout`` runs out.

    ``date_limit`` (a date or "YYYY-MM-DD") is required for investment_research connectors and refused for
    sharepoint; an empty one means none. ``timeout`` (seconds) covers starting and waiting, and is a
    wall-clock deadline handed to the triggerer; it must not exceed ``execution_timeout`` (refused at DAG
    parse, or when the task starts for a templated value). ``poll_interval`` (seconds) grows x1.5 to
    ``max_poll_interval``. Every one of these, ``connector_id``, ``wait_for_documents`` and
    ``bigdata_conn_id`` is templated. ``deferrable`` defaults to ``[operators] default_deferrable``.

    Sends ``GET /contents/v1/connectors/{id}`` (the baseline), ``POST .../sync`` once, then ``GET`` polls.
    The sync's token is kept in the task's state store (``_resume``) as soon as the trigger is accepted; a
    later try of the same task instance reads it first: a sync still running is waited for again, one that
    succeeded since its baseline is reported, and a new one is started only when the stored one is over and
    failed, or when ``resubmit_on_retry=True``. The entry is forgotten once the task reports success.

    Returns ``{"connector_id", "status", "items", "files", "last_sync_at", "elapsed"}`` (``elapsed``: seconds
    since the server accepted the trigger); with ``wait_for_documents`` the wait goes on, within the same
    ``timeout``, until every document the sync brought in is processed, and the summary adds ``documents``:
    ``{"completed", "failed", "processing", "expected", "failed_names"}`` (failed documents are logged; they
    do not fail the task). With ``wait_for_completion=False`` the task returns ``{"connector_id", "token"}``
    at once, for ``BigdataSyncSensor(token=...)`` to wait on elsewhere.

    Fails the task (AirflowException, retryable) with the server's message on a failed sync and with a "may
    still be running" message on timeout (the API cannot cancel a sync); without using retries
    (AirflowFailException) when no retry can help, before or during the wait: an email, archived, deleted or
    unknown connector, a bad date_limit, a refused key, a missing connection.
    """

    template_fields: Sequence[str] = (
        "connector_id",
        "date_limit",
        "timeout",
        "poll_interval",
        "max_poll_interval",
        "wait_for_documents",
        "bigdata_conn_id",
    )
    operator_extra_links = (BigdataConnectorLink(),)
    ui_color = "#e8f0fe"

    def __init__(
        self,
        *,
        connector_id: str,
        date_limit: date | str | None = None,
        timeout: float | str = 3600.0,
        poll_interval: float | str = 15.0,
        max_poll_interval: float | str = 120.0,
        wait_for_documents: bool | str = False,
        wait_for_completion: bool = True,
        resubmit_on_retry: bool = False,
        deferrable: bool | None = None,
        bigdata_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.connector_id = connector_id
        self.date_limit = date_limit
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.wait_for_documents = wait_for_documents
        self.wait_for_completion = bool(wait_for_completion)
        self.resubmit_on_retry = bool(resubmit_on_retry)
        self.deferrable = default_deferrable() if deferrable is None else bool(deferrable)
        self.bigdata_conn_id = bigdata_conn_id
        self._summary: dict[str, Any] | None = None
        # At DAG parse, whatever is not a template yet: a mistake shows as the DAG's import error.
        numbers = [timeout, poll_interval, max_poll_interval]
        if not any(is_template(v) for v in numbers):
            timeout_s, poll_s, max_s = (
                seconds(v, n) for v, n in zip(numbers, ("timeout", "poll_interval", "max_poll_interval"), strict=True)
            )
            if poll_s > max_s:
                raise ValueError("need poll_interval <= max_poll_interval (seconds)")
            check_execution_timeout(self.execution_timeout, timeout_s, f"task {self.task_id!r}")

    # ------------------------------------------------------------------ Airflow's entry points

    def execute(self, context: Context) -> dict[str, Any]:
        settings = self._settings()
        conn = self._connection()
        store = token_store(context)
        setattr(self, CONNECTOR_ATTR, settings.connector_id)
        sync = self._run(self._prepare(conn, store.get(), settings))
        store.set(sync.token)  # the moment the trigger is accepted (or a reattach set a new deadline)
        self.log.info(
            "Sync of connector %s %s, started at %s, deadline %s. Kept in %s.%s",
            sync.connector_id,
            sync.how,
            sync.started_at.isoformat(),
            sync.deadline.isoformat() if sync.deadline else "none",
            store.where,
            resume_hint(sync.token),
        )
        if not self.wait_for_completion:
            store.delete()
            return {"connector_id": sync.connector_id, "token": sync.token}
        trigger = BigdataSyncTrigger(
            token=sync.token,
            bigdata_conn_id=self.bigdata_conn_id,
            poll_interval=settings.poll_interval,
            max_poll_interval=settings.max_poll_interval,
            wait_for_documents=settings.wait_for_documents,
        )
        if self.deferrable:
            self.log.info("Deferring to the triggerer: no worker slot is held while the sync runs")
            self.defer(
                trigger=trigger,
                method_name="execute_complete",
                timeout=timedelta(seconds=settings.timeout) + DEFERRAL_GRACE,
            )
        self.log.info("Waiting in the worker (deferrable=False)")
        event = self._run(self._wait_in_worker(conn, trigger))
        return self.execute_complete(context, event)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Where the task resumes with the trigger's event: the summary, or a failed task."""
        setattr(self, CONNECTOR_ATTR, event.get("connector_id") or self.connector_id)
        try:
            summary = outcome(event, str(self.connector_id))
        except AirflowFailException:
            self._forget(context)  # nothing left to reattach to
            raise
        self._summary = summary
        failed = (summary.get("documents") or {}).get("failed_names")
        if failed:
            self.log.warning(
                "Sync of connector %s: %d documents failed: %s", summary["connector_id"], len(failed), failed
            )
        self._forget(context)
        return summary

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context) -> Any:
        """As Airflow's, but when Airflow's own deferral timeout (or a crashed trigger) ends the wait without
        calling ``execute_complete``, the failure still says which sync, since when, and how to resume."""
        try:
            return super().resume_execution(next_method, next_kwargs, context)
        except (TaskDeferralTimeout, TaskDeferralError) as err:
            self._explain_lost_wait(context, err)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """OpenLineage (``apache-airflow-providers-openlineage``): one output dataset, namespace ``bigdata``,
        name the connector id, with the sync's counts (and the documents' when they were awaited)."""
        from bigdata_connectors.airflow._lineage import sync_lineage

        connector_id = getattr(self, CONNECTOR_ATTR, None) or str(self.connector_id)
        return sync_lineage(connector_id, self._summary)

    # ------------------------------------------------------------------ the steps

    def _settings(self) -> _Settings:
        try:
            settings = _Settings(
                connector_id=identifier(self.connector_id, "connector_id"),
                date_limit=(str(self.date_limit).strip() or None)
                if isinstance(self.date_limit, str)
                else self.date_limit,
                timeout=seconds(self.timeout, "timeout"),
                poll_interval=seconds(self.poll_interval, "poll_interval"),
                max_poll_interval=seconds(self.max_poll_interval, "max_poll_interval"),
                wait_for_documents=flag(self.wait_for_documents, "wait_for_documents"),
            )
            if settings.poll_interval > settings.max_poll_interval:
                raise ValueError("need poll_interval <= max_poll_interval (seconds)")
            check_execution_timeout(self.execution_timeout, settings.timeout, f"task {self.task_id!r}")
        except ValueError as err:
            raise AirflowFailException(f"cannot sync: {err}") from err
        return settings

    def _connection(self) -> Connection:
        """The connection, looked up synchronously (a worker, ``airflow dags test``, ``dag.test()``). A
        missing one fails the task without retries: waiting does not create it."""
        try:
            return get_connection(self.bigdata_conn_id)
        except Exception as err:
            if not is_permanent(err):
                raise
            raise AirflowFailException(
                f"connection {self.bigdata_conn_id!r} cannot be used: {err}. Define it (type bigdata, the API key "
                "as password) in Airflow's connections, an AIRFLOW_CONN_ variable or a secrets backend."
            ) from err

    async def _prepare(self, conn: Connection, stored: str | None, settings: _Settings) -> _Sync:
        """Reattach to the stored sync when it is still running or succeeded since its baseline (one ``GET``);
        otherwise start one (``GET`` + ``POST .../sync``)."""
        async with client_from_connection(conn) as client:
            previous = self._stored_handle(client.connectors.resume_sync, stored, settings.connector_id)
            if previous is not None:
                state = await self._state_of(previous)
                if state != "failed":
                    deadline = utcnow() + timedelta(seconds=settings.timeout)
                    again = client.connectors.attach_sync(
                        previous.connector_id,
                        after=previous.baseline,
                        started_at=previous.started_at,
                        deadline=deadline,
                    )
                    return _sync(again, f"reattached to (it was {state} on this try's first read)")
            handle = await client.connectors.start_sync(
                settings.connector_id, date_limit=settings.date_limit, timeout=settings.timeout
            )
            return _sync(handle, "started")

    def _stored_handle(self, resume: Any, stored: str | None, connector_id: str) -> SyncHandle | None:
        if stored is None:
            return None
        if self.resubmit_on_retry:
            self.log.info("resubmit_on_retry=True: starting a new sync, not reattaching to %s", stored)
            return None
        try:
            handle: SyncHandle = resume(stored)
        except ValueError as err:
            self.log.warning("The stored sync token is unreadable (%s); starting a new sync", err)
            return None
        if str(handle.connector_id) != connector_id.lower():
            self.log.info(
                "The stored sync is of connector %s, not %s; starting a new sync", handle.connector_id, connector_id
            )
            return None
        return handle

    async def _state_of(self, handle: SyncHandle) -> str:
        """The stored sync's state by one ``GET``: "running", "succeeded", "failed", or "unknown" when the API
        does not answer (then the wait, which rides out outages, finds out: never a second sync on a doubt).
        Raises what no retry can fix (the connector deleted or archived, the key refused)."""
        try:
            seen = await handle.poll()
        except BigdataError as err:
            if is_permanent(err):
                raise
            self.log.warning("Could not read the stored sync's state (%s); reattaching to it", err)
            return "unknown"
        if seen.state == "failed":
            self.log.warning(
                "The sync this task started before ended %s: %s; starting a new one",
                seen.connector.last_sync_status,
                seen.connector.last_sync_error_msg or "no message",
            )
        return seen.state

    async def _wait_in_worker(self, conn: Connection, trigger: BigdataSyncTrigger) -> dict[str, Any]:
        async with client_from_connection(conn) as client:
            return await trigger.wait_with(client)

    def _forget(self, context: Context) -> None:
        try:
            token_store(context).delete()
        except Exception as err:  # the outcome stands; a stale entry only costs the next try one read
            self.log.warning("Could not delete the stored sync token: %s", err)

    def _explain_lost_wait(self, context: Context, err: BaseException) -> NoReturn:
        try:
            token = token_store(context).get()
        except Exception:
            token = None
        what = "Airflow's deferral timeout passed" if isinstance(err, TaskDeferralTimeout) else "the trigger failed"
        raise type(err)(
            f"{what} ({err}) before the Bigdata trigger reported the sync of connector {self.connector_id}: is a "
            "triggerer running? The sync may still be running on the server (nothing was cancelled)."
            + (resume_hint(token) or " No sync token was found in the task's state store.")
        ) from err

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        try:
            return asyncio.run(work)
        except BigdataError as err:
            kind = AirflowFailException if is_permanent(err) else AirflowException
            raise kind(f"cannot sync connector {self.connector_id}: {err}") from err
        except ValueError as err:
            raise AirflowFailException(f"cannot sync connector {self.connector_id}: {err}") from err


def _sync(handle: SyncHandle, how: str) -> _Sync:
    return _Sync(handle.token(), str(handle.connector_id), handle.started_at, handle.deadline, how)
