"""The behaviours that need a whole Airflow: api-server, scheduler (LocalExecutor workers), dag-processor and
triggerer as separate processes (tests_airflow/stack.py), the connection stored in Airflow's database, the
emulator on loopback counting every request.

- a worker killed mid-wait (in-worker mode): the retry reattaches; exactly one ``POST .../sync``;
- a triggerer restarted mid-wait: one ``POST .../sync``, the task succeeds;
- the API down for longer than the SDK's own retries during a deferred wait: the task still succeeds;
- the documents watcher: one DAG run per new batch (a broker sync, mail into an email connector), never
  twice for the same document across a triggerer restart;
- the connector link renders through the REST API; no API key in any metadata table or task log.
"""

from __future__ import annotations

import json
import shutil
import signal
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs in the Airflow virtualenv
import pytest
from airflow import __version__ as airflow_version

from bigdata_connectors import BigdataClient
from tests_airflow.conftest import API_KEY, DAGS, HOME, ROOT, ThreadedEmulator, metadata_rows_with, store_connection
from tests_airflow.stack import Stack, wait_until

# Airflow 3.3 added the asset state store, where the documents watcher keeps its cursor.
STATE_STORE = tuple(int(part) for part in airflow_version.split(".")[:2]) >= (3, 3)

DAG_FILE = ROOT / "tests_airflow" / "dags" / "bigdata_stack_dags.py"
EXAMPLE = ROOT / "examples" / "airflow" / "broker_feed_dag.py"
WEB_APP = "https://research.bank.example/bigdata"


def on_emulator(served: ThreadedEmulator, work: Any) -> Any:
    async def go() -> Any:
        async with BigdataClient(API_KEY, base_url=served.emulator.base_url) as client:
            return await work(client)

    return served.call(go)


def new_connector(served: ThreadedEmulator, kind: str = "investment_research") -> str:
    async def create(client: BigdataClient) -> str:
        if kind == "email":
            made = await client.connectors.create(
                type="email", label="inbox", config={"allowed_emails": ["a@b.example"]}
            )
        else:
            made = await client.connectors.create(
                type="investment_research",
                label="Broker feed",
                config={"user_id": "analyst@broker.example", "user_password": "pw-not-a-secret-here"},
            )
        return str(made.connector_id)

    return str(on_emulator(served, create))


def deliver_mail(served: ThreadedEmulator, connector_id: str, count: int) -> None:
    """Mail arriving in an email connector: ``count`` new documents."""

    async def deliver() -> None:
        served.emulator.receive_email(connector_id, count)

    served.call(deliver)


@pytest.fixture(scope="module")
def served() -> Iterator[ThreadedEmulator]:
    emulator = ThreadedEmulator(sync_duration=6.0)
    emulator.emulator.document_processing = 0.5
    try:
        yield emulator
    finally:
        emulator.close()


@pytest.fixture(scope="module")
def watched(served: ThreadedEmulator) -> dict[str, str]:
    return {"broker": new_connector(served), "email": new_connector(served, "email")}


@pytest.fixture(scope="module")
def stack(airflow_db: None, served: ThreadedEmulator, watched: dict[str, str]) -> Iterator[Stack]:
    store_connection("bigdata_default", served.emulator.base_url, extra=json.dumps({"web_app_url": WEB_APP}))
    (DAGS / "watched.json").write_text(json.dumps(list(watched.values())))
    shutil.copy(DAG_FILE, DAGS / DAG_FILE.name)
    shutil.copy(EXAMPLE, DAGS / EXAMPLE.name)
    deployment = Stack(HOME, {})
    try:
        deployment.start_all()
        wait_until(lambda: _dag_known("stack_on_new_documents"), 120, "the dag-processor to parse the DAGs")
        yield deployment
    finally:
        deployment.stop()
        assert not deployment.strays(), "a process the stack started outlived stop()"
        (DAGS / DAG_FILE.name).unlink(missing_ok=True)
        (DAGS / EXAMPLE.name).unlink(missing_ok=True)


