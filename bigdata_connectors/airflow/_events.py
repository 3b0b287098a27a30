"""The payloads that cross from the trigger back to the task: small, JSON-native, secret-free.

Every event is ``{"status", "connector_id", "message", "summary", "retryable", "token"}``: ``status`` is one
of ``success`` / ``failed`` / ``timeout`` / ``error``; ``summary`` is filled on success (what the task
returns as its XCom) and ``None`` otherwise; ``retryable`` is False for an error no retry can fix (the
connector deleted or archived, the key refused, an email connector, a missing connection, a damaged token);
``token`` names the sync waited on (None when unknown). Events stored by an earlier version lack the last
two keys: they read as retryable. Messages come from the SDK's errors, which never carry the API key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from airflow.triggers.base import TriggerEvent

from bigdata_connectors import (
    AuthenticationError,
    ConfigurationError,
    Connector,
    ConnectorArchivedError,
    DocumentsSummary,
    NotFoundError,
    PermissionDeniedError,
    SyncNotSupportedError,
)
from bigdata_connectors.airflow._compat import AirflowException, AirflowFailException, AirflowNotFoundException

EventStatus = Literal["success", "failed", "timeout", "error"]
STATUSES: tuple[EventStatus, ...] = ("success", "failed", "timeout", "error")

# Airflow's own deferral timeout, past the trigger's deadline: a backstop for a triggerer that never
# answers (the task fails instead of staying deferred for days). The trigger's deadline comes first.
DEFERRAL_GRACE = timedelta(minutes=10)

# Retrying the task cannot fix these: the task fails without using up its retries. ValueError: a bad
# date_limit or a damaged token; AirflowNotFoundException: no such connection.
PERMANENT: tuple[type[BaseException], ...] = (
    SyncNotSupportedError,
    ConnectorArchivedError,
    ValueError,
    ConfigurationError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    AirflowNotFoundException,
)


def is_permanent(err: BaseException) -> bool:
    """Whether no retry of the task can fix ``err`` (see ``PERMANENT``)."""
    return isinstance(err, PERMANENT)


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_instant(value: str, name: str) -> datetime:
    """An aware datetime from an ISO 8601 string; ValueError names ``name`` otherwise."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an ISO 8601 timestamp with a UTC offset, got {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{name} must carry a UTC offset (wall-clock time crosses machines), got {value!r}")
    return moment


def sync_summary(connector: Connector, *, elapsed: float, documents: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a successful sync task returns: the connector's outcome as the API reported it,
    ``elapsed`` (seconds, wall clock, from when the task started the sync or began waiting) and,
    when asked for, the documents summary."""
    summary: dict[str, Any] = {
        "connector_id": str(connector.connector_id),
        "status": connector.last_sync_status,
        "items": connector.last_sync_count,
        "files": connector.files_count,
        "last_sync_at": connector.last_sync_at.isoformat() if connector.last_sync_at else None,
        "elapsed": round(elapsed, 3),
    }
    if documents is not None:
        summary["documents"] = documents
    return summary


def documents_summary(documents: DocumentsSummary) -> dict[str, Any]:
    """The documents a sync brought in, as JSON: counts by outcome, the count the connector reported
    (``expected``, None if it did not say) and the failed documents' names."""
    return {
        "completed": len(documents.completed),
        "failed": len(documents.failed),
        "processing": len(documents.processing),
        "expected": documents.expected,
        "failed_names": documents.failed_names,
    }


def event_payload(
    status: EventStatus,
    connector_id: str | None,
    message: str,
    summary: dict[str, Any] | None = None,
    *,
    retryable: bool = True,
    token: str | None = None,
) -> dict[str, Any]:
    return {
        "status": status,
        "connector_id": connector_id,
        "message": message,
        "summary": summary,
        "retryable": retryable,
        "token": token,
    }


def error_payload(err: BaseException, connector_id: str | None, token: str | None) -> dict[str, Any]:
    """The ``error`` event for an exception, classified once: ``retryable`` False for ``PERMANENT``."""
    return event_payload(
        "error", connector_id, f"{type(err).__name__}: {err}", retryable=not is_permanent(err), token=token
    )


async def first_event(events: AsyncIterator[TriggerEvent]) -> dict[str, Any]:
    """The payload of the one event a trigger's ``run()`` yields (the in-worker wait)."""
    async for event in events:
        payload: dict[str, Any] = event.payload
        return payload
    raise AirflowException("the Bigdata trigger ended without an event")  # run() always yields once


def resume_hint(token: str | None) -> str:
    """How to pick a sync up again, for the task log and failure messages."""
    if not token:
        return ""
    return (
        f" Sync token: {token} (a retry of this task reattaches to this sync; another task can wait for it "
        f"with BigdataSyncSensor(token=...))."
    )


def outcome(event: dict[str, Any], connector_id: str) -> dict[str, Any]:
    """The summary of a ``success`` event. Otherwise raises AirflowFailException for an error no retry can
    fix, AirflowException for the rest; the message says what happened and which sync."""
    status, message = event.get("status"), event.get("message") or ""
    cid = event.get("connector_id") or connector_id
    hint = resume_hint(event.get("token"))
    if status == "success" and isinstance(event.get("summary"), dict):
        summary: dict[str, Any] = event["summary"]
        return summary
    if status == "failed":
        raise AirflowException(f"sync of connector {cid} failed: {message}")
    if status == "timeout":
        raise AirflowException(f"sync of connector {cid} timed out: {message}.{hint}")
    if status == "error" and event.get("retryable") is False:
        raise AirflowFailException(
            f"waiting for the sync of connector {cid} failed, and no retry can fix it: {message}"
        )
    if status in STATUSES:
        raise AirflowException(f"waiting for the sync of connector {cid} failed: {message}.{hint}")
    raise AirflowException(f"unexpected event from the Bigdata trigger: {event!r}")
