"""Whole DAG runs in one process with ``dag.test()`` on real Airflow: the task starts the sync, defers,
Airflow serialises the trigger, runs it inline (as its triggerer would) and resumes the task with the
event; or, not deferrable, the task waits in the worker. The emulator serves from its own thread; the
connection comes from ``AIRFLOW_CONN_BIGDATA_DEFAULT``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest
from airflow.sdk import DAG

from bigdata_connectors import BigdataClient
from tests_airflow.conftest import API_KEY, ROOT, Records, ThreadedEmulator

T = TypeVar("T")
DATE = "2026-01-02"


@pytest.fixture
def served(threaded_emulator: ThreadedEmulator, bigdata_connection: Callable[[str], None]) -> ThreadedEmulator:
    bigdata_connection(threaded_emulator.emulator.base_url)
    return threaded_emulator


def on_emulator(served: ThreadedEmulator, work: Callable[[BigdataClient], Awaitable[T]]) -> T:
    """Run ``work`` with a client on the emulator's own loop (the test thread is dag.test()'s)."""

    async def go() -> T:
        async with BigdataClient(API_KEY, base_url=served.emulator.base_url) as client:
            return await work(client)

    return served.call(go)


def new_broker(served: ThreadedEmulator) -> str:
    async def create(client: BigdataClient) -> str:
        created = await client.connectors.create(
            type="investment_research",
            label="Broker feed",
            config={"user_id": "analyst@broker.example", "user_password": "pw-not-a-secret-here"},
        )
        return str(created.connector_id)

    return on_emulator(served, create)


def run(dag: DAG, conf: dict[str, Any]) -> tuple[str, dict[str, tuple[str, Any]]]:
    """dag.test() once; the run's state and, per task, its state and returned XCom."""
    dr = dag.test(run_conf=conf)
    tasks = {ti.task_id: (str(ti.state), ti.xcom_pull(task_ids=ti.task_id)) for ti in dr.get_task_instances()}
    return str(dr.state), tasks


# ---------------------------------------------------------------- the sensor