# ---------------------------------------------------------------- reading Airflow's state


def _dag_known(dag_id: str) -> bool:
    from airflow.models import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.query(DagModel).filter(DagModel.dag_id == dag_id).count() == 1


def task_instance(dag_id: str, run_id: str) -> Any:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        ti = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=run_id, task_id="sync").one_or_none()
        if ti is not None:
            session.expunge(ti)
        return ti


def run_state(dag_id: str, run_id: str) -> str | None:
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter_by(dag_id=dag_id, run_id=run_id).one_or_none()
        return None if run is None else str(run.state)


def trigger(stack: Stack, dag_id: str, conf: dict[str, Any]) -> str:
    run_id = f"test__{dag_id}__{time.time_ns()}"
    done = stack.airflow("dags", "trigger", dag_id, "--run-id", run_id, "--conf", json.dumps(conf))
    assert done.returncode == 0, done.stderr
    return run_id


def finished(dag_id: str, run_id: str, timeout: float = 90) -> str:
    return str(
        wait_until(lambda: (s := run_state(dag_id, run_id)) in ("success", "failed") and s, timeout, f"{dag_id} to end")
    )


def task_log(dag_id: str, run_id: str) -> str:
    folder = HOME / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
    return "\n".join(path.read_text(errors="replace") for path in sorted(folder.rglob("*.log")))


def syncs_posted(served: ThreadedEmulator) -> int:
    return int(served.emulator.requests["sync"])


def deferred_sync(stack: Stack, served: ThreadedEmulator) -> str:
    """A run of ``stack_deferred`` on a new connector, once its task has deferred; its run id."""
    run_id = trigger(stack, "stack_deferred", {"connector_id": new_connector(served)})
    wait_until(
        lambda: (ti := task_instance("stack_deferred", run_id)) and str(ti.state) == "deferred", 90, "the task to defer"
    )
    return run_id


# ---------------------------------------------------------------- resume, never resubmit


def test_a_worker_killed_mid_wait_reattaches_on_retry(stack: Stack, served: ThreadedEmulator) -> None:
    served.emulator.sync_duration = 9.0
    cid = new_connector(served)
    before = syncs_posted(served)
    run_id = trigger(stack, "stack_inline", {"connector_id": cid})
    wait_until(lambda: syncs_posted(served) == before + 1, 90, "the sync to be triggered")
    ti = wait_until(lambda: task_instance("stack_inline", run_id), 10, "the task instance")
    time.sleep(1.5)  # mid-wait: polling in the worker
    # The task's own process (its supervisor stays, as when the OOM killer strikes): "airflow worker -- <ti id>".
    title = f"airflow worker -- {ti.id}"
    workers = [p for p in psutil.process_iter(["cmdline"]) if " ".join(p.info["cmdline"] or []).startswith(title)]
    assert len(workers) == 1, "the task's process was not found"
    for process in workers:
        process.send_signal(signal.SIGKILL)
    assert finished("stack_inline", run_id) == "success", stack.log("scheduler")[-3000:]
    assert syncs_posted(served) == before + 1  # the retry reattached: no second POST /sync
    assert task_instance("stack_inline", run_id).try_number == 2
    assert "reattached to" in task_log("stack_inline", run_id)


def test_a_triggerer_restart_mid_wait_sends_one_sync(stack: Stack, served: ThreadedEmulator) -> None:
    served.emulator.sync_duration = 10.0
    before = syncs_posted(served)
    run_id = deferred_sync(stack, served)
    assert syncs_posted(served) == before + 1
    stack.restart("triggerer")
    assert finished("stack_deferred", run_id) == "success", stack.log("triggerer")[-3000:]
    assert syncs_posted(served) == before + 1
    assert task_instance("stack_deferred", run_id).try_number == 1


