"""Resume, never resubmit: ``BigdataSyncOperator.execute`` as a retried try runs it, with the sync token a
previous try left in the task's state store (Airflow 3.3's ``context["task_state_store"]`` interface, kept
in a dict here; the real store and the 3.1 Variable fallback are exercised by test_real_stack.py, where a
worker is killed mid-wait). The emulator counts every ``POST .../sync``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from airflow.sdk import Context

from bigdata_connectors import BigdataClient, SyncFailedError
from bigdata_connectors.airflow import BigdataSyncOperator, BigdataSyncTrigger
from bigdata_connectors.airflow._compat import TaskDeferralTimeout
from bigdata_connectors.airflow._resume import KEY
from tests_airflow.conftest import API_KEY, ThreadedEmulator
from tests_airflow.test_dags import new_broker, on_emulator

DATE = "2026-01-02"


class TaskStore:
    """``get``/``set``/``delete`` as Airflow 3.3's task state store accessor offers them."""

    def __init__(self, **values: Any) -> None:
        self.values = dict(values)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        assert API_KEY not in str(value)
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


@pytest.fixture
def served(threaded_emulator: ThreadedEmulator, bigdata_connection: Callable[[str], None]) -> ThreadedEmulator:
    bigdata_connection(threaded_emulator.emulator.base_url)
    return threaded_emulator


def ctx(store: TaskStore) -> Context:
    """The part of a task's context the operator reads before waiting: the task state store."""
    return cast(Context, {"task_state_store": store})


def operator(cid: str, **kwargs: Any) -> BigdataSyncOperator:
    kwargs.setdefault("deferrable", False)
    return BigdataSyncOperator(
        task_id="sync",
        connector_id=cid,
        date_limit=DATE,
        timeout=30,
        poll_interval=0.05,
        max_poll_interval=0.1,
        **kwargs,
    )


def started(served: ThreadedEmulator, cid: str, *, wait: bool = False) -> str:
    """What a first try left behind: the token of a sync it started (and, with ``wait``, saw end)."""

    async def go(client: BigdataClient) -> str:
        handle = await client.connectors.start_sync(cid, date_limit=DATE, timeout=30)
        if wait:
            with contextlib.suppress(SyncFailedError):
                await handle.wait(poll_interval=0.05)
        return handle.token()

    return str(on_emulator(served, go))


def posts(served: ThreadedEmulator) -> int:
    return int(served.emulator.requests["sync"])


def test_a_first_try_keeps_the_token_then_forgets_it_on_success(served: ThreadedEmulator) -> None:
    cid = new_broker(served)
    seen: list[Any] = []

    class Recording(TaskStore):
        def set(self, key: str, value: Any) -> None:
            seen.append(value)
            super().set(key, value)

    store = Recording()
    summary = operator(cid).execute(ctx(store))
    assert summary["status"] == "SUCCESS"
    assert posts(served) == 1
    assert len(seen) == 1
    assert seen[0].startswith("bdsync")
    assert store.values == {}  # a task cleared after success starts a fresh sync


def test_a_retry_reattaches_to_a_running_sync(served: ThreadedEmulator) -> None:
    served.emulator.sync_duration = 1.0
    cid = new_broker(served)
    token = started(served, cid)
    summary = operator(cid).execute(ctx(TaskStore(**{KEY: token})))
    assert summary["status"] == "SUCCESS"
    assert posts(served) == 1  # the first try's only


def test_a_retry_reports_a_sync_that_succeeded_meanwhile(served: ThreadedEmulator) -> None:
    cid = new_broker(served)
    token = started(served, cid, wait=True)
    summary = operator(cid).execute(ctx(TaskStore(**{KEY: token})))
    assert summary["status"] == "SUCCESS"
    assert posts(served) == 1


def test_a_retry_after_a_failed_sync_starts_a_new_one(served: ThreadedEmulator) -> None:
    cid = new_broker(served)
    served.emulator.fail_next_syncs(message="portal down")
    token = started(served, cid, wait=True)  # it ended FAILED
    summary = operator(cid).execute(ctx(TaskStore(**{KEY: token})))
    assert summary["status"] == "SUCCESS"
    assert posts(served) == 2


def test_resubmit_on_retry_starts_a_new_sync(served: ThreadedEmulator) -> None:
    cid = new_broker(served)
    token = started(served, cid, wait=True)
    summary = operator(cid, resubmit_on_retry=True).execute(ctx(TaskStore(**{KEY: token})))
    assert summary["status"] == "SUCCESS"
    assert posts(served) == 2


def test_a_deferrable_retry_defers_on_the_same_sync_with_a_new_deadline(served: ThreadedEmulator) -> None:
    try:
        from airflow.sdk.exceptions import TaskDeferred
    except ImportError:  # Airflow 3.1
        from airflow.exceptions import TaskDeferred  # type: ignore[no-redef]

    served.emulator.sync_duration = 30
    cid = new_broker(served)
    token = started(served, cid)
    store = TaskStore(**{KEY: token})
    with pytest.raises(TaskDeferred) as deferred:
        operator(cid, deferrable=True).execute(ctx(store))
    trigger = deferred.value.trigger
    assert isinstance(trigger, BigdataSyncTrigger)
    assert posts(served) == 1

    async def decode(client: BigdataClient) -> tuple[Any, Any]:
        before, after = client.connectors.resume_sync(token), client.connectors.resume_sync(str(trigger.token))
        return (before.connector_id, before.baseline, before.started_at), (
            after.connector_id,
            after.baseline,
            after.started_at,
            after.deadline,
        )

    first, again = on_emulator(served, decode)
    assert again[:3] == first  # the same sync: connector, baseline, start
    assert again[3] > datetime.now(UTC) + timedelta(seconds=25)  # this try's own deadline
    assert store.values[KEY] == trigger.token


def test_fire_and_forget_retry_returns_the_running_sync(served: ThreadedEmulator) -> None:
    served.emulator.sync_duration = 30
    cid = new_broker(served)
    token = started(served, cid)
    out = operator(cid, wait_for_completion=False).execute(ctx(TaskStore(**{KEY: token})))
    assert out["connector_id"] == cid
    assert set(out) == {"connector_id", "token"}
    assert posts(served) == 1


def test_airflows_own_deferral_timeout_still_says_which_sync_and_how_to_resume(served: ThreadedEmulator) -> None:
    cid = new_broker(served)
    token = started(served, cid)
    with pytest.raises(TaskDeferralTimeout) as caught:
        operator(cid, deferrable=True).resume_execution(
            "__fail__",
            {"error": "Trigger timeout"},
            ctx(TaskStore(**{KEY: token})),
        )
    message = str(caught.value)
    assert f"connector {cid}" in message
    assert "is a triggerer running?" in message
    assert token in message
    assert "a retry of this task reattaches" in message