@pytest.mark.parametrize("deferrable", [True, False], ids=["deferrable", "in-worker"])
def test_sensor_waits_for_a_sync_started_elsewhere(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator, deferrable: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    cid = new_broker(served)
    after = datetime.now(UTC).isoformat()
    on_emulator(served, lambda c: c.connectors.trigger_sync(cid, date_limit=DATE))
    dag = dag_files["tests"].deferrable_sensor_dag if deferrable else dag_files["tests"].inline_sensor_dag
    state, tasks = run(dag, {"connector_id": cid, "after": after})
    assert state == "success"
    task_state, summary = tasks["wait"]
    assert task_state == "success"
    assert summary["connector_id"] == cid
    assert summary["status"] == "SUCCESS"
    out = capfd.readouterr()
    assert API_KEY not in out.out + out.err


def test_sensor_timeout_with_soft_fail_skips(  # the AirflowSensorTimeout reaches Airflow's soft_fail
    dag_files: dict[str, ModuleType], served: ThreadedEmulator, capfd: pytest.CaptureFixture[str]
) -> None:
    cid = new_broker(served)  # nobody syncs it: the 0.5 s sensor times out
    state, tasks = run(
        dag_files["tests"].soft_sensor_dag, {"connector_id": cid, "after": datetime.now(UTC).isoformat()}
    )
    assert tasks["wait"][0] == "skipped"
    assert state == "success"
    out = capfd.readouterr()
    assert API_KEY not in out.out + out.err


# ---------------------------------------------------------------- the operator


@pytest.mark.parametrize("deferrable", [True, False], ids=["deferrable", "in-worker"])
def test_operator_syncs_and_returns_the_summary(
    dag_files: dict[str, ModuleType],
    served: ThreadedEmulator,
    deferrable: bool,
    capfd: pytest.CaptureFixture[str],
    log_records: Records,
) -> None:
    cid = new_broker(served)
    dag = dag_files["tests"].deferrable_dag if deferrable else dag_files["tests"].inline_dag
    state, tasks = run(dag, {"connector_id": cid, "date_limit": DATE})
    assert state == "success"
    task_state, summary = tasks["sync"]
    assert task_state == "success"
    after = on_emulator(served, lambda c: c.connectors.get(cid))
    assert summary["connector_id"] == cid
    assert summary["status"] == "SUCCESS"
    assert (summary["items"], summary["files"]) == (after.last_sync_count, after.files_count)
    assert summary["elapsed"] >= 0
    assert served.emulator.requests["sync"] == 1
    out = capfd.readouterr()
    assert API_KEY not in out.out + out.err
    ran_inline = any("[DAG TEST] running trigger in line" in line for line in log_records.lines)
    assert ran_inline is deferrable  # deferred: dag.test() ran our trigger as the triggerer would


@pytest.mark.parametrize("deferrable", [True, False], ids=["deferrable", "in-worker"])
def test_a_failed_sync_fails_the_task_with_the_servers_message(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator, deferrable: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    cid = new_broker(served)
    served.emulator.fail_next_syncs(message="broker login rejected: password expired")
    dag = dag_files["tests"].deferrable_dag if deferrable else dag_files["tests"].inline_dag
    state, tasks = run(dag, {"connector_id": cid, "date_limit": DATE})
    assert state == "failed"
    assert tasks["sync"][0] == "failed"
    out = capfd.readouterr()
    assert f"sync of connector {cid} failed: broker login rejected: password expired" in out.out + out.err
    assert API_KEY not in out.out + out.err


def test_an_email_connector_fails_at_once_without_retries(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator, capfd: pytest.CaptureFixture[str]
) -> None:
    async def create(client: BigdataClient) -> str:
        made = await client.connectors.create(type="email", label="inbox", config={"allowed_emails": ["a@b.example"]})
        return str(made.connector_id)

    cid = on_emulator(served, create)
    state, tasks = run(dag_files["tests"].deferrable_dag, {"connector_id": cid, "date_limit": ""})
    assert (state, tasks["sync"][0]) == ("failed", "failed")
    assert served.emulator.requests["sync"] == 0
    out = capfd.readouterr()
    assert "email connector" in out.out + out.err


# ---------------------------------------------------------------- the example DAG


def test_the_example_dag_runs(
    dag_files: dict[str, ModuleType], served: ThreadedEmulator, capfd: pytest.CaptureFixture[str]
) -> None:
    dag = dag_files["example"].dag
    dag.get_task("sync_broker_feed").poll_interval = 0.05  # the emulator's syncs take 0.3 s, not minutes
    cid = new_broker(served)
    state, tasks = run(dag, {"connector_id": cid})
    assert state == "success", tasks
    assert tasks["sync_broker_feed"][0] == tasks["report"][0] == "success"
    out = capfd.readouterr()
    assert f"Broker feed {cid}: SUCCESS" in out.out + out.err
    assert "searchable, 0 failed." in out.out + out.err  # it waited for the sync's documents
    assert API_KEY not in out.out + out.err


def readme_blocks() -> list[str]:
    section = (ROOT / "README.md").read_text().split("## Airflow\n", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]


def parse(code: str, folder: Path) -> Any:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.1
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]
    (folder / "readme_dag.py").write_text(code)
    bag = DagBag(dag_folder=str(folder))
    assert bag.import_errors == {}
    [dag] = bag.dags.values()
    return dag


def test_the_readme_dag_parses_as_a_dag_file(tmp_path: Path) -> None:
    """The README's short DAG, parsed by Airflow's own DagBag as a file in a DAG folder would be."""
    code = readme_blocks()[0]
    assert len([line for line in code.splitlines() if line.strip()]) <= 8
    [task] = parse(code, tmp_path).tasks
    assert type(task).__name__ == "BigdataSyncOperator"
    assert {"connector_id", "date_limit", "timeout", "bigdata_conn_id"} <= set(task.template_fields)


def test_the_readme_watcher_dag_parses_as_a_dag_file(tmp_path: Path) -> None:
    dag = parse(readme_blocks()[1], tmp_path)
    [task] = dag.tasks
    assert task.task_id == "process"