def test_the_api_down_longer_than_the_sdks_retries_during_a_wait(stack: Stack, served: ThreadedEmulator) -> None:
    served.emulator.sync_duration = 4.0
    before = syncs_posted(served)
    run_id = deferred_sync(stack, served)
    served.emulator.inject(1.0, kinds=["503"], routes=["get"])  # every poll answered 503 for 10 s (the SDK's own
    time.sleep(10)  # retries give up after about 4 s)
    served.emulator.clear_faults()
    assert finished("stack_deferred", run_id) == "success"
    assert syncs_posted(served) == before + 1
    # Rode out in the wait itself (the core's poll loop), not by the task's retry reattaching.
    assert task_instance("stack_deferred", run_id).try_number == 1


# ---------------------------------------------------------------- the example DAG, on a manual run


def test_the_example_dag_on_a_manual_run_without_a_logical_date(stack: Stack, served: ThreadedEmulator) -> None:
    """``airflow dags trigger`` without ``-l``: no logical date, so no ``ds``; the example's date_limit comes
    from ``dag_run.run_after``. With no connector id at all (no parameter, no Variable) it fails at once,
    without a retry and without a request."""
    served.emulator.sync_duration = 60.0
    served.emulator.exchanges = []
    before = syncs_posted(served)
    nothing = trigger(stack, "bigdata_broker_feed", {})
    assert finished("bigdata_broker_feed", nothing) == "failed"
    assert syncs_posted(served) == before
    assert "connector_id is empty" in task_log("bigdata_broker_feed", nothing)

    cid = new_connector(served)
    trigger(stack, "bigdata_broker_feed", {"connector_id": cid})
    wait_until(lambda: syncs_posted(served) == before + 1, 90, "the example's sync")
    [sent] = [json.loads(x.request_body) for x in served.emulator.exchanges if x.route == "sync"]
    assert sent == {"date_limit": datetime.now(UTC).date().isoformat()}
    served.emulator.exchanges = None


# ---------------------------------------------------------------- the link, and no key anywhere


def test_the_connector_link_renders(stack: Stack, served: ThreadedEmulator) -> None:
    served.emulator.sync_duration = 0.5
    cid = new_connector(served)
    run_id = trigger(stack, "stack_deferred", {"connector_id": cid})
    assert finished("stack_deferred", run_id) == "success"
    base = f"http://127.0.0.1:{stack.port}"
    with urllib.request.urlopen(f"{base}/auth/token", timeout=30) as answer:  # all-admins: no credentials
        token = json.loads(answer.read())["access_token"]
    request = urllib.request.Request(
        f"{base}/api/v2/dags/stack_deferred/dagRuns/{run_id}/taskInstances/sync/links",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        links = json.loads(answer.read())
    assert links["extra_links"] == {"Bigdata connector": f"{WEB_APP}/connectors/{cid}"}


# ---------------------------------------------------------------- the documents watcher


def watcher_events() -> list[dict[str, Any]]:
    """The payloads of every asset event the watcher produced, oldest first.

    Only the watcher's payloads (they carry ``document_ids``): on sqlite, an earlier test's sync trigger can be
    tied to the asset. Airflow does not turn sqlite's foreign keys on, so deleting a watcher's trigger row leaves its
    ``asset_trigger`` link (the ``ON DELETE CASCADE`` is not enforced), and sqlite gives the next trigger row the
    freed id: that sync trigger's event then lands as an asset event too (seen on 3.1). Postgres and MySQL enforce
    the cascade and never reuse an id."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == "bigdata_research_inbox")
            .order_by(AssetEvent.id)
            .all()
        )
        payloads = [dict((row.extra or {}).get("payload") or {}) for row in rows]
        return [p for p in payloads if "document_ids" in p]


def watcher_runs() -> int:
    """DAG runs of the asset-scheduled DAG made from the watcher's events. Not every run of that DAG: the stray sync
    event ``watcher_events`` leaves out (sqlite, above) schedules one too (seen on 3.1)."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == "bigdata_research_inbox")
            .all()
        )
        return len(
            {
                run.id
                for row in rows
                if "document_ids" in ((row.extra or {}).get("payload") or {})
                for run in row.created_dagruns
                if run.dag_id == "stack_on_new_documents"
            }
        )


CLIENT_LINE = "one client for the triggers of this process"


def watcher_triggers() -> list[dict[str, Any]]:
    """The documents watchers' trigger rows: kwargs (decrypted) and whether a triggerer runs them."""
    from airflow.models.trigger import Trigger
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(Trigger).filter(Trigger.classpath.like("%BigdataDocumentsTrigger")).all()
        return [{"id": row.id, "kwargs": row.kwargs, "running": row.triggerer_id is not None} for row in rows]


def watcher_running(ids: list[str]) -> bool:
    return any(t["running"] and sorted(t["kwargs"].get("connector_ids", [])) == sorted(ids) for t in watcher_triggers())


def test_the_documents_watcher_fires_once_per_batch_across_a_triggerer_restart(
    stack: Stack, served: ThreadedEmulator, watched: dict[str, str]
) -> None:
    served.emulator.sync_duration = 0.5
    served.emulator.sync_items = 3
    ids = list(watched.values())
    wait_until(lambda: watcher_running(ids), 90, "a triggerer to run the watcher", diagnose=watcher_triggers)
    listed = served.emulator.requests["list_documents"]
    wait_until(lambda: served.emulator.requests["list_documents"] >= listed + 2, 60, "the watcher's first listing")

    on_emulator(
        served, lambda c: c.connectors.sync_and_wait(watched["broker"], date_limit="2026-01-02", poll_interval=0.1)
    )
    first = wait_until(lambda: watcher_events(), 60, "the watcher's first event", diagnose=watcher_triggers)
    diagnosis = f"events {first}, watched {watched}, watcher triggers {watcher_triggers()}"
    assert len(first) == 1, diagnosis
    assert first[0]["connector_id"] == watched["broker"], diagnosis
    assert len(first[0]["document_ids"]) == 3

    started = stack.log("triggerer").count(CLIENT_LINE)
    stack.kill("triggerer")
    if STATE_STORE:  # 3.3+: the cursor is in the asset's state store, so mail that lands while no triggerer runs counts
        deliver_mail(served, watched["email"], 2)
        time.sleep(2)  # processed (completed) before the watcher is back
    stack.start("triggerer")
    # The restarted triggerer runs no deferred task: its first shared client is the watcher's; then it lists.
    wait_until(lambda: stack.log("triggerer").count(CLIENT_LINE) > started, 90, "the watcher to run again")
    listed = served.emulator.requests["list_documents"]
    wait_until(lambda: served.emulator.requests["list_documents"] >= listed + 2, 60, "the restarted watcher's listing")
    time.sleep(2)  # the restarted watcher polls several times more: nothing already reported comes again
    if not STATE_STORE:  # 3.1-3.2: the cursor lives in memory; mail must land while the watcher runs
        assert len(watcher_events()) == 1
        deliver_mail(served, watched["email"], 2)

    events = wait_until(lambda: len(e := watcher_events()) >= 2 and e, 60, "the email batch's event")
    time.sleep(2)
    events = watcher_events()
    assert len(events) == 2, events
    assert events[1]["connector_id"] == watched["email"]
    assert len(events[1]["document_ids"]) == 2
    reported = [doc for event in events for doc in event["document_ids"]]
    assert len(reported) == len(set(reported)) == 5
    wait_until(lambda: watcher_runs() >= 1, 60, "a DAG run scheduled on the asset")
    assert watcher_runs() <= 2  # one per batch (the scheduler may fold two events into one run)


def test_no_api_key_in_the_metadata_database_or_the_task_logs(stack: Stack) -> None:
    """Runs last in this module: after every DAG run above."""
    assert metadata_rows_with(API_KEY) == []
    logs = [p for p in (HOME / "logs").rglob("*") if p.is_file() and API_KEY in p.read_text(errors="replace")]
    assert logs == []
    assert all(API_KEY not in stack.log(name) for name in ("scheduler", "triggerer", "dag-processor", "api-server"))
